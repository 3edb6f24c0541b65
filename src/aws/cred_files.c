/*-------------------------------------------------------------------------
 * cred_files.c
 *		The shared credentials and config files: a profile's credentials
 *		and region.
 *
 * A profile is "[NAME]" in the credentials file and "[profile NAME]" (or
 * "[default]") in the config file; the credentials file wins where both
 * set a key.  Within a profile, as botocore decides:
 *	1. role_arn with web_identity_token_file: AssumeRoleWithWebIdentity
 *	2. role_arn with source_profile or credential_source: AssumeRole on
 *	   top of that profile's (or source's) credentials, role chains too
 *	3. IAM Identity Center (sso_*): not supported yet, said so
 *	4. keys in the credentials file
 *	5. credential_process
 *	6. keys in the config file
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <pwd.h>
#include <unistd.h>

#include "storage/fd.h"

#include "aws/config.h"
#include "aws/cred_chain.h"
#include "aws/ini.h"

/* role chains longer than this are surely a loop */
#define MAX_PROFILE_DEPTH	8

typedef struct IniEntry
{
	char	   *section;
	char	   *key;
	char	   *value;
} IniEntry;

typedef struct SharedFile
{
	char	   *path;
	bool		exists;
	List	   *entries;		/* IniEntry * */
} SharedFile;

typedef struct ProfileFiles
{
	SharedFile	credentials;
	SharedFile	config;
} ProfileFiles;

static const char *
profile_name(bool *named)
{
	const char *p;

	*named = true;
	if (rb_profile && rb_profile[0])
		return rb_profile;
	if ((p = cred_env("AWS_PROFILE")) != NULL)
		return p;
	*named = false;
	return "default";
}

static char *
home_file(const char *relative)
{
	const char *home = getenv("HOME");

	if (home == NULL || home[0] == '\0')
	{
		struct passwd *pw = getpwuid(geteuid());

		if (pw == NULL)
			return NULL;
		home = pw->pw_dir;
	}
	return psprintf("%s/%s", home, relative);
}

static char *
file_path(const char *guc_value, const char *env_name, const char *relative)
{
	const char *e;

	if (guc_value && guc_value[0])
		return pstrdup(guc_value);
	if ((e = cred_env(env_name)) != NULL)
		return pstrdup(e);
	return home_file(relative);
}

/*
 * A small file, whole, palloc'd and NUL-terminated.  NULL with *missing
 * when it does not exist, NULL with *why when it cannot be read or is
 * larger than max.
 */
char *
cred_read_file(const char *path, size_t max, bool *missing, char **why)
{
	FILE	   *f;
	struct stat st;
	char	   *buf;
	size_t		n;

	*missing = false;
	f = AllocateFile(path, "r");
	if (f == NULL)
	{
		if (errno == ENOENT || errno == ENOTDIR)
		{
			*missing = true;
			*why = psprintf("\"%s\" does not exist", path);
		}
		else
			*why = psprintf("could not open \"%s\": %m", path);
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0 || (size_t) st.st_size > max)
	{
		FreeFile(f);
		*why = psprintf("\"%s\" is unreadable or larger than %zu bytes", path, max);
		return NULL;
	}
	buf = palloc(st.st_size + 1);
	n = fread(buf, 1, st.st_size, f);
	FreeFile(f);
	buf[n] = '\0';
	return buf;
}

static int
collect_entry(const char *section, const char *key, const char *value, void *arg)
{
	SharedFile *sf = (SharedFile *) arg;
	IniEntry   *e = palloc(sizeof(IniEntry));

	e->section = pstrdup(section);
	e->key = pstrdup(key);
	e->value = pstrdup(value);
	sf->entries = lappend(sf->entries, e);
	return 0;
}

/*
 * Read one shared file.  One that does not exist is simply empty; one
 * that cannot be read is an ERROR, as before the chain existed: a
 * credentials file the server cannot read is a mistake worth stopping on.
 */
