/*
 * replay_main.c
 *		Runs a fuzz harness over saved inputs without libFuzzer, so that the
 *		ordinary test command (gcc, ASan, UBSan) replays the seeds and every
 *		input that once made a harness fail.
 *
 *	  replay_fuzz_xml DIR|FILE ...
 *
 * Prints "ok - <harness> <file>" per input; an input that trips a check
 * aborts (or a sanitizer stops the program), so the line never comes.
 * Ends with "<harness>: N inputs replayed".
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int			LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#ifndef HARNESS
#define HARNESS "fuzz"
#endif

static int	replayed = 0;

static void
replay_file(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	struct stat st;
	uint8_t    *buf;

	if (f == NULL || fstat(fileno(f), &st) != 0)
	{
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (fread(buf, 1, st.st_size, f) != (size_t) st.st_size)
	{
		fprintf(stderr, "short read of %s\n", path);
		exit(2);
	}
	fclose(f);
	/* an exact-size copy, as libFuzzer passes it */
	LLVMFuzzerTestOneInput(buf, st.st_size);
	free(buf);
	printf("ok - %s %s\n", HARNESS, path);
	fflush(stdout);
	replayed++;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void
replay_path(const char *path)
{
	struct stat st;
	struct dirent **names;
	int			n;
	int			i;

	if (stat(path, &st) != 0)
		return;					/* a harness may have no regressions yet */
	if (!S_ISDIR(st.st_mode))
	{
		replay_file(path);
		return;
	}
	n = scandir(path, &names, NULL, by_name);
	for (i = 0; i < n; i++)
	{
		char		full[4096];

		if (names[i]->d_name[0] != '.')
		{
			snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name);
			replay_path(full);
		}
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	int			i;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++)
		replay_path(argv[i]);
	printf("%s: %d inputs replayed\n", HARNESS, replayed);
	return 0;
}
