/*-------------------------------------------------------------------------
 * flat_json.c
 *		The top-level members of a JSON object, as text: what the
 *		instance metadata service, the container endpoint and
 *		credential_process answer with.
 *
 * PostgreSQL's JSON parser reports errors as codes here, so nothing of
 * the input (which holds secrets) ever reaches an error message: a
 * document that does not parse is simply "not a JSON object".
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"

#include "aws/cred_chain.h"

#define MAX_MEMBERS		64

struct FlatJson
{
	int			n;
	char	   *names[MAX_MEMBERS];
	char	   *values[MAX_MEMBERS];
};

typedef struct ParseState
{
	FlatJson   *j;
	int			depth;			/* 1 inside the top-level object */
	char	   *field;			/* name of the top-level member being read */
	bool		top_is_object;
} ParseState;

static void
on_object_start(void *state)
{
	ParseState *ps = state;

	if (ps->depth == 0)
		ps->top_is_object = true;
	ps->depth++;
}

static void
on_object_end(void *state)
{
	((ParseState *) state)->depth--;
}

static void
on_array_start(void *state)
{
	((ParseState *) state)->depth++;
}

static void
on_array_end(void *state)
{
	((ParseState *) state)->depth--;
}

static void
on_field_start(void *state, char *fname, bool isnull)
{
	ParseState *ps = state;

	if (ps->depth == 1)
	{
		if (ps->field)
			pfree(ps->field);
		ps->field = fname;
	}
	else
		pfree(fname);
}

static void
on_scalar(void *state, char *token, JsonTokenType type)
{
	ParseState *ps = state;

	if (ps->depth != 1 || ps->field == NULL || type == JSON_TOKEN_NULL ||
		ps->j->n >= MAX_MEMBERS)
	{
		explicit_bzero(token, strlen(token));
		pfree(token);
		return;
	}
	ps->j->names[ps->j->n] = ps->field;
	ps->j->values[ps->j->n] = token;
	ps->j->n++;
	ps->field = NULL;
}

FlatJson *
flat_json_parse(const char *text, size_t len)
{
	ParseState	ps;
	JsonSemAction sem;
	JsonLexContext *lex;
	JsonParseErrorType rc;
	char	   *copy = pnstrdup(text, len);

	memset(&ps, 0, sizeof(ps));
	ps.j = palloc0(sizeof(FlatJson));
	memset(&sem, 0, sizeof(sem));
	sem.semstate = &ps;
	sem.object_start = on_object_start;
	sem.object_end = on_object_end;
	sem.array_start = on_array_start;
	sem.array_end = on_array_end;
	sem.object_field_start = on_field_start;
	sem.scalar = on_scalar;

	lex = makeJsonLexContextCstringLen(copy, (int) len, PG_UTF8, true);
	rc = pg_parse_json(lex, &sem);
	explicit_bzero(copy, len);
	pfree(copy);
	if (lex->strval)
		explicit_bzero(lex->strval->data, lex->strval->maxlen);
	if (ps.field)
		pfree(ps.field);
	if (rc != JSON_SUCCESS || !ps.top_is_object)
	{
		flat_json_free(ps.j);
		return NULL;
	}
	return ps.j;
}

const char *
flat_json_get(const FlatJson *j, const char *name)
{
	int			i;

	for (i = 0; i < j->n; i++)
		if (strcmp(j->names[i], name) == 0)
			return j->values[i];
	return NULL;
}

void
flat_json_free(FlatJson *j)
{
	int			i;

	for (i = 0; i < j->n; i++)
	{
		pfree(j->names[i]);
		cred_wipe_free(j->values[i]);
	}
	pfree(j);
}

/*
 * Credentials from a parsed document with AccessKeyId, SecretAccessKey,
 * the session token under token_name, and Expiration (optional).
 */
bool
cred_from_json(const FlatJson *j, const char *token_name, const char *source,
			   AwsCredentials **out, char **why)
{
	const char *exp = flat_json_get(j, "Expiration");
	TimestampTz expires = 0;

	if (exp && !cred_parse_time(exp, &expires))
	{
		*why = psprintf("its Expiration \"%.64s\" is not an ISO 8601 UTC time", exp);
		return false;
	}
	*out = cred_make(flat_json_get(j, "AccessKeyId"), flat_json_get(j, "SecretAccessKey"),
					 flat_json_get(j, token_name), expires, source, why);
	if (*out && flat_json_get(j, "RoleArn"))
		(*out)->role_arn = pstrdup(flat_json_get(j, "RoleArn"));
	return *out != NULL;
}
