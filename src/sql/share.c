/*-------------------------------------------------------------------------
 * share.c
 *		rds_share_snapshot(), rds_unshare_snapshot(): the "restore"
 *		attribute of a manual snapshot, i.e. the accounts that may copy or
 *		restore it.
 *
 * Sharing is synchronous in RDS, so no operations row is made; each call
 * still leaves its audit_log rows.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "aws/endpoint.h"
#include "core/runner.h"
#include "rds/actions.h"
#include "rds/names.h"
#include "sql/args.h"

PG_FUNCTION_INFO_V1(rds_share_snapshot);
PG_FUNCTION_INFO_V1(rds_unshare_snapshot);

/* The value of the restore attribute that makes a snapshot public. */
#define PUBLIC_VALUE	"all"

static bool
is_account_id(const char *s)
{
	int			i;

	for (i = 0; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[12] == '\0';
}

/*
 * The accounts argument: a non-empty array of 12-digit account ids (or
 * 'all'), without NULLs; duplicates are dropped, order kept.
 */
static List *
arg_accounts(FunctionCallInfo fcinfo, int argno)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	List	   *result = NIL;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("accounts must not be NULL")));
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("accounts must be a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("accounts must name at least one account")));
	for (i = 0; i < n; i++)
	{
		char	   *a;
		ListCell   *lc;
		bool		dup = false;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("accounts must not contain NULL")));
		a = TextDatumGetCString(elems[i]);
		if (strcmp(a, PUBLIC_VALUE) != 0 && !is_account_id(a))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid AWS account id \"%s\" in accounts", a),
					 errdetail("An account id is exactly 12 digits."),
					 errhint("'all' stands for every account (a public snapshot).")));
		foreach(lc, result)
			if (strcmp(lfirst(lc), a) == 0)
				dup = true;
		if (!dup)
			result = lappend(result, a);
	}
	return result;
}

static bool
has_public(List *accounts)
{
	ListCell   *lc;

	foreach(lc, accounts)
		if (strcmp(lfirst(lc), PUBLIC_VALUE) == 0)
			return true;
	return false;
}

/* RDS refuses to make an encrypted snapshot public: say so before asking. */
static void
refuse_public_if_encrypted(bool cluster, const char *region, const char *snapshot)
{
	AwsRequest *req = rds_describe_one_snapshot_request(cluster, region, snapshot);
	AwsReply	reply;
	List	   *snaps;
	char	   *marker;
	RdsSnapshot *s;

	runner_read(req, &reply, "Sharing was not changed.");
	snaps = rds_read_snapshot_list(cluster, &reply, &marker);
	if (snaps == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("%s \"%s\" not found in region %s",
						cluster ? "DB cluster snapshot" : "DB snapshot", snapshot, region)));
	s = linitial(snaps);
	if (s->encrypted)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s \"%s\" is encrypted and cannot be made public",
						cluster ? "DB cluster snapshot" : "DB snapshot", snapshot),
				 errdetail("RDS shares encrypted snapshots only with specific accounts."),
				 errhint("Share it with account ids instead of 'all'.")));
}

static Datum
accounts_datum(List *accounts)
{
	int			n = list_length(accounts);
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	ListCell   *lc;

	foreach(lc, accounts)
		d[foreach_current_index(lc)] = CStringGetTextDatum(lfirst(lc));
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

static Datum
modify_sharing(bool cluster, const char *region, const char *snapshot, List *add,
			   List *remove)
{
	AwsRequest *req = rds_modify_restore_attribute_request(cluster, region, snapshot,
														   add, remove);
	AwsReply	reply;

	runner_change(req, &reply);
	if (reply.outcome != AWS_OK)
		aws_raise(req, &reply, NULL);
	return accounts_datum(rds_read_restore_attribute(cluster, &reply));
}

/*
 * rds_share_snapshot(snapshot, accounts, cluster, allow_public, region)
 */
Datum
rds_share_snapshot(PG_FUNCTION_ARGS)
{
	char	   *snapshot = arg_text(fcinfo, 0, "snapshot");
	List	   *accounts = arg_accounts(fcinfo, 1);
	bool		cluster = arg_bool(fcinfo, 2, "cluster");
	bool		allow_public = arg_bool(fcinfo, 3, "allow_public");
	char	   *region_arg = arg_text_or_null(fcinfo, 4);
	char	   *region;
	bool		public = has_public(accounts);

	runner_check_ready();
	validate_identifier("snapshot", cluster ? "DB cluster snapshot identifier" :
						"DB snapshot identifier", snapshot, RDS_MAX_SNAPSHOT_ID);
	if (public && !allow_public)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sharing with 'all' makes the snapshot public"),
				 errdetail("Every AWS account could then copy or restore it."),
				 errhint("Pass allow_public => true if that is intended.")));
	region = endpoint_resolve_region(region_arg);

	if (public)
		refuse_public_if_encrypted(cluster, region, snapshot);
	PG_RETURN_DATUM(modify_sharing(cluster, region, snapshot, accounts, NIL));
}

/*
 * rds_unshare_snapshot(snapshot, accounts, cluster, region); 'all' makes
 * a public snapshot private again.
 */
Datum
rds_unshare_snapshot(PG_FUNCTION_ARGS)
{
	char	   *snapshot = arg_text(fcinfo, 0, "snapshot");
	List	   *accounts = arg_accounts(fcinfo, 1);
	bool		cluster = arg_bool(fcinfo, 2, "cluster");
	char	   *region_arg = arg_text_or_null(fcinfo, 3);
	char	   *region;

	runner_check_ready();
	validate_identifier("snapshot", cluster ? "DB cluster snapshot identifier" :
						"DB snapshot identifier", snapshot, RDS_MAX_SNAPSHOT_ID);
	region = endpoint_resolve_region(region_arg);
	PG_RETURN_DATUM(modify_sharing(cluster, region, snapshot, NIL, accounts));
}
