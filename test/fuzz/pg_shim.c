/*
 * pg_shim.c
 *		A minimal stand-in for the PostgreSQL backend services that the
 *		fuzzed modules call (see pg_shim.h).  Each piece behaves as the
 *		backend's does where the modules can tell the difference: ERRORs
 *		longjmp, palloc never returns NULL, pg_any_to_server() refuses
 *		invalid UTF-8, numeric_float8() refuses values out of double's
 *		range, timestamptz_in() refuses what it cannot read.
 */
#include "postgres.h"

#include <math.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "nodes/pg_list.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

/*
 * utils/xml.h drags in executor headers whose inline functions have unused
 * parameters.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "utils/xml.h"
#pragma GCC diagnostic pop

#include "pg_shim.h"

/* ---------------------------------------------------------------- memory */

/*
 * Two "memory contexts": the input's, freed by shim_reset(), and
 * TopMemoryContext, which lives as long as the process (caches kept from
 * one call to the next, as in the backend).
 */
typedef struct Chunk
{
	struct Chunk *prev;
	struct Chunk *next;
	size_t		size;
	size_t		top;			/* in TopMemoryContext; keeps 16-byte alignment */
} Chunk;

static Chunk *chunks = NULL;	/* the input's */
static Chunk *top_chunks = NULL;
static size_t allocated = 0;

static MemoryContextData input_context;
static MemoryContextData top_context;

MemoryContext CurrentMemoryContext = &input_context;
MemoryContext TopMemoryContext = &top_context;
MemoryContext ErrorContext = &input_context;

static void *
chunk_alloc_in(MemoryContext cxt, size_t size, bool zero)
{
	Chunk	   *c;
	Chunk	  **list = cxt == TopMemoryContext ? &top_chunks : &chunks;

	if (size > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg_internal("invalid memory alloc request size %zu", size)));
	c = zero ? calloc(1, sizeof(Chunk) + size) : malloc(sizeof(Chunk) + size);
	if (c == NULL)
		abort();
	c->size = size;
	c->top = (list == &top_chunks);
	c->prev = NULL;
	c->next = *list;
	if (*list)
		(*list)->prev = c;
	*list = c;
	if (!c->top)
		allocated += size;
	return c + 1;
}

static void *
chunk_alloc(size_t size, bool zero)
{
	return chunk_alloc_in(CurrentMemoryContext, size, zero);
}

static void
chunk_unlink(Chunk *c)
{
	Chunk	  **list = c->top ? &top_chunks : &chunks;

	if (c->prev)
		c->prev->next = c->next;
	else
		*list = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (!c->top)
		allocated -= c->size;
}

void *
palloc(Size size)
{
	return chunk_alloc(size, false);
}

void *
palloc0(Size size)
{
	return chunk_alloc(size, true);
}

void *
palloc_extended(Size size, int flags)
{
	return chunk_alloc(size, (flags & MCXT_ALLOC_ZERO) != 0);
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return chunk_alloc_in(context, size, false);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return chunk_alloc_in(context, size, true);
}

void
pfree(void *pointer)
{
	Chunk	   *c = (Chunk *) pointer - 1;

	chunk_unlink(c);
	free(c);
}

void *
repalloc(void *pointer, Size size)
{
	Chunk	   *c = (Chunk *) pointer - 1;
	void	   *p = chunk_alloc_in(c->top ? TopMemoryContext : &input_context, size, false);

	memcpy(p, pointer, Min(size, c->size));
	pfree(pointer);
	return p;
}

char *
pstrdup(const char *in)
{
	return pnstrdup(in, strlen(in));
}

char *
pnstrdup(const char *in, Size len)
{
	char	   *out;

	len = strnlen(in, len);
	out = palloc(len + 1);
	memcpy(out, in, len);
	out[len] = '\0';
	return out;
}

char *
MemoryContextStrdup(MemoryContext context, const char *string)
{
	char	   *out = chunk_alloc_in(context, strlen(string) + 1, false);

	strcpy(out, string);
	return out;
}

char *
psprintf(const char *fmt,...)
{
	size_t		len = 128;

	for (;;)
	{
		char	   *buf = palloc(len);
		va_list		args;
		int			n;

		va_start(args, fmt);
		n = vsnprintf(buf, len, fmt, args);
		va_end(args);
		if (n < 0)
			abort();
		if ((size_t) n < len)
			return buf;
		pfree(buf);
		len = (size_t) n + 1;
	}
}

void
shim_reset(void)
{
	/* a module that switched contexts and threw is back in the input's */
	CurrentMemoryContext = &input_context;
	while (chunks)
	{
		Chunk	   *c = chunks;

		chunks = c->next;
		free(c);
	}
	allocated = 0;
}

size_t
shim_allocated(void)
{
	return allocated;
}

/* ---------------------------------------------------------------- errors */

sigjmp_buf *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;
emit_log_hook_type emit_log_hook = NULL;

static ShimError last_error;
static bool error_open = false;

const ShimError *
shim_error(void)
{
	return &last_error;
}

const char *
shim_sqlstate(int sqlerrcode)
{
	static char buf[6];
	int			i;

	for (i = 0; i < 5; i++)
	{
		buf[i] = PGUNSIXBIT(sqlerrcode);
		sqlerrcode >>= 6;
	}
	buf[5] = '\0';
	return buf;
}

