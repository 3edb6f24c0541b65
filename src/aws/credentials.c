/*-------------------------------------------------------------------------
 * credentials.c
 *		AWS credentials, resolved the way the AWS SDKs resolve them.
 *
 * The provider chain, first source that has credentials wins:
 *	1. rds_backup.access_key_id / secret_access_key / session_token
 *	2. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
 *	3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
 *	4. the profile of the shared credentials and config files
 *	   (keys, role_arn + source_profile or credential_source,
 *	   web_identity_token_file, credential_process)
 *	5. container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
 *	   _FULL_URI)
 *	6. EC2 instance metadata (IMDSv2)
 * then, when the call's identity names a role (rds_backup.role_arn),
 * AssumeRole on top of those base credentials.
 *
 * A source that is configured but fails stops the search: the error names
 * every source tried and why each gave nothing.  Nothing here ever puts a
 * secret into an error message: errors name sources and settings, never
 * values.  Results are cached (cred_cache.c); new sources (IAM Identity
 * Center profiles, say) are one more function in chain[] or in the
 * profile resolver.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

#include "lib/stringinfo.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "aws/client.h"
#include "aws/config.h"
#include "aws/cred_chain.h"
#include "aws/errcodes.h"

typedef struct ChainLink
{
	const char *label;			/* for errors */
	CredProviderFn fetch;
} ChainLink;

static const ChainLink chain[] = {
	{"rds_backup settings", cred_from_settings},
	{"environment", cred_from_environment},
	{"web identity", cred_from_web_identity},
	{"shared files", cred_from_profile},
	{"container", cred_from_container},
	{"instance metadata", cred_from_instance_metadata},
};

#define OR_EMPTY(s) ((s) ? (s) : "")

/* AssumeRole for rds_backup.role_arn: session name and lifetime. */
#define ROLE_SESSION_NAME	"rds-backup"
#define ROLE_DURATION_SECS	3600

/* Audit entries of STS calls made while resolving, until someone takes them. */
#define MAX_PENDING_AUDIT	64
static MemoryContext audit_cxt = NULL;
static List *pending_audit = NIL;

void
cred_wipe_free(char *s)
{
	if (s)
	{
		explicit_bzero(s, strlen(s));
		pfree(s);
	}
}

/* An environment variable, or NULL when unset or empty. */
const char *
cred_env(const char *name)
{
	const char *v = getenv(name);

	return (v && v[0]) ? v : NULL;
}

/*
 * Checked here rather than in a GUC check hook: PostgreSQL's own message
 * for a rejected setting quotes the value, and this one is a secret.
 */
static bool
printable(const char *value, const char *what, const char *source, char **why)
{
	const char *p;

	for (p = value; p && *p; p++)
		if ((unsigned char) *p < 0x21 || (unsigned char) *p == 0x7f)
		{
			*why = psprintf("the AWS %s from %s contains a space or control character",
							what, source);
			return false;
		}
	return true;
}

/* Credentials from their parts; NULL with *why when one is malformed. */
AwsCredentials *
cred_make(const char *key, const char *secret, const char *token,
		  TimestampTz expires, const char *source, char **why)
{
	AwsCredentials *c;

	if (key == NULL || key[0] == '\0' || secret == NULL || secret[0] == '\0')
	{
		*why = psprintf("%s gave no %s", source,
						(key == NULL || key[0] == '\0') ? "access key id" : "secret access key");
		return NULL;
	}
	if (!printable(key, "access key id", source, why) ||
		!printable(secret, "secret access key", source, why) ||
		!printable(token, "session token", source, why))
		return NULL;

	c = palloc0(sizeof(AwsCredentials));
	c->access_key_id = pstrdup(key);
	c->secret_access_key = pstrdup(secret);
	c->session_token = (token && token[0]) ? pstrdup(token) : NULL;
	c->expires_at = expires;
	c->source = pstrdup(source);
	return c;
}

