/*-------------------------------------------------------------------------
 * actions.c
 *		RDS actions: one builder and one reply reader per action, plain
 *		structs in and out.  Member names are the service model's.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "port/pg_bitutils.h"

#include "aws/errcodes.h"
#include "rds/actions.h"
#include "rds/names.h"

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

AwsRequest *
rds_list_snapshots_request(bool cluster, const char *region, const char *db_identifier,
						   const char *snapshot_type, bool include_shared, const char *marker)
{
	AwsRequest *req = rds_describe_snapshots_request(cluster, region, db_identifier, NULL,
													 snapshot_type, marker);

	if (include_shared)
		aws_query_add_bool(req->query, "IncludeShared", true);
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

/*
 * The first child of n named names[i], for each i < count (at most 32), in
 * one pass over the children: a Describe page has dozens of fields per
 * resource, and looking each up on its own walks them all every time.
 */
static void
find_children(const XNode *n, const char *const *names, XNode **found, int count)
{
	uint32		by_first[128];	/* the names starting with each character */
	uint32		seen = 0;
	int			n_found = 0;
	int			i;

	Assert(count <= 32);
	memset(found, 0, sizeof(XNode *) * count);
	memset(by_first, 0, sizeof(by_first));
	for (i = 0; i < count; i++)
		by_first[(unsigned char) names[i][0] & 127] |= UINT32_C(1) << i;

	for (XNode *c = n->first_child; c != NULL && n_found < count; c = c->next)
	{
		unsigned char first = (unsigned char) c->name[0];
		uint32		candidates;

		if (first >= 128)
			continue;
		candidates = by_first[first] & ~seen;
		while (candidates != 0)
		{
			i = pg_rightmost_one_pos32(candidates);
			candidates &= candidates - 1;
			if (strcmp(c->name, names[i]) == 0)
			{
				seen |= UINT32_C(1) << i;
				found[i] = c;
				n_found++;
				break;
			}
		}
	}
}

static char *
node_text_copy(const XNode *n)
{
	return (n && n->text) ? pstrdup(n->text) : NULL;
}

static int
node_int_or_minus(const XNode *n)
{
	return (n && n->text) ? (int) strtol(n->text, NULL, 10) : -1;
}

enum
{
	SNAP_ID, SNAP_DB, SNAP_TYPE, SNAP_STATUS, SNAP_PROGRESS, SNAP_CREATED,
	SNAP_STORAGE, SNAP_ENCRYPTED, SNAP_KMS, SNAP_ENGINE, SNAP_ARN, SNAP_TAGS,
	SNAP_SOURCE_ARN, SNAP_SOURCE_REGION, SNAP_ORIGINAL_CREATED,
	SNAP_FIELDS
};

