/* synthehr — GPL-3.0-or-later.
 * The JSON helpers every module shares (json.h): typed reads with
 * defaults, defaults recorded once, a finite number or null, and atomic
 * files. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/json.h"
#include "synthehr/util.h"

double
js_num(json_t *obj, const char *key, double dflt)
{
	json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

long long
js_int(json_t *obj, const char *key, long long dflt)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	return dflt;
}

const char *
js_str(json_t *obj, const char *key, const char *dflt)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : dflt;
}

int
js_bool(json_t *obj, const char *key, int dflt)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	return dflt;
}

void
js_default_num(json_t *obj, const char *key, double v)
{
	if (json_object_get(obj, key) == NULL)
		json_object_set_new(obj, key, json_real(v));
}

void
js_default_int(json_t *obj, const char *key, long long v)
{
	if (json_object_get(obj, key) == NULL)
		json_object_set_new(obj, key, json_integer(v));
}

void
js_default_str(json_t *obj, const char *key, const char *v)
{
	if (json_object_get(obj, key) == NULL)
		json_object_set_new(obj, key, json_string(v));
}

int
js_write_file(const char *path, json_t *j, char **cause)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	size_t n;
	int rc;

	if (text == NULL)
		return util_fail(cause, "%s: cannot encode JSON", path);
	n = strlen(text);
	text = xrealloc(text, n + 2);
	text[n] = '\n';
	text[n + 1] = '\0';
	rc = util_write_file_atomic(path, text, n + 1, cause);
	free(text);
	return rc;
}

int
js_read_file(const char *path, json_t **out, char **cause)
{
	json_error_t err;
	json_t *j;

	if (!util_file_exists(path))
		return util_fail(cause, "%s: %s", path, strerror(ENOENT));
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (j == NULL && json_error_code(&err) == json_error_out_of_memory)
		return util_fail(cause, "%s: reading it needs more memory than is available (a limit set "
		    "with ulimit -v?)", path);
	if (j == NULL && err.line < 0)   /* not a syntax error: opening or reading the file */
		return util_fail(cause, "%s: cannot read it%s%s", path, err.text[0] ? ": " : "", err.text);
	if (j == NULL)
		return util_fail(cause, "%s:%d:%d: %s", path, err.line, err.column, err.text);
	*out = j;
	return 0;
}

json_t *
js_real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}
