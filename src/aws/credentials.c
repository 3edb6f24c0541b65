/*-------------------------------------------------------------------------
 * credentials.c
 *		AWS credentials, resolved the way the AWS SDKs resolve them.
 *
 * Chain, first match wins:
 *	1. rds_backup.access_key_id / secret_access_key / session_token
 *	2. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
 *	3. the shared credentials file, then the config file, for the profile
 *	   (rds_backup.profile, else AWS_PROFILE, else "default")
 *
 * Nothing here ever puts a secret into an error message: errors name the
 * provider and the setting, never a value.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <pwd.h>
#include <unistd.h>

#include "storage/fd.h"
#include "utils/memutils.h"

#include "aws/config.h"
#include "aws/credentials.h"
#include "aws/errcodes.h"
#include "aws/ini.h"

typedef struct ProfileLookup
{
	const char *section;		/* section name to match */
	char	   *access_key_id;
	char	   *secret_access_key;
	char	   *session_token;
	char	   *region;
} ProfileLookup;

/*
 * The last profile read from each of the two shared files.  It stands for
 * as long as the same section is asked for and the file is the same one,
 * unchanged (device, inode, size and modification time, one stat() per
 * call): a call does not read and parse the file again, and a rewritten or
 * replaced file (rotated credentials) is read anew.
 */
typedef struct ProfileCacheEntry
{
	char	   *path;
	char	   *section;
	struct stat st;
	ProfileLookup pl;			/* in TopMemoryContext */
} ProfileCacheEntry;

static ProfileCacheEntry profile_cache[2];	/* credentials file, config file */

static const char *
profile_name(void)
{
	const char *p;

	if (rb_profile && rb_profile[0])
		return rb_profile;
	if ((p = getenv("AWS_PROFILE")) && p[0])
		return p;
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
	if ((e = getenv(env_name)) && e[0])
		return pstrdup(e);
	return home_file(relative);
}

/*
 * Returns palloc'd contents, or NULL when the file does not exist; *st
 * describes the file read.
 */
static char *
read_small_file(const char *path, size_t *len, struct stat *st)
{
	FILE	   *f;
	char	   *buf;
	size_t		n;

	f = AllocateFile(path, "r");
	if (f == NULL)
	{
		if (errno == ENOENT || errno == ENOTDIR)
			return NULL;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open AWS shared file \"%s\": %m", path)));
	}
	if (fstat(fileno(f), st) != 0 || st->st_size > 1024 * 1024)
	{
		FreeFile(f);
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("AWS shared file \"%s\" is unreadable or larger than 1 MB", path)));
	}
	buf = palloc(st->st_size + 1);
	n = fread(buf, 1, st->st_size, f);
	FreeFile(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int
profile_entry(const char *section, const char *key, const char *value, void *arg)
{
	ProfileLookup *pl = (ProfileLookup *) arg;
	char	  **dest = NULL;

	if (strcmp(section, pl->section) != 0)
		return 0;
	if (strcmp(key, "aws_access_key_id") == 0)
		dest = &pl->access_key_id;
	else if (strcmp(key, "aws_secret_access_key") == 0)
		dest = &pl->secret_access_key;
	else if (strcmp(key, "aws_session_token") == 0)
		dest = &pl->session_token;
	else if (strcmp(key, "region") == 0)
		dest = &pl->region;
	if (dest && *dest == NULL)
		*dest = pstrdup(value);
	return 0;
}

static void
wipe_free(char *s)
{
	if (s)
	{
		explicit_bzero(s, strlen(s));
		pfree(s);
	}
}

static char *
pstrdup_or_null(const char *s)
{
	return s ? pstrdup(s) : NULL;
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
profile_cache_forget(ProfileCacheEntry *e)
{
	if (e->path == NULL)
		return;
	pfree(e->path);
	pfree(e->section);
	wipe_free(e->pl.access_key_id);
	wipe_free(e->pl.secret_access_key);
	wipe_free(e->pl.session_token);
	if (e->pl.region)
		pfree(e->pl.region);
	memset(e, 0, sizeof(ProfileCacheEntry));
}

/* Copies of the cached values into pl, in the caller's memory context */
static void
profile_copy(const ProfileLookup *from, ProfileLookup *pl)
{
	pl->access_key_id = pstrdup_or_null(from->access_key_id);
	pl->secret_access_key = pstrdup_or_null(from->secret_access_key);
	pl->session_token = pstrdup_or_null(from->session_token);
	pl->region = pstrdup_or_null(from->region);
}

/*
 * Read one profile's settings from a shared file.  The credentials file
 * names sections after the profile; the config file writes "profile NAME"
 * except for "default".
 */
static bool
read_profile(const char *path, bool config_style, ProfileLookup *pl)
{
	ProfileCacheEntry *cached = &profile_cache[config_style ? 1 : 0];
	char	   *text;
	size_t		len;
	const char *name = profile_name();
	char	   *section;
	struct stat st;
	int			bad;
	MemoryContext old;

	if (path == NULL)
		return false;
	section = (config_style && strcmp(name, "default") != 0) ?
		psprintf("profile %s", name) : pstrdup(name);

	if (stat(path, &st) != 0)
	{
		/* other failures are reported by the read below */
		if (errno == ENOENT || errno == ENOTDIR)
		{
			profile_cache_forget(cached);
			return false;
		}
	}
	else if (cached->path != NULL && strcmp(cached->path, path) == 0 &&
			 strcmp(cached->section, section) == 0 && same_file(&cached->st, &st))
	{
		profile_copy(&cached->pl, pl);
		pl->section = section;
		return true;
	}

	profile_cache_forget(cached);
	if ((text = read_small_file(path, &len, &st)) == NULL)
		return false;
	pl->section = section;
	bad = aws_ini_parse(text, len, profile_entry, pl);
	explicit_bzero(text, len);
	pfree(text);
	if (bad)
		ereport(WARNING,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("ignoring malformed line %d of AWS shared file \"%s\"", bad, path)));

	old = MemoryContextSwitchTo(TopMemoryContext);
	cached->path = pstrdup(path);
	cached->section = pstrdup(section);
	cached->st = st;
	profile_copy(pl, &cached->pl);
	MemoryContextSwitchTo(old);
	return true;
}

char *
credentials_profile_region(void)
{
	ProfileLookup pl = {0};
	char	   *path = file_path(rb_config_file, "AWS_CONFIG_FILE", ".aws/config");

	read_profile(path, true, &pl);
	wipe_free(pl.access_key_id);
	wipe_free(pl.secret_access_key);
	wipe_free(pl.session_token);
	return pl.region;
}

/*
 * Checked here rather than in a GUC check hook: PostgreSQL's own message
 * for a rejected setting quotes the value, and this one is a secret.
 */
static void
check_printable(const char *value, const char *what, const char *source)
{
	const char *p;

	for (p = value; p && *p; p++)
		if ((unsigned char) *p < 0x21 || (unsigned char) *p == 0x7f)
			ereport(ERROR,
					(errcode(ERRCODE_RB_NO_CREDENTIALS),
					 errmsg("the AWS %s from %s contains a space or control character",
							what, source)));
}

static AwsCredentials *
make_credentials(const char *key, const char *secret, const char *token,
				 const char *source)
{
	AwsCredentials *c = palloc0(sizeof(AwsCredentials));

	check_printable(key, "access key id", source);
	check_printable(secret, "secret access key", source);
	check_printable(token, "session token", source);

	c->access_key_id = pstrdup(key);
	c->secret_access_key = pstrdup(secret);
	c->session_token = (token && token[0]) ? pstrdup(token) : NULL;
	c->source = source;
	return c;
}

static AwsCredentials *
from_profile(const char *path, bool config_style, const char *source)
{
	ProfileLookup pl = {0};
	AwsCredentials *c = NULL;

	if (!read_profile(path, config_style, &pl))
		return NULL;
	if (pl.access_key_id && pl.secret_access_key)
		c = make_credentials(pl.access_key_id, pl.secret_access_key,
							 pl.session_token, source);
	else if (pl.access_key_id || pl.secret_access_key)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("profile \"%s\" of AWS shared file \"%s\" has only half of a key pair",
						profile_name(), path),
				 errhint("Set both aws_access_key_id and aws_secret_access_key.")));
	wipe_free(pl.access_key_id);
	wipe_free(pl.secret_access_key);
	wipe_free(pl.session_token);
	if (pl.region)
		pfree(pl.region);
	return c;
}

