/*-------------------------------------------------------------------------
 * coverage.c
 *		rds_coverage(): how well every database of some regions is backed
 *		up, with the gaps in plain words.
 *
 * Per region: every DB instance (members of a cluster are covered by
 * their cluster) and every DB cluster, with its backup settings and how
 * much data a restore would lose now (rpo); the newest manual snapshot of
 * it in its own region; the regions of the given ones that hold a copy of
 * one of its snapshots; and the regions its automated backups are
 * replicated to.  A copy shows in the region it was copied to, so the
 * regions asked for must include the disaster-recovery ones for copies to
 * be found there.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "aws/endpoint.h"
#include "core/runner.h"
#include "rds/arn.h"
#include "rds/names.h"
#include "sql/args.h"
#include "sql/coverage.h"
#include "sql/inventory.h"

PG_FUNCTION_INFO_V1(rds_coverage);

double		rb_snapshot_price_gb_month = 0.095;

void
coverage_define_gucs(void)
{
	/* read by the rds_backup.snapshot_storage view through current_setting() */
	DefineCustomRealVariable("rds_backup.snapshot_price_gb_month",
							 "USD per GB-month of manual snapshot storage, for rds_backup.snapshot_storage.",
							 "Set it from the price list of your region.",
							 &rb_snapshot_price_gb_month, 0.095, 0.0, 1000.0,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
}

/* Below this retention, in days, a database is reported (AWS's default is 7). */
#define MIN_RETENTION_DAYS	7

/* What a region's manual snapshots say about one database. */
typedef struct SnapshotFacts
{
	char	   *region;			/* of the database */
	char	   *db;
	bool		cluster;
	bool		has_newest;
	TimestampTz newest;			/* newest available manual snapshot in its region */
	List	   *copied_to;		/* char *: regions holding a copy */
} SnapshotFacts;

static SnapshotFacts *
facts_for(List **facts, const char *region, const char *db, bool cluster)
{
	ListCell   *lc;
	SnapshotFacts *f;

	foreach(lc, *facts)
	{
		f = lfirst(lc);
		if (f->cluster == cluster && strcmp(f->region, region) == 0 &&
			pg_strcasecmp(f->db, db) == 0)
			return f;
	}
	f = palloc0(sizeof(SnapshotFacts));
	f->region = pstrdup(region);
	f->db = pstrdup(db);
	f->cluster = cluster;
	*facts = lappend(*facts, f);
	return f;
}

static List *
add_region(List *regions, const char *r)
{
	ListCell   *lc;

	foreach(lc, regions)
		if (strcmp(lfirst(lc), r) == 0)
			return regions;
	return lappend(regions, pstrdup(r));
}

/* What the manual snapshots of region tell, added to *facts. */
static void
gather_snapshots(List **facts, const char *region, bool cluster)
{
	List	   *snaps = inventory_snapshots(cluster, region, NULL, "manual", false, NULL);
	ListCell   *lc;

	foreach(lc, snaps)
	{
		RdsSnapshot *s = lfirst(lc);
		char	   *from_region;
		const char *when = s->original_created_at ? s->original_created_at : s->created_at;
		SnapshotFacts *f;

		if (s->db_identifier == NULL || s->status == NULL ||
			strcmp(s->status, "available") != 0)
			continue;
		if (snapshot_copied_from(s, region, &from_region))
		{
			/* a copy kept here of a database of another region */
			f = facts_for(facts, from_region, s->db_identifier, cluster);
			f->copied_to = add_region(f->copied_to, region);
			continue;
		}
		f = facts_for(facts, region, s->db_identifier, cluster);
		if (when)
		{
			TimestampTz t = iso_timestamptz(when);

			if (!f->has_newest || t > f->newest)
				f->newest = t;
			f->has_newest = true;
		}
	}
}

/* An interval of days and time in words: "1 day", "36 hours", "1 day 30 minutes". */
static char *
interval_words(const Interval *iv)
{
	int64		secs = iv->time / USECS_PER_SEC;
	struct
	{
		int64		n;
		const char *unit;
	}			parts[4];
	StringInfoData buf;
	int			i;

	parts[0].n = iv->day;
	parts[0].unit = "day";
	parts[1].n = secs / 3600;
	parts[1].unit = "hour";
	parts[2].n = secs % 3600 / 60;
	parts[2].unit = "minute";
	parts[3].n = secs % 60;
	parts[3].unit = "second";
	initStringInfo(&buf);
	for (i = 0; i < 4; i++)
	{
		if (parts[i].n == 0)
			continue;
		appendStringInfo(&buf, "%s" INT64_FORMAT " %s%s", buf.len ? " " : "", parts[i].n,
						 parts[i].unit, parts[i].n == 1 ? "" : "s");
	}
	return buf.data;
}

