/*-------------------------------------------------------------------------
 * names.h
 *		RDS's naming rules for identifiers, tags and snapshot references.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_RDS_NAMES_H
#define RDS_BACKUP_RDS_NAMES_H

#include "fmgr.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* Longest identifiers RDS accepts. */
#define RDS_MAX_DB_ID			63
#define RDS_MAX_SNAPSHOT_ID		255

typedef struct TagPair
{
	char	   *key;
	char	   *value;
} TagPair;

/* The tags rds_backup adds to everything it creates. */
#define TAG_CREATED_BY	"rds-backup:created-by"
#define TAG_OPERATION	"rds-backup:operation"
/* on copies: the ARN of the snapshot a copy was made from */
#define TAG_SOURCE_ARN	"rds-backup:source-arn"
/* a snapshot that rds_prune_snapshots() never deletes */
#define TAG_KEEP		"rds-backup:keep"
#define RDS_MAX_TAGS	50

extern const char *identifier_problem(const char *value, int maxlen);
extern void validate_identifier(const char *argname, const char *what,
								const char *value, int maxlen);
extern List *validate_tags(const char *argname, Jsonb *tags, int reserved);
extern char *tags_to_json(List *tags);
extern TagPair *tag_pair(const char *key, const char *value);
extern List *tags_with_provenance(List *tags, const char *role, int64 op_id);

#endif
