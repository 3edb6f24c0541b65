/*-------------------------------------------------------------------------
 * xml_reply.c
 *		AWS Query API XML replies as a small palloc'd tree.
 *
 * Replies come from the network, so the parser is set up for hostile
 * input: no network access, no DTD, no entity expansion (a document with a
 * DOCTYPE is refused as soon as the parser sees it), and limits on nesting
 * and size.  The libxml2 document exists only for the duration of
 * xml_reply_parse(); everything it returns is palloc'd.
 *
 * STS replies carry secret keys and session tokens, so libxml2's messages
 * are caught by a handler on our parser context that keeps only the first
 * error's code and position (libxml2's texts quote the input), instead of
 * the core handler, which would ereport warnings together with an excerpt
 * of the input.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"

/*
 * utils/xml.h drags in the executor's headers, whose inline functions have
 * unused parameters; keep -Wextra quiet about code that is not ours.
 */
#ifdef __GNUC__
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif
#include "utils/xml.h"
#ifdef __GNUC__
#pragma GCC diagnostic pop
#endif

#include "aws/xml_reply.h"

/*
 * State of the parse in progress.  Static because the libxml2 callbacks
 * cannot allocate with palloc (they must not throw); there is only one
 * parse at a time in a process.
 */
static struct
{
	bool		saw_doctype;
	bool		have_error;
	int			error_code;
	int			error_line;
	int			error_column;
} xr_state;

/* State of the conversion to XNodes. */
typedef struct XrConvert
{
	int			nodes;
	const char *error;			/* static message, or NULL */
} XrConvert;

/*
 * SAX internalSubset callback: called when the parser meets "<!DOCTYPE".
 * Stop right there, before any declaration in the subset is read.
 */
static void
xr_reject_doctype(void *ctx,
				  const xmlChar *name pg_attribute_unused(),
				  const xmlChar *ExternalID pg_attribute_unused(),
				  const xmlChar *SystemID pg_attribute_unused())
{
	xr_state.saw_doctype = true;
	xmlStopParser((xmlParserCtxtPtr) ctx);
}

/*
 * Structured error handler for our parser context.  Runs inside libxml2:
 * no palloc, no ereport.  Keeps the first error's code and position only:
 * libxml2's own messages quote the input (attribute values, entity and tag
 * names), and a reply may carry secrets (STS) that an ERROR, a catalog row
 * or the server log must not.
 */
#if LIBXML_VERSION >= 21200
typedef const xmlError *XrErrorPtr;
#else
typedef xmlErrorPtr XrErrorPtr;
#endif

static void
xr_error_handler(void *data pg_attribute_unused(), XrErrorPtr error)
{
	if (error == NULL || error->level < XML_ERR_ERROR || xr_state.have_error)
		return;
	xr_state.have_error = true;
	xr_state.error_code = error->code;
	xr_state.error_line = error->line;
	xr_state.error_column = error->int2;
}

/* What a libxml2 error code means, in words that quote nothing. */
static const char *
xr_error_words(int code)
{
	switch (code)
	{
		case XML_ERR_DOCUMENT_EMPTY:
			return "the document is empty";
		case XML_ERR_DOCUMENT_END:
			return "content after the document element";
		case XML_ERR_TAG_NAME_MISMATCH:
			return "an end tag does not match its start tag";
		case XML_ERR_TAG_NOT_FINISHED:
		case XML_ERR_LTSLASH_REQUIRED:
			return "the document ends inside an element";
		case XML_ERR_GT_REQUIRED:
			return "a tag is not closed";
		case XML_ERR_NAME_REQUIRED:
		case XML_ERR_DOCUMENT_START:
			return "a name or element was expected";
		case XML_ERR_UNDECLARED_ENTITY:
		case XML_WAR_UNDECLARED_ENTITY:
		case XML_ERR_ENTITYREF_SEMICOL_MISSING:
			return "a malformed or undefined entity reference";
		case XML_ERR_INVALID_CHAR:
			return "a character XML does not allow";
		case XML_ERR_INVALID_CHARREF:
		case XML_ERR_INVALID_HEX_CHARREF:
		case XML_ERR_INVALID_DEC_CHARREF:
			return "an invalid character reference";
		case XML_ERR_INVALID_ENCODING:
		case XML_ERR_UNKNOWN_ENCODING:
		case XML_ERR_UNSUPPORTED_ENCODING:
			return "bytes not valid in the document's encoding";
		case XML_ERR_ATTRIBUTE_NOT_STARTED:
		case XML_ERR_ATTRIBUTE_NOT_FINISHED:
		case XML_ERR_ATTRIBUTE_WITHOUT_VALUE:
		case XML_ERR_LT_IN_ATTRIBUTE:
		case XML_ERR_STRING_NOT_CLOSED:
		case XML_ERR_STRING_NOT_STARTED:
		case XML_ERR_EQUAL_REQUIRED:
		case XML_ERR_SPACE_REQUIRED:
			return "a malformed attribute";
		case XML_ERR_ATTRIBUTE_REDEFINED:
		case XML_NS_ERR_ATTRIBUTE_REDEFINED:
			return "an attribute given twice";
		case XML_ERR_COMMENT_NOT_FINISHED:
		case XML_ERR_HYPHEN_IN_COMMENT:
			return "a malformed comment";
		case XML_ERR_CDATA_NOT_FINISHED:
		case XML_ERR_MISPLACED_CDATA_END:
			return "a malformed CDATA section";
		case XML_ERR_PI_NOT_FINISHED:
		case XML_ERR_PI_NOT_STARTED:
		case XML_ERR_RESERVED_XML_NAME:
		case XML_ERR_XMLDECL_NOT_FINISHED:
		case XML_ERR_XMLDECL_NOT_STARTED:
		case XML_ERR_VERSION_MISSING:
			return "a malformed XML declaration or processing instruction";
		case XML_ERR_NO_MEMORY:
		case XML_ERR_INTERNAL_ERROR:
			return "a limit of the XML parser (nesting, text size) or its memory";
		default:
			if (code >= XML_NS_ERR_XML_NAMESPACE && code <= XML_NS_ERR_COLON)
				return "a malformed namespace";
			if (code == XML_WAR_NS_URI || code == XML_WAR_NS_URI_RELATIVE)
				return "a malformed namespace";
			return "malformed XML";
	}
}

