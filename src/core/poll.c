/*-------------------------------------------------------------------------
 * poll.c
 *		Asking AWS how unfinished operations are doing, many at a time.
 *
 * One Describe call with a filter of up to 100 identifiers (and
 * MaxRecords 100, following Markers) covers up to 100 operations of one
 * family in one region, so tracking N operations costs about N/100 calls
 * a round.
 *
 * What AWS's statuses mean is decided here and nowhere else: the reply
 * of an operation's starting call is read the same way (poll_read_started).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "aws/client.h"
#include "core/poll.h"
#include "rds/actions.h"
#include "rds/names.h"

#define IDS_PER_CALL	100

int			rb_visibility_grace_s = 300;

typedef struct FamilySpec
{
	const char *action;
	const char *filter;
	const char *list;
	const char *element;
	const char *id_field;
	const char *status_field;
	const char *arn_field;
	const char *progress_field;
} FamilySpec;

static const FamilySpec families[] = {
	[TRACK_DB_SNAPSHOT] = {"DescribeDBSnapshots", "db-snapshot-id", "DBSnapshots",
		"DBSnapshot", "DBSnapshotIdentifier", "Status", "DBSnapshotArn",
	"PercentProgress"},
	[TRACK_CLUSTER_SNAPSHOT] = {"DescribeDBClusterSnapshots", "db-cluster-snapshot-id",
		"DBClusterSnapshots", "DBClusterSnapshot", "DBClusterSnapshotIdentifier",
	"Status", "DBClusterSnapshotArn", "PercentProgress"},
	[TRACK_DB_INSTANCE] = {"DescribeDBInstances", "db-instance-id", "DBInstances",
		"DBInstance", "DBInstanceIdentifier", "DBInstanceStatus", "DBInstanceArn",
	NULL},
	[TRACK_DB_CLUSTER] = {"DescribeDBClusters", "db-cluster-id", "DBClusters",
		"DBCluster", "DBClusterIdentifier", "Status", "DBClusterArn",
	"PercentProgress"},
	[TRACK_EXPORT] = {"DescribeExportTasks", "export-task-identifier", "ExportTasks",
		"ExportTask", "ExportTaskIdentifier", "Status", NULL,
	"PercentProgress"},
	[TRACK_AUTOMATED_BACKUP] = {"DescribeDBInstanceAutomatedBackups", "db-instance-id",
		"DBInstanceAutomatedBackups", "DBInstanceAutomatedBackup",
	"DBInstanceIdentifier", "Status", "DBInstanceAutomatedBackupsArn", NULL},
};

static TrackFamily
kind_family(const char *kind)
{
	if (strcmp(kind, "snapshot") == 0 || strcmp(kind, "copy_snapshot") == 0 ||
		strcmp(kind, "delete_snapshot") == 0)
		return TRACK_DB_SNAPSHOT;
	if (strcmp(kind, "cluster_snapshot") == 0 || strcmp(kind, "copy_cluster_snapshot") == 0 ||
		strcmp(kind, "delete_cluster_snapshot") == 0)
		return TRACK_CLUSTER_SNAPSHOT;
	if (strcmp(kind, "restore_snapshot") == 0 || strcmp(kind, "restore_pitr") == 0)
		return TRACK_DB_INSTANCE;
	if (strcmp(kind, "restore_cluster_snapshot") == 0 ||
		strcmp(kind, "restore_cluster_pitr") == 0)
		return TRACK_DB_CLUSTER;
	if (strcmp(kind, "export") == 0)
		return TRACK_EXPORT;
	if (strcmp(kind, "replicate_backups") == 0)
		return TRACK_AUTOMATED_BACKUP;
	/* "modify" settles on the instance's status (see poll_family) */
	return TRACK_DB_INSTANCE;
}

TrackFamily
poll_family(const TrackedOp *op)
{
	if (strcmp(op->kind, "modify") == 0)
		return op->cluster ? TRACK_DB_CLUSTER : TRACK_DB_INSTANCE;
	return kind_family(op->kind);
}

