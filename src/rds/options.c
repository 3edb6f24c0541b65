/*-------------------------------------------------------------------------
 * options.c
 *		"options jsonb": further RDS parameters by their AWS names, checked
 *		against the service model's input shape of one action and encoded
 *		the way the Query protocol wants them (see options.h).
 *
 * The allow-list is the model's (rds/model.h), so a parameter RDS gains
 * becomes usable by regenerating the model, and a name RDS does not know
 * never reaches AWS.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "rds/model.h"
#include "rds/options.h"

typedef struct Encoder
{
	const char *argname;
	List	   *wire;
} Encoder;

static const char *
type_name(RdsType t)
{
	switch (t)
	{
		case RDS_STRING:
			return "string";
		case RDS_INTEGER:
		case RDS_LONG:
			return "number (an integer)";
		case RDS_DOUBLE:
			return "number";
		case RDS_BOOLEAN:
			return "boolean";
		case RDS_TIMESTAMP:
			return "string holding a timestamp";
		case RDS_LIST:
			return "array";
		case RDS_STRUCTURE:
		case RDS_MAP:
			return "object";
	}
	return "value";
}

static void pg_attribute_noreturn()
wrong_type(const Encoder *e, const char *path, const RdsMember *m)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("option \"%s\" in %s must be a JSON %s", path, e->argname,
					type_name(m->type))));
}

static OptionPair *
add_wire(Encoder *e, const char *name, const char *value, bool sensitive)
{
	OptionPair *p = palloc0(sizeof(OptionPair));

	p->name = pstrdup(name);
	p->value = pstrdup(value);
	p->sensitive = sensitive;
	e->wire = lappend(e->wire, p);
	return p;
}

/*
 * The text of an integral JSON number, or NULL when it has a fraction or
 * does not fit: numeric_out never uses exponents, and 5.00 is 5.
 */
static char *
integral_text(Numeric num, bool is_long)
{
	char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));
	char	   *dot = strchr(s, '.');
	char	   *end;
	long long	v;

	if (dot)
	{
		for (end = dot + 1; *end; end++)
			if (*end != '0')
				return NULL;
		*dot = '\0';
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		return NULL;
	if (!is_long && (v < PG_INT32_MIN || v > PG_INT32_MAX))
		return NULL;
	return psprintf("%lld", v);
}

static void encode_value(Encoder *e, const RdsMember *m, JsonbValue *v,
						 const char *wire, const char *path, bool sensitive);

/* Whether v is a JSON array (array) or object (!array). */
static bool
is_container(const JsonbValue *v, bool array)
{
	if (v->type != jbvBinary)
		return false;
	return array ? JsonContainerIsArray(v->val.binary.data) :
		JsonContainerIsObject(v->val.binary.data);
}

static void
encode_list(Encoder *e, const RdsMember *m, JsonbValue *v, const char *wire,
			const char *path, bool sensitive)
{
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken tok;
	int			n = 0;

	if (!is_container(v, true))
		wrong_type(e, path, m);
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		n++;
		if (elem.type == jbvNull)
			wrong_type(e, psprintf("%s[%d]", path, n - 1), m->element);
		encode_value(e, m->element, &elem,
					 psprintf("%s.%s.%d", wire, m->element->name, n),
					 psprintf("%s[%d]", path, n - 1),
					 sensitive || m->element->sensitive);
	}
	/* the Query protocol's empty list */
	if (n == 0)
		add_wire(e, wire, "", sensitive);
}

static void
encode_structure(Encoder *e, const RdsMember *m, JsonbValue *v, const char *wire,
				 const char *path, bool sensitive)
{
	JsonbIterator *it;
	JsonbValue	item;
	JsonbIteratorToken tok;
	const RdsMember *member = NULL;
	char	   *key = NULL;
	int			i;

	if (!is_container(v, false))
		wrong_type(e, path, m);
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &item, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			key = pnstrdup(item.val.string.val, item.val.string.len);
			member = rds_model_child(m, key);
			if (member == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown member \"%s\" of option \"%s\" in %s",
								key, path, e->argname)));
		}
		else if (tok == WJB_VALUE)
		{
			char	   *sub = psprintf("%s.%s", path, key);

			if (item.type == jbvNull)
				wrong_type(e, sub, member);
			encode_value(e, member, &item, psprintf("%s.%s", wire, key), sub,
						 sensitive || member->sensitive);
		}
	}
	for (i = 0; i < m->n_members; i++)
	{
		const char *name = m->members[i].name;

		if (m->members[i].required &&
			getKeyJsonValueFromContainer(v->val.binary.data, name, strlen(name), NULL) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"%s\" in %s lacks its required member \"%s\"",
							path, e->argname, name)));
	}
}

