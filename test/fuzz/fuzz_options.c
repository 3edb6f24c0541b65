/*
 * fuzz_options.c
 *		libFuzzer harness for the options encoder, src/rds/options.c: the
 *		"options jsonb" of the restore functions, checked against the RDS
 *		service model (src/rds/model.c) and encoded as Query parameters
 *		(src/aws/query.c).  options.c is compiled unchanged against the
 *		server's headers and linked with pg_shim.c, whose jsonb reader
 *		gives it the caller's JSON with jsonb's own rules.
 *
 * Input: one byte choosing the action (and its excluded and own keys, as
 * src/sql/restore.c passes them), then JSON text.  Beyond the sanitizers,
 * the harness checks that
 *	- an ERROR is a parameter error (22023, 22007, 22008 or 22003) with a
 *	  message, never anything else;
 *	- every encoded parameter is one the model knows for the action
 *	  (rds_model_has_param()), none of them comes from an excluded or an
 *	  own key, booleans are true/false, integers are integers, timestamps
 *	  are ISO 8601 UTC, doubles are finite;
 *	- a sensitive member's value (TdeCredentialPassword) appears in no
 *	  operations.params text, which is valid JSON;
 *	- the Query body holds every encoded parameter once, and the same input
 *	  gives the same parameters twice.
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"

#include "aws/query.h"
#include "rds/model.h"
#include "rds/options.h"

#include "pg_shim.h"

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* query.c allocates as the extension makes it: palloc, reset per input */
static void *
shim_alloc(size_t size)
{
	return palloc(size);
}

static void *
shim_realloc(void *ptr, size_t size)
{
	return ptr ? repalloc(ptr, size) : palloc(size);
}

static void
shim_free(void *ptr)
{
	if (ptr)
		pfree(ptr);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	aws_set_allocator(shim_alloc, shim_realloc, shim_free);
	return 0;
}

/* as src/sql/restore.c gives them */
static const OptionRule restore_snapshot_excluded[] = {
	{"DBInstanceIdentifier", "set from target"},
	{"DBSnapshotIdentifier", "set from snapshot"},
	{"DBInstanceClass", "instance_class"},
	{"DBClusterSnapshotIdentifier", "another source"},
	{NULL, NULL}
};
static const OptionRule restore_cluster_snapshot_excluded[] = {
	{"DBClusterIdentifier", "set from target"},
	{"SnapshotIdentifier", "set from snapshot"},
	{NULL, NULL}
};
static const OptionRule restore_pitr_excluded[] = {
	{"SourceDBInstanceIdentifier", "source"},
	{"TargetDBInstanceIdentifier", "target"},
	{"RestoreTime", "restore_time"},
	{"UseLatestRestorableTime", "restore_time"},
	{"DBInstanceClass", "instance_class"},
	{"SourceDbiResourceId", "another source"},
	{"SourceDBInstanceAutomatedBackupsArn", "another source"},
	{NULL, NULL}
};
static const OptionRule restore_cluster_pitr_excluded[] = {
	{"DBClusterIdentifier", "target"},
	{"SourceDBClusterIdentifier", "source"},
	{"RestoreToTime", "restore_time"},
	{"UseLatestRestorableTime", "restore_time"},
	{NULL, NULL}
};
static const char *const own_tags[] = {"Tags", NULL};
static const char *const own_tags_engine[] = {"Tags", "Engine", NULL};

static const struct
{
	const char *action;
	const OptionRule *excluded;
	const char *const *own;
}			actions[] = {
	{"RestoreDBInstanceFromDBSnapshot", restore_snapshot_excluded, own_tags},
	{"RestoreDBClusterFromSnapshot", restore_cluster_snapshot_excluded, own_tags_engine},
	{"RestoreDBInstanceToPointInTime", restore_pitr_excluded, own_tags},
	{"RestoreDBClusterToPointInTime", restore_cluster_pitr_excluded, own_tags_engine},
	/* no exclusions at all: every member of the model is reachable */
	{"RestoreDBClusterToPointInTime", NULL, NULL},
	{"RestoreDBInstanceFromDBSnapshot", NULL, NULL},
};

#define N_ACTIONS ((int) lengthof(actions))

typedef struct Run
{
	int			which;
	Jsonb	   *json;
	RdsOptions *opts;
	char	   *params;			/* options_append_params() */
	char	   *engine;
	char	   *body;
	size_t		body_len;
	int			nquery;
} Run;

static void
run_options(void *arg)
{
	Run		   *r = arg;
	StringInfoData buf;
	AwsQuery   *q;

	r->opts = options_parse("options", r->json, actions[r->which].action,
							actions[r->which].excluded, actions[r->which].own);
	if (actions[r->which].own == own_tags_engine)
		r->engine = options_get_text(r->opts, "options", "Engine");
	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"x\":1");
	options_append_params(&buf, r->opts);
	appendStringInfoChar(&buf, '}');
	r->params = buf.data;
	q = aws_query_new(actions[r->which].action, RDS_API_VERSION);
	options_add_to_query(q, r->opts);
	r->nquery = aws_query_count(q);
	r->body = aws_query_body(q, &r->body_len);
}

