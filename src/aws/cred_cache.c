/*-------------------------------------------------------------------------
 * cred_cache.c
 *		Credentials cached in this process and, for the sources that are
 *		fetched over the network or from a process, in shared memory.
 *
 * Temporary credentials are fetched again CRED_REFRESH_BEFORE their
 * expiry and never used within CRED_NEVER_WITHIN of it.  A refresh that
 * fails while the old ones are still good keeps them (logged) and is
 * retried CRED_RETRY_AFTER later, so that a metadata service that hiccups
 * does not fail every call while valid credentials are at hand.
 *
 * The shared cache makes one fetch serve the whole server: the first
 * process that needs a slot's credentials marks the slot as being fetched
 * and fetches with no lock held; the others sleep on a condition variable
 * until it is done (or use the old credentials while they are still
 * good).  A fetcher that errors out, exits or hangs past the longest time
 * a fetch may take is noticed, and the next process fetches instead.  A
 * failure is kept for FAILURE_TTL, so that forty-eight sessions waiting
 * on a dead metadata service get one answer, not forty-eight timeouts in
 * a row.
 *
 * Shared memory holds secrets: it is readable only by the server's own
 * processes, as postgresql.conf is.  Slots are wiped when reused.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include <openssl/evp.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "aws/config.h"
#include "aws/cred_chain.h"

#define LOCAL_SLOTS			16
#define SHARED_SLOTS		32
#define SHARED_KEY_ID_MAX	128
#define SHARED_SECRET_MAX	128
#define SHARED_TOKEN_MAX	4096
#define SHARED_TEXT_MAX		512
#define FAILURE_TTL			(2 * USECS_PER_SEC)
#define WAIT_STEP_MS		100

typedef struct LocalSlot
{
	bool		used;
	CredCacheKey key;
	AwsCredentials *creds;		/* in local_cxt */
	TimestampTz last_used;
} LocalSlot;

typedef struct SharedSlot
{
	bool		used;
	CredCacheKey key;
	TimestampTz last_used;
	int			fetcher_pid;	/* a fetch is under way; 0: none */
	TimestampTz fetch_started;
	TimestampTz failed_at;		/* the last fetch failed then; 0: it did not */
	char		failure[SHARED_TEXT_MAX];
	bool		valid;			/* the fields below hold credentials */
	TimestampTz expires_at;
	TimestampTz refresh_at;
	char		source[SHARED_TEXT_MAX];
	char		role_arn[SHARED_TEXT_MAX];
	char		access_key_id[SHARED_KEY_ID_MAX];
	char		secret_access_key[SHARED_SECRET_MAX];
	char		session_token[SHARED_TOKEN_MAX];
} SharedSlot;

typedef struct SharedCache
{
	LWLock	   *lock;
	ConditionVariable done;		/* broadcast whenever a fetch ends */
	SharedSlot	slots[SHARED_SLOTS];
} SharedCache;

typedef enum SharedResult
{
	SHARED_HIT,					/* *out has credentials */
	SHARED_CLAIMED,				/* this process fetches for the slot */
	SHARED_FAILED,				/* a fetch just failed: *failure */
	SHARED_NONE					/* no slot free: fetch, unshared */
} SharedResult;

static SharedCache *cache = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;
static bool exit_hook_registered = false;

static MemoryContext local_cxt = NULL;
static LocalSlot local_slots[LOCAL_SLOTS];

/* ---- keys, freshness ---- */

void
cred_cache_key(CredCacheKey *key, const char *kind,...)
{
	StringInfoData buf;
	va_list		ap;
	const char *s;
	unsigned int len = 0;

	initStringInfo(&buf);
	appendStringInfoString(&buf, kind);
	appendStringInfoChar(&buf, '\0');
	va_start(ap, kind);
	/* NULL ends the list; an empty string stands for an unset value */
	while ((s = va_arg(ap, const char *)) != NULL)
	{
		appendStringInfoString(&buf, s);
		appendStringInfoChar(&buf, '\0');
	}
	va_end(ap);
	if (EVP_Digest(buf.data, buf.len, key->hash, &len, EVP_sha256(), NULL) != 1 ||
		len != sizeof(key->hash))
		elog(ERROR, "could not compute a SHA-256 digest");
	/* the buffer may hold a secret (static settings) */
	explicit_bzero(buf.data, buf.len);
	pfree(buf.data);
}

static bool
usable(TimestampTz expires_at, TimestampTz now)
{
	return expires_at == 0 || now < expires_at - CRED_NEVER_WITHIN;
}

