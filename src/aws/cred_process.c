/*-------------------------------------------------------------------------
 * cred_process.c
 *		credential_process: a command of the profile that prints
 *		credentials as JSON ({"Version": 1, "AccessKeyId", "SecretAccessKey",
 *		"SessionToken", "Expiration"}).
 *
 * The command runs through /bin/sh -c, as the Go and Java SDKs run it,
 * with the server's environment, its stderr going to the server's log.
 * Its output is read in 100 ms polls so that a query cancel or
 * rds_backup.request_timeout kills a command that hangs; output over
 * MAX_OUTPUT is refused.  What it prints is shared between processes:
 * one run serves the server until the credentials are due for refresh
 * (every five minutes when they do not expire).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "miscadmin.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "utils/wait_event.h"

#include "aws/config.h"
#include "aws/cred_chain.h"
#include "aws/http.h"

#define MAX_OUTPUT		(64 * 1024)
#define POLL_MS			100

typedef struct ProcessRun
{
	const char *command;
	const char *source;
} ProcessRun;

/*
 * In the child, between fork() and exec(): only async-signal-safe calls.
 * PostgreSQL ignores SIGPIPE and blocks signals at times; the command
 * gets the defaults, and none of the server's other descriptors.
 */
static void
exec_child(const char *command, int out_fd)
{
	sigset_t	none;
	int			fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(127);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != STDIN_FILENO)
	{
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	for (fd = 3; fd < 4096; fd++)
		close(fd);
	execl("/bin/sh", "sh", "-c", command, (char *) NULL);
	_exit(127);
}

/*
 * Run the command; its stdout, or NULL with *why.  Raises nothing for
 * what the command does; a cancel kills it and is then served.
 */
static char *
run_command(const char *command, char **why)
{
	int			pipefd[2];
	pid_t		pid;
	char	   *buf = palloc(MAX_OUTPUT + 1);
	size_t		len = 0;
	bool		too_long = false;
	bool		timed_out = false;
	bool		interrupted = false;
	int			status = 0;
	instr_time	start,
				now;

	if (pipe(pipefd) != 0)
	{
		*why = psprintf("could not create a pipe: %m");
		return NULL;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
	{
		*why = psprintf("could not fork: %m");
		close(pipefd[0]);
		close(pipefd[1]);
		return NULL;
	}
	if (pid == 0)
		exec_child(command, pipefd[1]);
	close(pipefd[1]);

	INSTR_TIME_SET_CURRENT(start);
	pgstat_report_wait_start(PG_WAIT_EXTENSION);
	for (;;)
	{
		struct pollfd pfd;
		int			rc;
		ssize_t		n;

		if (http_abort_requested())
		{
			interrupted = true;
			break;
		}
		INSTR_TIME_SET_CURRENT(now);
		INSTR_TIME_SUBTRACT(now, start);
		if (INSTR_TIME_GET_MILLISEC(now) > rb_request_timeout_ms)
		{
			timed_out = true;
			break;
		}
		pfd.fd = pipefd[0];
		pfd.events = POLLIN;
		pfd.revents = 0;
		rc = poll(&pfd, 1, POLL_MS);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0)
			continue;
		if (len >= MAX_OUTPUT)
		{
			too_long = true;
			break;
		}
		n = read(pipefd[0], buf + len, MAX_OUTPUT - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;				/* end of output */
		len += n;
	}
	close(pipefd[0]);

	/*
	 * The output is complete; the command may still linger (it closed its
	 * stdout early, say).  It gets what is left of the timeout.
	 */
	while (!(interrupted || timed_out || too_long))
	{
		pid_t		r = waitpid(pid, &status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			break;
		if (http_abort_requested())
			interrupted = true;
		INSTR_TIME_SET_CURRENT(now);
		INSTR_TIME_SUBTRACT(now, start);
		if (INSTR_TIME_GET_MILLISEC(now) > rb_request_timeout_ms)
			timed_out = true;
		if (!(interrupted || timed_out))
			pg_usleep(10000L);
	}
	if (interrupted || timed_out || too_long)
	{
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	pgstat_report_wait_end();
	buf[len] = '\0';
	if (interrupted)
	{
		explicit_bzero(buf, len);
		CHECK_FOR_INTERRUPTS();
	}

	if (interrupted || timed_out || too_long)
		*why = interrupted ? pstrdup("interrupted by query cancel or shutdown") :
			timed_out ? psprintf("did not finish within rds_backup.request_timeout (%d ms)",
								 rb_request_timeout_ms) :
			psprintf("printed more than %d bytes", MAX_OUTPUT);
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		*why = psprintf("exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		*why = psprintf("was killed by signal %d", WTERMSIG(status));
	else
		return buf;
	explicit_bzero(buf, len);
	pfree(buf);
	return NULL;
}

static bool
process_fetch(void *arg, AwsCredentials **out, char **why)
{
	ProcessRun *run = arg;
	char	   *text = run_command(run->command, why);
	FlatJson   *j;
	const char *version;
	bool		ok;

	if (text == NULL)
		return false;
	j = flat_json_parse(text, strlen(text));
	explicit_bzero(text, strlen(text));
	pfree(text);
	if (j == NULL)
	{
		*why = pstrdup("its output is not a JSON object");
		return false;
	}
	version = flat_json_get(j, "Version");
	if (version == NULL || strcmp(version, "1") != 0)
	{
		flat_json_free(j);
		*why = pstrdup("its output lacks \"Version\": 1");
		return false;
	}
	ok = cred_from_json(j, "SessionToken", run->source, out, why);
	flat_json_free(j);
	return ok;
}

bool
cred_process_fetch(const char *command, const char *source, AwsCredentials **out,
				   char **why)
{
	ProcessRun	run;
	CredCacheKey key;

	run.command = command;
	run.source = source;
	cred_cache_key(&key, "process", command, NULL);
	*out = cred_cache_get(&key, true, process_fetch, &run, why);
	return *out != NULL;
}
