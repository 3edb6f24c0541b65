/*
 * pg_shim.h
 *		The few PostgreSQL backend services that src/aws/xml_reply.c,
 *		src/rds/arn.c, values.c, names.c and options.c use, written small
 *		enough to link them into a libFuzzer harness without a server.
 *
 * The modules are compiled unchanged against the server's headers; only
 * what they call out to is replaced:
 *	- palloc and friends allocate with malloc and are all freed by
 *	  shim_reset() (one "memory context" per fuzz input);
 *	- ereport(ERROR) and PG_TRY work as in the backend: errfinish()
 *	  longjmps to PG_exception_stack, and the message is kept for the
 *	  harness (shim_error());
 *	- pg_xml_init() refuses external entities, as the backend's does;
 *	- jsonb containers, numerics and timestamps are the shim's own
 *	  (built by shim_json_parse()), reached through the same functions
 *	  and macros the modules use (JsonbIteratorNext, JB_ROOT_IS_OBJECT,
 *	  numeric_out ...).
 *
 * Include postgres.h before this file.
 */
#ifndef PG_SHIM_H
#define PG_SHIM_H

#include "utils/array.h"
#include "utils/jsonb.h"

/* Free everything palloc'd since the last reset; forget the last error. */
extern void shim_reset(void);

/* Bytes currently palloc'd (to check that pfree'd memory is not counted). */
extern size_t shim_allocated(void);

/* The last ERROR raised: its SQLSTATE (0 when none) and texts. */
typedef struct ShimError
{
	int			sqlerrcode;
	const char *message;
	const char *detail;
	const char *hint;
} ShimError;

extern const ShimError *shim_error(void);

/* "22023" for ERRCODE_INVALID_PARAMETER_VALUE (a static buffer) */
extern const char *shim_sqlstate(int sqlerrcode);

/*
 * Run fn(arg) as if in a backend: returns true when it returned, false when
 * it raised an ERROR (see shim_error()).  Anything lower than ERROR is
 * dropped.
 */
extern bool shim_call(void (*fn) (void *arg), void *arg);

/*
 * Parse JSON text into a Jsonb the modules can read, with jsonb's own
 * rules: object keys sorted (shorter first, then bytewise) and unique (the
 * last one wins), numbers as numeric (plain decimal text, no exponent),
 * nesting at most max_depth.  NULL when the text is not JSON (or nests too
 * deep, or a number is out of numeric's range).
 */
extern Jsonb *shim_json_parse(const char *text, size_t len, int max_depth);

/*
 * Whether a NUL-terminated string is well-formed UTF-8 by its lead and
 * continuation bytes (what the harnesses ask of names, texts and messages).
 */
extern bool shim_valid_utf8(const char *s);

/* A text[] of one dimension for validate_export_only() (NULLs allowed). */
extern ArrayType *shim_text_array(const char *const *elems, const bool *nulls, int n);

#endif