bool
errstart(int elevel, const char *domain)
{
	if (elevel < ERROR)
		return false;
	memset(&last_error, 0, sizeof(last_error));
	last_error.sqlerrcode = ERRCODE_INTERNAL_ERROR;
	error_open = true;
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (!error_open)
		abort();
	error_open = false;
	if (last_error.message == NULL)
		abort();				/* every ERROR of the modules has a message */
	if (PG_exception_stack == NULL)
		abort();
	siglongjmp(*PG_exception_stack, 1);
}

void
pg_re_throw(void)
{
	if (PG_exception_stack == NULL)
		abort();
	siglongjmp(*PG_exception_stack, 1);
}

int
errcode(int sqlerrcode)
{
	last_error.sqlerrcode = sqlerrcode;
	return 0;
}

#define SHIM_FORMAT(target) \
	do { \
		size_t		len_ = 128; \
		for (;;) \
		{ \
			char	   *buf_ = palloc(len_); \
			va_list		args_; \
			int			n_; \
			va_start(args_, fmt); \
			n_ = vsnprintf(buf_, len_, fmt, args_); \
			va_end(args_); \
			if (n_ < 0) \
				abort(); \
			if ((size_t) n_ < len_) \
			{ \
				(target) = buf_; \
				break; \
			} \
			pfree(buf_); \
			len_ = (size_t) n_ + 1; \
		} \
	} while (0)

int
errmsg(const char *fmt,...)
{
	SHIM_FORMAT(last_error.message);
	return 0;
}

int
errmsg_internal(const char *fmt,...)
{
	SHIM_FORMAT(last_error.message);
	return 0;
}

int
errdetail(const char *fmt,...)
{
	SHIM_FORMAT(last_error.detail);
	return 0;
}

int
errdetail_internal(const char *fmt,...)
{
	SHIM_FORMAT(last_error.detail);
	return 0;
}

int
errhint(const char *fmt,...)
{
	SHIM_FORMAT(last_error.hint);
	return 0;
}

bool
shim_call(void (*fn) (void *arg), void *arg)
{
	sigjmp_buf	jb;
	sigjmp_buf *volatile saved = PG_exception_stack;

	memset(&last_error, 0, sizeof(last_error));
	if (sigsetjmp(jb, 0) == 0)
	{
		PG_exception_stack = &jb;
		fn(arg);
		PG_exception_stack = saved;
		return true;
	}
	PG_exception_stack = saved;
	return false;
}

/* ------------------------------------------------------------ stringinfo */

void
initStringInfo(StringInfo str)
{
	str->maxlen = 1024;
	str->data = palloc(str->maxlen);
	resetStringInfo(str);
}

StringInfo
makeStringInfo(void)
{
	StringInfo	s = palloc(sizeof(StringInfoData));

	initStringInfo(s);
	return s;
}

void
resetStringInfo(StringInfo str)
{
	str->data[0] = '\0';
	str->len = 0;
	str->cursor = 0;
}

void
enlargeStringInfo(StringInfo str, int needed)
{
	int			newlen;

	if (needed < 0 || ((Size) needed) >= (MaxAllocSize - (Size) str->len))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("out of memory")));
	needed += str->len + 1;
	if (needed <= str->maxlen)
		return;
	newlen = 2 * str->maxlen;
	while (needed > newlen)
		newlen = 2 * newlen;
	if (newlen > (int) MaxAllocSize)
		newlen = (int) MaxAllocSize;
	str->data = repalloc(str->data, newlen);
	str->maxlen = newlen;
}

void
appendBinaryStringInfo(StringInfo str, const char *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
	str->data[str->len] = '\0';
}

void
appendStringInfoString(StringInfo str, const char *s)
{
	appendBinaryStringInfo(str, s, strlen(s));
}

void
appendStringInfoChar(StringInfo str, char ch)
{
	appendBinaryStringInfo(str, &ch, 1);
}

void
appendStringInfo(StringInfo str, const char *fmt,...)
{
	char	   *s;

	SHIM_FORMAT(s);
	appendStringInfoString(str, s);
	pfree(s);
}

/* ----------------------------------------------------------------- lists */

List *
lappend(List *list, void *datum)
{
	if (list == NIL)
	{
		list = palloc(offsetof(List, initial_elements) + 4 * sizeof(ListCell));
		list->type = T_List;
		list->length = 0;
		list->max_length = 4;
		list->elements = list->initial_elements;
	}
	else if (list->length == list->max_length)
	{
		ListCell   *cells = palloc(2 * list->max_length * sizeof(ListCell));

		memcpy(cells, list->elements, list->length * sizeof(ListCell));
		if (list->elements != list->initial_elements)
			pfree(list->elements);
		list->elements = cells;
		list->max_length *= 2;
	}
	list->elements[list->length++].ptr_value = datum;
	return list;
}

List *
list_copy(const List *oldlist)
{
	List	   *list = NIL;
	int			i;

	if (oldlist == NIL)
		return NIL;
	for (i = 0; i < oldlist->length; i++)
		list = lappend(list, oldlist->elements[i].ptr_value);
	return list;
}

/* -------------------------------------------------------------- encoding */

