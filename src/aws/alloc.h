/*
 * alloc.h
 *		Allocator hooks for the PostgreSQL-free modules (sigv4, aws_query,
 *		rds_model), and the one growable byte buffer they build strings in.
 *
 * The defaults are malloc/realloc/free and abort() when memory runs out.
 * The extension installs palloc-based hooks, which throw instead of
 * returning NULL: so callers never see NULL, and code must not rely on
 * aws_free() running on an error path (memory contexts reclaim it).
 *
 * PostgreSQL headers must never be included here.
 */
#ifndef AWS_ALLOC_H
#define AWS_ALLOC_H

#include <stddef.h>

/* Install hooks; passing NULL for all three restores the defaults. */
extern void aws_set_allocator(void *(*alloc) (size_t),
							  void *(*realloc_fn) (void *, size_t),
							  void (*free_fn) (void *));

extern void *aws_malloc(size_t size);
extern void *aws_realloc(void *ptr, size_t size);
extern void aws_free(void *ptr);	/* NULL is a no-op */
extern char *aws_strdup(const char *s);
extern char *aws_strndup(const char *s, size_t n);

/*
 * Growable, always NUL-terminated byte buffer.  Growing copies into a new
 * block and wipes the old one, so no stale copy of a secret is left behind
 * in freed memory.
 */
typedef struct AwsBuf
{
	char	   *data;			/* NULL until the first append */
	size_t		len;
	size_t		cap;
} AwsBuf;

#define AWS_BUF_INIT {NULL, 0, 0}

/* Make room for extra more bytes (and the terminator) in one step. */
extern void aws_buf_reserve(AwsBuf *buf, size_t extra);
extern void aws_buf_append(AwsBuf *buf, const void *data, size_t len);
extern void aws_buf_puts(AwsBuf *buf, const char *s);
extern void aws_buf_putc(AwsBuf *buf, char c);
/* Hand the contents over as a NUL-terminated string ("" if empty). */
extern char *aws_buf_release(AwsBuf *buf);
/* Wipe and free the contents. */
extern void aws_buf_free(AwsBuf *buf);

/* Wipe a NUL-terminated string and free it (NULL is a no-op). */
extern void aws_free_secret(char *s);

#endif							/* AWS_ALLOC_H */