static RdsSnapshot *
read_snapshot(bool cluster, const XNode *n)
{
	const SnapshotNames *nm = names_for(cluster);
	const char *names[SNAP_FIELDS];
	XNode	   *f[SNAP_FIELDS];
	RdsSnapshot *s = palloc0(sizeof(RdsSnapshot));

	names[SNAP_ID] = nm->id_param;
	names[SNAP_DB] = nm->db_param;
	names[SNAP_TYPE] = "SnapshotType";
	names[SNAP_STATUS] = "Status";
	names[SNAP_PROGRESS] = "PercentProgress";
	names[SNAP_CREATED] = "SnapshotCreateTime";
	names[SNAP_STORAGE] = "AllocatedStorage";
	names[SNAP_ENCRYPTED] = nm->encrypted;
	names[SNAP_KMS] = "KmsKeyId";
	names[SNAP_ENGINE] = "Engine";
	names[SNAP_ARN] = nm->arn;
	names[SNAP_TAGS] = "TagList";
	names[SNAP_SOURCE_ARN] = cluster ? "SourceDBClusterSnapshotArn" : "SourceDBSnapshotIdentifier";
	names[SNAP_SOURCE_REGION] = "SourceRegion";
	names[SNAP_ORIGINAL_CREATED] = "OriginalSnapshotCreateTime";
	find_children(n, names, f, SNAP_FIELDS);

	s->cluster = cluster;
	s->identifier = node_text_copy(f[SNAP_ID]);
	s->db_identifier = node_text_copy(f[SNAP_DB]);
	s->snapshot_type = node_text_copy(f[SNAP_TYPE]);
	s->status = node_text_copy(f[SNAP_STATUS]);
	s->progress = node_int_or_minus(f[SNAP_PROGRESS]);
	s->created_at = node_text_copy(f[SNAP_CREATED]);
	s->allocated_gb = node_int_or_minus(f[SNAP_STORAGE]);
	s->encrypted = f[SNAP_ENCRYPTED] && f[SNAP_ENCRYPTED]->text &&
		strcmp(f[SNAP_ENCRYPTED]->text, "true") == 0;
	s->kms_key_id = node_text_copy(f[SNAP_KMS]);
	s->engine = node_text_copy(f[SNAP_ENGINE]);
	s->arn = node_text_copy(f[SNAP_ARN]);
	s->source_arn = node_text_copy(f[SNAP_SOURCE_ARN]);
	s->source_region = node_text_copy(f[SNAP_SOURCE_REGION]);
	s->original_created_at = node_text_copy(f[SNAP_ORIGINAL_CREATED]);
	if (f[SNAP_TAGS])
	{
		for (XNode *t = f[SNAP_TAGS]->first_child; t; t = t->next)
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
				(errcode(ERRCODE_RB_AWS_BAD_REPLY),
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

/* DB instances and DB clusters differ in names too. */
typedef struct DatabaseNames
{
	const char *describe;
	const char *id_param;		/* DBInstanceIdentifier */
	const char *element;		/* DBInstance */
	const char *list;			/* DBInstances */
	const char *status;			/* DBInstanceStatus */
	const char *arn;			/* DBInstanceArn */
	const char *resource_id;	/* DbiResourceId */
} DatabaseNames;

static const DatabaseNames instance_db_names = {
	"DescribeDBInstances", "DBInstanceIdentifier", "DBInstance", "DBInstances",
	"DBInstanceStatus", "DBInstanceArn", "DbiResourceId"
};

static const DatabaseNames cluster_db_names = {
	"DescribeDBClusters", "DBClusterIdentifier", "DBCluster", "DBClusters",
	"Status", "DBClusterArn", "DbClusterResourceId"
};

static const DatabaseNames *
db_names_for(bool cluster)
{
	return cluster ? &cluster_db_names : &instance_db_names;
}

AwsRequest *
rds_describe_database_request(bool cluster, const char *region, const char *identifier)
{
	const DatabaseNames *nm = db_names_for(cluster);
	AwsRequest *req = aws_request_new("rds", nm->describe, region, identifier);

	aws_query_add(req->query, nm->id_param, identifier);
	return req;
}

static bool
bool_of(const XNode *n, const char *path)
{
	const char *t = xnode_text(n, path);

	return t && strcmp(t, "true") == 0;
}

static RdsDatabase *
read_database(bool cluster, const XNode *n)
{
	const DatabaseNames *nm = db_names_for(cluster);
	RdsDatabase *d = palloc0(sizeof(RdsDatabase));

	d->cluster = cluster;
	d->identifier = text_or_null(n, nm->id_param);
	d->status = text_or_null(n, nm->status);
	d->arn = text_or_null(n, nm->arn);
	d->engine = text_or_null(n, "Engine");
	d->engine_mode = cluster ? text_or_null(n, "EngineMode") : NULL;
	d->cluster_id = cluster ? NULL : text_or_null(n, "DBClusterIdentifier");
	d->resource_id = text_or_null(n, nm->resource_id);
	d->earliest_restorable = cluster ? text_or_null(n, "EarliestRestorableTime") : NULL;
	d->latest_restorable = text_or_null(n, "LatestRestorableTime");
	d->retention_days = int_or_minus(n, "BackupRetentionPeriod");
	d->backup_window = text_or_null(n, "PreferredBackupWindow");
	d->deletion_protection = bool_of(n, "DeletionProtection");
	d->encrypted = bool_of(n, "StorageEncrypted");
	if (!cluster)
	{
		XNode	   *reps = xnode_child(n, "DBInstanceAutomatedBackupsReplications");

		for (XNode *r = reps ? reps->first_child : NULL; r; r = r->next)
		{
			const char *arn = xnode_text(r, "DBInstanceAutomatedBackupsArn");

			if (arn)
				d->replications = lappend(d->replications, pstrdup(arn));
		}
	}
	return d;
}

RdsDatabase *
rds_read_database_list(bool cluster, const AwsReply *reply)
{
	const DatabaseNames *nm = db_names_for(cluster);
	XNode	   *list = xnode_child(reply->result, nm->list);

	for (XNode *c = list ? list->first_child : NULL; c; c = c->next)
		if (strcmp(c->name, nm->element) == 0)
			return read_database(cluster, c);
	return NULL;
}

AwsRequest *
rds_list_databases_request(bool cluster, const char *region, const char *marker)
{
	AwsRequest *req = aws_request_new("rds", db_names_for(cluster)->describe, region, NULL);

	aws_query_add_int(req->query, "MaxRecords", 100);
	if (marker)
		aws_query_add(req->query, "Marker", marker);
	return req;
}

List *
rds_read_database_page(bool cluster, const AwsReply *reply, char **marker)
{
	const DatabaseNames *nm = db_names_for(cluster);
	XNode	   *list = xnode_child(reply->result, nm->list);
	List	   *result = NIL;

	*marker = text_or_null(reply->result, "Marker");
	for (XNode *c = list ? list->first_child : NULL; c; c = c->next)
		if (strcmp(c->name, nm->element) == 0)
			result = lappend(result, read_database(cluster, c));
	return result;
}

RdsDatabase *
rds_read_database_result(bool cluster, const AwsReply *reply)
{
	const char *element = db_names_for(cluster)->element;
	XNode	   *n = xnode_child(reply->result, element);

	if (n == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_RB_AWS_BAD_REPLY),
				 errmsg("RDS reply has no %s element", element)));
	return read_database(cluster, n);
}

AwsRequest *
rds_restore_from_snapshot_request(bool cluster, const char *region, const char *target,
								  const char *snapshot, const char *instance_class,
								  const char *engine, List *tags,
								  const RdsOptions *options)
{
	AwsRequest *req;

	if (cluster)
	{
		req = aws_request_new("rds", "RestoreDBClusterFromSnapshot", region, target);
		aws_query_add(req->query, "DBClusterIdentifier", target);
		aws_query_add(req->query, "SnapshotIdentifier", snapshot);
		aws_query_add(req->query, "Engine", engine);
	}
	else
	{
		req = aws_request_new("rds", "RestoreDBInstanceFromDBSnapshot", region, target);
		aws_query_add(req->query, "DBInstanceIdentifier", target);
		aws_query_add(req->query, "DBSnapshotIdentifier", snapshot);
		if (instance_class)
			aws_query_add(req->query, "DBInstanceClass", instance_class);
	}
	add_tags(req->query, tags);
	options_add_to_query(req->query, options);
	return req;
}

AwsRequest *
rds_restore_pitr_request(bool cluster, const char *region, const char *source,
						 const char *target, bool use_latest, time_t restore_time,
						 const char *instance_class, List *tags,
						 const RdsOptions *options)
{
	AwsRequest *req;

	if (cluster)
	{
		req = aws_request_new("rds", "RestoreDBClusterToPointInTime", region, target);
		aws_query_add(req->query, "DBClusterIdentifier", target);
		aws_query_add(req->query, "SourceDBClusterIdentifier", source);
		if (use_latest)
			aws_query_add_bool(req->query, "UseLatestRestorableTime", true);
		else
			aws_query_add_timestamp(req->query, "RestoreToTime", restore_time);
	}
	else
		return rds_restore_pitr_from_backup_request(region, "SourceDBInstanceIdentifier",
													source, target, use_latest,
													restore_time, instance_class,
													tags, options);
	add_tags(req->query, tags);
	options_add_to_query(req->query, options);
	return req;
}

AwsRequest *
rds_create_cluster_instance_request(const char *region, const char *instance,
									const char *cluster, const char *instance_class,
									const char *engine, List *tags)
{
	AwsRequest *req = aws_request_new("rds", "CreateDBInstance", region, instance);

	aws_query_add(req->query, "DBInstanceIdentifier", instance);
	aws_query_add(req->query, "DBInstanceClass", instance_class);
	aws_query_add(req->query, "Engine", engine);
	aws_query_add(req->query, "DBClusterIdentifier", cluster);
	add_tags(req->query, tags);
	return req;
}

AwsRequest *
rds_describe_automated_backups_request(const char *region, const char *dbi_resource_id)
{
	AwsRequest *req = aws_request_new("rds", "DescribeDBInstanceAutomatedBackups", region,
									  dbi_resource_id);

	aws_query_add(req->query, "DbiResourceId", dbi_resource_id);
	return req;
}

List *
rds_read_automated_backup_list(const AwsReply *reply)
{
	XNode	   *list = xnode_child(reply->result, "DBInstanceAutomatedBackups");
	List	   *result = NIL;

	for (XNode *c = list ? list->first_child : NULL; c; c = c->next)
	{
		RdsAutomatedBackup *b;

		if (strcmp(c->name, "DBInstanceAutomatedBackup") != 0)
			continue;
		b = palloc0(sizeof(RdsAutomatedBackup));
		b->status = text_or_null(c, "Status");
		b->earliest = text_or_null(c, "RestoreWindow/EarliestTime");
		b->latest = text_or_null(c, "RestoreWindow/LatestTime");
		b->retention_days = int_or_minus(c, "BackupRetentionPeriod");
		b->db_instance = text_or_null(c, "DBInstanceIdentifier");
		b->region = text_or_null(c, "Region");
		b->arn = text_or_null(c, "DBInstanceAutomatedBackupsArn");
		b->instance_arn = text_or_null(c, "DBInstanceArn");
		b->dbi_resource_id = text_or_null(c, "DbiResourceId");
		b->encrypted = bool_of(c, "Encrypted");
		b->kms_key_id = text_or_null(c, "KmsKeyId");
		result = lappend(result, b);
	}
	return result;
}

char *
rds_read_marker(const AwsReply *reply)
{
	return text_or_null(reply->result, "Marker");
}

AwsRequest *
rds_list_automated_backups_request(const char *region, const char *db_instance,
								   const char *backups_arn, const char *dbi_resource_id,
								   const char *marker)
{
	const char *target = db_instance ? db_instance : backups_arn ? backups_arn : dbi_resource_id;
	AwsRequest *req = aws_request_new("rds", "DescribeDBInstanceAutomatedBackups", region,
									  target);

	if (db_instance)
		aws_query_add(req->query, "DBInstanceIdentifier", db_instance);
	if (backups_arn)
		aws_query_add(req->query, "DBInstanceAutomatedBackupsArn", backups_arn);
	if (dbi_resource_id)
		aws_query_add(req->query, "DbiResourceId", dbi_resource_id);
	aws_query_add_int(req->query, "MaxRecords", 100);
	if (marker)
		aws_query_add(req->query, "Marker", marker);
	return req;
}

AwsRequest *
rds_restore_pitr_from_backup_request(const char *region, const char *source_param,
									 const char *source, const char *target,
									 bool use_latest, time_t restore_time,
									 const char *instance_class, List *tags,
									 const RdsOptions *options)
{
	AwsRequest *req = aws_request_new("rds", "RestoreDBInstanceToPointInTime", region, target);

	aws_query_add(req->query, source_param, source);
	aws_query_add(req->query, "TargetDBInstanceIdentifier", target);
	if (use_latest)
		aws_query_add_bool(req->query, "UseLatestRestorableTime", true);
	else
		aws_query_add_timestamp(req->query, "RestoreTime", restore_time);
	if (instance_class)
		aws_query_add(req->query, "DBInstanceClass", instance_class);
	add_tags(req->query, tags);
	options_add_to_query(req->query, options);
	return req;
}
/* Copies, sharing and replication of automated backups ----------------- */

AwsRequest *
rds_describe_one_snapshot_request(bool cluster, const char *region, const char *snapshot)
{
	const SnapshotNames *nm = names_for(cluster);
	AwsRequest *req = aws_request_new("rds", nm->describe, region, snapshot);

	aws_query_add(req->query, nm->id_param, snapshot);
	/* a snapshot another account shares with us is found by its ARN */
	if (strncmp(snapshot, "arn:", 4) == 0)
		aws_query_add_bool(req->query, "IncludeShared", true);
	return req;
}

AwsRequest *
rds_copy_snapshot_request(bool cluster, const char *region, const char *source,
						  const char *target, const char *kms_key_id, bool copy_tags,
						  List *tags)
{
	AwsRequest *req = aws_request_new("rds",
									  cluster ? "CopyDBClusterSnapshot" : "CopyDBSnapshot",
									  region, target);

	aws_query_add(req->query, cluster ? "SourceDBClusterSnapshotIdentifier" :
				  "SourceDBSnapshotIdentifier", source);
	aws_query_add(req->query, cluster ? "TargetDBClusterSnapshotIdentifier" :
				  "TargetDBSnapshotIdentifier", target);
	if (kms_key_id)
		aws_query_add(req->query, "KmsKeyId", kms_key_id);
	aws_query_add_bool(req->query, "CopyTags", copy_tags);
	add_tags(req->query, tags);
	return req;
}

static void
add_attribute_values(AwsQuery *q, const char *name, List *values)
{
	int			n = list_length(values);
	const char **arr;
	ListCell   *lc;

	if (n == 0)
		return;
	arr = palloc(sizeof(char *) * n);
	foreach(lc, values)
		arr[foreach_current_index(lc)] = lfirst(lc);
	aws_query_add_list(q, name, "AttributeValue", arr, n);
}

AwsRequest *
rds_modify_restore_attribute_request(bool cluster, const char *region, const char *snapshot,
									 List *add, List *remove)
{
	const SnapshotNames *nm = names_for(cluster);
	AwsRequest *req = aws_request_new("rds",
									  cluster ? "ModifyDBClusterSnapshotAttribute" :
									  "ModifyDBSnapshotAttribute",
									  region, snapshot);

	aws_query_add(req->query, nm->id_param, snapshot);
	aws_query_add(req->query, "AttributeName", "restore");
	add_attribute_values(req->query, "ValuesToAdd", add);
	add_attribute_values(req->query, "ValuesToRemove", remove);
	return req;
}

List *
rds_read_restore_attribute(bool cluster, const AwsReply *reply)
{
	const char *prefix = cluster ? "DBClusterSnapshot" : "DBSnapshot";
	XNode	   *res = xnode_child(reply->result, psprintf("%sAttributesResult", prefix));
	XNode	   *list = xnode_child(res, psprintf("%sAttributes", prefix));
	List	   *accounts = NIL;

	if (res == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_RB_AWS_BAD_REPLY),
				 errmsg("RDS reply has no %sAttributesResult element", prefix)));
	for (XNode *a = list ? list->first_child : NULL; a; a = a->next)
	{
		const char *name = xnode_text(a, "AttributeName");
		XNode	   *values = xnode_child(a, "AttributeValues");

		if (name == NULL || strcmp(name, "restore") != 0)
			continue;
		for (XNode *v = values ? values->first_child : NULL; v; v = v->next)
			if (v->text && v->text[0])
				accounts = lappend(accounts, pstrdup(v->text));
	}
	return accounts;
}