static void
read_shared_file(SharedFile *sf, char *path)
{
	char	   *text;
	bool		missing;
	char	   *why = NULL;
	int			bad;

	sf->path = path;
	sf->entries = NIL;
	sf->exists = false;
	if (path == NULL)
		return;
	text = cred_read_file(path, 1024 * 1024, &missing, &why);
	if (text == NULL)
	{
		if (missing)
			return;
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("could not read AWS shared file: %s", why)));
	}
	sf->exists = true;
	bad = aws_ini_parse(text, strlen(text), collect_entry, sf);
	explicit_bzero(text, strlen(text));
	pfree(text);
	if (bad)
		ereport(WARNING,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("ignoring malformed line %d of AWS shared file \"%s\"", bad, path)));
}

static void
free_shared_file(SharedFile *sf)
{
	ListCell   *lc;

	foreach(lc, sf->entries)
	{
		IniEntry   *e = lfirst(lc);

		pfree(e->section);
		pfree(e->key);
		cred_wipe_free(e->value);
		pfree(e);
	}
	list_free(sf->entries);
	sf->entries = NIL;
}

static void
open_files(ProfileFiles *pf, bool with_credentials)
{
	memset(pf, 0, sizeof(ProfileFiles));
	if (with_credentials)
		read_shared_file(&pf->credentials,
						 file_path(rb_credentials_file, "AWS_SHARED_CREDENTIALS_FILE",
								   ".aws/credentials"));
	read_shared_file(&pf->config, file_path(rb_config_file, "AWS_CONFIG_FILE", ".aws/config"));
}

static void
close_files(ProfileFiles *pf)
{
	free_shared_file(&pf->credentials);
	free_shared_file(&pf->config);
}

static bool
in_section(const IniEntry *e, const char *profile, bool config_style)
{
	if (!config_style)
		return strcmp(e->section, profile) == 0;
	if (strncmp(e->section, "profile ", 8) == 0)
	{
		const char *p = e->section + 8;

		while (*p == ' ')
			p++;
		return strcmp(p, profile) == 0;
	}
	return strcmp(profile, "default") == 0 && strcmp(e->section, "default") == 0;
}

static const char *
file_get(const SharedFile *sf, const char *profile, const char *key, bool config_style)
{
	ListCell   *lc;

	foreach(lc, sf->entries)
	{
		IniEntry   *e = lfirst(lc);

		if (strcmp(e->key, key) == 0 && in_section(e, profile, config_style))
			return e->value;
	}
	return NULL;
}

static bool
file_has_profile(const SharedFile *sf, const char *profile, bool config_style)
{
	ListCell   *lc;

	foreach(lc, sf->entries)
		if (in_section(lfirst(lc), profile, config_style))
			return true;
	return false;
}

/* A key of the profile, from the credentials file first. */
static const char *
profile_get(const ProfileFiles *pf, const char *profile, const char *key)
{
	const char *v = file_get(&pf->credentials, profile, key, false);

	if (v == NULL)
		v = file_get(&pf->config, profile, key, true);
	return (v && v[0]) ? v : NULL;
}

char *
credentials_profile_region(void)
{
	ProfileFiles pf;
	const char *r;
	char	   *region = NULL;
	bool		named;

	open_files(&pf, false);
	r = file_get(&pf.config, profile_name(&named), "region", true);
	if (r && r[0])
		region = pstrdup(r);
	close_files(&pf);
	return region;
}

/* Keys written in one file's section of the profile. */
static CredStatus
keys_in_file(const SharedFile *sf, const char *profile, bool config_style,
			 const char *source, AwsCredentials **out, char **why)
{
	const char *k = file_get(sf, profile, "aws_access_key_id", config_style);
	const char *s = file_get(sf, profile, "aws_secret_access_key", config_style);

	if ((k == NULL || k[0] == '\0') && (s == NULL || s[0] == '\0'))
		return CRED_ABSENT;
	if (k == NULL || k[0] == '\0' || s == NULL || s[0] == '\0')
	{
		*why = psprintf("profile \"%s\" of \"%s\" has only half of a key pair (aws_access_key_id and aws_secret_access_key go together)",
						profile, sf->path);
		return CRED_FAILED;
	}
	*out = cred_make(k, s, file_get(sf, profile, "aws_session_token", config_style), 0,
					 source, why);
	return *out ? CRED_FOUND : CRED_FAILED;
}