/*
 * palloc'd copy of a UTF-8 string from libxml2, in the database encoding.
 * Pure ASCII, by far the common case, needs no conversion.
 */
static char *
xr_string(const char *s, size_t len)
{
	size_t		i;
	char	   *conv;

	for (i = 0; i < len; i++)
	{
		if (IS_HIGHBIT_SET(s[i]))
			break;
	}
	if (i == len)
		return pnstrdup(s, len);

	conv = pg_any_to_server(s, (int) len, PG_UTF8);
	if (conv == s)
		conv = pnstrdup(s, len);
	return conv;
}

static bool
xr_all_whitespace(const char *s, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	}
	return true;
}

/*
 * Convert element el (at nesting level depth, the root being 1) and its
 * subtree.  Returns NULL with cv->error set when a limit is exceeded.
 */
static XNode *
xr_convert(xmlNodePtr el, XNode *parent, int depth, XrConvert *cv)
{
	XNode	   *n;
	XNode	   *last = NULL;
	xmlNodePtr	c;
	StringInfoData text;
	bool		have_text = false;

	if (depth > XML_REPLY_MAX_DEPTH)
	{
		cv->error = "elements are nested too deeply";
		return NULL;
	}
	if (++cv->nodes > XML_REPLY_MAX_NODES)
	{
		cv->error = "too many elements";
		return NULL;
	}

	n = palloc0(sizeof(XNode));
	n->name = xr_string((const char *) el->name,
						strlen((const char *) el->name));
	if (el->ns != NULL && el->ns->href != NULL)
		n->ns = xr_string((const char *) el->ns->href,
						  strlen((const char *) el->ns->href));
	n->parent = parent;

	for (c = el->children; c != NULL; c = c->next)
	{
		switch (c->type)
		{
			case XML_ELEMENT_NODE:
				{
					XNode	   *child = xr_convert(c, n, depth + 1, cv);

					if (child == NULL)
						return NULL;
					if (last == NULL)
						n->first_child = child;
					else
						last->next = child;
					last = child;
				}
				break;
			case XML_TEXT_NODE:
			case XML_CDATA_SECTION_NODE:
				if (c->content != NULL && c->content[0] != '\0')
				{
					if (!have_text)
					{
						initStringInfo(&text);
						have_text = true;
					}
					appendStringInfoString(&text, (const char *) c->content);
				}
				break;
			case XML_ENTITY_REF_NODE:
			case XML_ENTITY_NODE:
				/* impossible without a DTD; refuse rather than guess */
				cv->error = "unexpected entity reference";
				return NULL;
			default:
				/* comments, processing instructions */
				break;
		}
	}

	if (have_text)
	{
		/* indentation between child elements is not content */
		if (n->first_child == NULL || !xr_all_whitespace(text.data, text.len))
			n->text = xr_string(text.data, text.len);
		pfree(text.data);
	}
	return n;
}

