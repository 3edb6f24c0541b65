/*-------------------------------------------------------------------------
 * xml_reply.c
 *		AWS Query API XML replies as a small palloc'd tree.
 *
 * Replies come from the network, so the parser is set up for hostile
 * input: no network access, no DTD, no entity expansion (a document with a
 * DOCTYPE is refused as soon as the parser sees it), and limits on nesting
 * and size.
 *
 * libxml2 parses with SAX callbacks that record elements and text straight
 * into two flat arrays (no libxml2 document is built and freed per reply);
 * once libxml2 has returned, the tree is made from them in two palloc'd
 * blocks.  Callbacks run inside libxml2 and must not throw, so the arrays
 * are malloc'd; they are kept from one reply to the next (a few kB for an
 * RDS page) and wiped after each, since STS replies carry secret keys and
 * session tokens.
 *
 * For the same reason libxml2's messages are caught by a handler on our
 * parser context that keeps only the first error's text (never the input
 * around it), instead of the core handler, which would ereport warnings
 * together with an excerpt of the input.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

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

/* Longest libxml2 message quoted in our error text. */
#define XR_MAX_LIBXML_MESSAGE	200

/* Arrays above this size are given back after a reply instead of kept. */
#define XR_KEEP_BYTES			(256 * 1024)

/* No element: the "next" and "child" links of a leaf or last sibling. */
#define XR_NONE					(-1)

/* An element as the callbacks record it: indexes and offsets, no pointers */
typedef struct XrElement
{
	int			parent;
	int			first_child;
	int			last_child;
	int			next;
	size_t		name;			/* offset into xr.strings, NUL-terminated */
	ssize_t		ns;				/* offset, or -1 without a namespace */
	ssize_t		text;			/* offset, or -1 when there is none */
	size_t		text_len;
} XrElement;

/* An element still open: where its text starts in xr.pending */
typedef struct XrOpen
{
	int			element;
	size_t		text_start;
} XrOpen;

/*
 * State of the parse in progress.  Static because the libxml2 callbacks
 * cannot allocate with palloc (they must not throw); there is only one
 * parse at a time in a process.
 */
static struct
{
	XrElement  *elements;
	int			n_elements;
	size_t		cap_elements;

	char	   *strings;		/* names, namespaces, finished text */
	size_t		strings_len;
	size_t		strings_cap;

	char	   *pending;		/* text of the open elements, innermost last */
	size_t		pending_len;
	size_t		pending_cap;

	XrOpen		open[XML_REPLY_MAX_DEPTH];
	int			depth;

	const xmlChar *last_uri;	/* libxml2 interns namespace URIs */
	ssize_t		last_uri_offset;

	bool		saw_doctype;
	bool		oom;
	const char *refused;		/* a limit or an entity: static message */
	bool		have_error;
	int			error_line;
	char		error_msg[XR_MAX_LIBXML_MESSAGE + 1];
} xr;

/*
 * Grow *buf to hold need units; false (and oom set) if malloc fails.  The
 * old block is wiped before it is freed, as realloc() would not: it may
 * hold a secret of an STS reply.
 */
static bool
xr_grow(void **buf, size_t *cap, size_t need, size_t unit)
{
	size_t		new_cap;
	void	   *p;

	if (need <= *cap)
		return true;
	new_cap = *cap ? *cap : 4096 / unit;
	while (new_cap < need)
		new_cap *= 2;
	p = malloc(new_cap * unit);
	if (p == NULL)
	{
		xr.oom = true;
		return false;
	}
	if (*buf != NULL)
	{
		memcpy(p, *buf, *cap * unit);
		explicit_bzero(*buf, *cap * unit);
		free(*buf);
	}
	*buf = p;
	*cap = new_cap;
	return true;
}

/* Append len bytes and a NUL to xr.strings; the offset, or -1 */
static ssize_t
xr_add_string(const char *s, size_t len)
{
	size_t		at = xr.strings_len;

	if (!xr_grow((void **) &xr.strings, &xr.strings_cap, at + len + 1, 1))
		return -1;
	memcpy(xr.strings + at, s, len);
	xr.strings[at + len] = '\0';
	xr.strings_len += len + 1;
	return (ssize_t) at;
}