/* PostgreSQL's rules for UTF-8 (pg_utf8_islegal): no NUL, at most 4 bytes. */
static int
utf8_char_len(const unsigned char *s, size_t avail)
{
	int			n;
	int			i;

	if (*s < 0x80)
		return *s ? 1 : -1;
	if (*s >= 0xC2 && *s <= 0xDF)
		n = 2;
	else if (*s >= 0xE0 && *s <= 0xEF)
		n = 3;
	else if (*s >= 0xF0 && *s <= 0xF4)
		n = 4;
	else
		return -1;
	if ((size_t) n > avail)
		return -1;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return -1;
	if (n == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F)))
		return -1;
	if (n == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F)))
		return -1;
	return n;
}

/* The database is UTF-8 here: verify, convert nothing, as the backend does. */
char *
pg_any_to_server(const char *s, int len, int encoding)
{
	int			i = 0;

	if (encoding != PG_UTF8)
		abort();
	while (i < len)
	{
		int			n = utf8_char_len((const unsigned char *) s + i, len - i);

		if (n < 0)
			ereport(ERROR,
					(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					 errmsg("invalid byte sequence for encoding \"UTF8\"")));
		i += n;
	}
	return unconstify(char *, s);
}

int
pg_mbstrlen(const char *mbstr)
{
	int			n = 0;

	for (; *mbstr; mbstr++)
		if ((*mbstr & 0xC0) != 0x80)
			n++;
	return n;
}

/* bytes of the first limit characters */
int
pg_mbcharcliplen(const char *mbstr, int len, int limit)
{
	int			bytes = 0;
	int			chars = 0;

	while (bytes < len && mbstr[bytes] && chars < limit)
	{
		int			n = utf8_char_len((const unsigned char *) mbstr + bytes, len - bytes);

		if (n < 0)
			n = 1;
		bytes += n;
		chars++;
	}
	return bytes;
}

int
GetDatabaseEncoding(void)
{
	return PG_UTF8;
}

/* -------------------------------------------------------------------- xml */

struct PgXmlErrorContext
{
	bool		err_occurred;
	xmlStructuredErrorFunc saved_errfunc;
	void	   *saved_errcxt;
	xmlExternalEntityLoader saved_entityfunc;
};

static void
shim_xml_error(void *data, xmlErrorPtr error)
{
	PgXmlErrorContext *cxt = data;

	if (error && error->level >= XML_ERR_ERROR)
		cxt->err_occurred = true;
}

/* The backend's entity loader: every external entity is empty. */
static xmlParserInputPtr
shim_entity_loader(const char *URL, const char *ID, xmlParserCtxtPtr ctxt)
{
	return xmlNewStringInputStream(ctxt, (const xmlChar *) "");
}

PgXmlErrorContext *
pg_xml_init(PgXmlStrictness strictness)
{
	PgXmlErrorContext *cxt = palloc0(sizeof(PgXmlErrorContext));

	xmlInitParser();
	cxt->saved_errfunc = xmlStructuredError;
	cxt->saved_errcxt = xmlStructuredErrorContext;
	cxt->saved_entityfunc = xmlGetExternalEntityLoader();
	xmlSetStructuredErrorFunc(cxt, shim_xml_error);
	xmlSetExternalEntityLoader(shim_entity_loader);
	return cxt;
}

void
pg_xml_done(PgXmlErrorContext *errcxt, bool isError)
{
	xmlSetStructuredErrorFunc(errcxt->saved_errcxt, errcxt->saved_errfunc);
	xmlSetExternalEntityLoader(errcxt->saved_entityfunc);
}

bool
pg_xml_error_occurred(PgXmlErrorContext *errcxt)
{
	return errcxt->err_occurred;
}

void
xml_ereport(PgXmlErrorContext *errcxt, int level, int sqlcode, const char *msg)
{
	ereport(level, (errcode(sqlcode), errmsg_internal("%s", msg)));
}

/* ----------------------------------------------------------- json values */

typedef enum SjType
{
	SJ_NULL, SJ_BOOL, SJ_NUMBER, SJ_STRING, SJ_ARRAY, SJ_OBJECT
} SjType;

typedef struct Sj
{
	SjType		type;
	bool		boolean;
	char	   *str;			/* string bytes, or a number's plain text */
	int			len;
	int			n;				/* array elements or object pairs */
	char	  **keys;
	int		   *keylens;
	struct Sj **vals;
} Sj;

/* numeric is opaque to the modules: it is the number's text here */
struct NumericData
{
	int32		vl_len_;
	char	   *text;
};

/* A container: the jsonb header word, then the node it stands for. */
static JsonbContainer *
sj_container(Sj *node, bool raw_scalar)
{
	JsonbContainer *c = palloc0(sizeof(uint32) + sizeof(Sj *));

	c->header = (uint32) node->n | (node->type == SJ_OBJECT ? JB_FOBJECT : JB_FARRAY);
	if (raw_scalar)
		c->header = 1 | JB_FARRAY | JB_FSCALAR;
	memcpy((char *) c + sizeof(uint32), &node, sizeof(Sj *));
	return c;
}

static Sj *
sj_of(const JsonbContainer *c)
{
	Sj		   *node;

	memcpy(&node, (const char *) c + sizeof(uint32), sizeof(Sj *));
	return node;
}