XNode *
xml_reply_parse(const char *buf, size_t len, char **errmsg)
{
	PgXmlErrorContext *xmlerrcxt;
	xmlParserCtxtPtr volatile ctxt = NULL;
	xmlDocPtr volatile doc = NULL;
	XNode	   *volatile result = NULL;
	char	   *volatile err = NULL;

	*errmsg = NULL;
	if (buf == NULL || len == 0)
	{
		*errmsg = pstrdup("empty XML reply");
		return NULL;
	}
	if (len > (size_t) INT_MAX)
	{
		*errmsg = pstrdup("XML reply is too large");
		return NULL;
	}

	memset(&xr_state, 0, sizeof(xr_state));

	/*
	 * pg_xml_init() saves and later restores libxml2's global error handler
	 * and installs the core's external entity loader, which refuses to load
	 * anything; our own context-level handler takes the parser's messages.
	 */
	xmlerrcxt = pg_xml_init(PG_XML_STRICTNESS_ALL);

	PG_TRY();
	{
		xmlNodePtr	root;

		ctxt = xmlNewParserCtxt();
		if (ctxt == NULL || pg_xml_error_occurred(xmlerrcxt))
			xml_ereport(xmlerrcxt, ERROR, ERRCODE_OUT_OF_MEMORY,
						"could not allocate parser context");
		ctxt->sax->internalSubset = xr_reject_doctype;
		ctxt->sax->serror = xr_error_handler;

		/*
		 * Deliberately without XML_PARSE_NOENT, XML_PARSE_DTDLOAD,
		 * XML_PARSE_DTDATTR and XML_PARSE_HUGE.
		 */
		doc = xmlCtxtReadMemory(ctxt, buf, (int) len, NULL, NULL,
								XML_PARSE_NONET);

		if (xr_state.saw_doctype ||
			(doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL)))
			err = pstrdup("XML reply has a DOCTYPE declaration");
		else if (doc == NULL || xr_state.have_error ||
				 pg_xml_error_occurred(xmlerrcxt))
		{
			if (xr_state.have_error)
				err = psprintf("malformed XML reply: line %d, column %d: %s (libxml2 error %d)",
							   xr_state.error_line, xr_state.error_column,
							   xr_error_words(xr_state.error_code), xr_state.error_code);
			else
				err = pstrdup("malformed XML reply");
		}
		else if ((root = xmlDocGetRootElement(doc)) == NULL)
			err = pstrdup("XML reply has no root element");
		else
		{
			XrConvert	cv = {0};

			result = xr_convert(root, NULL, 1, &cv);
			if (result == NULL)
				err = psprintf("XML reply refused: %s",
							   cv.error ? cv.error : "conversion failed");
		}
	}
	PG_FINALLY();
	{
		if (doc != NULL)
			xmlFreeDoc(doc);
		if (ctxt != NULL)
			xmlFreeParserCtxt(ctxt);

		/*
		 * isError only relaxes an assertion about unreported libxml2 errors:
		 * we report them ourselves, as a NULL result.
		 */
		pg_xml_done(xmlerrcxt, true);
	}
	PG_END_TRY();

	if (err != NULL)
	{
		*errmsg = err;
		return NULL;
	}
	return result;
}

XNode *
xnode_child(const XNode *n, const char *name)
{
	XNode	   *c;

	if (n == NULL || name == NULL)
		return NULL;
	for (c = n->first_child; c != NULL; c = c->next)
	{
		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

XNode *
xnode_path(const XNode *n, const char *path)
{
	const char *p = path;

	if (n == NULL || path == NULL)
		return NULL;
	while (*p != '\0')
	{
		const char *slash = strchr(p, '/');
		size_t		seglen = slash ? (size_t) (slash - p) : strlen(p);
		XNode	   *c;

		for (c = n->first_child; c != NULL; c = c->next)
		{
			if (strncmp(c->name, p, seglen) == 0 && c->name[seglen] == '\0')
				break;
		}
		if (c == NULL)
			return NULL;
		n = c;
		p += seglen;
		if (*p == '/')
			p++;
	}
	return unconstify(XNode *, n);
}

const char *
xnode_text(const XNode *n, const char *path)
{
	XNode	   *t = xnode_path(n, path);

	return t ? t->text : NULL;
}

/* The Error element of an error reply, or NULL. */
static const XNode *
xr_error_node(const XNode *root)
{
	if (root == NULL)
		return NULL;
	if (strcmp(root->name, "ErrorResponse") == 0)
		return xnode_child(root, "Error");
	if (strcmp(root->name, "Response") == 0)
		return xnode_path(root, "Errors/Error");
	if (strcmp(root->name, "Error") == 0)
		return root;
	return NULL;
}

const char *
xml_reply_error(const XNode *root, const char **code, const char **message,
				const char **request_id)
{
	const XNode *e = xr_error_node(root);
	const char *c = NULL;
	const char *m = NULL;
	const char *rid = NULL;

	if (e != NULL)
	{
		c = xnode_text(e, "Code");
		m = xnode_text(e, "Message");
		rid = xnode_text(root, "RequestId");
		if (rid == NULL)
			rid = xnode_text(root, "RequestID");
		if (rid == NULL && e != root)
			rid = xnode_text(e, "RequestId");
	}
	else if (root != NULL)
	{
		rid = xnode_text(root, "ResponseMetadata/RequestId");
		if (rid == NULL)
			rid = xnode_text(root, "RequestId");
	}

	if (code)
		*code = c;
	if (message)
		*message = m;
	if (request_id)
		*request_id = rid;

	if (e == NULL)
		return NULL;
	return c ? c : "";
}

const char *
xml_reply_error_type(const XNode *root)
{
	return xnode_text(xr_error_node(root), "Type");
}