bool
poll_same_batch(const TrackedOp *a, const TrackedOp *b)
{
	return poll_family(a) == poll_family(b) && strcmp(a->region, b->region) == 0 &&
		strcmp(a->identity.role_arn, b->identity.role_arn) == 0 &&
		strcmp(a->identity.external_id, b->identity.external_id) == 0;
}

static bool
is_modify(const TrackedOp *op)
{
	return strcmp(op->kind, "modify") == 0;
}

static bool
is_delete(const TrackedOp *op)
{
	return strncmp(op->kind, "delete_", 7) == 0;
}

/*
 * A replication of automated backups is known in the destination region
 * by the source instance's ARN (op->source): its identifier alone could
 * also be that of an instance of the destination region.
 */
static bool
key_is_arn(const TrackedOp *op)
{
	return op->source != NULL && kind_family(op->kind) == TRACK_AUTOMATED_BACKUP;
}

static const char *
op_key(const TrackedOp *op)
{
	if (op->export_id)
		return op->export_id;
	return key_is_arn(op) ? op->source : op->resource;
}

/*
 * The statuses RDS documents that a resource does not leave by itself, so
 * that what an operation waits for will not come: instance statuses in
 * "Viewing Amazon RDS DB instance status", cluster statuses in "Viewing
 * DB cluster status" (both RDS User Guide), snapshots' and export tasks'
 * in the API reference.  The "-recoverable" encryption status needs the
 * owner of the KMS key to act, which is an end as far as tracking goes;
 * AWS's word stays in aws_status.  A status not listed here (a new one
 * AWS adds, a transitional one) keeps the operation in progress, until
 * rds_backup.tracking_limit.
 */
static const char *const instance_failed[] = {
	"failed", "incompatible-restore", "incompatible-parameters", "incompatible-network",
	"incompatible-option-group", "incompatible-credentials", "restore-error",
	"storage-full", "insufficient-capacity", "inaccessible-encryption-credentials",
	"inaccessible-encryption-credentials-recoverable", "deleting", "delete-precheck",
	NULL
};

static const char *const cluster_failed[] = {
	"failed", "cloning-failed", "migration-failed", "inaccessible-encryption-credentials",
	"inaccessible-encryption-credentials-recoverable", "incompatible-restore",
	"incompatible-parameters", "incompatible-network", "deleting", NULL
};

static const char *const snapshot_failed[] = {
	"failed", "deleting", "deleted", "incompatible-restore", "incompatible-parameters",
	"incompatible-network", "incompatible-option-group", NULL
};

static const char *const backup_failed[] = {"failed", "deleting", NULL};

static bool
in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* What an AWS status means: "succeeded", "failed", "canceled" or "in_progress". */
static const char *
outcome_of(TrackFamily fam, const TrackedOp *op, const char *aws)
{
	if (aws == NULL)
		return "in_progress";
	switch (fam)
	{
		case TRACK_DB_SNAPSHOT:
		case TRACK_CLUSTER_SNAPSHOT:
			if (is_delete(op))
				return strcmp(aws, "deleted") == 0 ? "succeeded" :
					strcmp(aws, "failed") == 0 ? "failed" : "in_progress";
			if (strcmp(aws, "available") == 0)
				return "succeeded";
			return in_list(aws, snapshot_failed) ? "failed" : "in_progress";
		case TRACK_DB_INSTANCE:
			if (strcmp(aws, "available") == 0)
				return "succeeded";
			return in_list(aws, instance_failed) ? "failed" : "in_progress";
		case TRACK_DB_CLUSTER:
			if (strcmp(aws, "available") == 0)
				return "succeeded";
			return in_list(aws, cluster_failed) ? "failed" : "in_progress";
		case TRACK_EXPORT:
			if (pg_strcasecmp(aws, "COMPLETE") == 0)
				return "succeeded";
			if (pg_strcasecmp(aws, "FAILED") == 0)
				return "failed";
			if (pg_strcasecmp(aws, "CANCELED") == 0)
				return "canceled";
			return "in_progress";
		case TRACK_AUTOMATED_BACKUP:
			if (strcmp(aws, "replicating") == 0 || strcmp(aws, "active") == 0)
				return "succeeded";
			return in_list(aws, backup_failed) ? "failed" : "in_progress";
	}
	return "in_progress";
}

