/*-------------------------------------------------------------------------
 * publish.c
 *		Telling SNS and CloudWatch about finished operations.
 *
 * A row is marked published only when every configured target took it,
 * so a failed Publish is retried next round (a target that succeeded the
 * first time may then hear of it twice: at-least-once, like SNS itself).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

#include "aws/client.h"
#include "aws/endpoint.h"
#include "core/catalog.h"
#include "core/publish.h"
#include "core/tracker.h"
#include "rds/arn.h"

#define PUBLISH_BATCH	20		/* rows published per round */

typedef struct Finished
{
	int64		id;
	char	   *kind;
	char	   *region;
	char	   *resource;
	char	   *status;
	char	   *error;
	double		seconds;
	char	   *json;
} Finished;

/*
 * Rows are taken in id order from where the last round stopped, wrapping
 * around, so that rows SNS keeps refusing cannot hold back newer ones.
 */
static int64 cursor = 0;

static List *
load_unpublished(void)
{
	List	   *result = NIL;
	MemoryContext caller = CurrentMemoryContext;
	uint64		i;
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(cursor)};

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	if (SPI_execute_with_args("SELECT id, kind, region, resource, status, error,"
							  " extract(epoch FROM finished_at - requested_at)::float8,"
					" json_build_object('id', id, 'kind', kind, 'region', region,"
					"  'resource', resource, 'status', status, 'aws_status', aws_status,"
					"  'resource_arn', resource_arn, 'error', error,"
					"  'requested_at', requested_at, 'finished_at', finished_at)::text"
					" FROM rds_backup.operations"
					" WHERE finished_at IS NOT NULL AND published_at IS NULL"
					" AND finished_at > now() - interval '1 day' AND id > $1"
					" ORDER BY id LIMIT " CppAsString2(PUBLISH_BATCH),
					1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read finished operations");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext old = MemoryContextSwitchTo(caller);
		Finished   *f = palloc0(sizeof(Finished));
		char	   *s;

		f->id = pg_strtoint64(SPI_getvalue(tup, desc, 1));
		f->kind = pstrdup(SPI_getvalue(tup, desc, 2));
		f->region = pstrdup(SPI_getvalue(tup, desc, 3));
		f->resource = pstrdup(SPI_getvalue(tup, desc, 4));
		f->status = pstrdup(SPI_getvalue(tup, desc, 5));
		f->error = (s = SPI_getvalue(tup, desc, 6)) ? pstrdup(s) : NULL;
		f->seconds = strtod(SPI_getvalue(tup, desc, 7), NULL);
		f->json = pstrdup(SPI_getvalue(tup, desc, 8));
		result = lappend(result, f);
		cursor = f->id;
		MemoryContextSwitchTo(old);
	}
	if (SPI_processed < PUBLISH_BATCH)
		cursor = 0;
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	return result;
}

static bool
publish_sns(const Finished *f)
{
	AwsArn		topic;
	const char *region;
	AwsRequest *req;
	AwsReply	reply;

	if (arn_read(rb_sns_topic_arn, "sns", true, &topic) != NULL)
	{
		ereport(LOG,
				(errmsg("rds_backup.sns_topic_arn \"%s\" is not an SNS topic ARN", rb_sns_topic_arn)));
		return false;
	}
	region = topic.region;
	req = aws_request_new("sns", "Publish", region, rb_sns_topic_arn);
	aws_query_add(req->query, "TopicArn", rb_sns_topic_arn);
	aws_query_add(req->query, "Subject",
				  psprintf("rds_backup: %s of %s %s", f->kind, f->resource, f->status));
	aws_query_add(req->query, "Message", f->json);
	aws_call(req, &reply);
	(void) catalog_write_audit(reply.audit, f->id);
	if (reply.outcome != AWS_OK)
	{
		ereport(LOG,
				(errmsg("rds_backup could not publish operation " INT64_FORMAT " to SNS: %s",
						f->id, aws_reply_error_text(req, &reply))));
		return false;
	}
	return true;
}

static void
add_datum(AwsQuery *q, int n, const char *metric, const Finished *f, double value,
		  const char *unit)
{
	aws_query_add(q, psprintf("MetricData.member.%d.MetricName", n), metric);
	aws_query_add(q, psprintf("MetricData.member.%d.Dimensions.member.1.Name", n), "Kind");
	aws_query_add(q, psprintf("MetricData.member.%d.Dimensions.member.1.Value", n), f->kind);
	aws_query_add(q, psprintf("MetricData.member.%d.Dimensions.member.2.Name", n), "Outcome");
	aws_query_add(q, psprintf("MetricData.member.%d.Dimensions.member.2.Value", n), f->status);
	aws_query_add(q, psprintf("MetricData.member.%d.Value", n), psprintf("%.3f", value));
	aws_query_add(q, psprintf("MetricData.member.%d.Unit", n), unit);
}

static bool
publish_metrics(const Finished *f)
{
	AwsRequest *req = aws_request_new("monitoring", "PutMetricData", f->region, NULL);
	AwsReply	reply;

	aws_query_add(req->query, "Namespace", rb_cloudwatch_namespace);
	add_datum(req->query, 1, "OperationDuration", f, f->seconds, "Seconds");
	add_datum(req->query, 2, "OperationCount", f, 1, "Count");
	aws_call(req, &reply);
	(void) catalog_write_audit(reply.audit, f->id);
	if (reply.outcome != AWS_OK)
	{
		ereport(LOG,
				(errmsg("rds_backup could not publish metrics of operation " INT64_FORMAT " to CloudWatch: %s",
						f->id, aws_reply_error_text(req, &reply))));
		return false;
	}
	return true;
}

void
publish_pending(void)
{
	bool		sns = rb_sns_topic_arn && rb_sns_topic_arn[0];
	bool		cw = rb_cloudwatch_namespace && rb_cloudwatch_namespace[0];
	List	   *done = NIL;
	ListCell   *lc;
	QueuePos	last = 0;

	if (!sns && !cw)
		return;
	foreach(lc, load_unpublished())
	{
		Finished   *f = lfirst(lc);
		bool		ok = true;

		if (sns)
			ok = publish_sns(f) && ok;
		if (cw)
			ok = publish_metrics(f) && ok;
		if (ok)
			done = lappend(done, f);
	}
	foreach(lc, done)
		last = catalog_mark_published(((Finished *) lfirst(lc))->id);
	/* the next round must not find them unpublished */
	if (last != 0)
		catalog_wait(last);
}
