/*-------------------------------------------------------------------------
 * prune.c
 *		rds_prune_snapshots(): a retention policy for manual snapshots.
 *
 * The plan is one function of what AWS lists, so that a dry run (the
 * default) reports exactly what a real run then does: every snapshot of
 * the database gets a row, "keep" or "delete", and the reason.  Only
 * manual snapshots of this account are ever deleted: automated ones (RDS
 * expires them), AWS Backup's, and those other accounts share with us are
 * listed as kept.  Never deleted either: the newest available snapshot
 * of the database, whatever the policy says, and one tagged
 * rds-backup:keep=true.  Each delete is a tracked operation; one that
 * fails is reported in its row and the others go on.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "aws/endpoint.h"
#include "core/runner.h"
#include "rds/names.h"
#include "sql/args.h"
#include "sql/inventory.h"

PG_FUNCTION_INFO_V1(rds_prune_snapshots);

#define MAX_KEEP_DAYS	36500

typedef struct PruneRow
{
	RdsSnapshot *snap;
	bool		has_time;
	TimestampTz at;				/* the data's age counts from here */
	bool		candidate;		/* a manual, available snapshot of ours */
	bool		selected;		/* ... that the policy applies to */
	bool		delete;
	char	   *reason;
} PruneRow;

/* Newest first; the identifier breaks ties, so the order never varies. */
static int
newest_first(const ListCell *a, const ListCell *b)
{
	const PruneRow *x = lfirst(a);
	const PruneRow *y = lfirst(b);

	if (x->has_time != y->has_time)
		return x->has_time ? 1 : -1;	/* no time yet (creating): first */
	if (x->has_time && x->at != y->at)
		return x->at > y->at ? -1 : 1;
	return strcmp(x->snap->identifier, y->snap->identifier);
}

/* tags: a JSON object of strings that a snapshot must carry, all of them. */
static List *
tag_filter(Jsonb *tags)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	List	   *result = NIL;
	char	   *key = NULL;

	if (tags == NULL)
		return NIL;
	if (!JB_ROOT_IS_OBJECT(tags))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tags must be a JSON object of strings"),
				 errhint("For example: '{\"lifecycle\": \"nightly\"}' prunes the snapshots tagged lifecycle=nightly.")));
	it = JsonbIteratorInit(&tags->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
		{
			if (v.type != jbvString)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("tag \"%s\" in tags must have a string value", key)));
			result = lappend(result, tag_pair(key, pnstrdup(v.val.string.val,
															v.val.string.len)));
		}
	}
	return result;
}

static bool
carries_tags(const RdsSnapshot *s, List *wanted)
{
	ListCell   *lc;

	foreach(lc, wanted)
	{
		TagPair    *t = lfirst(lc);
		const char *have = snapshot_tag(s, t->key);

		if (have == NULL || strcmp(have, t->value) != 0)
			return false;
	}
	return true;
}

static bool
is_shared_with_us(const RdsSnapshot *s)
{
	return strncmp(s->identifier, "arn:", 4) == 0 ||
		(s->snapshot_type && (strcmp(s->snapshot_type, "shared") == 0 ||
							  strcmp(s->snapshot_type, "public") == 0));
}

static AwsRequest *
build_delete(OpStart *start, int64 op_id)
{
	return rds_delete_snapshot_request(*(bool *) start->arg, start->region, start->resource);
}

/*
 * rds_prune_snapshots(db_identifier, keep_days, keep_last, tags, cluster,
 *					   dry_run, only_own, region)
 *	 RETURNS TABLE (snapshot, created_at, action, reason, operation_id)
 */