static CredStatus resolve_profile(const CredContext *ctx, const ProfileFiles *pf,
								  const char *profile, List *seen,
								  AwsCredentials **out, char **why);

/* role_arn with source_profile or credential_source */
static CredStatus
assume_profile_role(const CredContext *ctx, const ProfileFiles *pf, const char *profile,
					const char *role_arn, List *seen, AwsCredentials **out, char **why)
{
	const char *source_profile = profile_get(pf, profile, "source_profile");
	const char *credential_source = profile_get(pf, profile, "credential_source");
	const char *duration = profile_get(pf, profile, "duration_seconds");
	const char *session = profile_get(pf, profile, "role_session_name");
	AwsCredentials *base = NULL;
	CredStatus	st;
	int			secs = 3600;

	if (source_profile && credential_source)
	{
		*why = psprintf("profile \"%s\" sets both source_profile and credential_source", profile);
		return CRED_FAILED;
	}
	if (duration)
	{
		char	   *end;
		long		v = strtol(duration, &end, 10);

		if (*end != '\0' || v < 900 || v > 43200)
		{
			*why = psprintf("duration_seconds of profile \"%s\" must be 900 to 43200", profile);
			return CRED_FAILED;
		}
		secs = (int) v;
	}

	if (source_profile && strcmp(source_profile, profile) == 0)
	{
		/* the profile's own keys are the base */
		st = keys_in_file(&pf->credentials, profile, false, "shared-credentials-file", &base, why);
		if (st == CRED_ABSENT)
			st = keys_in_file(&pf->config, profile, true, "shared-config-file", &base, why);
		if (st == CRED_ABSENT)
			*why = psprintf("profile \"%s\" is its own source_profile but has no keys", profile);
	}
	else if (source_profile)
	{
		st = resolve_profile(ctx, pf, source_profile, seen, &base, why);
		if (st == CRED_ABSENT)
			*why = psprintf("source_profile \"%s\" of profile \"%s\" has no credentials%s%s",
							source_profile, profile, *why ? ": " : "", *why ? *why : "");
	}
	else if (credential_source)
	{
		CredProviderFn fn = NULL;

		if (strcmp(credential_source, "Environment") == 0)
			fn = cred_from_environment;
		else if (strcmp(credential_source, "Ec2InstanceMetadata") == 0)
			fn = cred_from_instance_metadata;
		else if (strcmp(credential_source, "EcsContainer") == 0)
			fn = cred_from_container;
		if (fn == NULL)
		{
			*why = psprintf("credential_source of profile \"%s\" must be Environment, Ec2InstanceMetadata or EcsContainer",
							profile);
			return CRED_FAILED;
		}
		st = fn(ctx, &base, why);
		if (st != CRED_FOUND)
			*why = psprintf("credential_source %s of profile \"%s\": %s", credential_source,
							profile, *why ? *why : "nothing found");
	}
	else
	{
		*why = psprintf("profile \"%s\" has role_arn but neither source_profile nor credential_source",
						profile);
		return CRED_FAILED;
	}
	if (st != CRED_FOUND)
		return CRED_FAILED;

	st = cred_assume(ctx, base, role_arn, profile_get(pf, profile, "external_id"),
					 session ? session : "rds-backup", secs,
					 psprintf("profile %s: assume-role via %s", profile, base->source),
					 out, why);
	credentials_free(base);
	if (st != CRED_FOUND)
	{
		*why = psprintf("profile \"%s\": %s", profile, *why ? *why : "AssumeRole failed");
		return CRED_FAILED;
	}
	return CRED_FOUND;
}

