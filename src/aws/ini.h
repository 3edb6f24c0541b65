/*
 * ini.h
 *		Reader for the AWS shared credentials and config files (INI style).
 *
 * Pure C, no PostgreSQL headers, so it can be fuzzed on its own.
 */
#ifndef AWS_INI_H
#define AWS_INI_H

#include <stddef.h>

/*
 * Called once per "key = value" line, with the section it is in (as
 * written between the brackets, trimmed; "" before any section).  Return
 * non-zero to stop early.
 */
typedef int (*aws_ini_callback) (const char *section, const char *key,
								 const char *value, void *arg);

/*
 * Parse text of len bytes.  Returns 0, or the 1-based number of the first
 * line that is neither a section, a setting, a comment nor blank (parsing
 * continues past it, as the AWS CLI does).  Indented lines continue the
 * previous setting (nested settings) and are not reported.
 */
extern int	aws_ini_parse(const char *text, size_t len,
						  aws_ini_callback cb, void *arg);

#endif
