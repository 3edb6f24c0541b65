/*-------------------------------------------------------------------------
 * args.c
 *		The arguments of the SQL-callable functions: NULL checks and the
 *		conversions every function shares.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "sql/args.h"

char *
arg_text(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", argname)));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

char *
arg_text_or_null(FunctionCallInfo fcinfo, int argno)
{
	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

bool
arg_bool(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", argname)));
	return PG_GETARG_BOOL(argno);
}

/*
 * A positive interval without months (a month has no fixed length).
 * Returns its text form for the catalog and its length in seconds.
 */
char *
arg_timeout(FunctionCallInfo fcinfo, int argno, const char *argname, double *seconds)
{
	Interval   *iv;
	double		secs;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", argname)));
	iv = PG_GETARG_INTERVAL_P(argno);
	secs = (double) iv->time / USECS_PER_SEC + (double) iv->day * SECS_PER_DAY +
		(double) iv->month * 30 * SECS_PER_DAY;
	if (secs <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be positive", argname)));
	if (secs > 7 * 24 * 3600.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be at most 7 days", argname)));
	*seconds = secs;
	return psprintf("%.6f seconds", secs);
}
