/*-------------------------------------------------------------------------
 * names.c
 *		RDS's naming rules for identifiers, tags and snapshot references,
 *		checked before any AWS call.
 *
 * The rules are RDS's own (CreateDBInstance / CreateDBSnapshot docs and
 * the tagging limits), so that a request RDS would refuse is refused here
 * with a message that names the argument, and nothing reaches AWS.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "rds/names.h"

/*
 * RDS identifiers: 1 to maxlen letters, digits and hyphens, a letter first,
 * no hyphen last and no two hyphens in a row.  Returns NULL when valid.
 */
const char *
identifier_problem(const char *value, int maxlen)
{
	size_t		len = strlen(value);
	size_t		i;

	if (len == 0)
		return "It is empty.";
	if (len > (size_t) maxlen)
		return psprintf("It is longer than %d characters.", maxlen);
	if (!((value[0] >= 'a' && value[0] <= 'z') || (value[0] >= 'A' && value[0] <= 'Z')))
		return "It must begin with a letter.";
	for (i = 0; i < len; i++)
	{
		char		c = value[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-'))
			return "It may contain only ASCII letters, digits and hyphens.";
		if (c == '-' && i > 0 && value[i - 1] == '-')
			return "It may not contain two consecutive hyphens.";
	}
	if (value[len - 1] == '-')
		return "It may not end with a hyphen.";
	return NULL;
}

void
validate_identifier(const char *argname, const char *what, const char *value, int maxlen)
{
	const char *problem = identifier_problem(value, maxlen);

	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s \"%s\" in %s", what, value, argname),
				 errdetail("%s", problem),
				 errhint("RDS identifiers are 1 to %d letters, digits and hyphens, beginning with a letter.",
						 maxlen)));
}

/*
 * tags must be a JSON object whose values are strings.  reserved is the
 * number of tags rds_backup adds itself; together they may not pass RDS's
 * limit of 50 per resource.
 */
List *
validate_tags(const char *argname, Jsonb *tags, int reserved)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	List	   *result = NIL;
	char	   *key = NULL;
	int			count;

	if (tags == NULL)
		return NIL;
	if (!JB_ROOT_IS_OBJECT(tags))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object of strings", argname),
				 errhint("For example: '{\"lifecycle\": \"nightly\"}'.")));
	count = JsonContainerSize(&tags->root);
	if (count + reserved > RDS_MAX_TAGS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has %d tags, more than the %d allowed", argname, count,
						RDS_MAX_TAGS - reserved),
				 errdetail("RDS allows 50 tags per resource, and rds_backup adds %d of its own.",
						   reserved)));

	it = JsonbIteratorInit(&tags->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			key = pnstrdup(v.val.string.val, v.val.string.len);
			if (v.val.string.len == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s has an empty tag key", argname)));
			if (pg_mbstrlen(key) > 128)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("tag key \"%.40s...\" in %s is longer than 128 characters",
								key, argname)));
			if (pg_strncasecmp(key, "aws:", 4) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("tag key \"%s\" in %s begins with \"aws:\"", key, argname),
						 errdetail("The aws: prefix is reserved for AWS.")));
			if (strcmp(key, TAG_CREATED_BY) == 0 || strcmp(key, TAG_OPERATION) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("tag key \"%s\" in %s is set by rds_backup itself", key, argname)));
		}
		else if (tok == WJB_VALUE)
		{
			TagPair    *t;

			if (v.type != jbvString)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("tag \"%s\" in %s must have a string value", key, argname)));
			t = palloc(sizeof(TagPair));
			t->key = key;
			t->value = pnstrdup(v.val.string.val, v.val.string.len);
			if (pg_mbstrlen(t->value) > 256)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("value of tag \"%s\" in %s is longer than 256 characters",
								key, argname)));
			result = lappend(result, t);
		}
	}
	return result;
}

/* tags as a JSON object of strings */
char *
tags_to_json(List *tags)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	foreach(lc, tags)
	{
		TagPair    *t = lfirst(lc);

		if (foreach_current_index(lc) > 0)
			appendStringInfoChar(&buf, ',');
		escape_json(&buf, t->key);
		appendStringInfoChar(&buf, ':');
		escape_json(&buf, t->value);
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

TagPair *
tag_pair(const char *key, const char *value)
{
	TagPair    *t = palloc(sizeof(TagPair));

	t->key = pstrdup(key);
	t->value = pstrdup(value);
	return t;
}

/*
 * A copy of tags plus the two every resource rds_backup creates carries:
 * who asked for it, and the operation that made it.
 */
List *
tags_with_provenance(List *tags, const char *role, int64 op_id)
{
	List	   *all = list_copy(tags);

	all = lappend(all, tag_pair(TAG_CREATED_BY, role));
	all = lappend(all, tag_pair(TAG_OPERATION, psprintf(INT64_FORMAT, op_id)));
	return all;
}