static void
sj_to_value(Sj *node, JsonbValue *v)
{
	switch (node->type)
	{
		case SJ_NULL:
			v->type = jbvNull;
			break;
		case SJ_BOOL:
			v->type = jbvBool;
			v->val.boolean = node->boolean;
			break;
		case SJ_NUMBER:
			{
				Numeric		num = palloc0(sizeof(struct NumericData));

				num->text = node->str;
				v->type = jbvNumeric;
				v->val.numeric = num;
				break;
			}
		case SJ_STRING:
			v->type = jbvString;
			v->val.string.val = node->str;
			v->val.string.len = node->len;
			break;
		case SJ_ARRAY:
		case SJ_OBJECT:
			v->type = jbvBinary;
			v->val.binary.data = sj_container(node, false);
			v->val.binary.len = 0;
			break;
	}
}

typedef struct ShimIterator
{
	Sj		   *node;			/* the container's node (array or object) */
	bool		raw_scalar;
	int			phase;			/* 0 begin, 1 items, 2 end, 3 done */
	int			i;
	bool		value_next;		/* object: the key of pair i was returned */
} ShimIterator;

JsonbIterator *
JsonbIteratorInit(JsonbContainer *container)
{
	ShimIterator *it = palloc0(sizeof(ShimIterator));

	it->node = sj_of(container);
	it->raw_scalar = JsonContainerIsScalar(container);
	return (JsonbIterator *) it;
}

JsonbIteratorToken
JsonbIteratorNext(JsonbIterator **itp, JsonbValue *val, bool skipNested)
{
	ShimIterator *it = (ShimIterator *) *itp;
	Sj		   *node;
	bool		obj;

	if (!skipNested)
		abort();				/* the modules always skip nested containers */
	if (it == NULL)
		return WJB_DONE;
	node = it->node;
	obj = node->type == SJ_OBJECT && !it->raw_scalar;
	switch (it->phase)
	{
		case 0:
			it->phase = 1;
			if (obj)
			{
				val->type = jbvObject;
				val->val.object.nPairs = node->n;
				return WJB_BEGIN_OBJECT;
			}
			val->type = jbvArray;
			val->val.array.nElems = it->raw_scalar ? 1 : node->n;
			val->val.array.rawScalar = it->raw_scalar;
			return WJB_BEGIN_ARRAY;
		case 1:
			if (it->raw_scalar)
			{
				it->phase = 2;
				sj_to_value(node, val);
				return WJB_ELEM;
			}
			if (it->i < node->n)
			{
				if (!obj)
				{
					sj_to_value(node->vals[it->i++], val);
					return WJB_ELEM;
				}
				if (!it->value_next)
				{
					it->value_next = true;
					val->type = jbvString;
					val->val.string.val = node->keys[it->i];
					val->val.string.len = node->keylens[it->i];
					return WJB_KEY;
				}
				it->value_next = false;
				sj_to_value(node->vals[it->i++], val);
				return WJB_VALUE;
			}
			it->phase = 2;
			/* FALLTHROUGH */
		case 2:
			it->phase = 3;
			return obj ? WJB_END_OBJECT : WJB_END_ARRAY;
		default:
			pfree(it);
			*itp = NULL;
			return WJB_DONE;
	}
}

JsonbValue *
getKeyJsonValueFromContainer(JsonbContainer *container, const char *keyVal,
							 int keyLen, JsonbValue *res)
{
	Sj		   *node = sj_of(container);
	int			i;

	if (!JsonContainerIsObject(container))
		return NULL;
	for (i = 0; i < node->n; i++)
	{
		if (node->keylens[i] == keyLen && memcmp(node->keys[i], keyVal, keyLen) == 0)
		{
			if (res == NULL)
				res = palloc(sizeof(JsonbValue));
			sj_to_value(node->vals[i], res);
			return res;
		}
	}
	return NULL;
}

/* PostgreSQL's escape_json (utils/adt/json.c). */
void
escape_json(StringInfo buf, const char *str)
{
	const char *p;

	appendStringInfoChar(buf, '"');
	for (p = str; *p; p++)
	{
		switch (*p)
		{
			case '\b':
				appendStringInfoString(buf, "\\b");
				break;
			case '\f':
				appendStringInfoString(buf, "\\f");
				break;
			case '\n':
				appendStringInfoString(buf, "\\n");
				break;
			case '\r':
				appendStringInfoString(buf, "\\r");
				break;
			case '\t':
				appendStringInfoString(buf, "\\t");
				break;
			case '"':
				appendStringInfoString(buf, "\\\"");
				break;
			case '\\':
				appendStringInfoString(buf, "\\\\");
				break;
			default:
				if ((unsigned char) *p < ' ')
					appendStringInfo(buf, "\\u%04x", (int) *p);
				else
					appendStringInfoChar(buf, *p);
				break;
		}
	}
	appendStringInfoChar(buf, '"');
}

