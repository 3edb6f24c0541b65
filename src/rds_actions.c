/*-------------------------------------------------------------------------
 * rds_actions.c
 *		RDS actions: one builder and one reply reader per action, plain
 *		structs in and out.  Member names are the service model's.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rds_actions.h"
#include "validate.h"

/* DB snapshots and cluster snapshots differ only in names. */
typedef struct SnapshotNames
{
	const char *create;
	const char *delete;
	const char *describe;
	const char *id_param;		/* DBSnapshotIdentifier */
	const char *db_param;		/* DBInstanceIdentifier */
	const char *element;		/* DBSnapshot */
	const char *list;			/* DBSnapshots */
	const char *arn;			/* DBSnapshotArn */
	const char *encrypted;		/* Encrypted */
} SnapshotNames;

static const SnapshotNames instance_names = {
	"CreateDBSnapshot", "DeleteDBSnapshot", "DescribeDBSnapshots",
	"DBSnapshotIdentifier", "DBInstanceIdentifier", "DBSnapshot", "DBSnapshots",
	"DBSnapshotArn", "Encrypted"
};

static const SnapshotNames cluster_names = {
	"CreateDBClusterSnapshot", "DeleteDBClusterSnapshot", "DescribeDBClusterSnapshots",
	"DBClusterSnapshotIdentifier", "DBClusterIdentifier", "DBClusterSnapshot",
	"DBClusterSnapshots", "DBClusterSnapshotArn", "StorageEncrypted"
};

static const SnapshotNames *
names_for(bool cluster)
{
	return cluster ? &cluster_names : &instance_names;
}

static void
add_tags(AwsQuery *q, List *tags)
{
	int			n = list_length(tags);
	const char **keys;
	const char **values;
	ListCell   *lc;

	if (n == 0)
		return;
	keys = palloc(sizeof(char *) * n);
	values = palloc(sizeof(char *) * n);
	foreach(lc, tags)
	{
		TagPair    *t = lfirst(lc);

		keys[foreach_current_index(lc)] = t->key;
		values[foreach_current_index(lc)] = t->value;
	}
	aws_query_add_tags(q, "Tags", "Tag", keys, values, n);
}

AwsRequest *
rds_create_snapshot_request(bool cluster, const char *region,
							const char *db_identifier, const char *snapshot,
							List *tags)
{
	const SnapshotNames *nm = names_for(cluster);
	AwsRequest *req = aws_request_new("rds", nm->create, region, snapshot);

	aws_query_add(req->query, nm->id_param, snapshot);
	aws_query_add(req->query, nm->db_param, db_identifier);
	add_tags(req->query, tags);
	return req;
}

AwsRequest *
rds_delete_snapshot_request(bool cluster, const char *region, const char *snapshot)
{
	const SnapshotNames *nm = names_for(cluster);
	AwsRequest *req = aws_request_new("rds", nm->delete, region, snapshot);

	aws_query_add(req->query, nm->id_param, snapshot);
	return req;
}

AwsRequest *
rds_describe_snapshots_request(bool cluster, const char *region,
							   const char *db_identifier, const char *snapshot,
							   const char *snapshot_type, const char *marker)
{
	const SnapshotNames *nm = names_for(cluster);
	AwsRequest *req = aws_request_new("rds", nm->describe, region,
									  snapshot ? snapshot : db_identifier);

	if (db_identifier)
		aws_query_add(req->query, nm->db_param, db_identifier);
	if (snapshot)
		aws_query_add(req->query, nm->id_param, snapshot);
	if (snapshot_type)
		aws_query_add(req->query, "SnapshotType", snapshot_type);
	aws_query_add_int(req->query, "MaxRecords", 100);
	if (marker)
		aws_query_add(req->query, "Marker", marker);
	return req;
}

static char *
text_or_null(const XNode *n, const char *path)
{
	const char *t = xnode_text(n, path);

	return t ? pstrdup(t) : NULL;
}

static int
int_or_minus(const XNode *n, const char *path)
{
	const char *t = xnode_text(n, path);

	return t ? (int) strtol(t, NULL, 10) : -1;
}