/* Stop at the first problem; libxml2 calls nothing more after this. */
static void
xr_stop(void *ctx, const char *why)
{
	if (why != NULL && xr.refused == NULL)
		xr.refused = why;
	xmlStopParser((xmlParserCtxtPtr) ctx);
}

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
	xr.saw_doctype = true;
	xr_stop(ctx, NULL);
}

/* SAX reference callback: impossible without a DTD; refuse, never guess */
static void
xr_reference(void *ctx, const xmlChar *name pg_attribute_unused())
{
	xr_stop(ctx, "unexpected entity reference");
}

static void
xr_start_element(void *ctx, const xmlChar *localname,
				 const xmlChar *prefix pg_attribute_unused(),
				 const xmlChar *URI,
				 int nb_namespaces pg_attribute_unused(),
				 const xmlChar **namespaces pg_attribute_unused(),
				 int nb_attributes pg_attribute_unused(),
				 int nb_defaulted pg_attribute_unused(),
				 const xmlChar **attributes pg_attribute_unused())
{
	XrElement  *el;
	ssize_t		name;
	int			i;

	if (xr.depth >= XML_REPLY_MAX_DEPTH)
	{
		xr_stop(ctx, "elements are nested too deeply");
		return;
	}
	if (xr.n_elements >= XML_REPLY_MAX_NODES)
	{
		xr_stop(ctx, "too many elements");
		return;
	}
	if (!xr_grow((void **) &xr.elements, &xr.cap_elements,
				 (size_t) xr.n_elements + 1, sizeof(XrElement)) ||
		(name = xr_add_string((const char *) localname,
							  strlen((const char *) localname))) < 0)
	{
		xr_stop(ctx, NULL);
		return;
	}
	i = xr.n_elements++;
	el = &xr.elements[i];
	el->name = (size_t) name;
	el->ns = -1;
	if (URI != NULL)
	{
		if (URI != xr.last_uri)
		{
			xr.last_uri_offset = xr_add_string((const char *) URI,
											   strlen((const char *) URI));
			xr.last_uri = xr.last_uri_offset < 0 ? NULL : URI;
		}
		if ((el->ns = xr.last_uri_offset) < 0)
		{
			xr_stop(ctx, NULL);
			return;
		}
	}
	el->text = -1;
	el->text_len = 0;
	el->first_child = el->last_child = el->next = XR_NONE;
	el->parent = xr.depth > 0 ? xr.open[xr.depth - 1].element : XR_NONE;
	if (el->parent != XR_NONE)
	{
		XrElement  *parent = &xr.elements[el->parent];

		if (parent->last_child == XR_NONE)
			parent->first_child = i;
		else
			xr.elements[parent->last_child].next = i;
		parent->last_child = i;
	}
	xr.open[xr.depth].element = i;
	xr.open[xr.depth].text_start = xr.pending_len;
	xr.depth++;
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

static void
xr_end_element(void *ctx, const xmlChar *localname pg_attribute_unused(),
			   const xmlChar *prefix pg_attribute_unused(),
			   const xmlChar *URI pg_attribute_unused())
{
	XrOpen	   *o;
	XrElement  *el;
	size_t		len;

	if (xr.depth == 0)
		return;
	o = &xr.open[--xr.depth];
	el = &xr.elements[o->element];
	len = xr.pending_len - o->text_start;

	/*
	 * The element's own text is what was added since it opened: a child's
	 * text has been taken off again when the child closed.  Indentation
	 * between child elements is not content.
	 */
	if (len > 0 &&
		(el->first_child == XR_NONE ||
		 !xr_all_whitespace(xr.pending + o->text_start, len)))
	{
		if ((el->text = xr_add_string(xr.pending + o->text_start, len)) < 0)
			xr_stop(ctx, NULL);
		el->text_len = len;
	}
	xr.pending_len = o->text_start;
}

/* Text and CDATA: appended to the innermost open element's */
static void
xr_characters(void *ctx, const xmlChar *ch, int len)
{
	if (xr.depth == 0 || len <= 0)
		return;
	if (!xr_grow((void **) &xr.pending, &xr.pending_cap,
				 xr.pending_len + (size_t) len, 1))
	{
		xr_stop(ctx, NULL);
		return;
	}
	memcpy(xr.pending + xr.pending_len, ch, len);
	xr.pending_len += len;
}

/*
 * Structured error handler for our parser context.  Runs inside libxml2:
 * no palloc, no ereport.  Keeps the first error's message and line only.
 */
#if LIBXML_VERSION >= 21200
typedef const xmlError *XrErrorPtr;
#else
typedef xmlErrorPtr XrErrorPtr;
#endif

static void
xr_error_handler(void *data pg_attribute_unused(), XrErrorPtr error)
{
	const char *m;
	int			i;

	if (error == NULL || error->level < XML_ERR_ERROR || xr.have_error)
		return;
	xr.have_error = true;
	xr.error_line = error->line;
	m = error->message ? error->message : "unknown error";

	/* printable ASCII only: the text ends up in an error message */
	for (i = 0; i < XR_MAX_LIBXML_MESSAGE && m[i] != '\0'; i++)
	{
		unsigned char c = (unsigned char) m[i];

		xr.error_msg[i] = (c >= 0x20 && c < 0x7f) ? c : ' ';
	}
	/* drop libxml's trailing newline */
	while (i > 0 && xr.error_msg[i - 1] == ' ')
		i--;
	xr.error_msg[i] = '\0';
}

/*
 * Only element events: no document is built, attributes, comments and
 * processing instructions go nowhere, and external subsets are never
 * asked for.
 */
static xmlSAXHandler xr_sax = {
	.internalSubset = xr_reject_doctype,
	.reference = xr_reference,
	.characters = xr_characters,
	/* the same function, so whitespace is never judged ignorable */
	.ignorableWhitespace = xr_characters,
	.cdataBlock = xr_characters,
	.initialized = XML_SAX2_MAGIC,
	.startElementNs = xr_start_element,
	.endElementNs = xr_end_element,
	.serror = xr_error_handler,
};

/* Forget the last reply: wipe what it left in the arrays */
static void
xr_reset(void)
{
	if (xr.strings)
		explicit_bzero(xr.strings, xr.strings_len);
	if (xr.pending)
		explicit_bzero(xr.pending, xr.pending_len);
	if (xr.strings_cap > XR_KEEP_BYTES)
	{
		free(xr.strings);
		xr.strings = NULL;
		xr.strings_cap = 0;
	}
	if (xr.pending_cap > XR_KEEP_BYTES)
	{
		free(xr.pending);
		xr.pending = NULL;
		xr.pending_cap = 0;
	}
	if (xr.cap_elements * sizeof(XrElement) > XR_KEEP_BYTES)
	{
		free(xr.elements);
		xr.elements = NULL;
		xr.cap_elements = 0;
	}
	xr.n_elements = 0;
	xr.strings_len = 0;
	xr.pending_len = 0;
	xr.depth = 0;
	xr.last_uri = NULL;
	xr.last_uri_offset = -1;
	xr.saw_doctype = false;
	xr.oom = false;
	xr.refused = NULL;
	xr.have_error = false;
	xr.error_line = 0;
	xr.error_msg[0] = '\0';
}

/* No byte of s[0..len) has its high bit set: eight at a time */
static bool
xr_is_ascii(const char *s, size_t len)
{
	uint64		acc = 0;
	size_t		i = 0;

	for (; i + 8 <= len; i += 8)
	{
		uint64		w;

		memcpy(&w, s + i, 8);
		acc |= w;
	}
	for (; i < len; i++)
		acc |= (unsigned char) s[i];
	return (acc & UINT64CONST(0x8080808080808080)) == 0;
}

/* A recorded UTF-8 string in the database encoding: copied if converted */
static char *
xr_string(char *s, size_t len)
{
	char	   *conv;

	if (xr_is_ascii(s, len))
		return s;
	conv = pg_any_to_server(s, (int) len, PG_UTF8);
	return conv == s ? s : conv;
}

/* The tree of the recorded elements, in CurrentMemoryContext */
static XNode *
xr_build(void)
{
	XNode	   *nodes = palloc(sizeof(XNode) * xr.n_elements);
	char	   *strings = palloc(xr.strings_len);

	/* pure ASCII, by far the common case, is used as it is */
	bool		ascii = xr_is_ascii(xr.strings, xr.strings_len);
	int			i;

	memcpy(strings, xr.strings, xr.strings_len);
	for (i = 0; i < xr.n_elements; i++)
	{
		const XrElement *el = &xr.elements[i];
		XNode	   *n = &nodes[i];

		n->name = strings + el->name;
		n->ns = el->ns < 0 ? NULL : strings + el->ns;
		n->text = el->text < 0 ? NULL : strings + el->text;
		if (!ascii)
		{
			n->name = xr_string(n->name, strlen(n->name));
			if (n->ns)
				n->ns = xr_string(n->ns, strlen(n->ns));
			if (n->text)
				n->text = xr_string(n->text, el->text_len);
		}
		n->parent = el->parent == XR_NONE ? NULL : &nodes[el->parent];
		n->first_child = el->first_child == XR_NONE ? NULL : &nodes[el->first_child];
		n->next = el->next == XR_NONE ? NULL : &nodes[el->next];
	}
	return &nodes[0];
}

XNode *
xml_reply_parse(const char *buf, size_t len, char **errmsg_out)
{
	PgXmlErrorContext *xmlerrcxt;
	xmlParserCtxtPtr volatile ctxt = NULL;
	XNode	   *volatile result = NULL;
	char	   *volatile err = NULL;
	volatile bool oom = false;

	*errmsg_out = NULL;
	if (buf == NULL || len == 0)
	{
		*errmsg_out = pstrdup("empty XML reply");
		return NULL;
	}
	if (len > (size_t) INT_MAX)
	{
		*errmsg_out = pstrdup("XML reply is too large");
		return NULL;
	}

	xr_reset();

	/*
	 * pg_xml_init() saves and later restores libxml2's global error handler
	 * and installs the core's external entity loader, which refuses to load
	 * anything; our own context-level handler takes the parser's messages.
	 */
	xmlerrcxt = pg_xml_init(PG_XML_STRICTNESS_ALL);

	PG_TRY();
	{
		ctxt = xmlCreateMemoryParserCtxt(buf, (int) len);
		if (ctxt == NULL || ctxt->sax == NULL || pg_xml_error_occurred(xmlerrcxt))
			xml_ereport(xmlerrcxt, ERROR, ERRCODE_OUT_OF_MEMORY,
						"could not allocate parser context");

		/*
		 * Deliberately without XML_PARSE_NOENT, XML_PARSE_DTDLOAD,
		 * XML_PARSE_DTDATTR and XML_PARSE_HUGE.
		 */
		xmlCtxtUseOptions(ctxt, XML_PARSE_NONET);
		/* our callbacks in the context's own copy of the handler */
		memcpy(ctxt->sax, &xr_sax, sizeof(xmlSAXHandler));
		(void) xmlParseDocument(ctxt);

		if (xr.oom)
			oom = true;
		else if (xr.saw_doctype)
			err = pstrdup("XML reply has a DOCTYPE declaration");
		else if (xr.refused != NULL)
			err = psprintf("XML reply refused: %s", xr.refused);
		else if (!ctxt->wellFormed || xr.have_error ||
				 pg_xml_error_occurred(xmlerrcxt))
		{
			if (xr.have_error)
				err = psprintf("malformed XML reply: line %d: %s",
							   xr.error_line, xr.error_msg);
			else
				err = pstrdup("malformed XML reply");
		}
		else if (xr.n_elements == 0)
			err = pstrdup("XML reply has no root element");
		else
			result = xr_build();
	}
	PG_FINALLY();
	{
		if (ctxt != NULL)
		{
			if (ctxt->myDoc != NULL)
				xmlFreeDoc(ctxt->myDoc);
			xmlFreeParserCtxt(ctxt);
		}
		xr_reset();

		/*
		 * isError only relaxes an assertion about unreported libxml2 errors:
		 * we report them ourselves, as a NULL result.
		 */
		pg_xml_done(xmlerrcxt, true);
	}
	PG_END_TRY();

	if (oom)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while parsing an XML reply")));
	if (err != NULL)
	{
		*errmsg_out = err;
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