AwsRequest *
rds_describe_instance_brief_request(const char *region, const char *db_instance)
{
	AwsRequest *req = aws_request_new("rds", "DescribeDBInstances", region, db_instance);

	aws_query_add(req->query, "DBInstanceIdentifier", db_instance);
	return req;
}

RdsInstanceBrief *
rds_read_instance_brief(const AwsReply *reply)
{
	XNode	   *n = xnode_path(reply->result, "DBInstances/DBInstance");
	RdsInstanceBrief *b;
	const char *enc;

	if (n == NULL)
		return NULL;
	b = palloc0(sizeof(RdsInstanceBrief));
	b->identifier = text_or_null(n, "DBInstanceIdentifier");
	b->arn = text_or_null(n, "DBInstanceArn");
	b->status = text_or_null(n, "DBInstanceStatus");
	enc = xnode_text(n, "StorageEncrypted");
	b->encrypted = enc && strcmp(enc, "true") == 0;
	b->retention_days = int_or_minus(n, "BackupRetentionPeriod");
	return b;
}

AwsRequest *
rds_start_backup_replication_request(const char *destination_region,
									 const char *source_instance_arn, int retention_days,
									 const char *kms_key_id)
{
	AwsRequest *req = aws_request_new("rds", "StartDBInstanceAutomatedBackupsReplication",
									  destination_region, source_instance_arn);

	aws_query_add(req->query, "SourceDBInstanceArn", source_instance_arn);
	aws_query_add_int(req->query, "BackupRetentionPeriod", retention_days);
	if (kms_key_id)
		aws_query_add(req->query, "KmsKeyId", kms_key_id);
	return req;
}

AwsRequest *
rds_stop_backup_replication_request(const char *destination_region,
									const char *source_instance_arn)
{
	AwsRequest *req = aws_request_new("rds", "StopDBInstanceAutomatedBackupsReplication",
									  destination_region, source_instance_arn);

	aws_query_add(req->query, "SourceDBInstanceArn", source_instance_arn);
	return req;
}

RdsBackupReplica *
rds_read_automated_backup_result(const AwsReply *reply)
{
	XNode	   *n = xnode_child(reply->result, "DBInstanceAutomatedBackup");
	RdsBackupReplica *b;

	if (n == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_RB_AWS_BAD_REPLY),
				 errmsg("RDS reply has no DBInstanceAutomatedBackup element")));
	b = palloc0(sizeof(RdsBackupReplica));
	b->arn = text_or_null(n, "DBInstanceAutomatedBackupsArn");
	b->instance_arn = text_or_null(n, "DBInstanceArn");
	b->status = text_or_null(n, "Status");
	return b;
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
				(errcode(ERRCODE_RB_AWS_BAD_REPLY),
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
				(errcode(ERRCODE_RB_AWS_BAD_REPLY),
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