static bool
fresh(const AwsCredentials *c, TimestampTz now)
{
	return now < c->refresh_at && usable(c->expires_at, now);
}

/*
 * When freshly fetched credentials are to be fetched again: before they
 * expire, but not more often than every CRED_RETRY_AFTER; credentials
 * that do not expire are looked for again now and then (a
 * credential_process may answer otherwise; the shared files are also
 * checked at every call, see base_credentials()).
 */
void
cred_cache_set_refresh(AwsCredentials *c, TimestampTz now)
{
	if (c->expires_at == 0)
		c->refresh_at = now + CRED_RECHECK_STATIC;
	else
		c->refresh_at = Max(c->expires_at - CRED_REFRESH_BEFORE, now + CRED_RETRY_AFTER);
}

/* ---- this process ---- */

static LocalSlot *
local_find(const CredCacheKey *key)
{
	int			i;

	for (i = 0; i < LOCAL_SLOTS; i++)
		if (local_slots[i].used &&
			memcmp(local_slots[i].key.hash, key->hash, sizeof(key->hash)) == 0)
			return &local_slots[i];
	return NULL;
}

static void
local_store(const CredCacheKey *key, const AwsCredentials *c, TimestampTz now)
{
	LocalSlot  *ls = local_find(key);
	MemoryContext old;
	int			i;

	if (local_cxt == NULL)
		local_cxt = AllocSetContextCreate(TopMemoryContext, "rds_backup credentials",
										  ALLOCSET_SMALL_SIZES);
	if (ls == NULL)
	{
		/* a free slot, else the least recently used */
		ls = &local_slots[0];
		for (i = 0; i < LOCAL_SLOTS; i++)
		{
			if (!local_slots[i].used)
			{
				ls = &local_slots[i];
				break;
			}
			if (local_slots[i].last_used < ls->last_used)
				ls = &local_slots[i];
		}
	}
	if (ls->used)
		credentials_free(ls->creds);
	old = MemoryContextSwitchTo(local_cxt);
	ls->creds = credentials_copy(c);
	MemoryContextSwitchTo(old);
	ls->key = *key;
	ls->used = true;
	ls->last_used = now;
}

/* ---- shared memory ---- */

static void
cache_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(SharedCache)));
	RequestNamedLWLockTranche("rds_backup credentials", 1);
}

static void
cache_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	cache = ShmemInitStruct("rds_backup credentials", sizeof(SharedCache), &found);
	if (!found)
	{
		memset(cache, 0, sizeof(SharedCache));
		cache->lock = &(GetNamedLWLockTranche("rds_backup credentials"))->lock;
		ConditionVariableInit(&cache->done);
	}
	LWLockRelease(AddinShmemInitLock);
}

void
credentials_shmem_register(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = cache_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = cache_shmem_startup;
}

static void
slot_wipe_credentials(SharedSlot *s)
{
	explicit_bzero(s->access_key_id, sizeof(s->access_key_id));
	explicit_bzero(s->secret_access_key, sizeof(s->secret_access_key));
	explicit_bzero(s->session_token, sizeof(s->session_token));
	s->valid = false;
}

/* A process that exits in the middle of a fetch must not leave it claimed. */
static void
release_own_fetches(int code, Datum arg)
{
	int			i;
	bool		any = false;

	if (cache == NULL)
		return;
	LWLockAcquire(cache->lock, LW_EXCLUSIVE);
	for (i = 0; i < SHARED_SLOTS; i++)
		if (cache->slots[i].used && cache->slots[i].fetcher_pid == MyProcPid)
		{
			cache->slots[i].fetcher_pid = 0;
			any = true;
		}
	LWLockRelease(cache->lock);
	if (any)
		ConditionVariableBroadcast(&cache->done);
}

static SharedSlot *
shared_find(const CredCacheKey *key)
{
	int			i;

	for (i = 0; i < SHARED_SLOTS; i++)
		if (cache->slots[i].used &&
			memcmp(cache->slots[i].key.hash, key->hash, sizeof(key->hash)) == 0)
			return &cache->slots[i];
	return NULL;
}

/* A free slot, else the least recently used one nobody is fetching for. */
static SharedSlot *
shared_allocate(const CredCacheKey *key, TimestampTz now)
{
	SharedSlot *victim = NULL;
	int			i;

	for (i = 0; i < SHARED_SLOTS; i++)
	{
		SharedSlot *s = &cache->slots[i];

		if (!s->used)
		{
			victim = s;
			break;
		}
		if (s->fetcher_pid == 0 && (victim == NULL || s->last_used < victim->last_used))
			victim = s;
	}
	if (victim == NULL)
		return NULL;
	slot_wipe_credentials(victim);
	memset(victim, 0, sizeof(SharedSlot));
	victim->used = true;
	victim->key = *key;
	victim->last_used = now;
	return victim;
}

