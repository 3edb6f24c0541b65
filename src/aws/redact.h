/*-------------------------------------------------------------------------
 * redact.h
 *		Keeps the values of the credential settings out of the server log
 *		and out of the catalogs every role can read.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_AWS_REDACT_H
#define RDS_BACKUP_AWS_REDACT_H

#include "utils/guc.h"

/* Install the emit_log_hook; from _PG_init, before any setting is defined. */
extern void redact_install_log_hook(void);

/*
 * Overwrite with '*' every occurrence in text of each of the n secrets
 * (NULL and values shorter than 8 bytes, which no real secret is, skipped).
 */
extern void redact_mask_secrets(char *text, const char *const *secrets, int n);

/* Check hook of the credential settings: refuses catalog-stored values. */
extern bool redact_check_credential_source(char **newval, void **extra,
										   GucSource source);

#endif