static void
sj_out(StringInfo out, Sj *node)
{
	int			i;

	switch (node->type)
	{
		case SJ_NULL:
			appendStringInfoString(out, "null");
			break;
		case SJ_BOOL:
			appendStringInfoString(out, node->boolean ? "true" : "false");
			break;
		case SJ_NUMBER:
			appendStringInfoString(out, node->str);
			break;
		case SJ_STRING:
			escape_json(out, node->str);
			break;
		case SJ_ARRAY:
			appendStringInfoChar(out, '[');
			for (i = 0; i < node->n; i++)
			{
				if (i > 0)
					appendStringInfoString(out, ", ");
				sj_out(out, node->vals[i]);
			}
			appendStringInfoChar(out, ']');
			break;
		case SJ_OBJECT:
			appendStringInfoChar(out, '{');
			for (i = 0; i < node->n; i++)
			{
				if (i > 0)
					appendStringInfoString(out, ", ");
				escape_json(out, node->keys[i]);
				appendStringInfoString(out, ": ");
				sj_out(out, node->vals[i]);
			}
			appendStringInfoChar(out, '}');
			break;
	}
}

char *
JsonbToCString(StringInfo out, JsonbContainer *in, int estimated_len)
{
	if (out == NULL)
		out = makeStringInfo();
	sj_out(out, sj_of(in));
	return out->data;
}

/* ---------------------------------------------------------- json parser */

typedef struct SjParser
{
	const char *p;
	const char *end;
	int			max_depth;
} SjParser;