static RdsSnapshot *
read_snapshot(bool cluster, const XNode *n)
{
	const SnapshotNames *nm = names_for(cluster);
	RdsSnapshot *s = palloc0(sizeof(RdsSnapshot));
	XNode	   *taglist;
	const char *enc;

	s->cluster = cluster;
	s->identifier = text_or_null(n, nm->id_param);
	s->db_identifier = text_or_null(n, nm->db_param);
	s->snapshot_type = text_or_null(n, "SnapshotType");
	s->status = text_or_null(n, "Status");
	s->progress = int_or_minus(n, "PercentProgress");
	s->created_at = text_or_null(n, "SnapshotCreateTime");
	s->allocated_gb = int_or_minus(n, "AllocatedStorage");
	enc = xnode_text(n, nm->encrypted);
	s->encrypted = enc && strcmp(enc, "true") == 0;
	s->kms_key_id = text_or_null(n, "KmsKeyId");
	s->engine = text_or_null(n, "Engine");
	s->arn = text_or_null(n, nm->arn);
	taglist = xnode_child(n, "TagList");
	if (taglist)
	{
		for (XNode *t = taglist->first_child; t; t = t->next)
		{
			TagPair    *tp = palloc(sizeof(TagPair));
			const char *k = xnode_text(t, "Key");
			const char *v = xnode_text(t, "Value");

			tp->key = pstrdup(k ? k : "");
			tp->value = pstrdup(v ? v : "");
			s->tags = lappend(s->tags, tp);
		}
	}
	return s;
}

RdsSnapshot *
rds_read_snapshot_result(bool cluster, const AwsReply *reply)
{
	XNode	   *n = xnode_child(reply->result, names_for(cluster)->element);

	if (n == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("RDS reply has no %s element", names_for(cluster)->element)));
	return read_snapshot(cluster, n);
}

List *
rds_read_snapshot_list(bool cluster, const AwsReply *reply, char **marker)
{
	const SnapshotNames *nm = names_for(cluster);
	XNode	   *list = xnode_child(reply->result, nm->list);
	List	   *result = NIL;

	*marker = text_or_null(reply->result, "Marker");
	if (list == NULL)
		return NIL;
	for (XNode *c = list->first_child; c; c = c->next)
		if (strcmp(c->name, nm->element) == 0)
			result = lappend(result, read_snapshot(cluster, c));
	return result;
}

/*
 * "succeeded", "failed" or "in_progress".  The failure statuses are those
 * of the DBSnapshotAvailable waiter, plus "failed" and "incompatible-*"
 * which RDS reports for snapshots that will never become available.
 */
const char *
rds_snapshot_status_outcome(const char *aws_status)
{
	if (aws_status == NULL)
		return "in_progress";
	if (strcmp(aws_status, "available") == 0)
		return "succeeded";
	if (strcmp(aws_status, "deleted") == 0 || strcmp(aws_status, "deleting") == 0 ||
		strcmp(aws_status, "failed") == 0 || strcmp(aws_status, "incompatible-restore") == 0 ||
		strcmp(aws_status, "incompatible-parameters") == 0)
		return "failed";
	return "in_progress";
}

AwsRequest *
rds_modify_request(bool cluster, const char *region, const char *db_identifier,
				   const RdsModify *m)
{
	AwsRequest *req = aws_request_new("rds", cluster ? "ModifyDBCluster" : "ModifyDBInstance",
									  region, db_identifier);

	aws_query_add(req->query, cluster ? "DBClusterIdentifier" : "DBInstanceIdentifier",
				  db_identifier);
	if (m->retention >= 0)
		aws_query_add_int(req->query, "BackupRetentionPeriod", m->retention);
	if (m->backup_window)
		aws_query_add(req->query, "PreferredBackupWindow", m->backup_window);
	if (m->deletion_protection >= 0)
		aws_query_add_bool(req->query, "DeletionProtection", m->deletion_protection != 0);
	aws_query_add_bool(req->query, "ApplyImmediately", true);
	return req;
}