Datum
rds_prune_snapshots(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *db;
	bool		has_days = !PG_ARGISNULL(1);
	bool		has_last = !PG_ARGISNULL(2);
	int			keep_days = has_days ? PG_GETARG_INT32(1) : 0;
	int			keep_last = has_last ? PG_GETARG_INT32(2) : 0;
	List	   *wanted;
	bool		cluster;
	bool		dry_run;
	bool		only_own;
	char	   *region;
	char	   *policy;
	List	   *snaps;
	List	   *rows = NIL;
	ListCell   *lc;
	PruneRow   *newest = NULL;
	TimestampTz cutoff = 0;
	int			rank = 0;

	runner_check_ready();
	db = arg_text(fcinfo, 0, "db_identifier");
	cluster = arg_bool(fcinfo, 4, "cluster");
	dry_run = arg_bool(fcinfo, 5, "dry_run");
	only_own = arg_bool(fcinfo, 6, "only_own");
	validate_identifier("db_identifier", cluster ? "DB cluster identifier" :
						"DB instance identifier", db, RDS_MAX_DB_ID);
	if (!has_days && !has_last)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rds_prune_snapshots() needs keep_days, keep_last or both"),
				 errdetail("Without them the policy would keep nothing but the newest snapshot."),
				 errhint("For example: keep_days => 30, keep_last => 7.")));
	if (has_days && (keep_days < 0 || keep_days > MAX_KEEP_DAYS))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("keep_days must be between 0 and %d", MAX_KEEP_DAYS)));
	if (has_last && keep_last < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("keep_last must not be negative")));
	wanted = tag_filter(PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3));
	region = endpoint_resolve_region(arg_text_or_null(fcinfo, 7));

	/* keep_days 0 protects nothing by age, keep_last 0 nothing by rank */
	if (has_days && keep_days > 0 && has_last && keep_last > 0)
		policy = psprintf("older than %d days and not among the %d newest", keep_days,
						  keep_last);
	else if (has_days && keep_days > 0)
		policy = psprintf("older than %d days", keep_days);
	else if (has_last && keep_last > 0)
		policy = psprintf("not among the %d newest", keep_last);
	else
		policy = "kept by neither keep_days nor keep_last";
	if (has_days)
		cutoff = GetCurrentTransactionStartTimestamp() -
			(TimestampTz) keep_days * USECS_PER_DAY;

	InitMaterializedSRF(fcinfo, 0);

	/* automated and manual ones, and those shared with us: each gets a row */
	snaps = inventory_snapshots(cluster, region, db, NULL, true,
								dry_run ? NULL : "Nothing was deleted.");
	foreach(lc, snaps)
	{
		RdsSnapshot *s = lfirst(lc);
		PruneRow   *r = palloc0(sizeof(PruneRow));
		const char *when = s->original_created_at ? s->original_created_at : s->created_at;

		r->snap = s;
		if (when)
		{
			r->has_time = true;
			r->at = iso_timestamptz(when);
		}
		if (is_shared_with_us(s))
			r->reason = "shared with this account by another account";
		else if (s->snapshot_type && strcmp(s->snapshot_type, "automated") == 0)
			r->reason = "automated snapshot: RDS deletes it when the backup retention period ends";
		else if ((s->snapshot_type && strcmp(s->snapshot_type, "awsbackup") == 0) ||
				 strncmp(s->identifier, "awsbackup:", 10) == 0)
			r->reason = "managed by AWS Backup";
		else if (s->snapshot_type == NULL || strcmp(s->snapshot_type, "manual") != 0 ||
				 strchr(s->identifier, ':') != NULL)
			r->reason = psprintf("a %s snapshot, not a manual one",
								 s->snapshot_type ? s->snapshot_type : "typeless");
		else if (s->status == NULL || strcmp(s->status, "available") != 0)
			r->reason = psprintf("status %s: only available snapshots are pruned",
								 s->status ? s->status : "unknown");
		else
			r->candidate = true;
		rows = lappend(rows, r);
	}
	list_sort(rows, newest_first);

	foreach(lc, rows)
	{
		PruneRow   *r = lfirst(lc);
		const char *keep_tag;

		if (!r->candidate)
			continue;
		if (newest == NULL)
			newest = r;
		keep_tag = snapshot_tag(r->snap, TAG_KEEP);
		if (keep_tag && pg_strcasecmp(keep_tag, "true") == 0)
			r->reason = "tagged rds-backup:keep=true";
		else if (only_own && snapshot_tag(r->snap, TAG_CREATED_BY) == NULL)
			r->reason = "not made by rds_backup (no rds-backup:created-by tag; only_own => false includes it)";
		else if (!carries_tags(r->snap, wanted))
			r->reason = psprintf("does not carry the tags %s", tags_to_json(wanted));
		else
			r->selected = true;

		/* the policy counts the selected ones, the newest of the database first */
		if (r->selected)
			rank++;
		if (r == newest)
			r->reason = psprintf("the newest manual snapshot of %s", db);
		else if (!r->selected)
			continue;
		else if (has_last && rank <= keep_last)
			r->reason = psprintf("among the %d newest", keep_last);
		else if (has_days && r->at > cutoff)
			r->reason = psprintf("younger than %d days", keep_days);
		else
		{
			r->delete = true;
			r->reason = policy;
		}
	}

	foreach(lc, rows)
	{
		PruneRow   *r = lfirst(lc);
		Datum		values[5];
		bool		nulls[5];
		char	   *reason = r->reason;

		memset(nulls, 0, sizeof(nulls));
		nulls[4] = true;
		if (r->delete && !dry_run)
		{
			OpStart		start;
			CatalogOp  *op;

			memset(&start, 0, sizeof(start));
			start.kind = cluster ? "delete_cluster_snapshot" : "delete_snapshot";
			start.region = region;
			start.resource = r->snap->identifier;
			start.params_json = psprintf("{\"%s\":%s,\"PruneReason\":%s}",
										 cluster ? "DBClusterSnapshotIdentifier" :
										 "DBSnapshotIdentifier",
										 json_string(r->snap->identifier),
										 json_string(r->reason));
			start.timeout_secs = 3600;
			start.build = build_delete;
			start.arg = &cluster;
			/* a refusal fails this delete alone: its row says why */
			op = runner_start_row(&start, false);
			values[4] = Int64GetDatum(op->id);
			nulls[4] = false;
			if (strcmp(op->status, "failed") == 0)
			{
				reason = psprintf("%s; the delete failed: %s", r->reason,
								  op->error ? op->error : "no reason given");
				ereport(WARNING,
						(errmsg("could not delete %s \"%s\": %s",
								cluster ? "DB cluster snapshot" : "DB snapshot",
								r->snap->identifier, op->error ? op->error : "failed"),
						 errdetail("Operation " INT64_FORMAT " failed; the other snapshots are pruned all the same.",
								   op->id)));
			}
			else if (strcmp(op->status, "pending") == 0)
				reason = psprintf("%s; AWS's reply to the delete was lost: operation " INT64_FORMAT " settles it",
								  r->reason, op->id);
		}
		values[0] = CStringGetTextDatum(r->snap->identifier);
		values[1] = TimestampTzGetDatum(r->at);
		nulls[1] = !r->has_time;
		values[2] = CStringGetTextDatum(r->delete ? "delete" : "keep");
		values[3] = CStringGetTextDatum(reason);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
