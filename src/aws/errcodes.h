/*-------------------------------------------------------------------------
 * errcodes.h
 *		SQLSTATEs of rds_backup's own, for failures on AWS's side that no
 *		standard code describes without looking like something else.
 *
 * Class RB, which neither the SQL standard nor PostgreSQL uses (classes
 * beginning with R are left to implementations).  Classes 08 (connection
 * exception) and 28 (invalid authorization specification) are avoided on
 * purpose: drivers and pools (pgJDBC, HikariCP, PgBouncer clients) take
 * them for a broken database connection or a failed login and throw away
 * a healthy session.  So are 0A000 and 57P01..57P03, which HikariCP also
 * takes for a dead connection.
 *
 * Include postgres.h before this file.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_AWS_ERRCODES_H
#define RDS_BACKUP_AWS_ERRCODES_H

/* AWS could not be reached: DNS, connect, TLS, timeout, reset (after retries) */
#define ERRCODE_RB_AWS_UNREACHABLE			MAKE_SQLSTATE('R','B','0','0','1')

/* a reply rds_backup does not accept: not AWS XML, a redirect, too large */
#define ERRCODE_RB_AWS_BAD_REPLY			MAKE_SQLSTATE('R','B','0','0','2')

/* AWS refused the credentials: signature, unknown key, expired token */
#define ERRCODE_RB_AWS_CREDENTIALS_REFUSED	MAKE_SQLSTATE('R','B','0','0','3')

/* no usable credentials: none found, or malformed ones */
#define ERRCODE_RB_NO_CREDENTIALS			MAKE_SQLSTATE('R','B','0','0','4')

#endif
