/*-------------------------------------------------------------------------
 * rds-backup-snapshot
 *		A deploy script's pre-migration hook: take a snapshot through
 *		rds_backup and wait for it, so that "set -e" stops the deploy
 *		before migrating when there is no backup.
 *
 *	  rds-backup-snapshot --instance orders-prod --tag release=v42
 *
 * Connects with libpq's conventions (PG* environment variables, or
 * --dbname CONNINFO), calls rds_backup.rds_snapshot() (or
 * rds_cluster_snapshot() with --cluster), waits for it with
 * rds_backup.rds_wait(), and prints the snapshot identifier on stdout and
 * progress on stderr.  Progress comes from a second connection that
 * LISTENs on rds_backup while the first one waits.
 *
 * Exit codes: 0 done; 1 refused (by rds_backup or AWS) or the snapshot
 * failed; 2 usage error; 3 cannot connect to PostgreSQL; 4 timed out (the
 * wait only: the snapshot goes on and rds_backup tracks it).  Every
 * failure prints one line on stderr saying why.
 *
 * Only libpq and libc: it runs wherever psql runs.
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "libpq-fe.h"

#define PROG			"rds-backup-snapshot"

#define EXIT_DONE		0
#define EXIT_FAILED		1
#define EXIT_USAGE		2
#define EXIT_CONNECT	3
#define EXIT_TIMEOUT	4

/* rds_wait() accepts at most 7 days */
#define MAX_TIMEOUT_SECS	(7 * 24 * 3600.0)
/* progress is looked up at least this often while waiting */
#define PROGRESS_POLL_SECS	5

static volatile sig_atomic_t got_signal = 0;

static void die(int code, const char *fmt,...)
			__attribute__((format(printf, 2, 3), noreturn));
static void usage_error(const char *fmt,...)
			__attribute__((format(printf, 1, 2), noreturn));
static void progress(const char *fmt,...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, va_list ap, const char *tail)
			__attribute__((format(printf, 1, 0)));

static void
on_signal(int signo)
{
	got_signal = signo;
}

static void
usage(void)
{
	printf("%s takes a snapshot of an Amazon RDS DB instance or Aurora DB cluster\n"
		   "through rds_backup and waits until it is available.\n\n"
		   "Usage:\n"
		   "  %s --instance NAME | --cluster NAME [OPTION]...\n\n"
		   "Options:\n"
		   "  --instance NAME       DB instance to snapshot (rds_snapshot)\n"
		   "  --cluster NAME        Aurora DB cluster to snapshot (rds_cluster_snapshot)\n"
		   "  --snapshot ID         snapshot identifier (default: NAME and the UTC time)\n"
		   "  --tag KEY=VALUE       tag the snapshot; repeatable\n"
		   "  --timeout DURATION    how long to wait: 90, 90s, 15m, 1h, 1h30m, 1d (default 1h)\n"
		   "  --no-wait             print the identifier once the snapshot is requested\n"
		   "  --region REGION       AWS region (default: rds_backup.region)\n"
		   "  --dbname CONNINFO     database to connect to (default: libpq's PG* variables)\n"
		   "  --help                show this help, then exit\n\n"
		   "Prints the snapshot identifier on stdout, progress on stderr.\n"
		   "Exit status: 0 done; 1 refused or failed; 2 usage error;\n"
		   "3 cannot connect to PostgreSQL; 4 timed out (the snapshot goes on).\n",
		   PROG, PROG);
}

/* "rds-backup-snapshot: <message><tail>" as one line on stderr. */
static void
say(const char *fmt, va_list ap, const char *tail)
{
	fprintf(stderr, "%s: ", PROG);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "%s\n", tail);
	fflush(stderr);
}

/* One line on stderr, then exit. */
static void
die(int code, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	say(fmt, ap, "");
	va_end(ap);
	exit(code);
}

static void
usage_error(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	say(fmt, ap, " (see " PROG " --help)");
	va_end(ap);
	exit(EXIT_USAGE);
}

static void
progress(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	say(fmt, ap, "");
	va_end(ap);
}

/* The first line of a libpq or server message, without its "ERROR:  ". */
static const char *
first_line(const char *msg)
{
	static char buf[1024];
	const char *nl;
	size_t		len;

	if (msg == NULL)
		return "unknown error";
	if (strncmp(msg, "ERROR:  ", 8) == 0)
		msg += 8;
	nl = strchr(msg, '\n');
	len = nl ? (size_t) (nl - msg) : strlen(msg);
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, msg, len);
	buf[len] = '\0';
	return buf;
}