AwsCredentials *
credentials_copy(const AwsCredentials *src)
{
	AwsCredentials *c = palloc0(sizeof(AwsCredentials));

	c->access_key_id = pstrdup(src->access_key_id);
	c->secret_access_key = pstrdup(src->secret_access_key);
	c->session_token = src->session_token ? pstrdup(src->session_token) : NULL;
	c->expires_at = src->expires_at;
	c->source = src->source ? pstrdup(src->source) : NULL;
	c->role_arn = src->role_arn ? pstrdup(src->role_arn) : NULL;
	c->refresh_at = src->refresh_at;
	return c;
}

void
credentials_free(AwsCredentials *creds)
{
	if (creds == NULL)
		return;
	cred_wipe_free(creds->access_key_id);
	cred_wipe_free(creds->secret_access_key);
	cred_wipe_free(creds->session_token);
	if (creds->source)
		pfree(creds->source);
	if (creds->role_arn)
		pfree(creds->role_arn);
	pfree(creds);
}

/*
 * "2024-03-29T06:45:00Z", with optional fractional seconds and "Z" or
 * "+00:00": the expiry format of STS, IMDS, ECS and credential_process.
 */
bool
cred_parse_time(const char *text, TimestampTz *out)
{
	struct tm	tm;
	int			n = 0;
	const char *p;
	time_t		t;

	if (text == NULL)
		return false;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n == 0)
		return false;
	p = text + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0 && strcmp(p, "UTC") != 0)
		return false;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
		tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t == (time_t) -1)
		return false;
	*out = time_t_to_timestamptz(t);
	return true;
}

static AuditEntry *
copy_audit_entry(const AuditEntry *a)
{
	AuditEntry *c = palloc(sizeof(AuditEntry));

	*c = *a;
	c->service = a->service ? pstrdup(a->service) : NULL;
	c->action = a->action ? pstrdup(a->action) : NULL;
	c->region = a->region ? pstrdup(a->region) : NULL;
	c->target = a->target ? pstrdup(a->target) : NULL;
	c->params_json = a->params_json ? pstrdup(a->params_json) : NULL;
	c->error_code = a->error_code ? pstrdup(a->error_code) : NULL;
	c->request_id = a->request_id ? pstrdup(a->request_id) : NULL;
	return c;
}

