/*-------------------------------------------------------------------------
 * values.h
 *		Checks of values whose format AWS defines (ARNs, S3 bucket names
 *		and prefixes, KMS key ids, backup windows), run before any AWS call.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_VALIDATE_AWS_H
#define RDS_BACKUP_VALIDATE_AWS_H

#include "nodes/pg_list.h"
#include "utils/array.h"

/* Longest export task identifier StartExportTask accepts. */
#define RDS_MAX_EXPORT_ID	60

extern void validate_s3_bucket(const char *argname, const char *bucket);
extern char *validate_s3_prefix(const char *argname, const char *prefix);
extern void validate_iam_role_arn(const char *argname, const char *arn);
extern void validate_kms_key_id(const char *argname, const char *key, const char *region);
extern List *validate_export_only(const char *argname, ArrayType *entries);
extern void validate_backup_window(const char *argname, const char *window);

#endif
