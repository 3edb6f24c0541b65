/*-------------------------------------------------------------------------
 * xml_reply.h
 *		AWS Query API XML replies (RDS, STS, SNS, CloudWatch) as a small
 *		palloc'd tree, so that nothing else has to touch libxml2.
 *
 * Only elements are kept: attributes, comments and processing instructions
 * are dropped.  Names and text are in the database encoding.  A document
 * with a DOCTYPE is refused (AWS never sends one), so no DTD is ever loaded
 * and no entity is ever expanded.
 *
 * Include postgres.h before this file.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_XML_REPLY_H
#define RDS_BACKUP_XML_REPLY_H

/* Limits on what xml_reply_parse() accepts. */
#define XML_REPLY_MAX_DEPTH		64	/* element nesting */
#define XML_REPLY_MAX_NODES		200000	/* elements in one reply */

typedef struct XNode
{
	char	   *name;			/* local name */
	char	   *ns;				/* namespace URI or NULL */

	/*
	 * Concatenated direct text and CDATA content, NULL if none.  For an
	 * element that has child elements, text that is only whitespace
	 * (indentation) counts as none.
	 */
	char	   *text;
	struct XNode *parent;
	struct XNode *first_child;
	struct XNode *next;			/* next sibling */
} XNode;

/*
 * Parse a reply into a tree allocated in CurrentMemoryContext.  Returns the
 * root element, or NULL with *errmsg set to a short palloc'd description if
 * the input is malformed, has a DOCTYPE, or exceeds the limits above.  The
 * message may quote libxml2's, never the input.  Can still throw for out of
 * memory, or for a character that has no equivalent in the database
 * encoding.
 */
extern XNode *xml_reply_parse(const char *buf, size_t len, char **errmsg);

/* First child with that local name; NULL-safe. */
extern XNode *xnode_child(const XNode *n, const char *name);

/* Follow "A/B/C" by local names from n; "" is n itself.  NULL-safe. */
extern XNode *xnode_path(const XNode *n, const char *path);

/* Text of the element at path, or NULL if absent or empty. */
extern const char *xnode_text(const XNode *n, const char *path);

/* iterate: for (XNode *c = n->first_child; c; c = c->next) */

/*
 * If root is an error reply, return its error code (or "" if it has none)
 * and set *code (NULL if absent), *message (Error/Message) and *request_id.
 * Recognises
 *	 <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>
 *	 <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/>
 *	 <Error><Code/><Message/><RequestId/></Error>
 *
 * Otherwise return NULL, set *code and *message to NULL, and set
 * *request_id from ResponseMetadata/RequestId (or a top-level RequestId) of
 * a success reply.  Any output pointer may be NULL; outputs point into the
 * tree.
 */
extern const char *xml_reply_error(const XNode *root, const char **code,
								   const char **message,
								   const char **request_id);

/* Error/Type ("Sender" or "Receiver") of an error reply, or NULL. */
extern const char *xml_reply_error_type(const XNode *root);

#endif
