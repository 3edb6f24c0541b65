/*-------------------------------------------------------------------------
 * inventory.c
 *		What a region holds, every page of it: snapshots, databases and
 *		automated backups, for the lifecycle functions.
 *
 * Every Describe call goes through the runner (its audit row is queued);
 * Markers are followed to the last page, 100 items a page.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "core/runner.h"
#include "rds/arn.h"
#include "rds/names.h"
#include "sql/inventory.h"

List *
inventory_snapshots(bool cluster, const char *region, const char *db_identifier,
					const char *snapshot_type, bool include_shared, const char *nothing_done)
{
	List	   *all = NIL;
	char	   *marker = NULL;

	do
	{
		AwsRequest *req = rds_list_snapshots_request(cluster, region, db_identifier,
													 snapshot_type, include_shared, marker);
		AwsReply	reply;

		runner_read(req, &reply, nothing_done);
		all = list_concat(all, rds_read_snapshot_list(cluster, &reply, &marker));
		CHECK_FOR_INTERRUPTS();
	} while (marker != NULL && marker[0] != '\0');
	return all;
}

List *
inventory_databases(bool cluster, const char *region)
{
	List	   *all = NIL;
	char	   *marker = NULL;

	do
	{
		AwsRequest *req = rds_list_databases_request(cluster, region, marker);
		AwsReply	reply;

		runner_read(req, &reply, NULL);
		all = list_concat(all, rds_read_database_page(cluster, &reply, &marker));
		CHECK_FOR_INTERRUPTS();
	} while (marker != NULL && marker[0] != '\0');
	return all;
}

List *
inventory_automated_backups(const char *region, const char *db_instance,
							const char *backups_arn, const char *dbi_resource_id)
{
	List	   *all = NIL;
	char	   *marker = NULL;

	do
	{
		AwsRequest *req = rds_list_automated_backups_request(region, db_instance,
															 backups_arn, dbi_resource_id,
															 marker);
		AwsReply	reply;

		runner_call(req, &reply);
		/* RDS answers a filter that matches nothing with a fault */
		if (reply.outcome == AWS_ERROR_REPLY && aws_error_is_not_found(reply.error_code))
			return NIL;
		if (reply.outcome != AWS_OK)
			aws_raise(req, &reply, NULL);
		all = list_concat(all, rds_read_automated_backup_list(&reply));
		marker = rds_read_marker(&reply);
		CHECK_FOR_INTERRUPTS();
	} while (marker != NULL && marker[0] != '\0');
	return all;
}

const char *
snapshot_tag(const RdsSnapshot *s, const char *key)
{
	ListCell   *lc;

	foreach(lc, s->tags)
	{
		TagPair    *t = lfirst(lc);

		if (strcmp(t->key, key) == 0)
			return t->value;
	}
	return NULL;
}

TimestampTz
iso_timestamptz(const char *iso)
{
	return DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
												   CStringGetDatum(iso),
												   ObjectIdGetDatum(InvalidOid),
												   Int32GetDatum(-1)));
}

const char *
snapshot_copied_from(const RdsSnapshot *s, const char *region, char **from_region)
{
	const char *arn = snapshot_tag(s, TAG_SOURCE_ARN);
	AwsArn		a;

	if (arn == NULL)
		arn = s->source_arn;
	*from_region = NULL;
	if (arn && arn_read(arn, "rds", true, &a) == NULL && strcmp(a.region, region) != 0)
	{
		*from_region = a.region;
		return arn;
	}
	if (s->source_region && s->source_region[0] && strcmp(s->source_region, region) != 0)
	{
		*from_region = s->source_region;
		return arn;
	}
	return NULL;
}