/* A timestamp option in UTC, whatever the session's TimeZone. */
static char *
timestamp_text(const Encoder *e, const char *path, JsonbValue *v)
{
	char	   *text = pnstrdup(v->val.string.val, v->val.string.len);
	TimestampTz ts;
	struct pg_tm tm;
	fsec_t		fsec;

	ts = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
												 CStringGetDatum(text),
												 ObjectIdGetDatum(InvalidOid),
												 Int32GetDatum(-1)));
	if (TIMESTAMP_NOT_FINITE(ts) ||
		timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0 || tm.tm_year < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("option \"%s\" in %s is out of range", path, e->argname)));
	if (fsec)
		return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year, tm.tm_mon,
						tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year, tm.tm_mon,
					tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void
encode_value(Encoder *e, const RdsMember *m, JsonbValue *v, const char *wire,
			 const char *path, bool sensitive)
{
	switch (m->type)
	{
		case RDS_STRING:
			if (v->type != jbvString)
				wrong_type(e, path, m);
			add_wire(e, wire, pnstrdup(v->val.string.val, v->val.string.len), sensitive);
			break;
		case RDS_INTEGER:
		case RDS_LONG:
			{
				char	   *text;

				if (v->type != jbvNumeric)
					wrong_type(e, path, m);
				text = integral_text(v->val.numeric, m->type == RDS_LONG);
				if (text == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("option \"%s\" in %s must be an integer%s",
									path, e->argname, m->type == RDS_LONG ? "" :
									" between -2147483648 and 2147483647")));
				add_wire(e, wire, text, sensitive);
				break;
			}
		case RDS_DOUBLE:
			{
				double		d;
				OptionPair *p;

				if (v->type != jbvNumeric)
					wrong_type(e, path, m);
				d = DatumGetFloat8(DirectFunctionCall1(numeric_float8,
													   NumericGetDatum(v->val.numeric)));
				if (!isfinite(d))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("option \"%s\" in %s is out of range", path, e->argname)));
				/* printed the way the SDKs print doubles: aws_query_add_double() */
				p = add_wire(e, wire, "", sensitive);
				p->is_double = true;
				p->dval = d;
				break;
			}
		case RDS_BOOLEAN:
			if (v->type != jbvBool)
				wrong_type(e, path, m);
			add_wire(e, wire, v->val.boolean ? "true" : "false", sensitive);
			break;
		case RDS_TIMESTAMP:
			if (v->type != jbvString)
				wrong_type(e, path, m);
			add_wire(e, wire, timestamp_text(e, path, v), sensitive);
			break;
		case RDS_LIST:
			encode_list(e, m, v, wire, path, sensitive);
			break;
		case RDS_STRUCTURE:
			encode_structure(e, m, v, wire, path, sensitive);
			break;
		case RDS_MAP:
			/* not 0A000: some connection pools take that class for a dead connection */
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"%s\" in %s is a map, which rds_backup cannot send",
							path, e->argname)));
			break;
	}
}

/* The JSON text of a top-level value, for operations.params. */
static char *
value_json(JsonbValue *v)
{
	StringInfoData buf;

	if (v->type == jbvBinary)
		return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
	initStringInfo(&buf);
	switch (v->type)
	{
		case jbvString:
			escape_json(&buf, pnstrdup(v->val.string.val, v->val.string.len));
			break;
		case jbvNumeric:
			appendStringInfoString(&buf,
								   DatumGetCString(DirectFunctionCall1(numeric_out,
																	   NumericGetDatum(v->val.numeric))));
			break;
		case jbvBool:
			appendStringInfoString(&buf, v->val.boolean ? "true" : "false");
			break;
		default:
			appendStringInfoString(&buf, "null");
			break;
	}
	return buf.data;
}