/* Keep the audit entries of a call made while resolving credentials. */
void
cred_keep_audit(List *audit)
{
	MemoryContext old;
	ListCell   *lc;

	if (audit == NIL)
		return;
	if (audit_cxt == NULL)
		audit_cxt = AllocSetContextCreate(TopMemoryContext, "rds_backup credential audit",
										  ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(audit_cxt);
	foreach(lc, audit)
	{
		/* a process that never makes another call must not grow forever */
		if (list_length(pending_audit) >= MAX_PENDING_AUDIT)
			pending_audit = list_delete_first(pending_audit);
		pending_audit = lappend(pending_audit, copy_audit_entry(lfirst(lc)));
	}
	MemoryContextSwitchTo(old);
}

List *
credentials_take_audit(void)
{
	List	   *out = NIL;
	ListCell   *lc;

	if (pending_audit == NIL)
		return NIL;
	foreach(lc, pending_audit)
		out = lappend(out, copy_audit_entry(lfirst(lc)));
	pending_audit = NIL;
	MemoryContextReset(audit_cxt);
	return out;
}

/*
 * Walk the chain.  Raises the ERROR that lists every source tried when
 * none has credentials or a configured one fails.
 */
static bool
walk_chain(void *arg, AwsCredentials **out, char **why)
{
	const CredContext *ctx = arg;
	StringInfoData tried;
	size_t		i;

	initStringInfo(&tried);
	for (i = 0; i < lengthof(chain); i++)
	{
		AwsCredentials *c = NULL;
		char	   *reason = NULL;
		CredStatus	st = chain[i].fetch(ctx, &c, &reason);

		if (st == CRED_FOUND)
		{
			*out = c;
			return true;
		}
		appendStringInfo(&tried, "%s%s: %s", i > 0 ? "; " : "", chain[i].label,
						 reason ? reason : "nothing found");
		if (st == CRED_FAILED)
			ereport(ERROR,
					(errcode(ERRCODE_RB_NO_CREDENTIALS),
					 errmsg("could not get AWS credentials from %s", chain[i].label),
					 errdetail("Sources tried, in order: %s.", tried.data),
					 errhint("A configured source that fails is not skipped: fix it, or remove its settings.")));
	}
	ereport(ERROR,
			(errcode(ERRCODE_RB_NO_CREDENTIALS),
			 errmsg("no AWS credentials found"),
			 errdetail("Sources tried, in order: %s.", tried.data),
			 errhint("A superuser sets rds_backup.access_key_id and rds_backup.secret_access_key in postgresql.conf, or the server runs with AWS credentials in its environment, its shared files, or an instance or task role.")));
	return false;				/* keep compiler quiet */
}

/*
 * Whether the chain gets as far as the shared files.  A source before
 * them that is configured at all answers or fails, and the chain stops
 * there; these are the tests by which those three sources find themselves
 * absent (cred_static.c, cred_web_identity.c).
 */
static bool
chain_reaches_files(void)
{
	return !(rb_access_key_id && rb_access_key_id[0]) &&
		!(rb_secret_access_key && rb_secret_access_key[0]) &&
		cred_env("AWS_ACCESS_KEY_ID") == NULL &&
		cred_env("AWS_SECRET_ACCESS_KEY") == NULL &&
		cred_env("AWS_WEB_IDENTITY_TOKEN_FILE") == NULL;
}

/*
 * The chain's credentials, cached in this process per configuration and,
 * when the chain gets to them, per state of the shared files: a rewritten
 * or replaced file (rotated keys) makes the next call walk the chain
 * again, while an unchanged one costs a stat() a call.  The sources that
 * fetch temporary credentials keep their own caches, so walking again
 * does not fetch them again.
 */
static AwsCredentials *
base_credentials(const CredContext *ctx)
{
	CredCacheKey key;
	char	   *why = NULL;
	char	   *files = chain_reaches_files() ? cred_files_state() : pstrdup("");
	AwsCredentials *c;

	/* what the chain's answer depends on that can change in a session */
	cred_cache_key(&key, "chain", OR_EMPTY(rb_access_key_id), OR_EMPTY(rb_secret_access_key),
				   OR_EMPTY(rb_session_token), OR_EMPTY(rb_profile),
				   OR_EMPTY(rb_credentials_file), OR_EMPTY(rb_config_file), files, NULL);
	pfree(files);
	c = cred_cache_get(&key, false, walk_chain, (void *) ctx, &why);
	if (c == NULL)				/* walk_chain raises instead */
		elog(ERROR, "AWS credential chain failed: %s", why ? why : "unknown");
	return c;
}

AwsCredentials *
credentials_get(const AwsIdentity *identity, const char *region)
{
	CredContext ctx;
	const char *role;
	const char *external_id;
	AwsCredentials *base;
	AwsCredentials *c = NULL;
	char	   *why = NULL;
	CredStatus	st;

	ctx.region = region;
	if (identity != NULL && identity->role_arn != NULL)
	{
		role = identity->role_arn;
		external_id = identity->external_id;
	}
	else
	{
		role = rb_role_arn;
		external_id = rb_external_id;
	}

	base = base_credentials(&ctx);
	if (role == NULL || role[0] == '\0')
		return base;

	st = cred_assume(&ctx, base, role, external_id, ROLE_SESSION_NAME, ROLE_DURATION_SECS,
					 psprintf("assume-role via %s", base->source), &c, &why);
	if (st != CRED_FOUND)
	{
		char	   *base_source = pstrdup(base->source);

		credentials_free(base);
		ereport(ERROR,
				(errcode(ERRCODE_RB_NO_CREDENTIALS),
				 errmsg("could not assume AWS role \"%s\" with the credentials from %s",
						role, base_source),
				 errdetail("%s.", why ? why : "STS gave no credentials")));
	}
	credentials_free(base);
	return c;
}

char *
credentials_mask_key_id(const char *key_id)
{
	size_t		len = strlen(key_id);

	if (len < 12)
		return pstrdup("****");
	return psprintf("%.4s...%s", key_id, key_id + len - 4);
}