static CredStatus
resolve_profile(const CredContext *ctx, const ProfileFiles *pf, const char *profile,
				List *seen, AwsCredentials **out, char **why)
{
	const char *role_arn;
	const char *token_file;
	const char *process;
	CredStatus	st;
	ListCell   *lc;

	foreach(lc, seen)
		if (strcmp(lfirst(lc), profile) == 0)
		{
			*why = psprintf("profile \"%s\" is its own source_profile through a loop", profile);
			return CRED_FAILED;
		}
	if (list_length(seen) >= MAX_PROFILE_DEPTH)
	{
		*why = psprintf("more than %d profiles in a source_profile chain", MAX_PROFILE_DEPTH);
		return CRED_FAILED;
	}
	if (!file_has_profile(&pf->credentials, profile, false) &&
		!file_has_profile(&pf->config, profile, true))
	{
		*why = psprintf("profile \"%s\" is in neither \"%s\" nor \"%s\"", profile,
						pf->credentials.path ? pf->credentials.path : "(no credentials file)",
						pf->config.path ? pf->config.path : "(no config file)");
		return CRED_ABSENT;
	}
	seen = lappend(list_copy(seen), (void *) profile);

	role_arn = profile_get(pf, profile, "role_arn");
	token_file = profile_get(pf, profile, "web_identity_token_file");
	if (role_arn && token_file)
	{
		const char *session = profile_get(pf, profile, "role_session_name");

		return cred_web_identity(ctx, role_arn, session ? session : "rds-backup",
								 token_file, psprintf("profile %s: web-identity", profile),
								 out, why);
	}
	if (role_arn)
		return assume_profile_role(ctx, pf, profile, role_arn, seen, out, why);

	/* IAM Identity Center: the next provider of this list (ROADMAP) */
	if (profile_get(pf, profile, "sso_session") || profile_get(pf, profile, "sso_start_url") ||
		profile_get(pf, profile, "sso_account_id"))
	{
		*why = psprintf("profile \"%s\" uses IAM Identity Center (sso_*), which rds_backup does not support yet",
						profile);
		return CRED_FAILED;
	}

	st = keys_in_file(&pf->credentials, profile, false, "shared-credentials-file", out, why);
	if (st != CRED_ABSENT)
		return st;

	process = profile_get(pf, profile, "credential_process");
	if (process)
	{
		if (!cred_process_fetch(process, "credential-process", out, why))
		{
			*why = psprintf("credential_process of profile \"%s\": %s", profile, *why);
			return CRED_FAILED;
		}
		return CRED_FOUND;
	}

	st = keys_in_file(&pf->config, profile, true, "shared-config-file", out, why);
	if (st == CRED_ABSENT)
		*why = psprintf("profile \"%s\" has no credentials", profile);
	return st;
}

/* The chain's profile: a profile asked for by name must exist, as in the SDKs. */
static CredStatus
resolve_top(const CredContext *ctx, const ProfileFiles *pf, AwsCredentials **out, char **why)
{
	bool		named;
	const char *profile = profile_name(&named);
	CredStatus	st = resolve_profile(ctx, pf, profile, NIL, out, why);

	if (st == CRED_ABSENT && named &&
		!file_has_profile(&pf->credentials, profile, false) &&
		!file_has_profile(&pf->config, profile, true))
		st = CRED_FAILED;
	return st;
}

CredStatus
cred_from_profile(const CredContext *ctx, AwsCredentials **out, char **why)
{
	ProfileFiles pf;
	volatile CredStatus st = CRED_ABSENT;

	open_files(&pf, true);
	/* the files' entries hold secrets: wiped even when an ERROR escapes */
	PG_TRY();
	{
		st = resolve_top(ctx, &pf, out, why);
	}
	PG_FINALLY();
	{
		close_files(&pf);
	}
	PG_END_TRY();
	return st;
}