static void
sj_skip_ws(SjParser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static void
sj_put_utf8(StringInfo s, unsigned int cp)
{
	char		b[4];

	if (cp < 0x80)
		appendStringInfoChar(s, (char) cp);
	else if (cp < 0x800)
	{
		b[0] = 0xC0 | (cp >> 6);
		b[1] = 0x80 | (cp & 0x3F);
		appendBinaryStringInfo(s, b, 2);
	}
	else if (cp < 0x10000)
	{
		b[0] = 0xE0 | (cp >> 12);
		b[1] = 0x80 | ((cp >> 6) & 0x3F);
		b[2] = 0x80 | (cp & 0x3F);
		appendBinaryStringInfo(s, b, 3);
	}
	else
	{
		b[0] = 0xF0 | (cp >> 18);
		b[1] = 0x80 | ((cp >> 12) & 0x3F);
		b[2] = 0x80 | ((cp >> 6) & 0x3F);
		b[3] = 0x80 | (cp & 0x3F);
		appendBinaryStringInfo(s, b, 4);
	}
}

static int
sj_hex4(SjParser *ps)
{
	int			v = 0;
	int			i;

	if (ps->end - ps->p < 4)
		return -1;
	for (i = 0; i < 4; i++)
	{
		char		c = *ps->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* A JSON string as jsonb keeps it: UTF-8, no NUL (\u0000 is refused). */
static bool
sj_string(SjParser *ps, char **out, int *outlen)
{
	StringInfoData s;

	if (ps->p >= ps->end || *ps->p != '"')
		return false;
	ps->p++;
	initStringInfo(&s);
	while (ps->p < ps->end && *ps->p != '"')
	{
		unsigned char c = (unsigned char) *ps->p;

		if (c < 0x20)
			return false;
		if (c == '\\')
		{
			ps->p++;
			if (ps->p >= ps->end)
				return false;
			switch (*ps->p++)
			{
				case '"':
					appendStringInfoChar(&s, '"');
					break;
				case '\\':
					appendStringInfoChar(&s, '\\');
					break;
				case '/':
					appendStringInfoChar(&s, '/');
					break;
				case 'b':
					appendStringInfoChar(&s, '\b');
					break;
				case 'f':
					appendStringInfoChar(&s, '\f');
					break;
				case 'n':
					appendStringInfoChar(&s, '\n');
					break;
				case 'r':
					appendStringInfoChar(&s, '\r');
					break;
				case 't':
					appendStringInfoChar(&s, '\t');
					break;
				case 'u':
					{
						int			cp = sj_hex4(ps);

						if (cp <= 0)
							return false;
						if (cp >= 0xD800 && cp <= 0xDBFF)
						{
							int			lo;

							if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
								return false;
							ps->p += 2;
							lo = sj_hex4(ps);
							if (lo < 0xDC00 || lo > 0xDFFF)
								return false;
							cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
						}
						else if (cp >= 0xDC00 && cp <= 0xDFFF)
							return false;
						sj_put_utf8(&s, (unsigned int) cp);
						break;
					}
				default:
					return false;
			}
			continue;
		}
		{
			int			n = utf8_char_len((const unsigned char *) ps->p, ps->end - ps->p);

			if (n < 0)
				return false;
			appendBinaryStringInfo(&s, ps->p, n);
			ps->p += n;
		}
	}
	if (ps->p >= ps->end)
		return false;
	ps->p++;
	*out = s.data;
	*outlen = s.len;
	return true;
}

/*
 * A JSON number as numeric_out() would print it after numeric_in(): plain
 * decimal, no exponent, trailing fraction digits kept as the scale says.
 */
static bool
sj_number(SjParser *ps, char **out)
{
	const char *start = ps->p;
	bool		neg = false;
	StringInfoData digits;
	int			frac = 0;
	long		exp = 0;
	int			scale;
	int			point;
	int			lead;
	StringInfoData s;
	int			i;

	initStringInfo(&digits);
	if (ps->p < ps->end && *ps->p == '-')
	{
		neg = true;
		ps->p++;
	}
	if (ps->p >= ps->end || !isdigit((unsigned char) *ps->p))
		return false;
	if (*ps->p == '0')
		appendStringInfoChar(&digits, *ps->p++);
	else
		while (ps->p < ps->end && isdigit((unsigned char) *ps->p))
			appendStringInfoChar(&digits, *ps->p++);
	if (ps->p < ps->end && *ps->p == '.')
	{
		ps->p++;
		if (ps->p >= ps->end || !isdigit((unsigned char) *ps->p))
			return false;
		while (ps->p < ps->end && isdigit((unsigned char) *ps->p))
		{
			appendStringInfoChar(&digits, *ps->p++);
			frac++;
		}
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E'))
	{
		bool		eneg = false;

		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			eneg = *ps->p++ == '-';
		if (ps->p >= ps->end || !isdigit((unsigned char) *ps->p))
			return false;
		while (ps->p < ps->end && isdigit((unsigned char) *ps->p))
		{
			exp = exp * 10 + (*ps->p++ - '0');
			if (exp > 1000)
				return false;	/* numeric_in would refuse it too */
		}
		if (eneg)
			exp = -exp;
	}
	if (ps->p - start > 1000)
		return false;

	/* value = digits * 10^(exp - frac); printed with scale max(0, frac - exp) */
	scale = frac - exp > 0 ? (int) (frac - exp) : 0;
	point = digits.len - frac + (int) exp;	/* digits before the point */
	initStringInfo(&s);
	for (i = 0; i < digits.len && digits.data[i] == '0'; i++)
		;
	if (neg && i < digits.len)
		appendStringInfoChar(&s, '-');	/* numeric has no negative zero */
	/* the integer part without leading zeros, at least one digit */
	lead = 0;
	while (lead < point - 1 && (lead >= digits.len || digits.data[lead] == '0'))
		lead++;
	if (point <= 0)
		appendStringInfoChar(&s, '0');
	else
		for (i = lead; i < point; i++)
			appendStringInfoChar(&s, i < digits.len ? digits.data[i] : '0');
	if (scale > 0)
	{
		appendStringInfoChar(&s, '.');
		for (i = point; i < point + scale; i++)
			appendStringInfoChar(&s, (i >= 0 && i < digits.len) ? digits.data[i] : '0');
	}
	*out = s.data;
	return true;
}

/* jsonb's key order: shorter first, then bytewise. */
static int
sj_key_cmp(const char *a, int alen, const char *b, int blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return memcmp(a, b, alen);
}

static Sj *sj_value(SjParser *ps, int depth);

static Sj *
sj_object(SjParser *ps, int depth)
{
	Sj		   *node = palloc0(sizeof(Sj));
	int			cap = 4;

	node->type = SJ_OBJECT;
	node->keys = palloc(cap * sizeof(char *));
	node->keylens = palloc(cap * sizeof(int));
	node->vals = palloc(cap * sizeof(Sj *));
	ps->p++;
	sj_skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}')
	{
		ps->p++;
		return node;
	}
	for (;;)
	{
		char	   *key;
		int			keylen;
		Sj		   *val;
		int			pos;
		int			cmp = 1;

		sj_skip_ws(ps);
		if (!sj_string(ps, &key, &keylen))
			return NULL;
		sj_skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':')
			return NULL;
		ps->p++;
		if ((val = sj_value(ps, depth + 1)) == NULL)
			return NULL;
		/* insert in order; a repeated key replaces the earlier value */
		for (pos = 0; pos < node->n; pos++)
			if ((cmp = sj_key_cmp(key, keylen, node->keys[pos], node->keylens[pos])) <= 0)
				break;
		if (pos < node->n && cmp == 0)
			node->vals[pos] = val;
		else
		{
			if (node->n == cap)
			{
				cap *= 2;
				node->keys = repalloc(node->keys, cap * sizeof(char *));
				node->keylens = repalloc(node->keylens, cap * sizeof(int));
				node->vals = repalloc(node->vals, cap * sizeof(Sj *));
			}
			memmove(node->keys + pos + 1, node->keys + pos, (node->n - pos) * sizeof(char *));
			memmove(node->keylens + pos + 1, node->keylens + pos, (node->n - pos) * sizeof(int));
			memmove(node->vals + pos + 1, node->vals + pos, (node->n - pos) * sizeof(Sj *));
			node->keys[pos] = key;
			node->keylens[pos] = keylen;
			node->vals[pos] = val;
			node->n++;
		}
		sj_skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',')
		{
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}')
		{
			ps->p++;
			return node;
		}
		return NULL;
	}
}

static Sj *
sj_array(SjParser *ps, int depth)
{
	Sj		   *node = palloc0(sizeof(Sj));
	int			cap = 4;

	node->type = SJ_ARRAY;
	node->vals = palloc(cap * sizeof(Sj *));
	ps->p++;
	sj_skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']')
	{
		ps->p++;
		return node;
	}
	for (;;)
	{
		Sj		   *val = sj_value(ps, depth + 1);

		if (val == NULL)
			return NULL;
		if (node->n == cap)
		{
			cap *= 2;
			node->vals = repalloc(node->vals, cap * sizeof(Sj *));
		}
		node->vals[node->n++] = val;
		sj_skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',')
		{
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']')
		{
			ps->p++;
			return node;
		}
		return NULL;
	}
}