/* Has the fetcher died or hung?  Then someone else may fetch. */
static bool
fetch_abandoned(const SharedSlot *s, TimestampTz now)
{
	int64		limit_ms = (int64) (rb_connect_timeout_ms + rb_request_timeout_ms) *
		Max(rb_max_attempts, 1) + 30000;

	if (now - s->fetch_started > limit_ms * 1000)
		return true;
	return kill(s->fetcher_pid, 0) != 0 && errno == ESRCH;
}

static bool
shared_fresh(const SharedSlot *s, TimestampTz now)
{
	return s->valid && now < s->refresh_at && usable(s->expires_at, now);
}

/*
 * Credentials from a copy of a slot, taken under the lock; built after it
 * is released, since palloc may throw and nothing may throw with the lock
 * held (the tracker has no transaction to release it on error).  The copy
 * is wiped.
 */
static AwsCredentials *
credentials_of_copy(SharedSlot *s)
{
	AwsCredentials *c = palloc0(sizeof(AwsCredentials));

	c->access_key_id = pstrdup(s->access_key_id);
	c->secret_access_key = pstrdup(s->secret_access_key);
	c->session_token = s->session_token[0] ? pstrdup(s->session_token) : NULL;
	c->expires_at = s->expires_at;
	c->refresh_at = s->refresh_at;
	c->source = pstrdup(s->source);
	c->role_arn = s->role_arn[0] ? pstrdup(s->role_arn) : NULL;
	slot_wipe_credentials(s);
	return c;
}

static bool
fits(const char *s, size_t size)
{
	return s == NULL || strlen(s) < size;
}

static void
shared_store(SharedSlot *s, const AwsCredentials *c)
{
	slot_wipe_credentials(s);
	if (!fits(c->access_key_id, sizeof(s->access_key_id)) ||
		!fits(c->secret_access_key, sizeof(s->secret_access_key)) ||
		!fits(c->session_token, sizeof(s->session_token)) ||
		!fits(c->source, sizeof(s->source)) ||
		!fits(c->role_arn, sizeof(s->role_arn)))
		return;					/* too large to share: each process fetches */
	strlcpy(s->access_key_id, c->access_key_id, sizeof(s->access_key_id));
	strlcpy(s->secret_access_key, c->secret_access_key, sizeof(s->secret_access_key));
	strlcpy(s->session_token, c->session_token ? c->session_token : "", sizeof(s->session_token));
	strlcpy(s->source, c->source ? c->source : "", sizeof(s->source));
	strlcpy(s->role_arn, c->role_arn ? c->role_arn : "", sizeof(s->role_arn));
	s->expires_at = c->expires_at;
	s->refresh_at = c->refresh_at;
	s->valid = true;
}

/*
 * Find the key's credentials in shared memory, or wait for the process
 * fetching them, or claim the fetch.
 */
static SharedResult
shared_acquire(const CredCacheKey *key, AwsCredentials **out, int *claimed,
			   char **failure)
{
	bool		sleeping = false;
	SharedResult result;
	SharedSlot	copy;
	bool		use_old = false;

	if (!exit_hook_registered)
	{
		before_shmem_exit(release_own_fetches, (Datum) 0);
		exit_hook_registered = true;
	}

	for (;;)
	{
		TimestampTz now = GetCurrentTimestamp();
		SharedSlot *s;

		LWLockAcquire(cache->lock, LW_EXCLUSIVE);
		s = shared_find(key);
		if (s && shared_fresh(s, now))
		{
			s->last_used = now;
			memcpy(&copy, s, sizeof(SharedSlot));
			result = SHARED_HIT;
			break;
		}
		if (s && s->fetcher_pid != 0 && s->fetcher_pid != MyProcPid &&
			!fetch_abandoned(s, now))
		{
			if (s->valid && usable(s->expires_at, now))
			{
				/* the old ones are good while another process refreshes */
				memcpy(&copy, s, sizeof(SharedSlot));
				use_old = true;
				result = SHARED_HIT;
				break;
			}
			if (!sleeping)
			{
				/* prepared before the lock goes, so no broadcast is missed */
				ConditionVariablePrepareToSleep(&cache->done);
				sleeping = true;
			}
			LWLockRelease(cache->lock);
			(void) ConditionVariableTimedSleep(&cache->done, WAIT_STEP_MS, PG_WAIT_EXTENSION);
			continue;
		}
		if (s && s->failed_at != 0 && now - s->failed_at < FAILURE_TTL)
		{
			memcpy(copy.failure, s->failure, sizeof(copy.failure));
			result = SHARED_FAILED;
			break;
		}
		if (s == NULL)
			s = shared_allocate(key, now);
		if (s == NULL)
		{
			result = SHARED_NONE;
			break;
		}
		s->fetcher_pid = MyProcPid;
		s->fetch_started = now;
		s->last_used = now;
		*claimed = s - cache->slots;
		result = SHARED_CLAIMED;
		break;
	}
	LWLockRelease(cache->lock);
	if (sleeping)
		ConditionVariableCancelSleep();

	if (result == SHARED_HIT)
	{
		*out = credentials_of_copy(&copy);
		if (use_old)
			(*out)->refresh_at = GetCurrentTimestamp();
	}
	else if (result == SHARED_FAILED)
		*failure = pstrdup(copy.failure);
	return result;
}

