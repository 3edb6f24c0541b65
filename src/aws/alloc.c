/*
 * alloc.c
 *		Allocator hooks and the growable buffer (see aws_alloc.h).
 */
#include "aws/alloc.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

static void *(*hook_alloc) (size_t) = NULL;
static void *(*hook_realloc) (void *, size_t) = NULL;
static void (*hook_free) (void *) = NULL;

void
aws_set_allocator(void *(*alloc) (size_t),
				  void *(*realloc_fn) (void *, size_t),
				  void (*free_fn) (void *))
{
	hook_alloc = alloc;
	hook_realloc = realloc_fn;
	hook_free = free_fn;
}

void *
aws_malloc(size_t size)
{
	void	   *p;

	/* malloc(0) may return NULL, and palloc(0) is fine but pointless */
	if (size == 0)
		size = 1;
	p = hook_alloc ? hook_alloc(size) : malloc(size);
	if (p == NULL)
		abort();
	return p;
}

void *
aws_realloc(void *ptr, size_t size)
{
	void	   *p;

	/* repalloc() does not accept NULL, so route that case to malloc */
	if (ptr == NULL)
		return aws_malloc(size);
	if (size == 0)
		size = 1;
	p = hook_realloc ? hook_realloc(ptr, size) : realloc(ptr, size);
	if (p == NULL)
		abort();
	return p;
}

void
aws_free(void *ptr)
{
	/* pfree() does not accept NULL */
	if (ptr == NULL)
		return;
	if (hook_free)
		hook_free(ptr);
	else
		free(ptr);
}

char *
aws_strndup(const char *s, size_t n)
{
	char	   *p = aws_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
aws_strdup(const char *s)
{
	return aws_strndup(s, strlen(s));
}

void
aws_free_secret(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	aws_free(s);
}

void
aws_buf_reserve(AwsBuf *buf, size_t extra)
{
	size_t		need = buf->len + extra + 1;
	size_t		cap;
	char	   *p;

	if (need <= buf->cap)
		return;
	cap = buf->cap ? buf->cap : 64;
	while (cap < need)
		cap *= 2;
	p = aws_malloc(cap);
	if (buf->data)
	{
		memcpy(p, buf->data, buf->len + 1);
		OPENSSL_cleanse(buf->data, buf->cap);
		aws_free(buf->data);
	}
	else
		p[0] = '\0';
	buf->data = p;
	buf->cap = cap;
}

void
aws_buf_append(AwsBuf *buf, const void *data, size_t len)
{
	aws_buf_reserve(buf, len);
	if (len > 0)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
}

void
aws_buf_puts(AwsBuf *buf, const char *s)
{
	aws_buf_append(buf, s, strlen(s));
}

void
aws_buf_putc(AwsBuf *buf, char c)
{
	aws_buf_append(buf, &c, 1);
}

char *
aws_buf_release(AwsBuf *buf)
{
	char	   *s;

	aws_buf_reserve(buf, 0);
	s = buf->data;
	buf->data = NULL;
	buf->len = buf->cap = 0;
	return s;
}

void
aws_buf_free(AwsBuf *buf)
{
	if (buf->data)
	{
		OPENSSL_cleanse(buf->data, buf->cap);
		aws_free(buf->data);
	}
	buf->data = NULL;
	buf->len = buf->cap = 0;
}
