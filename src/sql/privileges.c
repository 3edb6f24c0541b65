/*-------------------------------------------------------------------------
 * privileges.c
 *		Who may act on an operation, and who may do what only an
 *		administrator should: the rds_backup_admin role.
 *
 * EXECUTE on a function lets a role use the server's AWS identity; these
 * checks keep it from acting on other roles' work.  Membership is tested
 * with has_privs_of_role(), as pg_cancel_backend() does: a member that
 * does not inherit the role's privileges must SET ROLE first.  Operations
 * record the requesting role by name, so a role renamed since loses its
 * own operations to its members and to administrators only.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/acl.h"

#include "sql/privileges.h"

bool
priv_is_admin(void)
{
	Oid			admin = get_role_oid(RDS_BACKUP_ADMIN_ROLE, true);

	/* a superuser has the privileges of every role, a dropped one too */
	if (superuser())
		return true;
	return OidIsValid(admin) && has_privs_of_role(GetUserId(), admin);
}

void
priv_check_operation(const CatalogOp *op, const char *verb)
{
	Oid			owner = op->requested_by ? get_role_oid(op->requested_by, true) : InvalidOid;

	if (OidIsValid(owner) && has_privs_of_role(GetUserId(), owner))
		return;
	if (priv_is_admin())
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to %s operation " INT64_FORMAT, verb, op->id),
			 errdetail("Only roles with privileges of the role that requested it (%s) or of the \"%s\" role may %s it.",
					   op->requested_by ? op->requested_by : "unknown",
					   RDS_BACKUP_ADMIN_ROLE, verb)));
}

void
priv_check_admin(const char *what, const char *detail)
{
	if (priv_is_admin())
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to %s", what),
			 errdetail("Only roles with privileges of the \"%s\" role may %s.%s%s",
					   RDS_BACKUP_ADMIN_ROLE, what, detail ? " " : "", detail ? detail : "")));
}
