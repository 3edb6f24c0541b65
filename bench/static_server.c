/*
 * static_server.c
 *		A tiny HTTP/1.1 keep-alive server on loopback that answers every
 *		request with one fixed DescribeDBSnapshots reply, for
 *		bench/call_cost.sh.
 *
 * It checks no signature and keeps no state, so that its own time per
 * request is small and the same for every client measured against it
 * (curl, the extension, the AWS CLI).  The reply has the shape the RDS
 * emulator gives for one page of five snapshots: the same elements in the
 * same order, x-amzn-RequestId and Date headers.
 *
 * Usage: static_server [-p PORT] [-f PORT_FILE]
 *   -p PORT       port on 127.0.0.1; 0 (default) picks a free one
 *   -f PORT_FILE  write the port there once the socket listens
 *
 * "GET /_stats" answers "requests N connections N" (not counted), so that
 * a benchmark can check how many calls a client made and over how many
 * connections.  SIGTERM or SIGINT stops it.
 */
#define _GNU_SOURCE				/* strcasestr */

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#define MAX_CLIENTS		64
#define MAX_REQUEST		(64 * 1024)
#define N_SNAPSHOTS		5
#define REQUEST_ID		"4d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09"

typedef struct Client
{
	int			fd;
	size_t		len;
	char		buf[MAX_REQUEST];
} Client;

static volatile sig_atomic_t stopping = 0;
static Client clients[MAX_CLIENTS];
static char *body;
static size_t body_len;
static unsigned long n_requests;
static unsigned long n_connections;

static void
on_signal(int signo)
{
	(void) signo;
	stopping = 1;
}

