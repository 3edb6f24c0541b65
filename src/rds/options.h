/*-------------------------------------------------------------------------
 * options.h
 *		"options jsonb": further RDS parameters by their AWS names, checked
 *		against the service model's input shape of one action and encoded
 *		the way the Query protocol wants them.
 *
 * Everything is checked before any AWS call: an unknown name, a name the
 * function sets itself, or a value of the wrong JSON type is an ERROR
 * that names the key.  Encoding follows the model:
 *   strings    JSON strings
 *   integers   JSON numbers without a fraction (range-checked)
 *   doubles    JSON numbers
 *   booleans   JSON true / false
 *   timestamps JSON strings PostgreSQL reads as timestamptz; sent in UTC
 *   lists      JSON arrays, sent as Name.<member>.N (Name= when empty)
 *   structures JSON objects of their members, sent as Name.Member
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_OPTIONS_H
#define RDS_BACKUP_OPTIONS_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "aws/query.h"

/* A parameter a function does not take in options, and why. */
typedef struct OptionRule
{
	const char *name;
	const char *reason;			/* errdetail, a full sentence */
} OptionRule;

typedef struct RdsOptions
{
	const char *action;
	List	   *wire;			/* OptionPair *: Query parameters to add */
	List	   *given;			/* OptionPair *: top-level name and JSON text */
	Jsonb	   *json;			/* the caller's object, or NULL */
} RdsOptions;

typedef struct OptionPair
{
	char	   *name;
	char	   *value;
	bool		sensitive;
	bool		is_double;		/* wire only: send dval */
	double		dval;
} OptionPair;

/*
 * Check options (a JSON object, or NULL for none) against the input shape
 * of action.  excluded (ending with a {NULL, NULL} entry) lists the
 * parameters the calling function sets itself or that would defeat its
 * contract.  own (NULL-terminated, may be NULL) lists keys the caller
 * reads and sends itself: they are allowed but neither checked nor
 * encoded here.  Never returns NULL.
 */
extern RdsOptions *options_parse(const char *argname, Jsonb *options,
								 const char *action,
								 const OptionRule *excluded,
								 const char *const *own);

/* Add the encoded parameters to a request's query. */
extern void options_add_to_query(AwsQuery *q, const RdsOptions *opts);

/* The value of a top-level key, or NULL when absent. */
extern JsonbValue *options_get(const RdsOptions *opts, const char *name);

/* A top-level string option (ERROR naming it when not a string), or NULL. */
extern char *options_get_text(const RdsOptions *opts, const char *argname,
							  const char *name);

/*
 * Append ,"Name":value for every checked option to buf (the inside of a
 * JSON object), sensitive values as "[redacted]": for operations.params.
 */
extern void options_append_params(StringInfo buf, const RdsOptions *opts);

#endif
