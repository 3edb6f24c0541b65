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
 *
 * Each file is parsed again only when it changes: what was last parsed
 * from it is kept while the file is the same one, unchanged (device,
 * inode, size and modification time, one stat() per look), so a call
 * neither reads nor parses it, and a rewritten or replaced file (rotated
 * keys) is read at the next call.  cred_files_state() gives the same
 * identity to the chain's cache in credentials.c.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <pwd.h>
#include <unistd.h>

#include "lib/stringinfo.h"
#include "storage/fd.h"
#include "utils/memutils.h"

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
	bool		cached;			/* entries belong to file_cache */
} SharedFile;

/* A shared file as last parsed, while it is unchanged */
typedef struct CachedFile
{
	MemoryContext cxt;			/* path and entries; NULL: nothing kept */
	char	   *path;
	struct stat st;
	List	   *entries;		/* IniEntry * */
} CachedFile;

static CachedFile file_cache[2];	/* credentials file, config file */

/*
 * While a profile is being resolved its entries are in use: a file that
 * changes meanwhile is then read for the asker alone, not replaced.
 */
static int	files_in_use = 0;

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
	/* looked up once: the paths are wanted at every call */
	static char *home = NULL;

	if (home == NULL)
	{
		const char *h = getenv("HOME");

		if (h == NULL || h[0] == '\0')
		{
			struct passwd *pw = getpwuid(geteuid());

			if (pw == NULL)
				return NULL;
			h = pw->pw_dir;
		}
		home = MemoryContextStrdup(TopMemoryContext, h);
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
	List	  **entries = (List **) arg;
	IniEntry   *e = palloc(sizeof(IniEntry));

	e->section = pstrdup(section);
	e->key = pstrdup(key);
	e->value = pstrdup(value);
	*entries = lappend(*entries, e);
	return 0;
}

static void
free_entries(List *entries)
{
	ListCell   *lc;

	foreach(lc, entries)
	{
		IniEntry   *e = lfirst(lc);

		pfree(e->section);
		pfree(e->key);
		cred_wipe_free(e->value);
		pfree(e);
	}
	list_free(entries);
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
		a->st_size == b->st_size &&
		a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
		a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void
cache_forget(CachedFile *cf)
{
	if (cf->cxt == NULL || files_in_use > 0)
		return;
	free_entries(cf->entries);	/* wipes the values */
	MemoryContextDelete(cf->cxt);
	memset(cf, 0, sizeof(CachedFile));
}

/*
 * Read one shared file, or take what was last parsed from it if it is
 * unchanged.  One that does not exist is simply empty; one that cannot be
 * read is an ERROR, as before the chain existed: a credentials file the
 * server cannot read is a mistake worth stopping on.
 */
static void
read_shared_file(SharedFile *sf, char *path, CachedFile *cf)
{
	char	   *text;
	bool		missing;
	char	   *why = NULL;
	int			bad;
	struct stat st;
	bool		keep;
	MemoryContext cxt = NULL;
	MemoryContext old = NULL;

	sf->path = path;
	sf->entries = NIL;
	sf->exists = false;
	sf->cached = false;
	if (path == NULL)
		return;

	/*
	 * stat() before the read: should the file change in between, what is
	 * kept is newer than the identity it is kept under, and only read
	 * again.
	 */
	if (stat(path, &st) != 0)
	{
		if (errno == ENOENT || errno == ENOTDIR)
		{
			cache_forget(cf);
			return;
		}
		/* other failures are reported by the read below */
		memset(&st, 0, sizeof(st));
	}
	else if (cf->cxt != NULL && strcmp(cf->path, path) == 0 && same_file(&cf->st, &st))
	{
		sf->entries = cf->entries;
		sf->exists = true;
		sf->cached = true;
		return;
	}

	text = cred_read_file(path, 1024 * 1024, &missing, &why);
	if (text == NULL)
	{
		if (missing)
		{
			cache_forget(cf);
			return;
		}
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("could not read AWS shared file: %s", why)));
	}
	sf->exists = true;

	/* parsed into a context of its own, kept once complete */
	keep = files_in_use == 0 && st.st_ino != 0;
	if (keep)
	{
		cxt = AllocSetContextCreate(CurrentMemoryContext, "rds_backup shared file",
									ALLOCSET_SMALL_SIZES);
		old = MemoryContextSwitchTo(cxt);
	}
	bad = aws_ini_parse(text, strlen(text), collect_entry, &sf->entries);
	if (keep)
		MemoryContextSwitchTo(old);
	explicit_bzero(text, strlen(text));
	pfree(text);
	if (bad)
		ereport(WARNING,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("ignoring malformed line %d of AWS shared file \"%s\"", bad, path)));
	if (keep)
	{
		cache_forget(cf);
		MemoryContextSetParent(cxt, TopMemoryContext);
		cf->cxt = cxt;
		cf->path = MemoryContextStrdup(cxt, path);
		cf->st = st;
		cf->entries = sf->entries;
		sf->cached = true;
	}
}

static void
free_shared_file(SharedFile *sf)
{
	if (!sf->cached)
		free_entries(sf->entries);
	sf->entries = NIL;
}

static char *
credentials_file_path(void)
{
	return file_path(rb_credentials_file, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
}

static char *
config_file_path(void)
{
	return file_path(rb_config_file, "AWS_CONFIG_FILE", ".aws/config");
}

static void
open_files(ProfileFiles *pf, bool with_credentials)
{
	memset(pf, 0, sizeof(ProfileFiles));
	if (with_credentials)
		read_shared_file(&pf->credentials, credentials_file_path(), &file_cache[0]);
	read_shared_file(&pf->config, config_file_path(), &file_cache[1]);
}

static void
close_files(ProfileFiles *pf)
{
	free_shared_file(&pf->credentials);
	free_shared_file(&pf->config);
}

/* A file's path and identity, or why there is none, for cred_files_state() */
static void
append_file_state(StringInfo buf, const char *path)
{
	struct stat st;

	if (path == NULL)
		appendStringInfoString(buf, "-");
	else if (stat(path, &st) != 0)
		appendStringInfo(buf, "%s:errno %d", path, errno);
	else
		appendStringInfo(buf, "%s:%llu:%llu:%lld:%lld.%09ld", path,
						 (unsigned long long) st.st_dev, (unsigned long long) st.st_ino,
						 (long long) st.st_size, (long long) st.st_mtim.tv_sec,
						 (long) st.st_mtim.tv_nsec);
	appendStringInfoChar(buf, '\n');
}

/*
 * Which shared files there are and what state they are in (paths, device,
 * inode, size, modification time: one stat() each, no read): credentials
 * cached under this stop matching when a file is rewritten or replaced.
 */
char *
cred_files_state(void)
{
	StringInfoData buf;

	initStringInfo(&buf);
	append_file_state(&buf, credentials_file_path());
	append_file_state(&buf, config_file_path());
	return buf.data;
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
	/*
	 * Entries read for this call alone hold secrets: wiped even when an
	 * ERROR escapes.  Kept ones stay as they are while in use.
	 */
	files_in_use++;
	PG_TRY();
	{
		st = resolve_top(ctx, &pf, out, why);
	}
	PG_FINALLY();
	{
		files_in_use--;
		close_files(&pf);
	}
	PG_END_TRY();
	return st;
}
