/*-------------------------------------------------------------------------
 * redact.c
 *		Keeps the values of the credential settings out of the server log
 *		and out of the catalogs every role can read.
 *
 * PostgreSQL itself logs a reloaded setting's new value ("parameter
 * \"rds_backup.secret_access_key\" changed to \"...\"", at LOG in the
 * postmaster and DEBUG2 in every backend), and logs statements that may
 * carry one (log_statement, log_min_error_statement, errcontext).  An
 * emit_log_hook, installed in the postmaster by shared_preload_libraries
 * and so present in every process before any message, rewrites such
 * messages before any log destination (stderr, csvlog, jsonlog, syslog)
 * or the client sees them:
 *	- PostgreSQL's messages that quote a setting's value, for these
 *	  settings, are rebuilt with the value as ********;
 *	- any other text of a message (message, detail, hint, context,
 *	  internal query) that names one of these settings keeps what comes
 *	  before the name, with its quoted literals masked, and loses what
 *	  follows it, unless the message is one of PostgreSQL's that names a
 *	  setting and quotes nothing else, or one of rds_backup's own (which
 *	  never quote a credential: they name settings to say what to fix);
 *	- the STATEMENT: line is left out when the statement names one;
 *	- the token a syntax error in a configuration file quotes is masked
 *	  (a credential written without quotes may be cut into tokens);
 *	- the current values of the secret key and session token are masked
 *	  wherever they appear.
 * The hook never raises an error: it runs inside error reporting.
 *
 * A check hook refuses the settings in ALTER ROLE/DATABASE ... SET and in
 * a function's SET clause: pg_db_role_setting and pg_proc are readable by
 * every role.  Its message names no value (PostgreSQL's own would quote
 * it).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <dlfcn.h>

#include "tcop/tcopprot.h"
#include "utils/elog.h"
#include "utils/guc.h"

#include "aws/config.h"
#include "aws/redact.h"

#define MASK	"********"

static emit_log_hook_type prev_emit_log_hook = NULL;

/* The settings; a statement is recognised by the last part of the name. */
static const struct
{
	const char *name;
	const char *word;
}			credential_settings[] = {
	{"rds_backup.secret_access_key", "secret_access_key"},
	{"rds_backup.session_token", "session_token"},
	{"rds_backup.access_key_id", "access_key_id"},
};

/* PostgreSQL's messages that quote a setting's name and then its value. */
static const char *const value_messages[] = {
	"parameter \"%s\" changed to \"%s\"",
	"invalid value for parameter \"%s\": \"%s\"",
};

/*
 * A configuration file PostgreSQL cannot read: the token it quotes may be
 * a piece of a credential written without quotes.
 */
static const char *const token_message = "syntax error in file \"%s\" line %u, near token \"%s\"";

/* PostgreSQL's messages that name a setting and quote nothing else. */
static const char *const plain_messages[] = {
	"permission denied to set parameter \"%s\"",
	"parameter \"%s\" cannot be changed",
	"parameter \"%s\" cannot be changed now",
	"parameter \"%s\" cannot be changed without restarting the server",
	"parameter \"%s\" cannot be set after connection start",
	"parameter \"%s\" cannot be set during a parallel operation",
	"parameter \"%s\" could not be set",
	"parameter \"%s\" removed from configuration file, reset to default",
	"unrecognized configuration parameter \"%s\"",
	"must be superuser or have privileges of pg_read_all_settings to examine \"%s\"",
};

/*
 * Whether rds_backup raised the message: the source file name ereport()
 * recorded is a string of this library (PostgreSQL keeps only its base
 * name, which other modules may share, and gives every message a domain).
 */
static bool
is_own_message(const ErrorData *edata)
{
	static void *own_base = NULL;
	Dl_info		info;

	if (edata->filename == NULL)
		return false;
	if (own_base == NULL)
	{
		if (dladdr((void *) is_own_message, &info) == 0)
			return false;
		own_base = info.dli_fbase;
	}
	return dladdr(edata->filename, &info) != 0 && info.dli_fbase == own_base;
}

static bool
in_messages(const char *id, const char *const *list, int n)
{
	int			i;

	if (id == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(id, list[i]) == 0)
			return true;
	return false;
}

/* The first credential setting text names, by the last part of its name. */
static const char *
find_mention(const char *text, int *setting)
{
	const char *first = NULL;
	size_t		i;

	for (i = 0; i < lengthof(credential_settings); i++)
	{
		const char *word = credential_settings[i].word;
		size_t		wlen = strlen(word);
		const char *p;

		for (p = text; *p; p++)
		{
			if (pg_strncasecmp(p, word, wlen) == 0)
			{
				if (first == NULL || p < first)
				{
					first = p;
					*setting = (int) i;
				}
				break;
			}
		}
	}
	return first;
}

void
redact_mask_secrets(char *text, const char *const *secrets, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		size_t		len;
		char	   *hit;

		/* shorter ones would mask ordinary words; no real secret is that short */
		if (secrets[i] == NULL || (len = strlen(secrets[i])) < 8)
			continue;
		while ((hit = strstr(text, secrets[i])) != NULL)
			memset(hit, '*', len);
	}
}

