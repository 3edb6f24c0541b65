/*
 * json.c
 *		Recursive-descent JSON reader for the tests (see json.h).
 */
#include "json.h"

#include <stdlib.h>
#include <string.h>

typedef struct Parser
{
	const char *p;
	const char *error;
} Parser;

static bool parse_value(Parser *ps, JsonValue *out, int depth);

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

static void
skip_ws(Parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static bool
fail(Parser *ps, const char *msg)
{
	if (ps->error == NULL)
		ps->error = msg;
	return false;
}

static int
hex4(const char *s)
{
	int			v = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		char		c = s[i];

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

static void
put_bytes(char **buf, size_t *len, const char *bytes, size_t n)
{
	*buf = xrealloc(*buf, *len + n + 1);
	memcpy(*buf + *len, bytes, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static void
put_utf8(char **buf, size_t *len, unsigned cp)
{
	char		b[4];

	if (cp < 0x80)
	{
		b[0] = (char) cp;
		put_bytes(buf, len, b, 1);
	}
	else if (cp < 0x800)
	{
		b[0] = (char) (0xC0 | cp >> 6);
		b[1] = (char) (0x80 | (cp & 0x3F));
		put_bytes(buf, len, b, 2);
	}
	else if (cp < 0x10000)
	{
		b[0] = (char) (0xE0 | cp >> 12);
		b[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char) (0x80 | (cp & 0x3F));
		put_bytes(buf, len, b, 3);
	}
	else
	{
		b[0] = (char) (0xF0 | cp >> 18);
		b[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char) (0x80 | (cp & 0x3F));
		put_bytes(buf, len, b, 4);
	}
}

/* The code point of a \uXXXX escape at p (after the 'u'), pairs joined */
static int
unicode_escape(Parser *ps)
{
	int			hi = hex4(ps->p);
	int			lo;

	if (hi < 0)
		return -1;
	ps->p += 4;
	if (hi >= 0xD800 && hi < 0xDC00 && ps->p[0] == '\\' && ps->p[1] == 'u' &&
		(lo = hex4(ps->p + 2)) >= 0xDC00 && lo < 0xE000)
	{
		ps->p += 6;
		return 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
	}
	return hi;
}

static bool
parse_string(Parser *ps, char **out)
{
	static const char escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	char	   *buf = NULL;
	size_t		len = 0;

	put_bytes(&buf, &len, "", 0);
	ps->p++;					/* opening quote */
	while (*ps->p != '"')
	{
		const char *e;

		if (*ps->p == '\0' || (unsigned char) *ps->p < 0x20)
			break;
		if (*ps->p != '\\')
			put_bytes(&buf, &len, ps->p++, 1);
		else if (ps->p[1] == 'u')
		{
			int			cp;

			ps->p += 2;
			if ((cp = unicode_escape(ps)) < 0)
				break;
			put_utf8(&buf, &len, (unsigned) cp);
		}
		else if (ps->p[1] != '\0' && (e = strchr(escapes, ps->p[1])) != NULL &&
				 (e - escapes) % 2 == 0)
		{
			put_bytes(&buf, &len, e + 1, 1);
			ps->p += 2;
		}
		else
			break;
	}
	if (*ps->p != '"')
	{
		free(buf);
		return fail(ps, "bad string");
	}
	ps->p++;					/* closing quote */
	*out = buf;
	return true;
}

static bool
parse_container(Parser *ps, JsonValue *out, bool object, int depth)
{
	char		close = object ? '}' : ']';

	out->type = object ? JSON_OBJECT : JSON_ARRAY;
	ps->p++;
	skip_ws(ps);
	if (*ps->p == close)
	{
		ps->p++;
		return true;
	}
	for (;;)
	{
		JsonValue  *item;

		out->items = xrealloc(out->items, (out->n + 1) * sizeof(JsonValue));
		if (object)
			out->keys = xrealloc(out->keys, (out->n + 1) * sizeof(char *));
		item = &out->items[out->n];
		memset(item, 0, sizeof(JsonValue));
		skip_ws(ps);
		if (object)
		{
			if (*ps->p != '"')
				return fail(ps, "expected object key");
			if (!parse_string(ps, &out->keys[out->n]))
				return false;
			out->n++;
			skip_ws(ps);
			if (*ps->p++ != ':')
				return fail(ps, "expected ':'");
		}
		else
			out->n++;
		if (!parse_value(ps, item, depth + 1))
			return false;
		skip_ws(ps);
		if (*ps->p == ',')
		{
			ps->p++;
			continue;
		}
		if (*ps->p++ != close)
			return fail(ps, "expected ',' or end of container");
		return true;
	}
}

static bool
parse_value(Parser *ps, JsonValue *out, int depth)
{
	if (depth > 64)
		return fail(ps, "nesting too deep");
	skip_ws(ps);
	switch (*ps->p)
	{
		case '{':
			return parse_container(ps, out, true, depth);
		case '[':
			return parse_container(ps, out, false, depth);
		case '"':
			out->type = JSON_STRING;
			return parse_string(ps, &out->text);
		case 't':
		case 'f':
		case 'n':
			if (strncmp(ps->p, "true", 4) == 0)
				out->type = JSON_BOOL, out->boolean = true, ps->p += 4;
			else if (strncmp(ps->p, "false", 5) == 0)
				out->type = JSON_BOOL, ps->p += 5;
			else if (strncmp(ps->p, "null", 4) == 0)
				out->type = JSON_NULL, ps->p += 4;
			else
				return fail(ps, "bad literal");
			return true;
		default:
			{
				size_t		n = strspn(ps->p, "-+.0123456789eE");

				if (n == 0)
					return fail(ps, "unexpected character");
				out->type = JSON_NUMBER;
				out->text = xrealloc(NULL, n + 1);
				memcpy(out->text, ps->p, n);
				out->text[n] = '\0';
				ps->p += n;
				return true;
			}
	}
}

JsonValue *
json_parse(const char *text, const char **error)
{
	Parser		ps = {text, NULL};
	JsonValue  *v = xrealloc(NULL, sizeof(JsonValue));

	memset(v, 0, sizeof(JsonValue));
	if (parse_value(&ps, v, 0))
	{
		skip_ws(&ps);
		if (*ps.p == '\0')
			return v;
		fail(&ps, "trailing characters");
	}
	*error = ps.error;
	json_free(v);
	return NULL;
}

static void
free_contents(JsonValue *v)
{
	int			i;

	for (i = 0; i < v->n; i++)
	{
		free_contents(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->text);
}

void
json_free(JsonValue *v)
{
	if (v == NULL)
		return;
	free_contents(v);
	free(v);
}

const JsonValue *
json_get(const JsonValue *v, const char *key)
{
	int			i;

	if (v == NULL || v->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return &v->items[i];
	return NULL;
}

const char *
json_get_string(const JsonValue *v, const char *key)
{
	const JsonValue *m = json_get(v, key);

	return (m && m->type == JSON_STRING) ? m->text : NULL;
}