/* Old enough that its resource, had it been created, would show by now. */
static bool
past_grace(const TrackedOp *op)
{
	return TimestampDifferenceExceeds(op->requested_at, GetCurrentTimestamp(),
									  rb_visibility_grace_s * 1000);
}

/* The scalar members of a modify's params object, as TrackExpect. */
static List *
expect_from_jsonb(Jsonb *jb)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	List	   *result = NIL;
	char	   *key = NULL;

	if (!JB_ROOT_IS_OBJECT(jb))
		return NIL;
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		TrackExpect *e;

		if (tok == WJB_KEY)
		{
			key = pnstrdup(v.val.string.val, v.val.string.len);
			continue;
		}
		if (tok != WJB_VALUE || key == NULL)
			continue;
		/* what the call was, not what it set */
		if (strcmp(key, "cluster") == 0 || strcmp(key, "ApplyImmediately") == 0 ||
			strcmp(key, "DBInstanceIdentifier") == 0 || strcmp(key, "DBClusterIdentifier") == 0)
			continue;
		e = palloc(sizeof(TrackExpect));
		e->name = key;
		switch (v.type)
		{
			case jbvString:
				e->value = pnstrdup(v.val.string.val, v.val.string.len);
				break;
			case jbvNumeric:
				e->value = DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(v.val.numeric)));
				break;
			case jbvBool:
				e->value = pstrdup(v.val.boolean ? "true" : "false");
				break;
			default:
				continue;		/* nothing AWS shows as one value */
		}
		result = lappend(result, e);
	}
	return result;
}

bool
poll_is_queued(const char *status, const char *aws_status)
{
	return status && strcmp(status, "pending") == 0 &&
		aws_status && strcmp(aws_status, OP_AWS_STATUS_QUEUED) == 0;
}

TrackedOp *
poll_op(const CatalogOp *row)
{
	TrackedOp  *t = palloc0(sizeof(TrackedOp));
	char	   *cluster;

	t->id = row->id;
	t->kind = row->kind;
	t->region = row->region;
	t->resource = row->resource;
	t->source = row->source;
	t->status = row->status;
	t->aws_status = row->aws_status;
	t->resource_arn = row->resource_arn;
	t->progress = row->progress;
	t->request_id = row->request_id;
	t->requested_by = row->requested_by;
	t->requested_at = row->requested_at;
	t->row_text = row->row_text;
	t->identity.role_arn = row->role_arn ? row->role_arn : "";
	t->identity.external_id = row->external_id ? row->external_id : "";
	t->export_id = catalog_param_text(row->params, "ExportTaskIdentifier");
	t->writer = catalog_param_text(row->params, "WriterInstance");
	t->writer_class = catalog_param_text(row->params, "WriterInstanceClass");
	t->tags_json = catalog_param_text(row->params, "Tags");
	cluster = catalog_param_text(row->params, "cluster");
	t->cluster = cluster && strcmp(cluster, "true") == 0;
	if (is_modify(t) && row->params)
		t->expect = expect_from_jsonb(row->params);
	t->u = (OpUpdate) OP_UPDATE_INIT;
	return t;
}

/*
 * How a modify stands, from the DBInstance or DBCluster element of a reply:
 * "succeeded" once the resource is available, none of the expected values
 * is pending and each shows the value asked for; "failed" for a status the
 * resource will not leave by itself; else "in_progress".  *mismatch is set
 * when the resource is settled but shows another value than expected.
 */
static const char *
modify_outcome(const XNode *resource, bool cluster, List *expect,
			   const TrackExpect **mismatch)
{
	TrackFamily fam = cluster ? TRACK_DB_CLUSTER : TRACK_DB_INSTANCE;
	TrackedOp	probe;
	const char *outcome;
	XNode	   *pending = xnode_child(resource, "PendingModifiedValues");
	ListCell   *lc;

	*mismatch = NULL;
	memset(&probe, 0, sizeof(probe));
	probe.kind = "modify";
	outcome = outcome_of(fam, &probe, xnode_text(resource, families[fam].status_field));
	if (strcmp(outcome, "succeeded") != 0)
		return outcome;
	foreach(lc, expect)
	{
		const TrackExpect *e = lfirst(lc);
		const char *now;

		/* applied later (maintenance window, or still being applied) */
		if (xnode_child(pending, e->name) != NULL)
			return "in_progress";

		/*
		 * A value AWS does not show cannot be checked; one it shows must be
		 * ours (changes between non-zero retentions apply asynchronously).
		 */
		now = xnode_text(resource, e->name);
		if (now != NULL && pg_strcasecmp(now, e->value) != 0)
		{
			*mismatch = e;
			return "in_progress";
		}
	}
	return "succeeded";
}

