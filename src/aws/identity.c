/*-------------------------------------------------------------------------
 * identity.c
 *		Who AWS calls act as: the current identity, its account, whoami.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "aws/client.h"
#include "aws/config.h"
#include "aws/cred_chain.h"
#include "aws/errcodes.h"
#include "aws/identity.h"

#define ACCOUNT_CACHE	16

typedef struct AccountEntry
{
	char		key_id[128];
	char		account[16];
	char		arn[512];
} AccountEntry;

static AccountEntry accounts[ACCOUNT_CACHE];
static int	accounts_next = 0;

void
aws_identity_current(AwsIdentity *out)
{
	out->role_arn = pstrdup(rb_role_arn ? rb_role_arn : "");
	out->external_id = pstrdup((rb_role_arn && rb_role_arn[0] && rb_external_id) ?
							   rb_external_id : "");
}

/* arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE -> field n (0-based) */
static char *
arn_field(const char *arn, int n)
{
	const char *p = arn;
	int			i;

	if (arn == NULL || strncmp(arn, "arn:", 4) != 0)
		return NULL;
	for (i = 0; i < n; i++)
	{
		p = strchr(p, ':');
		if (p == NULL)
			return NULL;
		p++;
	}
	return pnstrdup(p, strcspn(p, ":"));
}

/* arn:aws:sts::123:assumed-role/NAME/SESSION -> arn:aws:iam::123:role/NAME */
static char *
role_of_assumed_arn(const char *arn)
{
	char	   *partition = arn_field(arn, 1);
	char	   *account = arn_field(arn, 4);
	const char *res = strstr(arn, ":assumed-role/");

	if (partition == NULL || account == NULL || res == NULL)
		return NULL;
	res += strlen(":assumed-role/");
	return psprintf("arn:%s:iam::%s:role/%.*s", partition, account,
					(int) strcspn(res, "/"), res);
}

static AccountEntry *
account_lookup(const char *key_id)
{
	int			i;

	for (i = 0; i < ACCOUNT_CACHE; i++)
		if (accounts[i].key_id[0] && strcmp(accounts[i].key_id, key_id) == 0)
			return &accounts[i];
	return NULL;
}

/* STS GetCallerIdentity as identity: fills the cache entry of key_id. */
static AccountEntry *
caller_identity(const AwsIdentity *identity, const char *region, const char *key_id,
				List **audit)
{
	AwsRequest *req = aws_request_new("sts", "GetCallerIdentity", region, NULL);
	AwsReply	reply;
	const char *account;
	const char *arn;
	AccountEntry *e;

	if (identity)
		req->identity = *identity;
	aws_call(req, &reply);
	if (reply.outcome != AWS_OK)
	{
		/* the failed attempts are audited with the next call */
		cred_keep_audit(reply.audit);
		aws_raise(req, &reply, NULL);
	}
	*audit = list_concat(*audit, reply.audit);
	account = xnode_text(reply.result, "Account");
	arn = xnode_text(reply.result, "Arn");
	if (account == NULL || strlen(account) != 12 || strspn(account, "0123456789") != 12)
		ereport(ERROR,
				(errcode(ERRCODE_RB_AWS_BAD_REPLY),
				 errmsg("STS GetCallerIdentity answered without an account id")));
	e = &accounts[accounts_next];
	accounts_next = (accounts_next + 1) % ACCOUNT_CACHE;
	memset(e, 0, sizeof(AccountEntry));
	strlcpy(e->key_id, key_id, sizeof(e->key_id));
	strlcpy(e->account, account, sizeof(e->account));
	if (arn)
		strlcpy(e->arn, arn, sizeof(e->arn));
	return e;
}

char *
aws_identity_account(const AwsIdentity *identity, const char *region, List **audit)
{
	AwsCredentials *creds = credentials_get(identity, region);
	char	   *account = NULL;
	AccountEntry *e;

	*audit = list_concat(*audit, credentials_take_audit());
	if (creds->role_arn)
		account = arn_field(creds->role_arn, 4);
	if (account == NULL || account[0] == '\0')
	{
		if ((e = account_lookup(creds->access_key_id)) == NULL)
			e = caller_identity(identity, region, creds->access_key_id, audit);
		account = pstrdup(e->account);
	}
	credentials_free(creds);
	return account;
}

AwsWhoami *
aws_whoami(const AwsIdentity *identity, const char *region, List **audit)
{
	AwsCredentials *creds = credentials_get(identity, region);
	AwsWhoami  *w = palloc0(sizeof(AwsWhoami));
	AccountEntry *e;

	*audit = list_concat(*audit, credentials_take_audit());
	w->source = pstrdup(creds->source);
	w->access_key_id = credentials_mask_key_id(creds->access_key_id);
	w->expires_at = creds->expires_at;
	if (creds->role_arn)
	{
		w->role_arn = pstrdup(creds->role_arn);
		w->account_id = arn_field(creds->role_arn, 4);
	}
	else if (creds->session_token)
	{
		/* temporary credentials of a role the source did not name */
		if ((e = account_lookup(creds->access_key_id)) == NULL)
			e = caller_identity(identity, region, creds->access_key_id, audit);
		w->account_id = pstrdup(e->account);
		w->role_arn = role_of_assumed_arn(e->arn);
	}
	else if ((e = account_lookup(creds->access_key_id)) != NULL)
		w->account_id = pstrdup(e->account);
	credentials_free(creds);
	return w;
}
