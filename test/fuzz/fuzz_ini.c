/*
 * fuzz_ini.c
 *		libFuzzer harness for aws_ini_parse() (src/aws_ini.c).
 *
 * The input is the file text, bytes as they are (NULs included).  Checks:
 * no crash, leak or out-of-bounds read (the sanitizers); the callback gets
 * NUL-terminated section, key and value (strlen() on them runs under ASan,
 * so a missing terminator is a heap overflow); keys are non-empty and
 * start at the beginning of a line; key and value carry no newline nor
 * surrounding blanks; the bad-line number and the number of settings fit
 * the number of lines; and a callback asking to stop is obeyed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ini.h"

typedef struct State
{
	int			calls;
	int			stop_after;		/* stop when calls reaches it; 0: never */
	bool		has_nul;		/* a NUL byte may cut a string short */
} State;

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* no newline, no leading blank, and no trailing one unless cut at a NUL */
static void
check_trimmed(const char *s, bool cut)
{
	size_t		len = strlen(s);

	if (memchr(s, '\n', len) != NULL)
		abort();
	if (len > 0 && (blank(s[0]) || (!cut && blank(s[len - 1]))))
		abort();
}

static int
callback(const char *section, const char *key, const char *value, void *arg)
{
	State	   *st = arg;

	if (section == NULL || key == NULL || value == NULL)
		abort();
	check_trimmed(section, st->has_nul);
	check_trimmed(value, st->has_nul);
	/* a key starts the line, so it is not blank (a NUL byte may end it) */
	if (key[0] != '\0' && (blank(key[0]) || key[0] == '#' || key[0] == ';' ||
						   key[0] == '['))
		abort();
	if (strchr(key, '=') != NULL)
		abort();
	if (strchr(key, '\n') != NULL)
		abort();
	if (!st->has_nul && strlen(key) > 0 && blank(key[strlen(key) - 1]))
		abort();
	st->calls++;
	return st->stop_after != 0 && st->calls >= st->stop_after;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	State		st = {0, 0, memchr(data, 0, size) != NULL};
	int			lines = 0;
	int			bad;
	int			all_calls;
	size_t		i;
	char	   *copy;

	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	if (size > 0 && data[size - 1] != '\n')
		lines++;

	/* an exact-size private copy, so any read past the end is caught */
	copy = malloc(size ? size : 1);
	if (size)
		memcpy(copy, data, size);

	bad = aws_ini_parse(copy, size, callback, &st);
	if (bad < 0 || bad > lines || st.calls > lines)
		abort();
	all_calls = st.calls;

	/* again, stopping at some setting: no more calls after that */
	if (all_calls > 0)
	{
		State		st2 = {0, 1 + (int) (size % (size_t) all_calls), st.has_nul};

		aws_ini_parse(copy, size, callback, &st2);
		if (st2.calls != st2.stop_after)
			abort();
	}

	/* deterministic: the same text gives the same answer */
	{
		State		st3 = {0, 0, st.has_nul};

		if (aws_ini_parse(copy, size, callback, &st3) != bad ||
			st3.calls != all_calls)
			abort();
	}
	free(copy);
	return 0;
}