static void
apply_seen(TrackFamily fam, TrackedOp *op, const XNode *n)
{
	const FamilySpec *fs = &families[fam];
	const char *aws = xnode_text(n, fs->status_field);
	const char *arn = fs->arn_field ? xnode_text(n, fs->arn_field) : NULL;
	const char *prog = fs->progress_field ? xnode_text(n, fs->progress_field) : NULL;
	const char *outcome = outcome_of(fam, op, aws);
	const TrackExpect *mismatch = NULL;

	if (is_modify(op))
		outcome = modify_outcome(n, fam == TRACK_DB_CLUSTER, op->expect, &mismatch);

	/*
	 * A modify AWS never confirmed whose values are not there after the
	 * grace period did not arrive (or was overridden since).
	 */
	if (mismatch && op->request_id == NULL)
	{
		if (past_grace(op))
		{
			op->seen = true;
			op->u.status = "failed";
			op->u.aws_status = aws ? pstrdup(aws) : NULL;
			op->u.error = psprintf("AWS shows %s = %s on \"%s\", not %s: the change never reached AWS or was overridden",
								   mismatch->name, xnode_text(n, mismatch->name),
								   op->resource, mismatch->value);
			return;
		}
	}

	op->seen = true;
	if (fam == TRACK_DB_CLUSTER)
		op->seen_engine = (char *) xnode_text(n, "Engine");
	if (fam == TRACK_DB_INSTANCE)
		op->seen_cluster = (char *) xnode_text(n, "DBClusterIdentifier");

	/*
	 * A delete whose target still shows: RDS may not have caught up yet
	 * (right after the call, or the call's reply was lost), so only time
	 * tells whether the delete took effect.
	 */
	if (is_delete(op))
	{
		if (aws && (op->aws_status == NULL || strcmp(aws, op->aws_status) != 0))
			op->u.aws_status = pstrdup(aws);
		if (aws && strcmp(aws, "deleting") == 0)
		{
			if (strcmp(op->status, "in_progress") != 0)
				op->u.status = "in_progress";
		}
		else if (past_grace(op))
		{
			op->u.status = "failed";
			op->u.error = op->request_id == NULL ?
				psprintf("\"%s\" still exists: the delete request never reached AWS",
						 op_key(op)) :
				psprintf("\"%s\" still exists with status \"%s\": the delete did not take effect",
						 op_key(op), aws ? aws : "unknown");
		}
		return;
	}
	if (aws && (op->aws_status == NULL || strcmp(aws, op->aws_status) != 0))
		op->u.aws_status = pstrdup(aws);
	/* only what changed: an unchanged row is not rewritten */
	if (arn && (op->resource_arn == NULL || strcmp(arn, op->resource_arn) != 0))
		op->u.resource_arn = pstrdup(arn);
	if (prog)
	{
		int			p = (int) strtol(prog, NULL, 10);

		if (p >= 0 && p <= 100 && p != op->progress)
			op->u.progress = p;
	}
	if (strcmp(outcome, op->status) != 0)
		op->u.status = outcome;
	if (strcmp(outcome, "succeeded") == 0 && op->progress != 100)
		op->u.progress = 100;
	if (strcmp(outcome, "failed") == 0)
	{
		const char *cause = xnode_text(n, "FailureCause");

		op->u.error = cause ? pstrdup(cause) :
			psprintf("AWS reports status \"%s\"", aws);
	}
}