/* A parameter whose name differs from key only in case, or NULL. */
static const char *
case_insensitive_match(const RdsAction *action, const char *key)
{
	int			i;

	for (i = 0; i < action->n_members; i++)
		if (pg_strcasecmp(action->members[i].name, key) == 0)
			return action->members[i].name;
	return NULL;
}

static bool
in_names(const char *const *names, const char *key)
{
	if (names == NULL)
		return false;
	for (; *names; names++)
		if (strcmp(*names, key) == 0)
			return true;
	return false;
}

RdsOptions *
options_parse(const char *argname, Jsonb *options, const char *action_name,
			  const OptionRule *excluded, const char *const *own)
{
	RdsOptions *opts = palloc0(sizeof(RdsOptions));
	const RdsAction *action = rds_model_action(action_name);
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	Encoder		e;
	char	   *key = NULL;
	const RdsMember *member = NULL;

	if (action == NULL)
		elog(ERROR, "RDS action %s is not in the model", action_name);
	opts->action = action_name;
	if (options == NULL)
		return opts;
	if (!JB_ROOT_IS_OBJECT(options) || JB_ROOT_IS_SCALAR(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object of RDS parameters", argname),
				 errhint("For example: '{\"MultiAZ\": true, \"VpcSecurityGroupIds\": [\"sg-1\"]}'.")));
	opts->json = options;

	e.argname = argname;
	e.wire = NIL;
	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			const OptionRule *rule;

			key = pnstrdup(v.val.string.val, v.val.string.len);
			for (rule = excluded; rule && rule->name; rule++)
				if (strcmp(rule->name, key) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("option \"%s\" is not allowed in %s", key, argname),
							 errdetail("%s", rule->reason)));
			member = NULL;
			if (in_names(own, key))
				continue;
			/* top-level names only: "A.B" is not a parameter name */
			if (strchr(key, '.') == NULL)
				member = rds_model_member(action, key);
			if (member == NULL)
			{
				const char *near = case_insensitive_match(action, key);

				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown option \"%s\" in %s", key, argname),
						 errdetail("RDS %s has no parameter \"%s\".", action_name, key),
						 near ? errhint("Did you mean \"%s\"?", near) :
						 errhint("Options are parameters of RDS %s, by their AWS names.",
								 action_name)));
			}
		}
		else if (tok == WJB_VALUE && member != NULL)
		{
			OptionPair *g;

			if (v.type == jbvNull)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"%s\" in %s must be a JSON %s, not null",
								key, argname, type_name(member->type)),
						 errhint("Leave the key out to let RDS choose.")));
			encode_value(&e, member, &v, key, key, member->sensitive);
			g = palloc0(sizeof(OptionPair));
			g->name = key;
			g->sensitive = member->sensitive;
			g->value = member->sensitive ? "\"[redacted]\"" : value_json(&v);
			opts->given = lappend(opts->given, g);
		}
	}
	opts->wire = e.wire;
	return opts;
}

void
options_add_to_query(AwsQuery *q, const RdsOptions *opts)
{
	ListCell   *lc;

	if (opts == NULL)
		return;
	foreach(lc, opts->wire)
	{
		OptionPair *p = lfirst(lc);

		if (p->is_double)
			aws_query_add_double(q, p->name, p->dval);
		else
			aws_query_add(q, p->name, p->value);
	}
}

JsonbValue *
options_get(const RdsOptions *opts, const char *name)
{
	if (opts == NULL || opts->json == NULL)
		return NULL;
	return getKeyJsonValueFromContainer(&opts->json->root, name, strlen(name), NULL);
}

char *
options_get_text(const RdsOptions *opts, const char *argname, const char *name)
{
	JsonbValue *v = options_get(opts, name);

	if (v == NULL)
		return NULL;
	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" in %s must be a JSON string", name, argname)));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

void
options_append_params(StringInfo buf, const RdsOptions *opts)
{
	ListCell   *lc;

	if (opts == NULL)
		return;
	foreach(lc, opts->given)
	{
		OptionPair *p = lfirst(lc);

		appendStringInfoChar(buf, ',');
		escape_json(buf, p->name);
		appendStringInfoChar(buf, ':');
		appendStringInfoString(buf, p->value);
	}
}
