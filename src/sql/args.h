/*-------------------------------------------------------------------------
 * args.h
 *		The arguments of the SQL-callable functions.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_SQL_ARGS_H
#define RDS_BACKUP_SQL_ARGS_H

#include "fmgr.h"

/* The value of a text argument; NULL is an ERROR naming argname. */
extern char *arg_text(FunctionCallInfo fcinfo, int argno, const char *argname);
extern char *arg_text_or_null(FunctionCallInfo fcinfo, int argno);
extern bool arg_bool(FunctionCallInfo fcinfo, int argno, const char *argname);

/*
 * A positive interval of at most 7 days without months; returns its text
 * form and sets *seconds.
 */
extern char *arg_timeout(FunctionCallInfo fcinfo, int argno, const char *argname,
						 double *seconds);

#endif