AwsCredentials *
credentials_get(void)
{
	const char *k,
			   *s;
	AwsCredentials *c;
	bool		have_k,
				have_s;

	/* 1. static settings */
	have_k = rb_access_key_id && rb_access_key_id[0];
	have_s = rb_secret_access_key && rb_secret_access_key[0];

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
	if (have_k && have_s)
		return make_credentials(rb_access_key_id, rb_secret_access_key,
								rb_session_token, "static");
	if (have_k != have_s)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rds_backup.access_key_id and rds_backup.secret_access_key must be set together")));

	/* 2. environment of the server */
	k = getenv("AWS_ACCESS_KEY_ID");
	s = getenv("AWS_SECRET_ACCESS_KEY");
	have_k = k && k[0];
	have_s = s && s[0];
	if (have_k && have_s)
		return make_credentials(k, s, getenv("AWS_SESSION_TOKEN"), "environment");
	if (have_k != have_s)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the server's environment has only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")));

	/* 3. shared files */
	c = from_profile(file_path(rb_credentials_file, "AWS_SHARED_CREDENTIALS_FILE",
							   ".aws/credentials"),
					 false, "shared-credentials-file");
	if (c)
		return c;
	c = from_profile(file_path(rb_config_file, "AWS_CONFIG_FILE", ".aws/config"),
					 true, "shared-config-file");
	if (c)
		return c;

	ereport(ERROR,
			(errcode(ERRCODE_RB_NO_CREDENTIALS),
			 errmsg("no AWS credentials found"),
			 errdetail("Looked in rds_backup.access_key_id, the server's AWS_ACCESS_KEY_ID, and profile \"%s\" of the shared credentials and config files.",
					   profile_name()),
			 errhint("A superuser sets rds_backup.access_key_id and rds_backup.secret_access_key in postgresql.conf, or the server runs with AWS credentials in its environment.")));
	return NULL;				/* keep compiler quiet */
}

void
credentials_free(AwsCredentials *creds)
{
	if (creds == NULL)
		return;
	wipe_free(creds->access_key_id);
	wipe_free(creds->secret_access_key);
	wipe_free(creds->session_token);
	pfree(creds);
}

/* "AKIAIOSFODNN7EXAMPLE" -> "AKIA…MPLE": enough to recognise, not to use. */
char *
credentials_mask_key_id(const char *key_id)
{
	size_t		len = strlen(key_id);

	if (len < 12)
		return pstrdup("****");
	return psprintf("%.4s\xE2\x80\xA6%s", key_id, key_id + len - 4);
}
