/*
 * json.h
 *		A small JSON reader for test_sigv4 only: whole document into a tree,
 *		object members kept in document order (the RDS vectors' parameter
 *		order is the order of the form body).
 */
#ifndef TEST_JSON_H
#define TEST_JSON_H

#include <stdbool.h>

typedef enum JsonType
{
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
} JsonType;

typedef struct JsonValue JsonValue;
struct JsonValue
{
	JsonType	type;
	bool		boolean;
	char	   *text;			/* STRING: decoded UTF-8; NUMBER: as written */
	int			n;				/* ARRAY, OBJECT: number of items */
	JsonValue  *items;
	char	  **keys;			/* OBJECT: keys, parallel to items */
};

/* NULL on error, with *error set to a static message. */
extern JsonValue *json_parse(const char *text, const char **error);
extern void json_free(JsonValue *v);

/* Member of an object, or NULL (also when v is not an object). */
extern const JsonValue *json_get(const JsonValue *v, const char *key);
/* String member, or NULL. */
extern const char *json_get_string(const JsonValue *v, const char *key);

#endif							/* TEST_JSON_H */
