/*-------------------------------------------------------------------------
 * config.h
 *		The rds_backup.* configuration parameters.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_CONFIG_H
#define RDS_BACKUP_CONFIG_H

extern char *rb_region;
extern char *rb_endpoint;
extern char *rb_access_key_id;
extern char *rb_secret_access_key;
extern char *rb_session_token;
extern char *rb_profile;
extern char *rb_role_arn;
extern char *rb_external_id;
extern char *rb_credentials_file;
extern char *rb_config_file;
extern char *rb_ca_file;
extern int	rb_connect_timeout_ms;
extern int	rb_request_timeout_ms;
extern int	rb_max_attempts;

/* Largest reply body accepted from AWS; RDS pages are well under 1 MB. */
#define RB_MAX_RESPONSE_BYTES	(16 * 1024 * 1024)

/* Whether the library came in through shared_preload_libraries. */
extern bool rb_preloaded;

extern void config_define_gucs(void);

#endif