void
poll_read_started(TrackedOp *op, const XNode *result)
{
	TrackFamily fam = poll_family(op);
	const XNode *n = xnode_child(result, families[fam].element);

	/* StartExportTask answers with the task's members directly */
	if (n == NULL)
		n = result;
	op->u = (OpUpdate) OP_UPDATE_INIT;
	if (is_delete(op))
	{
		const char *aws = xnode_text(n, families[fam].status_field);

		op->seen = true;
		op->u.aws_status = aws;
		op->u.resource_arn = families[fam].arn_field ?
			xnode_text(n, families[fam].arn_field) : NULL;
		/* RDS answers "deleted" once the snapshot is gone */
		op->u.status = strcmp(outcome_of(fam, op, aws), "succeeded") == 0 ?
			"succeeded" : "in_progress";
		if (strcmp(op->u.status, "succeeded") == 0)
			op->u.progress = 100;
		return;
	}
	apply_seen(fam, op, n);
	/* with a writer still to add, an available cluster is only half-way */
	if (op->writer && op->u.status && strcmp(op->u.status, "succeeded") == 0)
	{
		op->u.status = "in_progress";
		op->u.progress = -1;
	}
	/* AWS took the request: the operation is under way whatever it shows */
	if (op->u.status == NULL && strcmp(op->status, "pending") == 0)
		op->u.status = "in_progress";
}

/* AWS has no record of op's resource. */
static void
apply_absent(TrackedOp *op)
{
	if (is_delete(op))
	{
		op->u.status = "succeeded";
		op->u.aws_status = "deleted";
		op->u.progress = 100;
		return;
	}

	/*
	 * RDS is eventually consistent: a resource may be missing from Describe
	 * for a while after the call that created it, and a request whose reply
	 * was lost may still show up.  Absence counts only after the grace.
	 */
	if (!past_grace(op))
		return;
	if (op->request_id != NULL || strcmp(op->status, "in_progress") == 0)
	{
		op->u.status = "failed";
		op->u.error = is_modify(op) ?
			psprintf("AWS no longer knows \"%s\": it was deleted while being modified",
					 op_key(op)) :
			psprintf("AWS no longer knows \"%s\": it was deleted outside rds_backup or its creation failed",
					 op_key(op));
		return;
	}

	/* never confirmed by AWS: the session died or lost the reply */
	op->u.status = "failed";
	op->u.error = psprintf("AWS has no record of \"%s\": the request never reached AWS",
						   op_key(op));
}

static bool
error_means_absent(const AwsReply *reply)
{
	return reply->outcome == AWS_ERROR_REPLY && aws_error_is_not_found(reply->error_code);
}

/* One Describe call (all its pages) for ops[from .. from+n). */
static int
poll_chunk(TrackFamily fam, const char *region, TrackedOp **ops, int n, List **audit)
{
	const FamilySpec *fs = &families[fam];
	const char **ids = palloc(sizeof(char *) * n);
	char	   *marker = NULL;
	int			calls = 0;
	int			i;

	for (i = 0; i < n; i++)
		ids[i] = op_key(ops[i]);

	do
	{
		AwsRequest *req = aws_request_new("rds", fs->action, region,
										  n == 1 ? ids[0] : NULL);
		AwsQueryFilter filter;
		AwsReply	reply;
		XNode	   *list;

		req->identity = ops[0]->identity;

		filter.name = fs->filter;
		filter.values = ids;
		filter.n_values = n;
		aws_query_add_filters(req->query, &filter, 1);
		aws_query_add_int(req->query, "MaxRecords", 100);
		if (marker)
			aws_query_add(req->query, "Marker", marker);

		aws_call(req, &reply);
		calls++;
		*audit = list_concat(*audit, reply.audit);
		if (reply.outcome == AWS_INTERRUPTED)
			return calls;
		if (error_means_absent(&reply))
		{
			/* a filter that matches nothing may be answered as not found */
			marker = NULL;
			break;
		}
		if (reply.outcome != AWS_OK)
		{
			/* no news this round; say why on the rows */
			char	   *why = aws_reply_error_text(req, &reply);

			for (i = 0; i < n; i++)
				ops[i]->seen = true;	/* do not conclude absence */
			ereport(LOG,
					(errmsg("rds_backup could not check %d operation%s in %s: %s",
							n, n == 1 ? "" : "s", region, why)));
			return calls;
		}

		list = xnode_child(reply.result, fs->list);
		for (XNode *c = list ? list->first_child : NULL; c; c = c->next)
		{
			const char *id = xnode_text(c, fs->id_field);
			const char *status = xnode_text(c, fs->status_field);
			const char *arn = fam == TRACK_AUTOMATED_BACKUP ?
				xnode_text(c, "DBInstanceArn") : NULL;

			/*
			 * The backups a stopped replication left behind stay "retained"
			 * beside a new replication of the same instance: never the one
			 * an operation started.
			 */
			if (fam == TRACK_AUTOMATED_BACKUP && status && strcmp(status, "retained") == 0)
				continue;
			for (i = 0; i < n; i++)
			{
				const char *have = key_is_arn(ops[i]) ? arn : id;

				if (!ops[i]->seen && have && pg_strcasecmp(have, op_key(ops[i])) == 0)
				{
					apply_seen(fam, ops[i], c);
					break;
				}
			}
		}
		marker = (char *) xnode_text(reply.result, "Marker");
	} while (marker != NULL);

	for (i = 0; i < n; i++)
		if (!ops[i]->seen)
			apply_absent(ops[i]);
	return calls;
}

