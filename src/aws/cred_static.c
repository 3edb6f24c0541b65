/*-------------------------------------------------------------------------
 * cred_static.c
 *		The first two sources of the chain: rds_backup's own settings and
 *		the server's environment.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "aws/config.h"
#include "aws/cred_chain.h"
#include "aws/errcodes.h"

CredStatus
cred_from_settings(const CredContext *ctx, AwsCredentials **out, char **why)
{
	bool		have_k = rb_access_key_id && rb_access_key_id[0];
	bool		have_s = rb_secret_access_key && rb_secret_access_key[0];

	/*
	 * Without shared_preload_libraries, sessions that have not loaded the
	 * library show postgresql.conf's values as plain placeholders to every
	 * role: refuse to use a secret that may have been exposed that way.
	 */
	if (have_s && !rb_preloaded)
		ereport(ERROR,
				(errcode(ERRCODE_RB_NO_CREDENTIALS),
				 errmsg("rds_backup.secret_access_key is set but rds_backup is not in shared_preload_libraries"),
				 errdetail("Sessions that have not loaded rds_backup can read the setting."),
				 errhint("Add rds_backup to shared_preload_libraries and restart, or give the server its credentials another way.")));
	if (!have_k && !have_s)
	{
		*why = pstrdup("rds_backup.access_key_id is not set");
		return CRED_ABSENT;
	}
	if (have_k != have_s)
	{
		*why = pstrdup("rds_backup.access_key_id and rds_backup.secret_access_key must be set together");
		return CRED_FAILED;
	}
	*out = cred_make(rb_access_key_id, rb_secret_access_key, rb_session_token, 0,
					 "static", why);
	return *out ? CRED_FOUND : CRED_FAILED;
}

CredStatus
cred_from_environment(const CredContext *ctx, AwsCredentials **out, char **why)
{
	const char *k = cred_env("AWS_ACCESS_KEY_ID");
	const char *s = cred_env("AWS_SECRET_ACCESS_KEY");

	if (k == NULL && s == NULL)
	{
		*why = pstrdup("AWS_ACCESS_KEY_ID is not set");
		return CRED_ABSENT;
	}
	if ((k == NULL) != (s == NULL))
	{
		*why = psprintf("%s is set but %s is not",
						k ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
						k ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return CRED_FAILED;
	}
	*out = cred_make(k, s, cred_env("AWS_SESSION_TOKEN"), 0, "environment", why);
	return *out ? CRED_FOUND : CRED_FAILED;
}
