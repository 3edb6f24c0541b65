/*-------------------------------------------------------------------------
 * config.c
 *		The rds_backup.* configuration parameters.
 *
 * Credentials are superuser-only and never displayed: SHOW and pg_settings
 * are refused to other roles (GUC_SUPERUSER_ONLY), the rows are left out of
 * SHOW ALL and pg_settings for everyone (GUC_NO_SHOW_ALL), and the show
 * hook masks the value for whoever asks by name.  They are refused where
 * every role could read them (ALTER ROLE/DATABASE ... SET), and kept out
 * of the server log (redact.c).  That only holds in a
 * session that has loaded the library before anyone asks, which is why
 * README.md requires shared_preload_libraries: a session that has not
 * loaded it holds postgresql.conf's values as plain placeholders.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/guc.h"

#include "aws/config.h"
#include "aws/endpoint.h"
#include "aws/redact.h"

char	   *rb_region = NULL;
char	   *rb_endpoint = NULL;
char	   *rb_access_key_id = NULL;
char	   *rb_secret_access_key = NULL;
char	   *rb_session_token = NULL;
char	   *rb_profile = NULL;
char	   *rb_role_arn = NULL;
char	   *rb_external_id = NULL;
char	   *rb_credentials_file = NULL;
char	   *rb_config_file = NULL;
char	   *rb_ca_file = NULL;
int			rb_connect_timeout_ms = 10000;
int			rb_request_timeout_ms = 60000;
int			rb_max_attempts = 3;
bool		rb_preloaded = false;

#define SECRET_FLAGS	(GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE)

static const char *
show_masked(const char *value)
{
	return (value && value[0]) ? "********" : "";
}

static const char *
show_secret_access_key(void)
{
	return show_masked(rb_secret_access_key);
}

static const char *
show_session_token(void)
{
	return show_masked(rb_session_token);
}

/* The key id names an IAM user; show only enough of it to recognise it. */
static const char *
show_access_key_id(void)
{
	static char buf[32];
	size_t		len;

	if (rb_access_key_id == NULL || rb_access_key_id[0] == '\0')
		return "";
	len = strlen(rb_access_key_id);
	if (len < 12)
		return "********";
	snprintf(buf, sizeof(buf), "%.4s...%s", rb_access_key_id,
			 rb_access_key_id + len - 4);
	return buf;
}

static bool
check_region(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if (!endpoint_region_is_valid(*newval))
	{
		GUC_check_errdetail("A region is written like \"us-east-1\" or \"eu-central-2\".");
		return false;
	}
	return true;
}

/* arn:aws:iam::123456789012:role/NAME (with an optional path) */
static bool
role_arn_is_valid(const char *v)
{
	static const char *const partitions[] = {"aws", "aws-cn", "aws-us-gov", "aws-iso",
	"aws-iso-b", "aws-iso-e", "aws-iso-f", NULL};
	const char *p;
	int			i;

	if (strlen(v) > 2048 || strncmp(v, "arn:", 4) != 0)
		return false;
	p = v + 4;
	for (i = 0; partitions[i]; i++)
	{
		size_t		len = strlen(partitions[i]);

		if (strncmp(p, partitions[i], len) == 0 && strncmp(p + len, ":iam::", 6) == 0)
			break;
	}
	if (partitions[i] == NULL)
		return false;
	p += strlen(partitions[i]) + 6;
	if (strspn(p, "0123456789") != 12 || strncmp(p + 12, ":role/", 6) != 0)
		return false;
	p += 18;
	return *p != '\0' && p[strlen(p) - 1] != '/' &&
		strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-/") == strlen(p);
}

static bool
check_role_arn(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0' || role_arn_is_valid(*newval))
		return true;
	GUC_check_errdetail("An IAM role ARN is written like \"arn:aws:iam::123456789012:role/rds-backup\".");
	return false;
}