static Datum
text_array(List *strings)
{
	int			n = list_length(strings);
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	ListCell   *lc;

	foreach(lc, strings)
		elems[foreach_current_index(lc)] = CStringGetTextDatum(lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

static int
by_identifier(const ListCell *a, const ListCell *b)
{
	const RdsDatabase *x = lfirst(a);
	const RdsDatabase *y = lfirst(b);

	return strcmp(x->identifier ? x->identifier : "", y->identifier ? y->identifier : "");
}

/*
 * rds_coverage(regions text[], max_age interval)
 *	 RETURNS TABLE (db_identifier, region, cluster, engine, retention_days,
 *		backup_window, deletion_protection, encrypted, latest_restorable,
 *		rpo, newest_manual_snapshot, copied_to, replicated_to, findings)
 */
Datum
rds_coverage(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	List	   *regions = NIL;
	Interval   *max_age;
	char	   *max_age_text;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	TimestampTz fresh_after;
	List	   *facts = NIL;
	ListCell   *rc;

	runner_check_ready();
	if (!PG_ARGISNULL(0))
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
		Datum	   *elems;
		bool	   *nulls;
		int			n;
		int			i;

		if (ARR_NDIM(arr) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("regions must be a one-dimensional array")));
		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
		if (n == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("regions must not be empty"),
					 errhint("Leave it NULL for rds_backup.region.")));
		for (i = 0; i < n; i++)
		{
			char	   *r;

			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("regions must not contain NULL")));
			r = TextDatumGetCString(elems[i]);
			validate_region_arg("regions", r);
			regions = add_region(regions, r);
		}
	}
	else
		regions = list_make1(endpoint_resolve_region(NULL));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("max_age must not be NULL")));
	max_age = PG_GETARG_INTERVAL_P(1);
	if (max_age->month != 0 || max_age->day < 0 || max_age->time < 0 ||
		(max_age->day == 0 && max_age->time == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_age must be a positive interval of days, hours or minutes"),
				 errhint("For example: '1 day', '36 hours'.")));
	max_age_text = interval_words(max_age);
	fresh_after = now - (TimestampTz) max_age->day * USECS_PER_DAY - max_age->time;

	InitMaterializedSRF(fcinfo, 0);

	/* copies of a database show in the regions they were copied to: read all first */
	foreach(rc, regions)
	{
		gather_snapshots(&facts, lfirst(rc), false);
		gather_snapshots(&facts, lfirst(rc), true);
	}

	foreach(rc, regions)
	{
		const char *region = lfirst(rc);
		List	   *dbs = list_concat(inventory_databases(false, region),
									  inventory_databases(true, region));
		ListCell   *lc;

		list_sort(dbs, by_identifier);
		foreach(lc, dbs)
		{
			RdsDatabase *d = lfirst(lc);
			SnapshotFacts *f;
			List	   *replicated = NIL;
			List	   *findings = NIL;
			ListCell   *ac;
			Datum		values[14];
			bool		nulls[14];

			/* a cluster's members: the cluster's backups are theirs */
			if (!d->cluster && d->cluster_id)
				continue;
			if (d->identifier == NULL)
				continue;
			f = facts_for(&facts, region, d->identifier, d->cluster);
			foreach(ac, d->replications)
			{
				AwsArn		a;

				if (arn_read(lfirst(ac), "rds", true, &a) == NULL)
					replicated = add_region(replicated, a.region);
			}

			if (d->retention_days == 0)
				findings = lappend(findings, "automated backups are disabled");
			else if (d->retention_days > 0 && d->retention_days < MIN_RETENTION_DAYS)
				findings = lappend(findings,
								   psprintf("backup retention of %d day%s is under %d days",
											d->retention_days,
											d->retention_days == 1 ? "" : "s",
											MIN_RETENTION_DAYS));
			if (!f->has_newest || f->newest < fresh_after)
				findings = lappend(findings,
								   psprintf("no manual snapshot newer than %s", max_age_text));
			if (!d->deletion_protection)
				findings = lappend(findings, "deletion protection is off");
			if (f->copied_to == NIL && replicated == NIL)
				findings = lappend(findings, "no copy or replication in another region");

			memset(nulls, 0, sizeof(nulls));
			values[0] = CStringGetTextDatum(d->identifier);
			values[1] = CStringGetTextDatum(region);
			values[2] = BoolGetDatum(d->cluster);
			nulls[3] = d->engine == NULL;
			if (d->engine)
				values[3] = CStringGetTextDatum(d->engine);
			nulls[4] = d->retention_days < 0;
			values[4] = Int32GetDatum(d->retention_days);
			nulls[5] = d->backup_window == NULL;
			if (d->backup_window)
				values[5] = CStringGetTextDatum(d->backup_window);
			values[6] = BoolGetDatum(d->deletion_protection);
			values[7] = BoolGetDatum(d->encrypted);
			nulls[8] = nulls[9] = d->latest_restorable == NULL;
			if (d->latest_restorable)
			{
				TimestampTz latest = iso_timestamptz(d->latest_restorable);

				values[8] = TimestampTzGetDatum(latest);
				values[9] = DirectFunctionCall2(timestamp_mi, TimestampTzGetDatum(now),
												TimestampTzGetDatum(latest));
			}
			nulls[10] = !f->has_newest;
			values[10] = TimestampTzGetDatum(f->newest);
			values[11] = text_array(f->copied_to);
			values[12] = text_array(replicated);
			values[13] = text_array(findings);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}
