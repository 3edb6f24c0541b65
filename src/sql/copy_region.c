/*-------------------------------------------------------------------------
 * copy_region.c
 *		rds_copy_to_region(): a second region as a policy.  Every available
 *		manual snapshot of a database gets one copy in the destination
 *		region, never two.
 *
 * A snapshot counts as copied when the destination holds a snapshot made
 * from it (its rds-backup:source-arn tag, or the source RDS reports for
 * it), or when the catalog records a copy of it into that region, queued,
 * under way or done, requested after the snapshot was created: a copy that
 * was deleted there since (a prune in the destination) is not made again,
 * while a new snapshot that reuses an old one's name is copied.  The rest are queued (core/
 * opqueue.c): at most OPQUEUE_COPIES_IN_FLIGHT copies are in flight to one
 * destination region, as AWS allows; this session starts those that fit
 * and the tracker starts the others as copies end.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#include "aws/endpoint.h"
#include "core/opqueue.h"
#include "core/runner.h"
#include "rds/arn.h"
#include "rds/names.h"
#include "rds/values.h"
#include "sql/args.h"
#include "sql/inventory.h"

PG_FUNCTION_INFO_V1(rds_copy_to_region);

static int
by_created_at(const ListCell *a, const ListCell *b)
{
	const RdsSnapshot *x = lfirst(a);
	const RdsSnapshot *y = lfirst(b);
	int			c = strcmp(x->created_at ? x->created_at : "", y->created_at ? y->created_at : "");

	return c != 0 ? c : strcmp(x->identifier, y->identifier);
}

/*
 * Whether the destination holds a copy of snapshot s: one made from its
 * ARN, and (where RDS reports when the data was taken) from this very
 * snapshot rather than an older one of the same name.
 */
static bool
copied_there(List *destination, const RdsSnapshot *s, const char *destination_region)
{
	ListCell   *lc;

	foreach(lc, destination)
	{
		RdsSnapshot *d = lfirst(lc);
		char	   *from_region;
		const char *from = snapshot_copied_from(d, destination_region, &from_region);

		if (from == NULL || pg_strcasecmp(from, s->arn) != 0)
			continue;
		if (d->original_created_at && s->created_at &&
			iso_timestamptz(d->original_created_at) != iso_timestamptz(s->created_at))
			continue;
		return true;
	}
	return false;
}

static bool
name_taken(List *there, List *chosen, const char *name)
{
	ListCell   *lc;

	foreach(lc, there)
		if (pg_strcasecmp(((RdsSnapshot *) lfirst(lc))->identifier, name) == 0)
			return true;
	foreach(lc, chosen)
		if (pg_strcasecmp(lfirst(lc), name) == 0)
			return true;
	return false;
}

/*
 * The copy's name: the source's, unless the destination has a snapshot of
 * that name already (an older copy of a snapshot re-made under the same
 * name): then <name>-2, -3 ...
 */
static char *
target_name(const RdsSnapshot *s, List *there, List *chosen)
{
	char	   *name = s->identifier;
	int			n;

	for (n = 2; name_taken(there, chosen, name) && n < 100; n++)
		name = psprintf("%s-%d", s->identifier, n);
	return name;
}

/*
 * rds_copy_to_region(db_identifier, destination_region, kms_key_id,
 *					  cluster, only_own, region) RETURNS SETOF operations
 */