/* STS: 2 to 1224 characters of [\w+=,.@:/-] */
static bool
check_external_id(char **newval, void **extra, GucSource source)
{
	const char *v = *newval;

	if (v == NULL || v[0] == '\0')
		return true;
	if (strlen(v) < 2 || strlen(v) > 1224 ||
		strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@:/-") != strlen(v))
	{
		GUC_check_errdetail("An external id is 2 to 1224 letters, digits and characters of +=,.@:/-_.");
		return false;
	}
	return true;
}

static bool
check_endpoint(char **newval, void **extra, GucSource source)
{
	const char *problem;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	problem = endpoint_check_url(*newval);
	if (problem)
	{
		GUC_check_errdetail("%s", problem);
		return false;
	}
	return true;
}

void
config_define_gucs(void)
{
	DefineCustomStringVariable("rds_backup.region",
							   "AWS region of calls that name none.",
							   "Empty: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region.",
							   &rb_region, "", PGC_USERSET, 0,
							   check_region, NULL, NULL);
	DefineCustomStringVariable("rds_backup.endpoint",
							   "Base URL of the RDS API instead of the region's AWS endpoint.",
							   "For VPC endpoints and test emulators; plain http only to loopback addresses.",
							   &rb_endpoint, "", PGC_SUSET, 0,
							   check_endpoint, NULL, NULL);
	DefineCustomStringVariable("rds_backup.access_key_id",
							   "AWS access key id of static credentials.",
							   "Empty: the credential provider chain.",
							   &rb_access_key_id, "", PGC_SUSET, SECRET_FLAGS,
							   redact_check_credential_source, NULL, show_access_key_id);
	DefineCustomStringVariable("rds_backup.secret_access_key",
							   "AWS secret access key of static credentials.",
							   NULL,
							   &rb_secret_access_key, "", PGC_SUSET, SECRET_FLAGS,
							   redact_check_credential_source, NULL, show_secret_access_key);
	DefineCustomStringVariable("rds_backup.session_token",
							   "AWS session token of static temporary credentials.",
							   NULL,
							   &rb_session_token, "", PGC_SUSET, SECRET_FLAGS,
							   redact_check_credential_source, NULL, show_session_token);
	DefineCustomStringVariable("rds_backup.profile",
							   "Profile of the shared AWS credentials and config files.",
							   "Empty: AWS_PROFILE, else \"default\".",
							   &rb_profile, "", PGC_SUSET, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("rds_backup.role_arn",
							   "IAM role that AWS calls assume on top of the base credentials.",
							   "Empty: calls use the base credentials of the provider chain.",
							   &rb_role_arn, "", PGC_SUSET, 0,
							   check_role_arn, NULL, NULL);
	DefineCustomStringVariable("rds_backup.external_id",
							   "External id sent when rds_backup.role_arn is assumed.",
							   NULL,
							   &rb_external_id, "", PGC_SUSET, 0,
							   check_external_id, NULL, NULL);
	DefineCustomStringVariable("rds_backup.credentials_file",
							   "Path of the shared AWS credentials file.",
							   "Empty: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials of the server's user.",
							   &rb_credentials_file, "", PGC_SUSET, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("rds_backup.config_file",
							   "Path of the shared AWS config file.",
							   "Empty: AWS_CONFIG_FILE, else ~/.aws/config of the server's user.",
							   &rb_config_file, "", PGC_SUSET, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("rds_backup.ca_file",
							   "CA bundle that verifies the AWS endpoint's TLS certificate.",
							   "Empty: the system's trust store.",
							   &rb_ca_file, "", PGC_SUSET, 0,
							   NULL, NULL, NULL);
	DefineCustomIntVariable("rds_backup.connect_timeout",
							"Time allowed to connect to AWS, per attempt.",
							NULL,
							&rb_connect_timeout_ms, 10000, 100, 300000,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("rds_backup.request_timeout",
							"Time allowed for one AWS request and its reply, per attempt.",
							NULL,
							&rb_request_timeout_ms, 60000, 100, 3600000,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("rds_backup.max_attempts",
							"Attempts per AWS call, the first included (AWS standard retry mode).",
							NULL,
							&rb_max_attempts, 3, 1, 10,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
}
