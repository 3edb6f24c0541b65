/*
 * fuzz_query.c
 *		libFuzzer harness for the AWS Query form body (src/aws_query.c) and
 *		the buffer and allocation helpers under it (src/aws_alloc.c).
 *
 * The input is a little program: Action and Version, then operations,
 * each an opcode byte and its operands.  Strings run to the next NUL byte
 * (they are C strings in the API), small counts are single bytes.  The
 * harness keeps its own list of the (name, value) pairs every operation
 * should add, then checks:
 *   - aws_query_count/name/value give exactly that list, in order;
 *   - ints, doubles and timestamps read back as the value put in;
 *   - the body's length is what *len says and it holds only unreserved
 *     characters, "%XX" (uppercase hex), '=' and '&';
 *   - splitting the body at '&' and '=' and percent-decoding gives back
 *     every name and value;
 *   - aws_uri_encode() of each string decodes back to it, keeps '/' only
 *     when asked to.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/alloc.h"
#include "aws/query.h"

#define MAX_OPS 64
#define MAX_LIST 8

typedef struct Input
{
	const uint8_t *p;
	const uint8_t *end;
} Input;

typedef struct Expect
{
	char	  **names;
	char	  **values;
	int			n;
	int			cap;
} Expect;

static uint8_t
take_byte(Input *in)
{
	return in->p < in->end ? *in->p++ : 0;
}

static uint64_t
take_u64(Input *in)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | take_byte(in);
	return v;
}

/* the bytes up to the next NUL (or the end), as a fresh C string */
static char *
take_str(Input *in)
{
	const uint8_t *nul = memchr(in->p, 0, in->end - in->p);
	const uint8_t *stop = nul ? nul : in->end;
	char	   *s = malloc(stop - in->p + 1);

	memcpy(s, in->p, stop - in->p);
	s[stop - in->p] = '\0';
	in->p = nul ? nul + 1 : in->end;
	return s;
}

static void
expect_add(Expect *e, const char *name, const char *value)
{
	if (e->n == e->cap)
	{
		e->cap = e->cap ? e->cap * 2 : 16;
		e->names = realloc(e->names, e->cap * sizeof(char *));
		e->values = realloc(e->values, e->cap * sizeof(char *));
	}
	e->names[e->n] = strdup(name);
	e->values[e->n] = value ? strdup(value) : NULL;	/* NULL: checked apart */
	e->n++;
}

static char *fmt(const char *f,...) __attribute__((format(printf, 1, 2)));

