/*-------------------------------------------------------------------------
 * privileges.h
 *		Who may act on an operation, and who may do what only an
 *		administrator should: the rds_backup_admin role.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_SQL_PRIVILEGES_H
#define RDS_BACKUP_SQL_PRIVILEGES_H

#include "core/catalog.h"

/* The role CREATE EXTENSION makes; NOLOGIN, granted by administrators. */
#define RDS_BACKUP_ADMIN_ROLE	"rds_backup_admin"

/* Whether the current user has the privileges of rds_backup_admin. */
extern bool priv_is_admin(void);

/*
 * ERROR unless the current user has the privileges of the role that
 * requested op, or of rds_backup_admin (as pg_cancel_backend() with
 * pg_signal_backend).  verb says what is refused: "cancel".
 */
extern void priv_check_operation(const CatalogOp *op, const char *verb);

/* ERROR unless the current user has the privileges of rds_backup_admin. */
extern void priv_check_admin(const char *what, const char *detail);

#endif