/*
 * A restored Aurora cluster has no instance and cannot serve queries until
 * its writer is available.  RDS takes CreateDBInstance into a cluster only
 * once the cluster is available, so whoever polls (the worker, or a
 * session waiting without it) creates the writer the first time it sees
 * the cluster available, and holds the operation in_progress until the
 * writer is available too.  aws_status says how far it got:
 * WRITER_REQUESTED once a create call was made (absence is not final then:
 * the call may not show in Describe yet, or may not have arrived), then
 * "writer <status>" once RDS reports on the writer.
 */
#define WRITER_REQUESTED	"writer requested"

static bool
writer_was_seen(const TrackedOp *op)
{
	return op->aws_status && strncmp(op->aws_status, "writer ", 7) == 0 &&
		strcmp(op->aws_status, WRITER_REQUESTED) != 0;
}

static void
hold_in_progress(TrackedOp *op, const char *aws_status)
{
	op->u.status = strcmp(op->status, "in_progress") == 0 ? NULL : "in_progress";
	op->u.aws_status = (aws_status && op->aws_status &&
						strcmp(op->aws_status, aws_status) == 0) ? NULL : aws_status;
	op->u.progress = -1;
}

static void
fail_writer(TrackedOp *op, const char *why)
{
	op->u.status = "failed";
	op->u.progress = -1;
	op->u.error = psprintf("writer instance \"%s\": %s", op->writer, why);
}

/* CreateDBInstance of op's writer into the cluster op restored. */
static int
create_writer(TrackedOp *op, List **audit)
{
	List	   *tags = NIL;
	AwsRequest *req;
	AwsReply	reply;

	if (op->writer_class == NULL || op->seen_engine == NULL)
	{
		fail_writer(op, "the instance class or the cluster's engine is unknown");
		return 0;
	}
	if (op->tags_json)
		tags = validate_tags("tags",
							 DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
																CStringGetDatum(op->tags_json))),
							 2);
	tags = tags_with_provenance(tags, op->requested_by, op->id);

	req = rds_create_cluster_instance_request(op->region, op->writer, op->resource,
											  op->writer_class, op->seen_engine, tags);
	req->identity = op->identity;
	aws_call(req, &reply);
	/* a call made for this operation alone: its audit row names it */
	(void) catalog_write_audit(reply.audit, op->id);
	if (reply.outcome == AWS_INTERRUPTED)
		return 1;
	if (reply.outcome == AWS_OK ||
		(reply.outcome == AWS_ERROR_REPLY &&
		 strcmp(reply.error_code, "DBInstanceAlreadyExists") == 0))
	{
		/* an existing one is checked to belong to the cluster when seen */
		hold_in_progress(op, WRITER_REQUESTED);
		return 1;
	}
	if (reply.outcome == AWS_ERROR_REPLY && reply.http_status < 500 &&
		strstr(reply.error_code, "Throttl") == NULL &&
		strcmp(reply.error_code, "RequestLimitExceeded") != 0)
	{
		fail_writer(op, aws_reply_error_text(req, &reply));
		return 1;
	}
	/* no answer worth acting on: try again next round */
	ereport(LOG,
			(errmsg("rds_backup could not create writer instance \"%s\" of cluster \"%s\": %s",
					op->writer, op->resource, aws_reply_error_text(req, &reply))));
	hold_in_progress(op, WRITER_REQUESTED);
	return 1;
}