/*
 * A duration: a number of seconds, or numbers with units s, m, h, d
 * ("1h30m").  Returns seconds, or a negative number when malformed.
 */
static double
parse_duration(const char *s)
{
	double		total = 0;
	bool		any = false;

	while (*s)
	{
		char	   *end;
		double		n;

		errno = 0;
		n = strtod(s, &end);
		if (end == s || errno != 0 || n < 0 || !isfinite(n))
			return -1;
		s = end;
		switch (*s)
		{
			case '\0':
				if (any)
					return -1;	/* "1h30": a unit is missing */
				break;
			case 's':
				s++;
				break;
			case 'm':
				n *= 60;
				s++;
				break;
			case 'h':
				n *= 3600;
				s++;
				break;
			case 'd':
				n *= 86400;
				s++;
				break;
			default:
				return -1;
		}
		total += n;
		any = true;
	}
	return any ? total : -1;
}

/*
 * RDS's naming rules: 1 to maxlen letters, digits and hyphens, a letter
 * first, no two hyphens in a row, none last.  Checked here so that a typo
 * is a usage error (2), not a refusal (1).
 */
static bool
valid_identifier(const char *s, size_t maxlen)
{
	size_t		len = strlen(s);
	size_t		i;

	if (len == 0 || len > maxlen || s[len - 1] == '-' ||
		!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (i = 0; i < len; i++)
	{
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			  (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
		if (s[i] == '-' && i > 0 && s[i - 1] == '-')
			return false;
	}
	return true;
}

/* Growing string buffer for the tags' JSON. */
typedef struct Buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Buf;

static void
buf_put(Buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		b->cap = (b->len + n + 1) * 2;
		b->data = realloc(b->data, b->cap);
		if (b->data == NULL)
			die(EXIT_FAILED, "out of memory");
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
buf_json_string(Buf *b, const char *s)
{
	buf_put(b, "\"", 1);
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;
		char		esc[8];

		if (c == '"' || c == '\\')
		{
			esc[0] = '\\';
			esc[1] = (char) c;
			buf_put(b, esc, 2);
		}
		else if (c < 0x20)
		{
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			buf_put(b, esc, 6);
		}
		else
			buf_put(b, (const char *) &c, 1);
	}
	buf_put(b, "\"", 1);
}

typedef struct Tag
{
	char	   *key;
	char	   *value;
} Tag;

typedef struct Options
{
	const char *instance;
	const char *cluster;
	const char *snapshot;
	const char *region;
	const char *dbname;
	Tag		   *tags;
	int			ntags;
	double		timeout_secs;
	bool		wait;
} Options;

static void
parse_options(int argc, char **argv, Options *o)
{
	static const struct option longopts[] = {
		{"instance", required_argument, NULL, 'i'},
		{"cluster", required_argument, NULL, 'c'},
		{"snapshot", required_argument, NULL, 's'},
		{"tag", required_argument, NULL, 't'},
		{"timeout", required_argument, NULL, 'T'},
		{"no-wait", no_argument, NULL, 'n'},
		{"region", required_argument, NULL, 'r'},
		{"dbname", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	int			c;
	int			i;

	memset(o, 0, sizeof(*o));
	o->timeout_secs = 3600;
	o->wait = true;
	o->tags = calloc(argc, sizeof(Tag));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'i':
				o->instance = optarg;
				break;
			case 'c':
				o->cluster = optarg;
				break;
			case 's':
				o->snapshot = optarg;
				break;
			case 't':
				{
					char	   *eq = strchr(optarg, '=');

					if (eq == NULL || eq == optarg)
						usage_error("--tag wants KEY=VALUE, not \"%s\"", optarg);
					o->tags[o->ntags].key = strndup(optarg, eq - optarg);
					o->tags[o->ntags].value = eq + 1;
					for (i = 0; i < o->ntags; i++)
						if (strcmp(o->tags[i].key, o->tags[o->ntags].key) == 0)
							usage_error("--tag %s is given twice", o->tags[i].key);
					o->ntags++;
					break;
				}
			case 'T':
				o->timeout_secs = parse_duration(optarg);
				if (o->timeout_secs <= 0 || o->timeout_secs > MAX_TIMEOUT_SECS)
					usage_error("--timeout wants a duration from 1s to 7d such as 90s, 15m, 1h30m, not \"%s\"",
								optarg);
				break;
			case 'n':
				o->wait = false;
				break;
			case 'r':
				o->region = optarg;
				break;
			case 'd':
				o->dbname = optarg;
				break;
			case 'h':
				usage();
				exit(EXIT_DONE);
			default:
				if (optopt && strchr("icstTrd", optopt))
					usage_error("option %s needs a value", argv[optind - 1]);
				usage_error("unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument \"%s\"", argv[optind]);
	if (!o->instance == !o->cluster)
		usage_error("give exactly one of --instance NAME and --cluster NAME");
	if (!valid_identifier(o->instance ? o->instance : o->cluster, 63))
		usage_error("\"%s\" is not an RDS identifier (1 to 63 letters, digits and hyphens, a letter first)",
					o->instance ? o->instance : o->cluster);
	if (o->snapshot && !valid_identifier(o->snapshot, 255))
		usage_error("\"%s\" is not a snapshot identifier (1 to 255 letters, digits and hyphens, a letter first)",
					o->snapshot);
	if (o->region && o->region[0] == '\0')
		usage_error("--region must not be empty");
}

static PGconn *
connect_db(const char *dbname)
{
	const char *keywords[] = {"dbname", "fallback_application_name", NULL};
	const char *values[] = {dbname, PROG, NULL};
	PGconn	   *conn = PQconnectdbParams(keywords, values, 1);

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
		die(EXIT_CONNECT, "cannot connect to PostgreSQL: %s",
			first_line(conn ? PQerrorMessage(conn) : "out of memory"));
	return conn;
}

/*
 * Exit for a failed query: the connection's loss is 3 (a server that
 * terminates the session says why first: SQLSTATE class 08, or 57P01..03),
 * anything else 1.
 */
static void
die_query(PGconn *conn, PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(conn) != CONNECTION_OK ||
		(state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)))
		die(EXIT_CONNECT, "lost the connection to PostgreSQL %s: %s", what,
			first_line(res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) :
					   PQerrorMessage(conn)));
	die(EXIT_FAILED, "%s", first_line(res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) :
									  PQerrorMessage(conn)));
}

