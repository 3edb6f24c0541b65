/*-------------------------------------------------------------------------
 * whoami.c
 *		whoami(): which credentials AWS calls would use now, for
 *		diagnostics.  Never a secret: the key id is masked.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "aws/endpoint.h"
#include "aws/identity.h"
#include "core/catalog.h"
#include "core/runner.h"
#include "sql/args.h"

PG_FUNCTION_INFO_V1(rds_backup_whoami);

/*
 * whoami(region) -> (source, access_key_id, expires_at, role_arn).  The
 * STS calls it needs (AssumeRole for rds_backup.role_arn, GetCallerIdentity
 * for temporary credentials of an unnamed role) are audited.
 */
Datum
rds_backup_whoami(PG_FUNCTION_ARGS)
{
	char	   *region;
	List	   *audit = NIL;
	AwsWhoami  *w;
	TupleDesc	desc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	runner_check_ready();
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "whoami() must return a record");
	region = endpoint_resolve_region(arg_text_or_null(fcinfo, 0));
	w = aws_whoami(NULL, region, &audit);
	(void) catalog_write_audit(audit, 0);

	values[0] = CStringGetTextDatum(w->source);
	values[1] = CStringGetTextDatum(w->access_key_id);
	if (w->expires_at != 0)
		values[2] = TimestampTzGetDatum(w->expires_at);
	else
		nulls[2] = true;
	if (w->role_arn)
		values[3] = CStringGetTextDatum(w->role_arn);
	else
		nulls[3] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
