/*
 * query.c
 *		AWS Query protocol form bodies and RFC 3986 encoding (see aws_query.h).
 */
#include "aws/query.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct AwsQuery
{
	char	  **names;
	char	  **values;
	int			n;
	int			cap;
};

static bool
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
}

void
aws_uri_encode_append(AwsBuf *out, const char *s, size_t len, bool encode_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	char	   *w;
	size_t		i;

	/* at most three bytes each: room once, then plain stores */
	aws_buf_reserve(out, len * 3);
	w = out->data + out->len;
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (is_unreserved(c) || (c == '/' && !encode_slash))
			*w++ = (char) c;
		else
		{
			*w++ = '%';
			*w++ = hex[c >> 4];
			*w++ = hex[c & 15];
		}
	}
	*w = '\0';
	out->len = w - out->data;
}

char *
aws_uri_encode(const char *s, bool encode_slash)
{
	AwsBuf		out = AWS_BUF_INIT;

	aws_uri_encode_append(&out, s, strlen(s), encode_slash);
	return aws_buf_release(&out);
}

#if defined(__GNUC__)
static char *format_name(const char *fmt,...) __attribute__((format(printf, 1, 2)));
#endif

/* printf into a fresh allocation; used for list member names */
static char *
format_name(const char *fmt,...)
{
	va_list		ap;
	int			len;
	char	   *s;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		abort();
	s = aws_malloc((size_t) len + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t) len + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* takes ownership of name and value */
static void
add_owned(AwsQuery *q, char *name, char *value)
{
	if (q->n == q->cap)
	{
		q->cap = q->cap ? q->cap * 2 : 16;
		q->names = aws_realloc(q->names, q->cap * sizeof(char *));
		q->values = aws_realloc(q->values, q->cap * sizeof(char *));
	}
	q->names[q->n] = name;
	q->values[q->n] = value;
	q->n++;
}

AwsQuery *
aws_query_new(const char *action, const char *version)
{
	AwsQuery   *q = aws_malloc(sizeof(AwsQuery));

	memset(q, 0, sizeof(AwsQuery));
	aws_query_add(q, "Action", action);
	aws_query_add(q, "Version", version);
	return q;
}

void
aws_query_free(AwsQuery *q)
{
	int			i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n; i++)
	{
		aws_free(q->names[i]);
		/* values may be passwords (CreateDBInstance): wipe them */
		aws_free_secret(q->values[i]);
	}
	aws_free(q->names);
	aws_free(q->values);
	aws_free(q);
}

void
aws_query_add(AwsQuery *q, const char *name, const char *value)
{
	add_owned(q, aws_strdup(name), aws_strdup(value));
}

void
aws_query_add_int(AwsQuery *q, const char *name, long long value)
{
	add_owned(q, aws_strdup(name), format_name("%lld", value));
}

void
aws_query_add_bool(AwsQuery *q, const char *name, bool value)
{
	aws_query_add(q, name, value ? "true" : "false");
}

void
aws_query_add_double(AwsQuery *q, const char *name, double value)
{
	char		text[40];
	int			digits;
	int			exp10;

	if (isnan(value))
	{
		aws_query_add(q, name, "NaN");
		return;
	}
	if (isinf(value))
	{
		aws_query_add(q, name, value > 0 ? "Infinity" : "-Infinity");
		return;
	}

	/*
	 * Python's repr(), which botocore sends: the fewest significant digits
	 * that read back exactly, positional for 1e-4 <= |v| < 1e16 (with at
	 * least one decimal, "2.0"), scientific otherwise.
	 */
	for (digits = 1; digits < 17; digits++)
	{
		snprintf(text, sizeof(text), "%.*e", digits - 1, value);
		if (strtod(text, NULL) == value)
			break;
	}
	snprintf(text, sizeof(text), "%.*e", digits - 1, value);
	exp10 = atoi(strchr(text, 'e') + 1);
	if (exp10 >= -4 && exp10 < 16)
	{
		snprintf(text, sizeof(text), "%.*f",
				 digits - 1 - exp10 > 0 ? digits - 1 - exp10 : 0, value);
		if (strchr(text, '.') == NULL)
			strcat(text, ".0");
	}
	aws_query_add(q, name, text);
}

void
aws_query_add_timestamp(AwsQuery *q, const char *name, time_t t)
{
	struct tm	tm;
	char		text[32];

	/* fails only for years beyond the range of int */
	if (gmtime_r(&t, &tm) == NULL)
		abort();
	strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
	aws_query_add(q, name, text);
}

void
aws_query_add_list(AwsQuery *q, const char *name, const char *member,
				   const char *const *values, int n)
{
	int			i;

	if (n == 0)
		aws_query_add(q, name, "");
	for (i = 0; i < n; i++)
		add_owned(q, format_name("%s.%s.%d", name, member, i + 1),
				  aws_strdup(values[i]));
}

void
aws_query_add_tags(AwsQuery *q, const char *name, const char *member,
				   const char *const *keys, const char *const *values, int n)
{
	int			i;

	if (n == 0)
		aws_query_add(q, name, "");
	for (i = 0; i < n; i++)
	{
		add_owned(q, format_name("%s.%s.%d.Key", name, member, i + 1),
				  aws_strdup(keys[i]));
		if (values && values[i])
			add_owned(q, format_name("%s.%s.%d.Value", name, member, i + 1),
					  aws_strdup(values[i]));
	}
}

void
aws_query_add_filters(AwsQuery *q, const AwsQueryFilter *filters, int n)
{
	int			i;
	int			j;

	if (n == 0)
		aws_query_add(q, "Filters", "");
	for (i = 0; i < n; i++)
	{
		add_owned(q, format_name("Filters.Filter.%d.Name", i + 1),
				  aws_strdup(filters[i].name));
		if (filters[i].n_values == 0)
			add_owned(q, format_name("Filters.Filter.%d.Values", i + 1),
					  aws_strdup(""));
		for (j = 0; j < filters[i].n_values; j++)
			add_owned(q, format_name("Filters.Filter.%d.Values.Value.%d",
									 i + 1, j + 1),
					  aws_strdup(filters[i].values[j]));
	}
}

int
aws_query_count(const AwsQuery *q)
{
	return q->n;
}

const char *
aws_query_name(const AwsQuery *q, int i)
{
	return (i >= 0 && i < q->n) ? q->names[i] : NULL;
}

const char *
aws_query_value(const AwsQuery *q, int i)
{
	return (i >= 0 && i < q->n) ? q->values[i] : NULL;
}

char *
aws_query_body(const AwsQuery *q, size_t *len)
{
	AwsBuf		out = AWS_BUF_INIT;
	int			i;

	for (i = 0; i < q->n; i++)
	{
		if (i > 0)
			aws_buf_putc(&out, '&');
		aws_uri_encode_append(&out, q->names[i], strlen(q->names[i]), true);
		aws_buf_putc(&out, '=');
		aws_uri_encode_append(&out, q->values[i], strlen(q->values[i]), true);
	}
	if (len)
		*len = out.len;
	return aws_buf_release(&out);
}