XNode *
rds_read_modify_result(bool cluster, const AwsReply *reply)
{
	const char *element = cluster ? "DBCluster" : "DBInstance";
	XNode	   *n = xnode_child(reply->result, element);

	if (n == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("RDS reply has no %s element", element)));
	return n;
}

AwsRequest *
rds_start_export_task_request(const char *region, const char *export_id,
							  const char *source_arn, const char *s3_bucket,
							  const char *iam_role_arn, const char *kms_key_id,
							  const char *s3_prefix, List *export_only)
{
	AwsRequest *req = aws_request_new("rds", "StartExportTask", region, export_id);

	aws_query_add(req->query, "ExportTaskIdentifier", export_id);
	aws_query_add(req->query, "SourceArn", source_arn);
	aws_query_add(req->query, "S3BucketName", s3_bucket);
	aws_query_add(req->query, "IamRoleArn", iam_role_arn);
	aws_query_add(req->query, "KmsKeyId", kms_key_id);
	if (s3_prefix)
		aws_query_add(req->query, "S3Prefix", s3_prefix);
	if (export_only != NIL)
	{
		int			n = list_length(export_only);
		const char **values = palloc(sizeof(char *) * n);
		ListCell   *lc;

		foreach(lc, export_only)
			values[foreach_current_index(lc)] = lfirst(lc);
		aws_query_add_list(req->query, "ExportOnly", "member", values, n);
	}
	return req;
}

AwsRequest *
rds_describe_export_tasks_request(const char *region, const char *export_id,
								  const char *marker)
{
	AwsRequest *req = aws_request_new("rds", "DescribeExportTasks", region, export_id);

	if (export_id)
		aws_query_add(req->query, "ExportTaskIdentifier", export_id);
	aws_query_add_int(req->query, "MaxRecords", 100);
	if (marker)
		aws_query_add(req->query, "Marker", marker);
	return req;
}

AwsRequest *
rds_cancel_export_task_request(const char *region, const char *export_id)
{
	AwsRequest *req = aws_request_new("rds", "CancelExportTask", region, export_id);

	aws_query_add(req->query, "ExportTaskIdentifier", export_id);
	return req;
}

static RdsExportTask *
read_export_task(const XNode *n)
{
	RdsExportTask *t = palloc0(sizeof(RdsExportTask));
	XNode	   *only = xnode_child(n, "ExportOnly");

	t->identifier = text_or_null(n, "ExportTaskIdentifier");
	t->source_arn = text_or_null(n, "SourceArn");
	t->status = text_or_null(n, "Status");
	t->progress = int_or_minus(n, "PercentProgress");
	t->s3_bucket = text_or_null(n, "S3Bucket");
	t->s3_prefix = text_or_null(n, "S3Prefix");
	t->task_start = text_or_null(n, "TaskStartTime");
	t->task_end = text_or_null(n, "TaskEndTime");
	t->snapshot_time = text_or_null(n, "SnapshotTime");
	t->extracted_gb = int_or_minus(n, "TotalExtractedDataInGB");
	t->failure_cause = text_or_null(n, "FailureCause");
	t->warning = text_or_null(n, "WarningMessage");
	if (only)
		for (XNode *c = only->first_child; c; c = c->next)
			t->export_only = lappend(t->export_only, pstrdup(c->text ? c->text : ""));
	return t;
}

RdsExportTask *
rds_read_export_task_result(const AwsReply *reply)
{
	if (reply->result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("RDS reply has no result element")));
	return read_export_task(reply->result);
}

List *
rds_read_export_task_list(const AwsReply *reply, char **marker)
{
	XNode	   *list = xnode_child(reply->result, "ExportTasks");
	List	   *result = NIL;

	*marker = text_or_null(reply->result, "Marker");
	if (list == NULL)
		return NIL;
	for (XNode *c = list->first_child; c; c = c->next)
		if (strcmp(c->name, "ExportTask") == 0)
			result = lappend(result, read_export_task(c));
	return result;
}