Datum
rds_copy_to_region(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *db;
	char	   *destination;
	char	   *kms_key_id = arg_text_or_null(fcinfo, 2);
	bool		cluster;
	bool		only_own;
	char	   *region;
	const char *what;
	const char *db_what;
	List	   *sources;
	List	   *there;
	List	   *todo = NIL;
	List	   *queued = NIL;
	List	   *chosen = NIL;
	ListCell   *lc;
	int64	   *ids;
	int			n;
	int			i;
	Oid			rowtype;

	runner_check_ready();
	db = arg_text(fcinfo, 0, "db_identifier");
	destination = arg_text(fcinfo, 1, "destination_region");
	cluster = arg_bool(fcinfo, 3, "cluster");
	only_own = arg_bool(fcinfo, 4, "only_own");
	what = cluster ? "DB cluster snapshot" : "DB snapshot";
	db_what = cluster ? "DB cluster identifier" : "DB instance identifier";
	validate_identifier("db_identifier", db_what, db, RDS_MAX_DB_ID);
	validate_region_arg("destination_region", destination);
	if (kms_key_id)
		validate_kms_key_id("kms_key_id", kms_key_id, destination);
	region = endpoint_resolve_region(arg_text_or_null(fcinfo, 5));
	if (strcmp(region, destination) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("destination_region must differ from the region of \"%s\" (%s)",
						db, region),
				 errhint("Pass region => '...' when the database is not in rds_backup.region.")));
	if (strcmp(aws_partition_of_region(region), aws_partition_of_region(destination)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot copy snapshots from region %s to region %s", region,
						destination),
				 errdetail("The regions belong to different AWS partitions.")));

	if (get_call_result_type(fcinfo, &rowtype, NULL) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "rds_copy_to_region called in a wrong context");
	InitMaterializedSRF(fcinfo, 0);

	/* what there is to copy, and what the destination has already */
	sources = inventory_snapshots(cluster, region, db, "manual", false, "Nothing was copied.");
	there = inventory_snapshots(cluster, destination, db, "manual", false,
								"Nothing was copied.");
	foreach(lc, sources)
	{
		RdsSnapshot *s = lfirst(lc);
		char	   *from_region;

		if (s->arn == NULL || s->status == NULL || strcmp(s->status, "available") != 0)
			continue;
		if (s->snapshot_type && strcmp(s->snapshot_type, "manual") != 0)
			continue;
		if (only_own && snapshot_tag(s, TAG_CREATED_BY) == NULL)
			continue;
		/* a copy of a destination snapshot: copying it back would duplicate it */
		if (snapshot_copied_from(s, region, &from_region) &&
			strcmp(from_region, destination) == 0)
			continue;
		if (copied_there(there, s, destination))
			continue;
		if (s->encrypted && kms_key_id == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s \"%s\" is encrypted: copying it to %s needs kms_key_id",
							what, s->identifier, destination),
					 errdetail("KMS keys are regional: the copy must be encrypted with a key of the destination region. Nothing was copied."),
					 errhint("Pass kms_key_id => '<key id, alias or ARN in %s>'.", destination)));
		todo = lappend(todo, s);
	}
	list_sort(todo, by_created_at);

	foreach(lc, todo)
	{
		RdsSnapshot *s = lfirst(lc);
		QueuedOp   *q = palloc0(sizeof(QueuedOp));
		/* RDS refuses a key for a copy of an unencrypted cluster snapshot */
		const char *key = (cluster && !s->encrypted) ? NULL : kms_key_id;

		q->kind = cluster ? "copy_cluster_snapshot" : "copy_snapshot";
		q->resource = target_name(s, there, chosen);
		chosen = lappend(chosen, (char *) q->resource);
		q->source = s->arn;
		/* the params of rds_copy_snapshot(), from which the request is rebuilt */
		q->source_created = s->created_at ? iso_timestamptz(s->created_at) : 0;
		q->params_json = psprintf("{\"%s\":%s,\"%s\":%s,\"SourceRegion\":%s,"
								  "\"KmsKeyId\":%s,\"CopyTags\":true,\"Tags\":{}}",
								  cluster ? "SourceDBClusterSnapshotIdentifier" :
								  "SourceDBSnapshotIdentifier",
								  json_string(s->arn),
								  cluster ? "TargetDBClusterSnapshotIdentifier" :
								  "TargetDBSnapshotIdentifier",
								  json_string(q->resource), json_string(region),
								  json_string(key));
		queued = lappend(queued, q);
	}

	n = opqueue_add(destination, queued, &ids);
	if (n > 0)
		(void) opqueue_start_ready(destination);

	for (i = 0; i < n; i++)
	{
		CatalogOp  *row = catalog_read_operation(ids[i]);
		Datum		d;
		HeapTupleData tuple;

		if (row == NULL)
			continue;
		d = OidInputFunctionCall(F_RECORD_IN, row->row_text, rowtype, -1);
		tuple.t_len = HeapTupleHeaderGetDatumLength(DatumGetHeapTupleHeader(d));
		ItemPointerSetInvalid(&tuple.t_self);
		tuple.t_tableOid = InvalidOid;
		tuple.t_data = DatumGetHeapTupleHeader(d);
		tuplestore_puttuple(rsinfo->setResult, &tuple);
	}
	return (Datum) 0;
}