static int
poll_writers(const char *region, List *ops, List **audit)
{
	List	   *pending = NIL;
	TrackedOp **fake;
	ListCell   *lc;
	int			calls = 0;
	int			n,
				i;

	foreach(lc, ops)
	{
		TrackedOp  *op = lfirst(lc);

		if (op->writer && op->u.status && strcmp(op->u.status, "succeeded") == 0)
			pending = lappend(pending, op);
	}
	n = list_length(pending);
	if (n == 0)
		return 0;
	fake = palloc(sizeof(TrackedOp *) * n);
	foreach(lc, pending)
	{
		TrackedOp  *op = lfirst(lc);
		TrackedOp  *w = palloc0(sizeof(TrackedOp));

		w->kind = "restore_snapshot";
		w->region = op->region;
		w->resource = op->writer;
		w->status = "in_progress";
		w->request_id = op->request_id;
		w->progress = -1;
		w->requested_at = op->requested_at;
		w->identity = op->identity;
		w->u = (OpUpdate) OP_UPDATE_INIT;
		fake[foreach_current_index(lc)] = w;
	}
	for (i = 0; i < n; i += IDS_PER_CALL)
		calls += poll_chunk(TRACK_DB_INSTANCE, region, fake + i,
							Min(IDS_PER_CALL, n - i), audit);
	foreach(lc, pending)
	{
		TrackedOp  *op = lfirst(lc);
		TrackedOp  *w = fake[foreach_current_index(lc)];
		const char *ws = w->u.status ? w->u.status : w->status;

		if (!w->seen && InterruptPending)
		{
			/* the round was interrupted: no conclusion, and no new call */
			hold_in_progress(op, NULL);
			continue;
		}
		if (!w->seen)
		{
			if (writer_was_seen(op))
				fail_writer(op, "it no longer exists");
			else
				calls += create_writer(op, audit);
			continue;
		}
		if (w->u.aws_status == NULL)
		{
			/* the Describe call failed: no news, the cluster waits */
			hold_in_progress(op, NULL);
			continue;
		}
		if (w->seen_cluster == NULL || pg_strcasecmp(w->seen_cluster, op->resource) != 0)
		{
			fail_writer(op, psprintf("an instance of that name exists outside DB cluster \"%s\"",
									 op->resource));
			continue;
		}
		if (strcmp(ws, "succeeded") == 0)
			continue;
		if (strcmp(ws, "failed") == 0)
		{
			fail_writer(op, w->u.error ? w->u.error : "failed");
			if (w->u.aws_status)
				op->u.aws_status = psprintf("writer %s", w->u.aws_status);
		}
		else
			hold_in_progress(op, psprintf("writer %s",
										  w->u.aws_status ? w->u.aws_status :
										  w->aws_status ? w->aws_status : "creating"));
	}
	return calls;
}

int
poll_ops(List *ops, List **audit)
{
	TrackedOp **arr;
	TrackFamily fam;
	const char *region;
	int			n = list_length(ops);
	int			calls = 0;
	int			i;
	ListCell   *lc;

	if (n == 0)
		return 0;
	arr = palloc(sizeof(TrackedOp *) * n);
	n = 0;
	foreach(lc, ops)
	{
		TrackedOp  *op = lfirst(lc);

		op->u = (OpUpdate) OP_UPDATE_INIT;
		op->seen = false;
		/* not sent yet: AWS cannot know it, and its absence means nothing */
		if (poll_is_queued(op->status, op->aws_status))
			continue;
		arr[n++] = op;
	}
	if (n == 0)
		return 0;
	fam = poll_family(arr[0]);
	region = arr[0]->region;

	for (i = 0; i < n; i += IDS_PER_CALL)
		calls += poll_chunk(fam, region, arr + i, Min(IDS_PER_CALL, n - i), audit);
	if (fam == TRACK_DB_CLUSTER)
		calls += poll_writers(region, ops, audit);
	return calls;
}