static bool
sj_word(SjParser *ps, const char *w)
{
	size_t		n = strlen(w);

	if ((size_t) (ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static Sj *
sj_value(SjParser *ps, int depth)
{
	Sj		   *node;

	if (depth > ps->max_depth)
		return NULL;
	sj_skip_ws(ps);
	if (ps->p >= ps->end)
		return NULL;
	if (*ps->p == '{')
		return sj_object(ps, depth);
	if (*ps->p == '[')
		return sj_array(ps, depth);
	node = palloc0(sizeof(Sj));
	if (*ps->p == '"')
	{
		node->type = SJ_STRING;
		return sj_string(ps, &node->str, &node->len) ? node : NULL;
	}
	if (sj_word(ps, "true") || sj_word(ps, "false"))
	{
		node->type = SJ_BOOL;
		node->boolean = ps->p[-1] == 'e' && ps->p[-2] == 'u';
		return node;
	}
	if (sj_word(ps, "null"))
	{
		node->type = SJ_NULL;
		return node;
	}
	node->type = SJ_NUMBER;
	return sj_number(ps, &node->str) ? node : NULL;
}

Jsonb *
shim_json_parse(const char *text, size_t len, int max_depth)
{
	SjParser	ps = {text, text + len, max_depth};
	Sj		   *root = sj_value(&ps, 1);
	Jsonb	   *jb;
	JsonbContainer *c;
	size_t		clen = sizeof(uint32) + sizeof(Sj *);

	if (root == NULL)
		return NULL;
	sj_skip_ws(&ps);
	if (ps.p != ps.end)
		return NULL;
	c = sj_container(root, root->type != SJ_ARRAY && root->type != SJ_OBJECT);
	jb = palloc0(VARHDRSZ + clen);
	SET_VARSIZE(jb, VARHDRSZ + clen);
	memcpy(&jb->root, c, clen);
	return jb;
}

/* -------------------------------------------------- numerics, timestamps */

Datum
numeric_out(PG_FUNCTION_ARGS)
{
	Numeric		num = (Numeric) PG_GETARG_POINTER(0);

	PG_RETURN_CSTRING(pstrdup(num->text));
}

/* As float8in does: a value out of double's range is an ERROR. */
Datum
numeric_float8(PG_FUNCTION_ARGS)
{
	Numeric		num = (Numeric) PG_GETARG_POINTER(0);
	char	   *end;
	double		d;

	errno = 0;
	d = strtod(num->text, &end);
	if (*end != '\0')
		abort();
	if (errno == ERANGE && (d == 0.0 || isinf(d)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("\"%s\" is out of range for type double precision", num->text)));
	PG_RETURN_FLOAT8(d);
}

Datum
DirectFunctionCall1Coll(PGFunction func, Oid collation, Datum arg1)
{
	LOCAL_FCINFO(fcinfo, 1);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, 1, collation, NULL, NULL);
	fcinfo->args[0].value = arg1;
	fcinfo->args[0].isnull = false;
	result = (*func) (fcinfo);
	if (fcinfo->isnull)
		elog(ERROR, "function returned NULL");
	return result;
}

Datum
DirectFunctionCall3Coll(PGFunction func, Oid collation, Datum arg1, Datum arg2,
						Datum arg3)
{
	LOCAL_FCINFO(fcinfo, 3);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, 3, collation, NULL, NULL);
	fcinfo->args[0].value = arg1;
	fcinfo->args[0].isnull = false;
	fcinfo->args[1].value = arg2;
	fcinfo->args[1].isnull = false;
	fcinfo->args[2].value = arg3;
	fcinfo->args[2].isnull = false;
	result = (*func) (fcinfo);
	if (fcinfo->isnull)
		elog(ERROR, "function returned NULL");
	return result;
}

/* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant) */
static int64
days_from_civil(int64 y, int m, int d)
{
	int64		era;
	int64		yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64 z, int64 *y, int *m, int *d)
{
	int64		era,
				doe,
				yoe,
				doy,
				mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y += *m <= 2;
}

#define SHIM_EPOCH_DAYS	10957	/* 2000-01-01 in days since 1970-01-01 */

static int
read_digits(const char **p, int n)
{
	int			v = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		if (!isdigit((unsigned char) (*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

/*
 * timestamptz input, the ISO 8601 forms only: YYYY-MM-DD[( |T)HH:MM[:SS[.f]]]
 * [Z|UTC|+HH[:MM]|-HH[:MM]], infinity and -infinity; no time zone means UTC.
 */
Datum
timestamptz_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	int			year,
				mon,
				day,
				hour = 0,
				min = 0,
				sec = 0;
	int64		usec = 0;
	int			offset = 0;
	int64		days;

	if (strcmp(str, "infinity") == 0)
		PG_RETURN_TIMESTAMPTZ(DT_NOEND);
	if (strcmp(str, "-infinity") == 0)
		PG_RETURN_TIMESTAMPTZ(DT_NOBEGIN);
	if ((year = read_digits(&p, 4)) < 0 || *p++ != '-' ||
		(mon = read_digits(&p, 2)) < 0 || *p++ != '-' ||
		(day = read_digits(&p, 2)) < 0)
		goto bad;
	if (*p == ' ' || *p == 'T')
	{
		p++;
		if ((hour = read_digits(&p, 2)) < 0 || *p++ != ':' || (min = read_digits(&p, 2)) < 0)
			goto bad;
		if (*p == ':')
		{
			p++;
			if ((sec = read_digits(&p, 2)) < 0)
				goto bad;
			if (*p == '.')
			{
				int			scale = 100000;

				p++;
				if (!isdigit((unsigned char) *p))
					goto bad;
				for (; isdigit((unsigned char) *p); p++)
				{
					usec += (*p - '0') * scale;
					scale /= 10;
				}
			}
		}
	}
	if (*p == 'Z')
		p++;
	else if (strcmp(p, " UTC") == 0)
		p += 4;
	else if (*p == '+' || *p == '-')
	{
		int			sign = *p++ == '-' ? -1 : 1;
		int			oh,
					om = 0;

		if ((oh = read_digits(&p, 2)) < 0)
			goto bad;
		if (*p == ':')
		{
			p++;
			if ((om = read_digits(&p, 2)) < 0)
				goto bad;
		}
		if (oh > 15 || om > 59)
			goto bad;
		offset = sign * (oh * 3600 + om * 60);
	}
	if (*p != '\0')
		goto bad;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 24 || min > 59 || sec > 60 ||
		(hour == 24 && (min || sec || usec)))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
				 errmsg("date/time field value out of range: \"%s\"", str)));
	if (year == 0)
		goto bad;
	days = days_from_civil(year, mon, day) - SHIM_EPOCH_DAYS;
	PG_RETURN_TIMESTAMPTZ(((days * 86400 + hour * 3600 + min * 60 + sec - offset) *
						   (int64) 1000000) + usec);
bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_DATETIME_FORMAT),
			 errmsg("invalid input syntax for type %s: \"%s\"",
					"timestamp with time zone", str)));
	PG_RETURN_NULL();
}

