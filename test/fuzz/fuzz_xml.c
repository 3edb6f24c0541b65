/*
 * fuzz_xml.c
 *		libFuzzer harness for the reader of AWS's XML replies,
 *		src/aws/xml_reply.c: the code that reads whatever the network
 *		sends.  The module is compiled unchanged against the server's
 *		headers and linked with pg_shim.c (palloc, ereport, PG_TRY and a
 *		pg_xml_init() that refuses external entities, as the backend's).
 *
 * Input: the reply body, bytes as they are.  Beyond the sanitizers, the
 * harness checks that
 *	- the parse either returns a tree or a short message, never both;
 *	- a document with a DOCTYPE is refused (so no DTD is read and no
 *	  entity is expanded: billion laughs, external entities);
 *	- the tree keeps the documented limits (depth 64, 200,000 elements),
 *	  and is consistent: parent links, non-empty names, valid UTF-8
 *	  without NUL in every name and text;
 *	- the error message is printable ASCII and never quotes the input
 *	  (replies of STS carry secrets): a 12-byte run of the input that is
 *	  in the message must also be in the message's fixed words;
 *	- xml_reply_error() and xnode_path() agree with the tree;
 *	- the same input gives the same answer twice, and nothing palloc'd
 *	  remains reachable from libxml2 (ASan's leak check at exit).
 */
#define _GNU_SOURCE 1
#include "postgres.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "aws/xml_reply.h"

#include "pg_shim.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Parse
{
	const char *buf;
	size_t		len;
	XNode	   *root;
	char	   *errmsg;
} Parse;

static void
run_parse(void *arg)
{
	Parse	   *p = arg;

	p->root = xml_reply_parse(p->buf, p->len, &p->errmsg);
}

/* Walk the tree; returns the number of elements, checking each. */
static int
check_tree(const XNode *n, const XNode *parent, int depth, int *max_depth)
{
	int			count = 1;
	const XNode *c;

	if (depth > XML_REPLY_MAX_DEPTH)
		abort();
	if (depth > *max_depth)
		*max_depth = depth;
	if (n->parent != parent || n->name == NULL || n->name[0] == '\0' || !shim_valid_utf8(n->name))
		abort();
	if (n->ns && !shim_valid_utf8(n->ns))
		abort();
	if (n->text && (n->text[0] == '\0' || !shim_valid_utf8(n->text)))
		abort();
	for (c = n->first_child; c; c = c->next)
	{
		count += check_tree(c, n, depth + 1, max_depth);
		if (count > XML_REPLY_MAX_NODES)
			abort();
		/* xnode_child finds the first child of that name */
		if (xnode_child(n, c->name) == NULL)
			abort();
	}
	return count;
}

/* Every message xml_reply_parse() can give, digits left out. */
static const char *const fixed_messages[] = {
	"empty XML reply", "XML reply is too large", "XML reply has a DOCTYPE declaration",
	"malformed XML reply", "XML reply has no root element",
	"XML reply refused: elements are nested too deeply", "XML reply refused: too many elements",
	"XML reply refused: unexpected entity reference", "XML reply refused: conversion failed",
	NULL
};

/* What the reader says of libxml2's error codes (xr_error_words). */
static const char *const libxml_words[] = {
	"the document is empty", "content after the document element",
	"an end tag does not match its start tag", "the document ends inside an element",
	"a tag is not closed", "a name or element was expected",
	"a malformed or undefined entity reference", "a character XML does not allow",
	"an invalid character reference", "bytes not valid in the document's encoding",
	"a malformed attribute", "an attribute given twice", "a malformed comment",
	"a malformed CDATA section", "a malformed XML declaration or processing instruction",
	"a limit of the XML parser (nesting, text size) or its memory",
	"a malformed namespace", "malformed XML", NULL
};

/*
 * The message is one of the fixed ones (libxml2's texts quote the input,
 * and a reply may carry secrets): printable ASCII, and with its digits
 * left out, a known sentence.
 */
static void
check_message(const char *msg, const uint8_t *data, size_t size)
{
	char	   *bare = palloc(strlen(msg) + 1);
	char	   *b = bare;
	const char *const *w;
	const char *p;

	for (p = msg; *p; p++)
	{
		if ((unsigned char) *p < 0x20 || (unsigned char) *p > 0x7e)
			abort();
		if (!(*p >= '0' && *p <= '9') && !(*p == '-' && p[1] >= '0' && p[1] <= '9'))
			*b++ = *p;
	}
	*b = '\0';
	for (w = fixed_messages; *w; w++)
		if (strcmp(bare, *w) == 0)
			return;
	for (w = libxml_words; *w; w++)
		if (strcmp(bare, psprintf("malformed XML reply: line , column : %s (libxml error )", *w)) == 0)
			return;
	fprintf(stderr, "unexpected message: %s\n", msg);
	abort();
}

static void
quiet(void *ctx, const char *msg,...)
{
}

/* Whether libxml2 itself, left to its defaults, sees a DTD in the input. */
static bool
has_doctype(const uint8_t *data, size_t size)
{
	xmlDocPtr	doc;
	bool		dtd;

	xmlSetGenericErrorFunc(NULL, quiet);
	doc = xmlReadMemory((const char *) data, (int) size, NULL, NULL,
						XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR |
						XML_PARSE_NOWARNING);
	if (doc == NULL)
		return false;
	dtd = doc->intSubset != NULL || doc->extSubset != NULL;
	xmlFreeDoc(doc);
	return dtd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int			round;
	bool		first_ok = false;
	int			first_nodes = 0;

	for (round = 0; round < 2; round++)
	{
		Parse		p;
		char	   *copy = malloc(size ? size : 1);
		bool		returned;
		int			nodes = 0;

		/* exact size, no terminator: a read past the end is caught */
		memcpy(copy, data, size);
		p.buf = copy;
		p.len = size;
		p.root = NULL;
		p.errmsg = NULL;
		returned = shim_call(run_parse, &p);
		if (!returned)
		{
			/* may only throw for invalid UTF-8 (the database encoding) */
			if (shim_error()->sqlerrcode != ERRCODE_CHARACTER_NOT_IN_REPERTOIRE)
				abort();
		}
		else if (p.root != NULL)
		{
			int			depth = 0;
			const char *code,
					   *message,
					   *rid;
			const char *err;

			if (p.errmsg != NULL)
				abort();
			if (has_doctype(data, size))
				abort();
			nodes = check_tree(p.root, NULL, 1, &depth);
			err = xml_reply_error(p.root, &code, &message, &rid);
			if (err != NULL)
			{
				if (code != NULL && strcmp(err, code) != 0)
					abort();
				if (code == NULL && err[0] != '\0')
					abort();
			}
			else if (code != NULL || message != NULL)
				abort();
			if (xnode_path(p.root, "") != p.root)
				abort();
			(void) xnode_text(p.root, "ResponseMetadata/RequestId");
			(void) xml_reply_error_type(p.root);
			/* a child reached by name is reached by the path of its name */
			if (p.root->first_child &&
				xnode_path(p.root, p.root->first_child->name) != p.root->first_child)
				abort();
		}
		else
		{
			if (p.errmsg == NULL || p.errmsg[0] == '\0')
				abort();
			check_message(p.errmsg, data, size);
		}

		if (round == 0)
		{
			first_ok = returned && p.root != NULL;
			first_nodes = nodes;
		}
		else if ((returned && p.root != NULL) != first_ok || nodes != first_nodes)
			abort();
		free(copy);
		shim_reset();
	}
	return 0;
}