static char *
fmt(const char *f,...)
{
	va_list		ap;
	int			len;
	char	   *s;

	va_start(ap, f);
	len = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	s = malloc(len + 1);
	va_start(ap, f);
	vsnprintf(s, len + 1, f, ap);
	va_end(ap);
	return s;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
unreserved(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
}

/* Decode s[0..len) strictly (only unreserved, and '/' if allowed, or %XX) */
static char *
decode(const char *s, size_t len, bool allow_slash)
{
	char	   *out = malloc(len + 1);
	size_t		o = 0;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		if (s[i] == '%')
		{
			if (i + 2 >= len)
				abort();
			if (hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				abort();
			out[o++] = (char) (hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			/* an unreserved byte must not have been escaped */
			if (unreserved(out[o - 1]) || (allow_slash && out[o - 1] == '/'))
				abort();
			i += 2;
		}
		else if (unreserved(s[i]) || (allow_slash && s[i] == '/'))
			out[o++] = s[i];
		else
			abort();
	}
	out[o] = '\0';
	return out;
}

static void
check_encode(const char *s)
{
	int			k;

	for (k = 0; k < 2; k++)
	{
		bool		slash = k == 0;
		char	   *enc = aws_uri_encode(s, slash);
		char	   *dec = decode(enc, strlen(enc), !slash);

		if (strcmp(dec, s) != 0)
			abort();
		free(dec);
		aws_free(enc);
	}
}

static void
check_double(const char *text, double v)
{
	if (isnan(v))
	{
		if (strcmp(text, "NaN") != 0)
			abort();
	}
	else if (isinf(v))
	{
		if (strcmp(text, v > 0 ? "Infinity" : "-Infinity") != 0)
			abort();
	}
	else
	{
		char	   *end;
		double		back = strtod(text, &end);

		if (*end != '\0' || back != v || signbit(back) != signbit(v))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Input		in = {data, data + size};
	Expect		e = {NULL, NULL, 0, 0};
	AwsQuery   *q;
	char	   *action = take_str(&in);
	char	   *version = take_str(&in);
	char	   *body;
	size_t		body_len = (size_t) -1;
	int			ops;
	int			i;

	q = aws_query_new(action, version);
	expect_add(&e, "Action", action);
	expect_add(&e, "Version", version);
	check_encode(action);
	check_encode(version);
	free(action);
	free(version);

	for (ops = 0; ops < MAX_OPS && in.p < in.end; ops++)
	{
		uint8_t		op = take_byte(&in) % 8;
		char	   *name = take_str(&in);

		check_encode(name);
		switch (op)
		{
			case 0:
				{
					char	   *value = take_str(&in);

					check_encode(value);
					aws_query_add(q, name, value);
					expect_add(&e, name, value);
					free(value);
					break;
				}
			case 1:
				{
					long long	v = (long long) take_u64(&in);
					char		text[32];

					snprintf(text, sizeof(text), "%lld", v);
					aws_query_add_int(q, name, v);
					expect_add(&e, name, text);
					break;
				}
			case 2:
				{
					bool		b = take_byte(&in) & 1;

					aws_query_add_bool(q, name, b);
					expect_add(&e, name, b ? "true" : "false");
					break;
				}
			case 3:
				{
					uint64_t	bits = take_u64(&in);
					double		v;

					memcpy(&v, &bits, sizeof(v));
					aws_query_add_double(q, name, v);
					check_double(aws_query_value(q, aws_query_count(q) - 1), v);
					expect_add(&e, name, aws_query_value(q, aws_query_count(q) - 1));
					break;
				}
			case 4:
				{
					/* years 1000..9999: the range the API documents */
					const long long lo = -30610224000LL;	/* 1000-01-01 */
					const long long hi = 253402300799LL;	/* 9999-12-31T23:59:59 */
					time_t		t = (time_t) (lo + (long long) (take_u64(&in) % (uint64_t) (hi - lo + 1)));
					struct tm	tm;
					char		text[32];

					gmtime_r(&t, &tm);
					strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
					aws_query_add_timestamp(q, name, t);
					expect_add(&e, name, text);
					break;
				}
			case 5:
			case 6:
				{
					char	   *member = take_str(&in);
					int			n = take_byte(&in) % (MAX_LIST + 1);
					char	   *keys[MAX_LIST];
					char	   *vals[MAX_LIST];
					uint8_t		nullmask = take_byte(&in);
					int			k;

					check_encode(member);
					for (k = 0; k < n; k++)
					{
						keys[k] = take_str(&in);
						vals[k] = (op == 6 && (nullmask >> k) & 1) ? NULL : take_str(&in);
					}
					if (n == 0)
						expect_add(&e, name, "");
					if (op == 5)
					{
						aws_query_add_list(q, name, member, (const char *const *) keys, n);
						for (k = 0; k < n; k++)
						{
							char	   *full = fmt("%s.%s.%d", name, member, k + 1);

							expect_add(&e, full, keys[k]);
							free(full);
						}
					}
					else
					{
						/* sometimes no values array at all */
						bool		no_values = (nullmask == 0xFF);

						aws_query_add_tags(q, name, member, (const char *const *) keys,
										   no_values ? NULL : (const char *const *) vals, n);
						for (k = 0; k < n; k++)
						{
							char	   *full = fmt("%s.%s.%d.Key", name, member, k + 1);

							expect_add(&e, full, keys[k]);
							free(full);
							if (!no_values && vals[k])
							{
								full = fmt("%s.%s.%d.Value", name, member, k + 1);
								expect_add(&e, full, vals[k]);
								free(full);
							}
						}
					}
					for (k = 0; k < n; k++)
					{
						free(keys[k]);
						free(vals[k]);
					}
					free(member);
					break;
				}
			case 7:
				{
					/* name is the first filter's name */
					int			nf = take_byte(&in) % 4;
					AwsQueryFilter f[4];
					char	   *vals[4][MAX_LIST];
					int			k;
					int			j;

					for (k = 0; k < nf; k++)
					{
						f[k].name = k == 0 ? name : take_str(&in);
						f[k].n_values = take_byte(&in) % (MAX_LIST + 1);
						for (j = 0; j < f[k].n_values; j++)
							vals[k][j] = take_str(&in);
						f[k].values = (const char *const *) vals[k];
					}
					aws_query_add_filters(q, f, nf);
					if (nf == 0)
						expect_add(&e, "Filters", "");
					for (k = 0; k < nf; k++)
					{
						char	   *full = fmt("Filters.Filter.%d.Name", k + 1);

						expect_add(&e, full, f[k].name);
						free(full);
						if (f[k].n_values == 0)
						{
							full = fmt("Filters.Filter.%d.Values", k + 1);
							expect_add(&e, full, "");
							free(full);
						}
						for (j = 0; j < f[k].n_values; j++)
						{
							full = fmt("Filters.Filter.%d.Values.Value.%d", k + 1, j + 1);
							expect_add(&e, full, vals[k][j]);
							free(full);
							free(vals[k][j]);
						}
						if (k > 0)
							free((char *) f[k].name);
					}
					break;
				}
		}
		free(name);
	}

	/* the pairs, in order */
	if (aws_query_count(q) != e.n)
		abort();
	for (i = 0; i < e.n; i++)
		if (strcmp(aws_query_name(q, i), e.names[i]) != 0 ||
			strcmp(aws_query_value(q, i), e.values[i]) != 0)
			abort();
	if (aws_query_name(q, -1) != NULL || aws_query_name(q, e.n) != NULL ||
		aws_query_value(q, e.n) != NULL)
		abort();

	/* the body: charset, length, and it decodes back to the pairs */
	body = aws_query_body(q, &body_len);
	if (body == NULL || body_len != strlen(body))
		abort();
	{
		const char *s = body;

		for (i = 0; i < e.n; i++)
		{
			const char *amp = strchr(s, '&');
			const char *stop = amp ? amp : s + strlen(s);
			const char *eq = memchr(s, '=', stop - s);
			char	   *dn;
			char	   *dv;

			if (eq == NULL || memchr(eq + 1, '=', stop - eq - 1) != NULL)
				abort();
			dn = decode(s, eq - s, false);
			dv = decode(eq + 1, stop - eq - 1, false);
			if (strcmp(dn, e.names[i]) != 0 || strcmp(dv, e.values[i]) != 0)
				abort();
			free(dn);
			free(dv);
			if ((amp == NULL) != (i == e.n - 1))
				abort();
			s = amp ? amp + 1 : stop;
		}
	}
	aws_free(body);
	aws_query_free(q);

	for (i = 0; i < e.n; i++)
	{
		free(e.names[i]);
		free(e.values[i]);
	}
	free(e.names);
	free(e.values);
	return 0;
}