int
timestamp2tm(Timestamp dt, int *tzp, struct pg_tm *tm, fsec_t *fsec,
			 const char **tzn, pg_tz *attimezone)
{
	int64		days;
	int64		rem;
	int64		y;

	if (TIMESTAMP_NOT_FINITE(dt) || tzp != NULL)
		return -1;
	days = dt / USECS_PER_DAY;
	rem = dt % USECS_PER_DAY;
	if (rem < 0)
	{
		rem += USECS_PER_DAY;
		days--;
	}
	civil_from_days(days + SHIM_EPOCH_DAYS, &y, &tm->tm_mon, &tm->tm_mday);
	if (y < -4713 || y > 294276)
		return -1;
	tm->tm_year = (int) y;
	tm->tm_hour = (int) (rem / USECS_PER_HOUR);
	rem -= (int64) tm->tm_hour * USECS_PER_HOUR;
	tm->tm_min = (int) (rem / USECS_PER_MINUTE);
	rem -= (int64) tm->tm_min * USECS_PER_MINUTE;
	tm->tm_sec = (int) (rem / USECS_PER_SEC);
	*fsec = (fsec_t) (rem - (int64) tm->tm_sec * USECS_PER_SEC);
	tm->tm_isdst = -1;
	tm->tm_gmtoff = 0;
	tm->tm_zone = NULL;
	return 0;
}

/* ---------------------------------------------------------------- arrays */

typedef struct ShimArray
{
	ArrayType	hdr;
	int			n;
	Datum	   *elems;
	bool	   *nulls;
} ShimArray;

text *
cstring_to_text_with_len(const char *s, int len)
{
	text	   *t = palloc(len + VARHDRSZ);

	SET_VARSIZE(t, len + VARHDRSZ);
	memcpy(VARDATA(t), s, len);
	return t;
}

text *
cstring_to_text(const char *s)
{
	return cstring_to_text_with_len(s, strlen(s));
}

char *
text_to_cstring(const text *t)
{
	return pnstrdup(VARDATA(t), VARSIZE(t) - VARHDRSZ);
}

ArrayType *
shim_text_array(const char *const *elems, const bool *nulls, int n)
{
	ShimArray  *a = palloc0(sizeof(ShimArray));
	int			i;

	SET_VARSIZE(a, sizeof(ShimArray));
	a->hdr.ndim = n > 0 ? 1 : 0;
	a->hdr.elemtype = TEXTOID;
	a->n = n;
	a->elems = palloc0(sizeof(Datum) * Max(n, 1));
	a->nulls = palloc0(sizeof(bool) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		a->nulls[i] = nulls[i];
		if (!nulls[i])
			a->elems[i] = PointerGetDatum(cstring_to_text(elems[i]));
	}
	return &a->hdr;
}

void
deconstruct_array(ArrayType *array, Oid elmtype, int elmlen, bool elmbyval,
				  char elmalign, Datum **elemsp, bool **nullsp, int *nelemsp)
{
	ShimArray  *a = (ShimArray *) array;

	if (elmtype != TEXTOID || array->elemtype != TEXTOID)
		abort();
	*elemsp = a->elems;
	if (nullsp)
		*nullsp = a->nulls;
	else
	{
		int			i;

		for (i = 0; i < a->n; i++)
			if (a->nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("null array element not allowed in this context")));
	}
	*nelemsp = a->n;
}

bool
shim_valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *) s;

	while (*p)
	{
		int			n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 :
			(*p & 0xF8) == 0xF0 ? 4 : 0;
		int			i;

		if (n == 0)
			return false;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return false;
		p += n;
	}
	return true;
}