/* Mask every value in text of a setting that holds a secret. */
static char *
mask_current_values(char *text)
{
	const char *secrets[2];

	secrets[0] = rb_secret_access_key;
	secrets[1] = rb_session_token;
	redact_mask_secrets(text, secrets, lengthof(secrets));
	return text;
}

/*
 * The part of text before a mention of a setting (masked: quoted literals
 * there may be values too, as in set_config(name, 'value', ...)), the
 * mention itself, and nothing after it but closing quotes.
 */
static char *
cut_after_mention(const char *text, const char *mention, int setting)
{
	StringInfoData out;
	const char *end = mention + strlen(credential_settings[setting].word);
	const char *p;
	char		quote = 0;

	initStringInfo(&out);
	for (p = text; p < end; p++)
	{
		if (quote == 0 && (*p == '\'' || *p == '"'))
		{
			const char *close = strchr(p + 1, *p);

			/* a literal that closes before the mention: its value goes */
			if (close != NULL && close < mention)
			{
				appendStringInfoChar(&out, *p);
				appendStringInfoString(&out, MASK);
				appendStringInfoChar(&out, *p);
				p = close;
				continue;
			}
			quote = *p;
		}
		appendStringInfoChar(&out, *p);
	}
	/* the name's own closing quote, if it has one */
	if (quote != 0 && *end == quote)
		appendStringInfoChar(&out, *end++);
	for (p = end; *p == ' ' || *p == '.' || *p == ',' || *p == ';' || *p == ')'; p++)
		;
	if (*p != '\0')
		appendStringInfoString(&out, " [the rest is not logged: it may hold an rds_backup credential]");
	return out.data;
}

static char *
redact_text(char *text, bool whole_ok)
{
	const char *mention;
	int			setting = 0;

	if (text == NULL)
		return NULL;
	mask_current_values(text);
	if (whole_ok || (mention = find_mention(text, &setting)) == NULL)
		return text;
	return cut_after_mention(text, mention, setting);
}

/*
 * Rebuild one of PostgreSQL's "setting and its value" messages with the
 * value masked; false when it is not about a credential setting.
 */
static bool
rebuild_value_message(ErrorData *edata)
{
	size_t		i;

	if (!in_messages(edata->message_id, value_messages, lengthof(value_messages)))
		return false;
	for (i = 0; i < lengthof(credential_settings); i++)
	{
		const char *name = credential_settings[i].name;

		if (strstr(edata->message, name) != NULL)
		{
			/* the translated text of the same message, as errmsg() made it */
			edata->message = psprintf(dgettext(edata->domain, edata->message_id),
									  name, MASK);
			return true;
		}
	}
	return false;
}

/* Mask the last double-quoted part of text (where the token goes). */
static void
mask_last_quoted(ErrorData *edata)
{
	char	   *close = strrchr(edata->message, '"');
	char	   *open;

	if (close == NULL || close == edata->message)
		return;
	*close = '\0';
	open = strrchr(edata->message, '"');
	*close = '"';
	if (open == NULL)
		return;
	edata->message = psprintf("%.*s" MASK "%s", (int) (open + 1 - edata->message),
							  edata->message, close);
}

static void
redact_emit_log_hook(ErrorData *edata)
{
	bool		own;

	/*
	 * The statement is not printed (STATEMENT: line) when it names a
	 * credential setting.
	 */
	if (debug_query_string != NULL && !edata->hide_stmt)
	{
		int			setting;

		if (find_mention(debug_query_string, &setting) != NULL ||
			strcmp(mask_current_values(pstrdup(debug_query_string)), debug_query_string) != 0)
			edata->hide_stmt = true;
	}

	if (edata->message != NULL && edata->message_id != NULL &&
		strcmp(edata->message_id, token_message) == 0)
		mask_last_quoted(edata);
	own = is_own_message(edata);
	if (edata->message != NULL && !rebuild_value_message(edata))
		edata->message = redact_text(edata->message,
									 own || in_messages(edata->message_id, plain_messages,
														lengthof(plain_messages)));
	edata->detail = redact_text(edata->detail, own);
	edata->detail_log = redact_text(edata->detail_log, own);
	edata->hint = redact_text(edata->hint, own);
	/* a context or an internal query can be SQL that sets a credential */
	edata->context = redact_text(edata->context, false);
	edata->internalquery = redact_text(edata->internalquery, false);

	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

void
redact_install_log_hook(void)
{
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = redact_emit_log_hook;
}

bool
redact_check_credential_source(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	switch (source)
	{
		case PGC_S_TEST:		/* ALTER ROLE/DATABASE ... SET, CREATE FUNCTION ... SET */
		case PGC_S_GLOBAL:
		case PGC_S_DATABASE:
		case PGC_S_USER:
		case PGC_S_DATABASE_USER:
			GUC_check_errmsg("AWS credentials cannot be stored in the database catalogs");
			GUC_check_errdetail("ALTER ROLE ... SET, ALTER DATABASE ... SET and the SET clause of a function keep values where every role can read them.");
			GUC_check_errhint("Set them in postgresql.conf (or with ALTER SYSTEM), or give the server credentials in its environment or the AWS shared files.");
			return false;
		default:
			return true;
	}
}