/*
 * End this process's fetch for slot i: store what it got, or the failure
 * (NULL failure: interrupted, nothing to remember).  On failure, returns
 * the slot's old credentials while they are still good, else NULL.
 */
static AwsCredentials *
shared_release(int i, const CredCacheKey *key, const AwsCredentials *got,
			   const char *failure)
{
	SharedSlot *s = &cache->slots[i];
	TimestampTz now = GetCurrentTimestamp();
	SharedSlot	copy;
	bool		have_fallback = false;

	LWLockAcquire(cache->lock, LW_EXCLUSIVE);
	if (s->used && s->fetcher_pid == MyProcPid &&
		memcmp(s->key.hash, key->hash, sizeof(key->hash)) == 0)
	{
		s->fetcher_pid = 0;
		if (got)
		{
			shared_store(s, got);
			s->failed_at = 0;
		}
		else if (failure)
		{
			s->failed_at = now;
			strlcpy(s->failure, failure, sizeof(s->failure));
			if (s->valid && usable(s->expires_at, now))
			{
				s->refresh_at = now + CRED_RETRY_AFTER;
				memcpy(&copy, s, sizeof(SharedSlot));
				have_fallback = true;
			}
		}
	}
	LWLockRelease(cache->lock);
	ConditionVariableBroadcast(&cache->done);
	return have_fallback ? credentials_of_copy(&copy) : NULL;
}

/* ---- the cache ---- */

AwsCredentials *
cred_cache_get(const CredCacheKey *key, bool shared, CredFetchFn fetch, void *arg,
			   char **why)
{
	TimestampTz now = GetCurrentTimestamp();
	LocalSlot  *ls = local_find(key);
	AwsCredentials *got = NULL;
	AwsCredentials *fallback = NULL;
	char	   *failure = NULL;
	int			claimed = -1;
	bool		ok = false;

	if (ls && fresh(ls->creds, now))
	{
		ls->last_used = now;
		return credentials_copy(ls->creds);
	}

	if (shared && cache != NULL)
	{
		switch (shared_acquire(key, &got, &claimed, &failure))
		{
			case SHARED_HIT:
				local_store(key, got, now);
				return got;
			case SHARED_FAILED:
				break;
			case SHARED_CLAIMED:
			case SHARED_NONE:
				failure = NULL;
				break;
		}
	}

	if (failure == NULL)
	{
		PG_TRY();
		{
			ok = fetch(arg, &got, &failure);
		}
		PG_CATCH();
		{
			if (claimed >= 0)
				(void) shared_release(claimed, key, NULL, NULL);
			PG_RE_THROW();
		}
		PG_END_TRY();

		now = GetCurrentTimestamp();
		if (ok)
			cred_cache_set_refresh(got, now);
		if (claimed >= 0)
			fallback = shared_release(claimed, key, ok ? got : NULL,
									  failure ? failure : "the fetch failed");
		if (ok)
		{
			local_store(key, got, now);
			return got;
		}
	}

	/* no new credentials: keep the old ones while they are good */
	now = GetCurrentTimestamp();
	if (ls && usable(ls->creds->expires_at, now))
	{
		ls->creds->refresh_at = now + CRED_RETRY_AFTER;
		fallback = credentials_copy(ls->creds);
	}
	if (fallback)
	{
		ereport(LOG,
				(errmsg("could not refresh the AWS credentials from %s; using the current ones until they are about to expire",
						fallback->source),
				 errdetail("%s.", failure ? failure : "unknown failure")));
		local_store(key, fallback, now);
		return fallback;
	}
	*why = failure ? failure : pstrdup("the fetch failed");
	return NULL;
}
