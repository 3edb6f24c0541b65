/*
 * ini.c
 *		Reader for the AWS shared credentials and config files (INI style).
 */
#include <ctype.h>
#include <string.h>

#include "aws/alloc.h"
#include "aws/ini.h"

static const char *
skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

static const char *
trim_end(const char *start, const char *end)
{
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	return end;
}

int
aws_ini_parse(const char *text, size_t len, aws_ini_callback cb, void *arg)
{
	const char *p = text;
	const char *end = text + len;
	char	   *section = aws_strdup("");
	int			lineno = 0;
	int			first_bad = 0;
	int			stop = 0;

	while (p < end && !stop)
	{
		const char *eol = memchr(p, '\n', end - p);
		const char *line_end = eol ? eol : end;
		const char *s;

		lineno++;
		s = skip_space(p, line_end);
		if (s == line_end || *s == '#' || *s == ';')
			;					/* blank or comment */
		else if (s != p)
			;					/* indented: continues a nested setting */
		else if (*s == '[')
		{
			const char *close = memchr(s, ']', line_end - s);

			if (close == NULL)
			{
				if (!first_bad)
					first_bad = lineno;
			}
			else
			{
				const char *a = skip_space(s + 1, close);
				const char *b = trim_end(a, close);

				aws_free(section);
				section = aws_strndup(a, b - a);
			}
		}
		else
		{
			const char *eq = memchr(s, '=', line_end - s);

			if (eq == NULL || eq == s)
			{
				if (!first_bad)
					first_bad = lineno;
			}
			else
			{
				const char *kend = trim_end(s, eq);
				const char *v = skip_space(eq + 1, line_end);
				const char *vend = trim_end(v, line_end);
				char	   *key = aws_strndup(s, kend - s);
				char	   *value = aws_strndup(v, vend - v);

				stop = cb(section, key, value, arg);
				/* values may be secrets */
				explicit_bzero(value, vend - v);
				aws_free(key);
				aws_free(value);
			}
		}
		p = eol ? eol + 1 : end;
	}
	aws_free(section);
	return first_bad;
}
