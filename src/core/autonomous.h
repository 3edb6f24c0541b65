/*-------------------------------------------------------------------------
 * autonomous.h
 *		Run one SQL statement in a transaction of its own.
 *
 * AWS cannot roll back, so the catalog rows that record AWS calls must not
 * roll back with the caller's transaction either.  catalog.c is the only
 * user.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_AUTONOMOUS_H
#define RDS_BACKUP_AUTONOMOUS_H

/*
 * Execute sql with nargs text parameters ($1..$n, NULL elements are SQL
 * NULLs) in a separate transaction that is committed before this returns,
 * as the bootstrap superuser in the current database.  Returns the first
 * column of the first row as text, or NULL.  Query cancel and
 * statement_timeout are held off while it runs, so that a cancel cannot
 * separate a committed row from the caller's knowledge of it; they are
 * processed at the caller's next CHECK_FOR_INTERRUPTS().
 */
extern char *autonomous_exec(const char *sql, int nargs, const char *const *args);

#endif
