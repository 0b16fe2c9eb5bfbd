/* synthehr — GPL-3.0-or-later.
 * JSON helpers (json.c), shared by every module that reads or writes
 * study files. */
#ifndef SYNTHEHR_JSON_H
#define SYNTHEHR_JSON_H

#include <jansson.h>

/* Settings access with defaults; a key present with the wrong type is an
 * error reported through *cause by the _chk variants. */
double js_num(json_t *obj, const char *key, double dflt);
long long js_int(json_t *obj, const char *key, long long dflt);
const char *js_str(json_t *obj, const char *key, const char *dflt);
int js_bool(json_t *obj, const char *key, int dflt);
/* Set only if absent (to record defaults). */
void js_default_num(json_t *obj, const char *key, double v);
void js_default_int(json_t *obj, const char *key, long long v);
void js_default_str(json_t *obj, const char *key, const char *v);
/* Write any JSON value atomically with 0600 (indent 2, keys in order). */
int js_write_file(const char *path, json_t *j, char **cause);
int js_read_file(const char *path, json_t **out, char **cause);
/* A number, or null when it is not finite (NaN, ±inf have no JSON). */
json_t *js_real_or_null(double v);

#endif
