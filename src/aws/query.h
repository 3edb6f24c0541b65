/*
 * query.h
 *		The AWS Query protocol form body (Action=<Op>&Version=<ver>&...), and
 *		RFC 3986 percent-encoding shared with the signer.
 *
 * Parameters keep the order they were added in, after Action and Version.
 * Names and values are kept unencoded (so a caller can walk them, e.g. to
 * redact sensitive ones in an audit row) and encoded when the body is built.
 *
 * List members are named the way the RDS model names them, N from 1:
 *   Tags.Tag.N.Key / Tags.Tag.N.Value
 *   Filters.Filter.N.Name / Filters.Filter.N.Values.Value.M
 *   VpcSecurityGroupIds.VpcSecurityGroupId.N, ValuesToAdd.AttributeValue.N,
 *   ExportOnly.member.N (lists whose member has no location name)
 * and an empty list is sent as "Param=".
 *
 * Pure C: PostgreSQL headers must never be included here.
 */
#ifndef AWS_QUERY_H
#define AWS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws/alloc.h"

/*
 * Percent-encode per RFC 3986: A-Z a-z 0-9 - _ . ~ are kept, every other
 * byte (UTF-8 bytewise) becomes %XX with uppercase hex.  With encode_slash
 * false, '/' is kept too (SigV4 path segments).
 */
extern char *aws_uri_encode(const char *s, bool encode_slash);
extern void aws_uri_encode_append(AwsBuf *out, const char *s, size_t len,
								  bool encode_slash);

typedef struct AwsQuery AwsQuery;

/* One filter of a Describe call: Filters.Filter.N.Name, .Values.Value.M */
typedef struct AwsQueryFilter
{
	const char *name;
	const char *const *values;
	int			n_values;
} AwsQueryFilter;

extern AwsQuery *aws_query_new(const char *action, const char *version);
extern void aws_query_free(AwsQuery *q);

extern void aws_query_add(AwsQuery *q, const char *name, const char *value);
extern void aws_query_add_int(AwsQuery *q, const char *name, long long value);
extern void aws_query_add_bool(AwsQuery *q, const char *name, bool value);
/* Shortest text that reads back as the same double, as the SDKs send it. */
extern void aws_query_add_double(AwsQuery *q, const char *name, double value);
/* ISO 8601 UTC, YYYY-MM-DDTHH:MM:SSZ */
extern void aws_query_add_timestamp(AwsQuery *q, const char *name, time_t t);

/* <name>.<member>.N = values[N-1]; n == 0 sends "<name>=". */
extern void aws_query_add_list(AwsQuery *q, const char *name,
							   const char *member,
							   const char *const *values, int n);

/*
 * <name>.<member>.N.Key / .Value (RDS: "Tags", "Tag"); a NULL value
 * omits .Value; n == 0 sends "<name>=".
 */
extern void aws_query_add_tags(AwsQuery *q, const char *name,
							   const char *member,
							   const char *const *keys,
							   const char *const *values, int n);

/* Filters.Filter.N.Name and Filters.Filter.N.Values.Value.M */
extern void aws_query_add_filters(AwsQuery *q,
								  const AwsQueryFilter *filters, int n);

/* Walk the pairs, Action and Version included (index 0 and 1). */
extern int	aws_query_count(const AwsQuery *q);
extern const char *aws_query_name(const AwsQuery *q, int i);
extern const char *aws_query_value(const AwsQuery *q, int i);

/* The encoded form body; *len (if not NULL) gets its length. */
extern char *aws_query_body(const AwsQuery *q, size_t *len);

#endif							/* AWS_QUERY_H */
