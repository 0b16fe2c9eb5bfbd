/* synthehr — GPL-3.0-or-later.
 * The study directory and study.json (see study.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "synthehr/lock.h"
#include "synthehr/set_switch.h"
#include "synthehr/study.h"
#include "synthehr/util.h"

#define STUDY_FORMAT 1

static int
dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int empty = 1;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			empty = 0;
			break;
		}
	}
	closedir(d);
	return empty;
}

int
study_create(const char *dir, struct study **out, char **cause)
{
	struct study *s;

	if (util_dir_exists(dir) && !dir_is_empty(dir)) {
		char *p = util_path_join(dir, "study.json");
		int exists = util_file_exists(p);

		free(p);
		if (exists)
			return util_fail(cause, "%s: a study already exists here", dir);
		return util_fail(cause, "%s: directory is not empty", dir);
	}
	if (util_mkdir_private(dir, cause) != 0)
		return -1;
	chmod(dir, 0700);
	util_root_add(dir);
	s = xcalloc(1, sizeof *s);
	s->dir = xstrdup(dir);
	s->cfg = json_object();
	json_object_set_new(s->cfg, "synthehr_study", json_integer(STUDY_FORMAT));
	if (study_save(s, cause) != 0) {
		study_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int
study_open(const char *dir, struct study **out, char **cause)
{
	char *p = util_path_join(dir, "study.json");
	struct study *s;
	json_t *j;

	if (!util_dir_exists(dir)) {
		free(p);
		return util_fail(cause, "%s: no such study directory", dir);
	}
	if (!util_file_exists(p)) {
		util_fail(cause, "%s: not a study (no study.json; create one with 'synthehr init')", dir);
		free(p);
		return -1;
	}
	if (js_read_file(p, &j, cause) != 0) {
		free(p);
		return -1;
	}
	free(p);
	if (!json_is_object(j)) {
		json_decref(j);
		return util_fail(cause, "%s/study.json: expected a JSON object at the top level", dir);
	}
	if (json_integer_value(json_object_get(j, "synthehr_study")) != STUDY_FORMAT) {
		json_decref(j);
		return util_fail(cause, "%s/study.json: \"synthehr_study\" must be %d", dir, STUDY_FORMAT);
	}
	s = xcalloc(1, sizeof *s);
	s->dir = xstrdup(dir);
	s->cfg = j;
	util_root_add(dir);
	set_switch_recover_study(dir);   /* a set whose switch a kill interrupted */
	*out = s;
	return 0;
}

void
study_free(struct study *s)
{
	if (s == NULL)
		return;
	json_decref(s->cfg);
	free(s->dir);
	free(s);
}

int
study_save(struct study *s, char **cause)
{
	struct lock_holder h;
	char *p, who[160];
	int rc;

	/* a study another process is writing is read-only here (lock.h) */
	if (lock_probe(s->dir, &h) == 1 && !h.ours) {
		lock_holder_text(&h, who, sizeof who);
		return util_fail(cause, "%s/study.json: not saved: the study is being written by %s",
		    s->dir, who);
	}
	p = util_path_join(s->dir, "study.json");
	rc = js_write_file(p, s->cfg, cause);
	free(p);
	return rc;
}

json_t *
study_section(struct study *s, const char *name)
{
	json_t *o = json_object_get(s->cfg, name);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(s->cfg, name, o);
	}
	return o;
}

char *
study_path(const struct study *s, const char *rel)
{
	return util_path_join(s->dir, rel);
}

int
study_mkdir(const struct study *s, const char *rel, char **cause)
{
	char *p = util_path_join(s->dir, rel);
	int rc = util_mkdir_private(p, cause);

	free(p);
	return rc;
}

int
study_source_key(const struct study *s, char out[65], char **cause)
{
	json_t *src = json_object_get(s->cfg, "source"), *k = json_object();
	const char *path = js_str(src, "path", NULL);
	char *text;
	uint8_t h[32];

	/* The file's SHA-256 as init recorded it; hash the file only when the
	 * study does not record one. */
	if (path != NULL && js_str(src, "sha256", NULL) == NULL) {
		char sha[65], *p = path[0] == '/' ? xstrdup(path) : study_path(s, path);

		if (util_sha256_file(p, sha, cause) != 0) {
			free(p);
			json_decref(k);
			return -1;
		}
		json_object_set_new(k, "file", json_string(sha));
		free(p);
	}
	if (src)
		json_object_set(k, "source", src);
	if (json_object_get(s->cfg, "schema"))
		json_object_set(k, "schema", json_object_get(s->cfg, "schema"));
	text = json_dumps(k, JSON_SORT_KEYS | JSON_COMPACT);
	util_sha256(text, strlen(text), h);
	free(text);
	json_decref(k);
	util_hex(h, 32, out);
	return 0;
}

int
study_sha256(const struct study *s, const char *rel, char out[65], char **cause)
{
	char *p = study_path(s, rel);
	int rc = util_sha256_file(p, out, cause);

	free(p);
	return rc;
}