static void
die(const char *what)
{
	fprintf(stderr, "static_server: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The fixed reply body: one page of N_SNAPSHOTS manual snapshots */
static void
build_body(void)
{
	size_t		cap = 16384;
	size_t		len = 0;
	int			i;

	body = malloc(cap);
	if (body == NULL)
		die("malloc");
	len += snprintf(body + len, cap - len,
					"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
					"<DescribeDBSnapshotsResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\">"
					"<DescribeDBSnapshotsResult><DBSnapshots>");
	for (i = 1; i <= N_SNAPSHOTS; i++)
		len += snprintf(body + len, cap - len,
						"<DBSnapshot>"
						"<DBSnapshotIdentifier>bench-snap-%d</DBSnapshotIdentifier>"
						"<DBInstanceIdentifier>bench-db</DBInstanceIdentifier>"
						"<SnapshotCreateTime>2026-11-29T%02d:45:25.920Z</SnapshotCreateTime>"
						"<Engine>postgres</Engine><AllocatedStorage>20</AllocatedStorage>"
						"<Status>available</Status><Port>5432</Port>"
						"<AvailabilityZone>us-east-1a</AvailabilityZone>"
						"<VpcId>vpc-0emulator0000001</VpcId>"
						"<InstanceCreateTime>2026-10-30T19:45:25.707Z</InstanceCreateTime>"
						"<MasterUsername>postgres</MasterUsername><EngineVersion>15.4</EngineVersion>"
						"<LicenseModel>postgresql-license</LicenseModel>"
						"<SnapshotType>manual</SnapshotType><PercentProgress>100</PercentProgress>"
						"<StorageType>gp3</StorageType><Encrypted>false</Encrypted>"
						"<DBSnapshotArn>arn:aws:rds:us-east-1:123456789012:snapshot:bench-snap-%d</DBSnapshotArn>"
						"<IAMDatabaseAuthenticationEnabled>false</IAMDatabaseAuthenticationEnabled>"
						"<ProcessorFeatures></ProcessorFeatures>"
						"<DbiResourceId>db-HJ83H1N3DI8O3MLZ4PBJ9LOGMA</DbiResourceId>"
						"<TagList></TagList>"
						"<OriginalSnapshotCreateTime>2026-11-29T%02d:45:25.920Z</OriginalSnapshotCreateTime>"
						"<SnapshotTarget>region</SnapshotTarget>"
						"</DBSnapshot>",
						i, 13 + i, i, 13 + i);
	len += snprintf(body + len, cap - len,
					"</DBSnapshots></DescribeDBSnapshotsResult>"
					"<ResponseMetadata><RequestId>" REQUEST_ID "</RequestId></ResponseMetadata>"
					"</DescribeDBSnapshotsResponse>\n");
	if (len >= cap)
	{
		errno = ENOBUFS;
		die("reply body");
	}
	body_len = len;
}

static bool
send_all(int fd, const char *p, size_t n)
{
	while (n > 0)
	{
		ssize_t		w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t) w;
	}
	return true;
}

/* The Date header's value, recomputed once a second */
static const char *
http_date(void)
{
	static time_t last;
	static char text[64];
	time_t		now = time(NULL);

	if (now != last)
	{
		struct tm	tm;

		gmtime_r(&now, &tm);
		strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		last = now;
	}
	return text;
}

static bool
reply(int fd, bool stats)
{
	static char out[32768];
	char		head[512];
	char		extra[128];
	const char *b = body;
	size_t		blen = body_len;
	int			n;

	if (stats)
	{
		blen = (size_t) snprintf(extra, sizeof(extra), "requests %lu connections %lu\n",
								 n_requests, n_connections);
		b = extra;
	}
	n = snprintf(head, sizeof(head),
				 "HTTP/1.1 200 OK\r\n"
				 "Content-Type: %s\r\n"
				 "x-amzn-RequestId: " REQUEST_ID "\r\n"
				 "Date: %s\r\n"
				 "Content-Length: %zu\r\n"
				 "\r\n",
				 stats ? "text/plain" : "text/xml", http_date(), blen);
	/* one write for head and body: no delayed-ACK stall between them */
	if ((size_t) n + blen <= sizeof(out))
	{
		memcpy(out, head, (size_t) n);
		memcpy(out + n, b, blen);
		return send_all(fd, out, (size_t) n + blen);
	}
	return send_all(fd, head, (size_t) n) && send_all(fd, b, blen);
}

/* Content-Length of a request head (NUL-terminated), 0 if none */
static long
content_length(const char *head)
{
	const char *p = head;

	while ((p = strchr(p, '\n')) != NULL)
	{
		p++;
		if (strncasecmp(p, "Content-Length:", 15) == 0)
			return strtol(p + 15, NULL, 10);
	}
	return 0;
}

/*
 * Answer every complete request in c's buffer; false when the connection
 * is to be closed.
 */
static bool
serve(Client *c)
{
	for (;;)
	{
		char	   *end;
		size_t		head_len;
		long		clen;
		size_t		total;
		bool		stats;
		bool		close_after;

		c->buf[c->len] = '\0';
		end = strstr(c->buf, "\r\n\r\n");
		if (end == NULL)
			return c->len < MAX_REQUEST - 1;
		head_len = (size_t) (end - c->buf) + 4;
		*end = '\0';
		clen = content_length(c->buf);
		if (clen < 0 || (size_t) clen > MAX_REQUEST - 1 - head_len)
			return false;
		total = head_len + (size_t) clen;
		if (c->len < total)
		{
			*end = '\r';		/* not all of the body yet */
			return true;
		}
		stats = strncmp(c->buf, "GET /_stats ", 12) == 0;
		close_after = strcasestr(c->buf, "\nConnection: close") != NULL;
		if (!stats)
			n_requests++;
		if (!reply(c->fd, stats) || close_after)
			return false;
		memmove(c->buf, c->buf + total, c->len - total);
		c->len -= total;
	}
}

int
main(int argc, char **argv)
{
	int			port = 0;
	const char *port_file = NULL;
	int			lfd;
	int			one = 1;
	struct sockaddr_in addr;
	socklen_t	alen = sizeof(addr);
	struct sigaction sa;
	int			opt;
	int			i;

	while ((opt = getopt(argc, argv, "p:f:")) != -1)
	{
		if (opt == 'p')
			port = atoi(optarg);
		else if (opt == 'f')
			port_file = optarg;
		else
		{
			fprintf(stderr, "usage: static_server [-p PORT] [-f PORT_FILE]\n");
			return 2;
		}
	}

	build_body();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((unsigned short) port);
	if (bind(lfd, (struct sockaddr *) &addr, sizeof(addr)) != 0)
		die("bind");
	if (listen(lfd, 16) != 0)
		die("listen");
	if (getsockname(lfd, (struct sockaddr *) &addr, &alen) != 0)
		die("getsockname");

	if (port_file)
	{
		char		tmp[4096];
		FILE	   *f;

		/* written whole, then renamed: readers never see half a number */
		snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
		if ((f = fopen(tmp, "w")) == NULL)
			die(tmp);
		fprintf(f, "%d\n", ntohs(addr.sin_port));
		if (fclose(f) != 0 || rename(tmp, port_file) != 0)
			die(port_file);
	}
	else
		printf("%d\n", ntohs(addr.sin_port));
	fflush(stdout);

	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;

	while (!stopping)
	{
		struct pollfd pfd[MAX_CLIENTS + 1];
		int			map[MAX_CLIENTS + 1];
		int			n = 0;
		int			r;

		pfd[n].fd = lfd;
		pfd[n].events = POLLIN;
		map[n++] = -1;
		for (i = 0; i < MAX_CLIENTS; i++)
			if (clients[i].fd >= 0)
			{
				pfd[n].fd = clients[i].fd;
				pfd[n].events = POLLIN;
				map[n++] = i;
			}
		r = poll(pfd, n, 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("poll");

		for (i = 1; i < n; i++)
		{
			Client	   *c = &clients[map[i]];
			ssize_t		got;

			if (pfd[i].revents == 0)
				continue;
			got = recv(c->fd, c->buf + c->len, MAX_REQUEST - 1 - c->len, 0);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0 || (c->len += (size_t) got, !serve(c)))
			{
				close(c->fd);
				c->fd = -1;
				c->len = 0;
			}
		}
		if (pfd[0].revents & POLLIN)
		{
			int			fd = accept(lfd, NULL, NULL);

			if (fd < 0)
				continue;
			for (i = 0; i < MAX_CLIENTS && clients[i].fd >= 0; i++)
				;
			if (i == MAX_CLIENTS)
			{
				close(fd);
				continue;
			}
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			clients[i].fd = fd;
			clients[i].len = 0;
			n_connections++;
		}
	}
	return 0;
}