static bool
starts_with_key(const char *wire, const char *key)
{
	size_t		n = strlen(key);

	return strncmp(wire, key, n) == 0 && (wire[n] == '\0' || wire[n] == '.');
}

static void
check_value(const RdsMember *m, const OptionPair *p)
{
	char	   *end;

	switch (m->type)
	{
		case RDS_BOOLEAN:
			if (strcmp(p->value, "true") != 0 && strcmp(p->value, "false") != 0)
				abort();
			break;
		case RDS_INTEGER:
		case RDS_LONG:
			errno = 0;
			(void) strtoll(p->value, &end, 10);
			if (errno != 0 || *end != '\0' || end == p->value)
				abort();
			break;
		case RDS_DOUBLE:
			if (!p->is_double || !isfinite(p->dval))
				abort();
			break;
		case RDS_TIMESTAMP:
			{
				size_t		len = strlen(p->value);

				if ((len != 20 && len != 27) || p->value[4] != '-' || p->value[10] != 'T' ||
					p->value[len - 1] != 'Z')
					abort();
				break;
			}
		case RDS_STRING:
			break;
		case RDS_LIST:
			/* only the empty list is sent by the list's own name */
			if (p->value[0] != '\0')
				abort();
			break;
		default:
			abort();
	}
}

static void
check_accepted(const Run *r)
{
	const RdsAction *action = rds_model_action(actions[r->which].action);
	ListCell   *lc;
	Jsonb	   *params;

	if (r->opts == NULL || strcmp(r->opts->action, actions[r->which].action) != 0)
		abort();
	foreach(lc, r->opts->wire)
	{
		OptionPair *p = lfirst(lc);
		const RdsMember *m = rds_model_member(action, p->name);
		const OptionRule *rule;
		const char *const *own;

		if (m == NULL || !rds_model_has_param(action, p->name))
		{
			fprintf(stderr, "encoded a parameter the model does not know: %s\n", p->name);
			abort();
		}
		for (rule = actions[r->which].excluded; rule && rule->name; rule++)
			if (starts_with_key(p->name, rule->name))
				abort();
		for (own = actions[r->which].own; own && *own; own++)
			if (starts_with_key(p->name, *own))
				abort();
		check_value(m, p);
	}
	/* a secret never reaches operations.params */
	foreach(lc, r->opts->given)
	{
		OptionPair *g = lfirst(lc);

		if (g->sensitive != rds_model_member(action, g->name)->sensitive)
			abort();
		if (g->sensitive && strcmp(g->value, "\"[redacted]\"") != 0)
			abort();
	}
	params = shim_json_parse(r->params, strlen(r->params), 100);
	if (params == NULL || !JB_ROOT_IS_OBJECT(params))
	{
		fprintf(stderr, "operations.params is not a JSON object: %s\n", r->params);
		abort();
	}
	/* Action and Version, then one pair per encoded parameter */
	if (r->nquery != 2 + list_length(r->opts->wire))
		abort();
	if (strlen(r->body) != r->body_len)
		abort();
}

static void
check_error(void)
{
	const ShimError *e = shim_error();

	if (e->message == NULL || e->message[0] == '\0')
		abort();
	if (e->sqlerrcode != ERRCODE_INVALID_PARAMETER_VALUE &&
		e->sqlerrcode != ERRCODE_INVALID_DATETIME_FORMAT &&
		e->sqlerrcode != ERRCODE_DATETIME_FIELD_OVERFLOW &&
		e->sqlerrcode != ERRCODE_DATETIME_VALUE_OUT_OF_RANGE &&
		e->sqlerrcode != ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE)
	{
		fprintf(stderr, "unexpected SQLSTATE %s: %s\n", shim_sqlstate(e->sqlerrcode),
				e->message);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int			round;
	bool		first_ok = false;
	char	   *first_body = NULL;

	if (size < 1)
		return 0;
	for (round = 0; round < 2; round++)
	{
		Run			r;
		char	   *text = malloc(size);
		bool		ok;

		memset(&r, 0, sizeof(r));
		r.which = data[0] % N_ACTIONS;
		memcpy(text, data + 1, size - 1);
		/* NULL (no options) when the text is not JSON */
		r.json = shim_json_parse(text, size - 1, 40);
		ok = shim_call(run_options, &r);
		if (ok)
			check_accepted(&r);
		else
			check_error();
		if (round == 0)
		{
			first_ok = ok;
			first_body = ok ? strdup(r.body) : NULL;
		}
		else if (ok != first_ok || (ok && strcmp(first_body, r.body) != 0))
			abort();
		free(text);
		shim_reset();
	}
	free(first_body);
	return 0;
}