/* What the progress connection last printed, to print only changes. */
static char last_progress[256];

/*
 * One line when the status changes or progress passes a tenth: a snapshot
 * of many hours stays readable in a deploy log.
 */
static void
show_progress(PGconn *watch, const char *op_id, const char *snapshot)
{
	const char *params[1] = {op_id};
	PGresult   *res;

	res = PQexecParams(watch,
					   "SELECT coalesce(aws_status, status), progress"
					   " FROM rds_backup.operations WHERE id = $1::bigint",
					   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
	{
		const char *state = PQgetvalue(res, 0, 0);
		bool		has_pct = !PQgetisnull(res, 0, 1);
		int			pct = has_pct ? atoi(PQgetvalue(res, 0, 1)) : -1;
		char		key[256];

		snprintf(key, sizeof(key), "%s/%d", state, has_pct ? pct / 10 : -1);
		if (strcmp(key, last_progress) != 0)
		{
			if (has_pct)
				progress("%s: %s, %d%%", snapshot, state, pct);
			else
				progress("%s: %s", snapshot, state);
			snprintf(last_progress, sizeof(last_progress), "%s", key);
		}
	}
	PQclear(res);
}

int
main(int argc, char **argv)
{
	Options		o;
	PGconn	   *conn;
	PGconn	   *watch;
	PGresult   *res;
	Buf			tags = {NULL, 0, 0};
	char		timeout_text[64];
	const char *params[5];
	char	   *op_id;
	char	   *snapshot;
	const char *what;
	int			i;
	time_t		deadline;
	time_t		next_poll = 0;
	PGcancel   *cancel;

	parse_options(argc, argv, &o);
	what = o.instance ? "DB instance" : "DB cluster";
	snprintf(timeout_text, sizeof(timeout_text), "%.3f seconds", o.timeout_secs);
	if (o.ntags > 0)
	{
		buf_put(&tags, "{", 1);
		for (i = 0; i < o.ntags; i++)
		{
			if (i > 0)
				buf_put(&tags, ",", 1);
			buf_json_string(&tags, o.tags[i].key);
			buf_put(&tags, ":", 1);
			buf_json_string(&tags, o.tags[i].value);
		}
		buf_put(&tags, "}", 1);
	}

	conn = connect_db(o.dbname);
	params[0] = o.instance ? o.instance : o.cluster;
	params[1] = o.snapshot;
	params[2] = o.ntags > 0 ? tags.data : NULL;
	params[3] = timeout_text;
	params[4] = o.region;
	res = PQexecParams(conn,
					   o.instance ?
					   "SELECT id, resource, status FROM rds_backup.rds_snapshot($1, $2, $3::jsonb,"
					   " false, $4::interval, $5)" :
					   "SELECT id, resource, status FROM rds_backup.rds_cluster_snapshot($1, $2,"
					   " $3::jsonb, false, $4::interval, $5)",
					   5, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		die_query(conn, res, "while requesting the snapshot");
	op_id = strdup(PQgetvalue(res, 0, 0));
	snapshot = strdup(PQgetvalue(res, 0, 1));
	PQclear(res);
	progress("snapshot %s of %s %s requested (rds_backup operation %s)", snapshot, what,
			 params[0], op_id);

	if (!o.wait)
	{
		printf("%s\n", snapshot);
		return EXIT_DONE;
	}

	/* progress: a second connection listens while the first one waits */
	{
		const char *keywords[] = {"dbname", "fallback_application_name", NULL};
		const char *values[] = {o.dbname, PROG, NULL};

		watch = PQconnectdbParams(keywords, values, 1);
	}
	if (PQstatus(watch) == CONNECTION_OK)
	{
		res = PQexec(watch, "LISTEN rds_backup");
		PQclear(res);
		show_progress(watch, op_id, snapshot);
	}
	else
	{
		PQfinish(watch);
		watch = NULL;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	cancel = PQgetCancel(conn);
	params[0] = op_id;
	params[1] = timeout_text;
	if (!PQsendQueryParams(conn,
						   "SELECT status FROM rds_backup.rds_wait($1::bigint, $2::interval)",
						   2, NULL, params, NULL, NULL, 0))
		die_query(conn, NULL, "while waiting");
	/* rds_wait() ends the wait itself; this only guards against a silent server */
	deadline = time(NULL) + (time_t) ceil(o.timeout_secs) + 60;

	for (;;)
	{
		fd_set		fds;
		struct timeval tv = {1, 0};
		int			fd = PQsocket(conn);
		int			maxfd = fd;
		bool		notified = false;

		if (got_signal)
		{
			char		errbuf[256];

			(void) PQcancel(cancel, errbuf, sizeof(errbuf));
			die(128 + got_signal, "interrupted: snapshot %s goes on, tracked as rds_backup operation %s",
				snapshot, op_id);
		}
		if (time(NULL) > deadline)
			die(EXIT_TIMEOUT, "no answer from PostgreSQL: snapshot %s goes on, tracked as rds_backup operation %s",
				snapshot, op_id);
		FD_ZERO(&fds);
		FD_SET(fd, &fds);
		if (watch)
		{
			FD_SET(PQsocket(watch), &fds);
			if (PQsocket(watch) > maxfd)
				maxfd = PQsocket(watch);
		}
		if (select(maxfd + 1, &fds, NULL, NULL, &tv) < 0 && errno != EINTR)
			die(EXIT_FAILED, "select() failed: %s", strerror(errno));

		if (watch && FD_ISSET(PQsocket(watch), &fds))
		{
			PGnotify   *n;

			if (!PQconsumeInput(watch))
			{
				PQfinish(watch);
				watch = NULL;
			}
			else
				while ((n = PQnotifies(watch)) != NULL)
				{
					notified = true;
					PQfreemem(n);
				}
		}
		if (watch && (notified || time(NULL) >= next_poll))
		{
			show_progress(watch, op_id, snapshot);
			next_poll = time(NULL) + PROGRESS_POLL_SECS;
		}

		if (!PQconsumeInput(conn))
			die(EXIT_CONNECT, "lost the connection to PostgreSQL while waiting: %s; snapshot %s goes on, tracked as rds_backup operation %s",
				first_line(PQerrorMessage(conn)), snapshot, op_id);
		if (PQisBusy(conn))
			continue;

		res = PQgetResult(conn);
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			break;
		{
			const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

			if (state && strcmp(state, "03000") == 0)
				die(EXIT_TIMEOUT, "timed out waiting for snapshot %s: %s; it goes on, tracked as rds_backup operation %s",
					snapshot, first_line(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)),
					op_id);
			if (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0))
				die(EXIT_CONNECT, "lost the connection to PostgreSQL while waiting: %s; snapshot %s goes on, tracked as rds_backup operation %s",
					first_line(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)), snapshot, op_id);
			die_query(conn, res, "while waiting");
		}
	}
	PQclear(res);
	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
	if (watch)
	{
		show_progress(watch, op_id, snapshot);
		PQfinish(watch);
	}
	PQfreeCancel(cancel);
	PQfinish(conn);
	printf("%s\n", snapshot);
	return EXIT_DONE;
}
