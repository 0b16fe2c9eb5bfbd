/* synthehr — GPL-3.0-or-later.
 * Creating a study from a cohort file or the built-in demo, and re-reading
 * its cohort with the stored schema (see study.h).
 *
 * study.json after init:
 *   "source": { "path", "sha256", "size", "rows", "cols", "sidecar"?, "demo"? }
 *   "schema": { "roles": { COLUMN: ROLE, ... every column },
 *               "sex_female"?: LEVEL, "columns": [ { "name", "role", "kind",
 *               "missing", "levels"? | "nlevels"? }, ... ] }
 *   "prep":   the sidecar's "prep" (outlier rules), if any.
 * "roles" is what study_load_cohort() applies (the TUI edits it);
 * "columns" records what init saw, for 'synthehr info' and level order.
 * A demo study keeps its cohort inside: "path" is "source/demo.csv.gz",
 * relative to the study, so the directory can be moved. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "synthehr/cohort.h"
#include "synthehr/csvio.h"
#include "synthehr/demo.h"
#include "synthehr/study.h"
#include "synthehr/util.h"

#define DEMO_REL "source/demo.csv.gz"
#define LEVELS_LISTED 100     /* more levels than this are counted, not listed */

/* Overrides under construction: later entries win; one label, one sex. */
struct ov_list {
	struct csv_override *v;
	int n, cap;
};

static void
ov_set(struct ov_list *l, const char *name, int role)
{
	int i, w;

	/* a new label or sex column replaces an earlier one */
	if (role == ROLE_LABEL || role == ROLE_SEX) {
		for (i = w = 0; i < l->n; i++)
			if (l->v[i].role != role || strcmp(l->v[i].name, name) == 0)
				l->v[w++] = l->v[i];
		l->n = w;
	}
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0) {
			l->v[i].role = role;
			return;
		}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n].name = name;
	l->v[l->n].role = role;
	l->n++;
}

static int
ov_has(const struct ov_list *l, const char *name)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return 1;
	return 0;
}

/* Does a role fit a column's storage kind? */
static int
role_fits(int role, enum col_kind k)
{
	switch (role) {
	case ROLE_LABEL:
	case ROLE_SEX:
	case ROLE_BINARY:
	case ROLE_CONCEPT:
		return k == KIND_BINARY;
	case ROLE_CONTINUOUS:
		return k == KIND_NUMERIC;
	case ROLE_CATEGORICAL:
		return k == KIND_CATEGORICAL || k == KIND_BINARY;
	case ROLE_ID:
		return k == KIND_TEXT;
	case ROLE_IGNORE:
		return 1;
	default:
		return 0;
	}
}

static const char *
sidecar_role(json_t *v, const char *side, const char *col, int *role, char **cause)
{
	if (!json_is_string(v) || (*role = cohort_role_parse(json_string_value(v))) < 0) {
		util_fail(cause, "%s: role of '%s' must be one of id, label, sex, continuous, binary, "
		    "categorical, concept, ignore", side, col);
		return NULL;
	}
	return col;
}

/* The header's column names (for filtering sidecar roles). */
static int
read_header(const char *path, char ***names, int *n, char **cause)
{
	struct csv_reader *r = csvr_open(path, cause);
	char **f;
	size_t *len;
	int nf, rc, j;

	if (r == NULL)
		return -1;
	rc = csvr_next(r, &f, &len, &nf, cause);
	if (rc <= 0) {
		csvr_close(r);
		return rc < 0 ? -1 : util_fail(cause, "%s: empty file (expected a header row)", path);
	}
	*names = xcalloc(nf, sizeof(char *));
	for (j = 0; j < nf; j++)
		(*names)[j] = xstrndup(f[j], len[j]);
	*n = nf;
	csvr_close(r);
	return 0;
}

static void
free_names(char **names, int n)
{
	int j;

	for (j = 0; j < n; j++)
		free(names[j]);
	free(names);
}

json_t *
study_schema_from_cohort(const struct cohort *c, const char *sex_female)
{
	json_t *schema = json_object(), *roles = json_object(), *cols = json_array();
	int j, i;

	for (j = 0; j < c->ncols; j++) {
		const struct column *k = &c->cols[j];
		json_t *o = json_object();

		json_object_set_new(roles, k->name, json_string(cohort_role_name(k->role)));
		json_object_set_new(o, "name", json_string(k->name));
		json_object_set_new(o, "role", json_string(cohort_role_name(k->role)));
		json_object_set_new(o, "kind", json_string(k->kind == KIND_NUMERIC && k->is_count ? "count" :
		    cohort_kind_name(k->kind)));
		json_object_set_new(o, "missing", json_integer((json_int_t)k->nmissing));
		if (k->levels != NULL && k->nlevels > 0) {
			if (k->nlevels <= LEVELS_LISTED) {
				json_t *lv = json_array();

				for (i = 0; i < k->nlevels; i++)
					json_array_append_new(lv, json_string(k->levels[i]));
				json_object_set_new(o, "levels", lv);
			} else
				json_object_set_new(o, "nlevels", json_integer(k->nlevels));
		}
		json_array_append_new(cols, o);
	}
	json_object_set_new(schema, "roles", roles);
	if (sex_female != NULL)
		json_object_set_new(schema, "sex_female", json_string(sex_female));
	json_object_set_new(schema, "columns", cols);
	return schema;
}

/* Level order from a {"COL": [levels...]} object. */
static void
apply_levels(struct cohort *c, json_t *levels)
{
	const char *name;
	json_t *v;

	json_object_foreach(levels, name, v) {
		int j = cohort_find(c, name), n = (int)json_array_size(v), i;
		const char **names;

		if (j < 0 || n == 0)
			continue;
		names = xcalloc(n, sizeof(char *));
		for (i = 0; i < n; i++)
			names[i] = json_is_string(json_array_get(v, i)) ? json_string_value(json_array_get(v, i)) : "";
		cohort_order_levels(c, j, names, n);
		free(names);
	}
}

/* Load PATH applying its sidecar and the command-line roles. */
static int
load_with_roles(const char *path, const struct study_init_opts *o, int preview, json_t **sidecar_out,
    struct cohort **out, char ***cand, int *ncand, char **cause)
{
	char *side = xsprintf("%s.schema.json", path), **names = NULL;
	json_t *sc = NULL, *roles, *v;
	struct ov_list ol = { NULL, 0, 0 };
	struct csv_options opt;
	struct cohort *c = NULL;
	const char *name, *dflt = NULL, *sf = NULL;
	int nnames = 0, j, role, rc = -1, i, dflt_role = -1;

	if (util_file_exists(side)) {
		if (js_read_file(side, &sc, cause) != 0)
			goto done;
		if (!json_is_object(sc) || json_integer_value(json_object_get(sc, "synthehr_schema")) != 1) {
			util_fail(cause, "%s: not a synthehr schema sidecar (expected \"synthehr_schema\": 1)", side);
			goto done;
		}
	}
	if (read_header(path, &names, &nnames, cause) != 0)
		goto done;
	if (sc != NULL) {
		roles = json_object_get(sc, "roles");
		json_object_foreach(roles, name, v) {
			if (sidecar_role(v, side, name, &role, cause) == NULL)
				goto done;
			for (j = 0; j < nnames && strcmp(names[j], name) != 0; j++)
				;
			if (j < nnames)
				ov_set(&ol, names[j], role);
		}
		if ((v = json_object_get(sc, "default_role")) != NULL) {
			if (sidecar_role(v, side, "default_role", &dflt_role, cause) == NULL)
				goto done;
			dflt = json_string_value(v);
		}
		sf = js_str(sc, "sex_female", NULL);
	}
	if (o->label != NULL)
		ov_set(&ol, o->label, ROLE_LABEL);
	if (o->sex != NULL)
		ov_set(&ol, o->sex, ROLE_SEX);
	for (i = 0; i < o->nroles; i++)
		ov_set(&ol, o->roles[i].column, o->roles[i].role);
	memset(&opt, 0, sizeof opt);
	opt.overrides = ol.v;
	opt.noverrides = ol.n;
	opt.sex_female = sf;
	opt.header_only = preview;
	opt.note = preview ? NULL : o->note;
	opt.note_ctx = o->note_ctx;
	if (csv_read_cohort(path, &opt, &c, cause) != 0)
		goto done;
	if (cand != NULL) {
		/* outcome-like columns when no label is set */
		*cand = NULL;
		*ncand = 0;
		for (j = 0; j < c->ncols && c->cols[j].role != ROLE_LABEL; j++)
			;
		if (j == c->ncols) {
			int idx[64], n = csv_label_candidates(c, &opt, idx, 64);

			if (n > 64)
				n = 64;
			if (n >= 2) {
				*cand = xcalloc(n, sizeof(char *));
				for (i = 0; i < n; i++)
					(*cand)[i] = xstrdup(c->cols[idx[i]].name);
				*ncand = n;
			}
		}
	}
	/* default_role where it fits the values; one sex column */
	for (j = 0; j < c->ncols; j++) {
		struct column *k = &c->cols[j];

		if (ov_has(&ol, k->name))
			continue;
		if (dflt != NULL && role_fits(dflt_role, k->kind) && k->role != ROLE_LABEL)
			k->role = dflt_role;
		else if (k->role == ROLE_SEX) {
			for (i = 0; i < ol.n && ol.v[i].role != ROLE_SEX; i++)
				;
			if (i < ol.n)
				k->role = ROLE_BINARY;
		}
	}
	if (sc != NULL && json_is_object(json_object_get(sc, "levels")))
		apply_levels(c, json_object_get(sc, "levels"));
	*out = c;
	c = NULL;
	rc = 0;
done:
	cohort_free(c);
	free(ol.v);
	if (names)
		free_names(names, nnames);
	free(side);
	if (rc == 0 && sidecar_out != NULL)
		*sidecar_out = sc;
	else
		json_decref(sc);
	return rc;
}

int
study_label_candidates(const char *file, const struct study_init_opts *o, char ***names, int *n,
    char **cause)
{
	struct cohort *c = NULL;
	int rc;

	*names = NULL;
	*n = 0;
	rc = load_with_roles(file, o, 1, NULL, &c, names, n, cause);
	cohort_free(c);
	return rc;
}

static int
dir_usable(const char *dir, char **cause)
{
	char *p;
	int exists;

	if (!util_dir_exists(dir)) {
		if (util_file_exists(dir))
			return util_fail(cause, "%s: exists and is not a directory", dir);
		return 0;
	}
	p = util_path_join(dir, "study.json");
	exists = util_file_exists(p);
	free(p);
	if (exists)
		return util_fail(cause, "%s: a study already exists here", dir);
	return 0;
}

/* Remove what init wrote into a study it created. */
static void
undo_init(const char *dir, int created_dir, int wrote_demo)
{
	char *p;

	if (wrote_demo) {
		p = util_path_join(dir, DEMO_REL);
		util_unlink(p);
		free(p);
		p = util_path_join(dir, DEMO_REL ".schema.json");
		util_unlink(p);
		free(p);
		p = util_path_join(dir, "source");
		rmdir(p);
		free(p);
	}
	p = util_path_join(dir, "study.json");
	util_unlink(p);
	free(p);
	if (created_dir)
		rmdir(dir);
}

int
study_init(const char *dir, const struct study_init_opts *o, struct study **out, char **cause)
{
	struct study *s = NULL;
	struct cohort *c = NULL, *demo = NULL;
	json_t *sc = NULL, *src, *schema, *prep;
	char *path = NULL, *rel = NULL, sha[65], real[PATH_MAX];
	struct stat st;
	int created = 0, wrote_demo = 0, i, ncand = 0;
	char **cand = NULL;

	if ((o->data == NULL) == (o->demo == 0))
		return util_fail(cause, "give either a cohort file (--data FILE) or --demo");
	if (dir_usable(dir, cause) != 0)
		return -1;
	if (o->demo) {
		struct demo_opts d;

		demo_opts_init(&d);
		if (o->demo_rows)
			d.rows = o->demo_rows;
		if (o->demo_concepts)
			d.concepts = o->demo_concepts;
		d.seed = o->demo_seed;
		d.extract = !o->demo_no_extract;
		if (demo_generate(&d, &demo, cause) != 0)
			return -1;
		/* check the command-line column names before writing anything */
		if (o->label && cohort_find(demo, o->label) < 0) {
			util_fail(cause, "--label: the demo cohort has no column '%s'", o->label);
			goto fail;
		}
		if (o->sex && cohort_find(demo, o->sex) < 0) {
			util_fail(cause, "--sex: the demo cohort has no column '%s'", o->sex);
			goto fail;
		}
		for (i = 0; i < o->nroles; i++)
			if (cohort_find(demo, o->roles[i].column) < 0) {
				util_fail(cause, "--role: the demo cohort has no column '%s'", o->roles[i].column);
				goto fail;
			}
		created = !util_dir_exists(dir);
		if (study_create(dir, &s, cause) != 0)
			goto fail;
		if (study_mkdir(s, "source", cause) != 0)
			goto fail;
		path = study_path(s, DEMO_REL);
		wrote_demo = 1;
		if (csv_write_cohort(path, demo, cause) != 0)
			goto fail;
		cohort_free(demo);
		demo = NULL;
		{
			char *side = xsprintf("%s.schema.json", path);
			json_t *j = demo_schema_for(&d);
			int rc = js_write_file(side, j, cause);

			json_decref(j);
			free(side);
			if (rc != 0)
				goto fail;
		}
		rel = xstrdup(DEMO_REL);
	} else {
		if (!util_file_exists(o->data) || util_dir_exists(o->data)) {
			util_fail(cause, "%s: %s", o->data, util_dir_exists(o->data) ?
			    "is a directory, expected a CSV file" : strerror(ENOENT));
			goto fail;
		}
		if (realpath(o->data, real) == NULL) {
			util_fail_errno(cause, o->data);
			goto fail;
		}
		path = xstrdup(real);
	}
	if (load_with_roles(path, o, 0, &sc, &c, &cand, &ncand, cause) != 0)
		goto fail;
	if (ncand >= 2) {
		size_t len = 0;
		char *list;

		for (i = 0; i < ncand; i++)
			len += strlen(cand[i]) + 2;
		list = xcalloc(len + 1, 1);
		for (i = 0; i < ncand; i++) {
			if (i > 0)
				strcat(list, ", ");
			strcat(list, cand[i]);
		}
		util_fail(cause, "%s: %d columns look like the outcome (%s); choose the label with "
		    "--label COL (or keep a column out with --role COL=binary)", o->data ? o->data : path,
		    ncand, list);
		free(list);
		free_names(cand, ncand);
		goto fail;
	}
	if (util_sha256_file(path, sha, cause) != 0 || stat(path, &st) != 0) {
		if (cause != NULL && *cause == NULL)
			util_fail_errno(cause, path);
		goto fail;
	}
	if (s == NULL) {
		created = !util_dir_exists(dir);
		if (study_create(dir, &s, cause) != 0)
			goto fail;
	}
	src = json_object();
	json_object_set_new(src, "path", json_string(rel ? rel : path));
	json_object_set_new(src, "sha256", json_string(sha));
	json_object_set_new(src, "size", json_integer((json_int_t)st.st_size));
	json_object_set_new(src, "rows", json_integer((json_int_t)c->nrows));
	json_object_set_new(src, "cols", json_integer(c->ncols));
	if (sc != NULL) {
		char *side = xsprintf("%s.schema.json", rel ? rel : path);

		json_object_set_new(src, "sidecar", json_string(side));
		free(side);
	}
	if (o->demo)
		json_object_set_new(src, "demo", json_pack("{s:I, s:i, s:I, s:b}", "rows", (json_int_t)c->nrows,
		    "concepts", o->demo_concepts ? o->demo_concepts : DEMO_QUICK_CONCEPTS,
		    "seed", (json_int_t)o->demo_seed, "extract", !o->demo_no_extract));
	json_object_set_new(s->cfg, "source", src);
	schema = study_schema_from_cohort(c, js_str(sc, "sex_female", NULL));
	json_object_set_new(s->cfg, "schema", schema);
	if (sc != NULL && json_is_object(prep = json_object_get(sc, "prep")))
		json_object_set(s->cfg, "prep", prep);
	if (study_save(s, cause) != 0)
		goto fail;
	cohort_free(c);
	json_decref(sc);
	free(path);
	free(rel);
	if (out != NULL)
		*out = s;
	else
		study_free(s);
	return 0;
fail:
	if (s != NULL)
		undo_init(dir, created, wrote_demo);
	study_free(s);
	cohort_free(c);
	cohort_free(demo);
	json_decref(sc);
	free(path);
	free(rel);
	return -1;
}

char *
study_source_path(const struct study *s)
{
	json_t *src = json_object_get(s->cfg, "source");
	const char *p = js_str(src, "path", NULL);

	if (p == NULL)
		return NULL;
	if (p[0] == '/')
		return xstrdup(p);
	return study_path(s, p);
}

int
study_check_source(struct study *s, char **cause)
{
	char *path = study_source_path(s), sha[65];
	const char *want = js_str(json_object_get(s->cfg, "source"), "sha256", NULL);
	int rc;

	if (path == NULL)
		return util_fail(cause, "%s/study.json: no \"source\" path", s->dir);
	rc = util_sha256_file(path, sha, cause);
	if (rc == 0 && want != NULL && strcmp(sha, want) != 0)
		rc = util_fail(cause, "%s: the cohort file changed since 'synthehr init' (SHA-256 differs); "
		    "create a new study for it", path);
	free(path);
	return rc;
}

int
study_load_cohort(struct study *s, struct cohort **out, char **cause)
{
	json_t *src = json_object_get(s->cfg, "source"), *schema = json_object_get(s->cfg, "schema");
	json_t *roles = json_object_get(schema, "roles"), *cols = json_object_get(schema, "columns"), *v;
	struct csv_override *ov = NULL;
	struct csv_options opt;
	struct cohort *c;
	struct stat st;
	const char *name;
	char *path = study_source_path(s);
	long long size = js_int(src, "size", -1);
	int n = 0, role, rc;
	size_t i;

	if (path == NULL)
		return util_fail(cause, "%s/study.json: no \"source\" path (create the study with "
		    "'synthehr init')", s->dir);
	if (stat(path, &st) != 0) {
		util_fail(cause, "%s: %s (the study's cohort file; study.json \"source\" \"path\")",
		    path, strerror(errno));
		free(path);
		return -1;
	}
	if (size >= 0 && (long long)st.st_size != size) {
		util_fail(cause, "%s: the cohort file changed since 'synthehr init' (%lld bytes, was %lld); "
		    "create a new study for it", path, (long long)st.st_size, size);
		free(path);
		return -1;
	}
	memset(&opt, 0, sizeof opt);
	if (json_is_object(roles)) {
		ov = xcalloc(json_object_size(roles) + 1, sizeof *ov);
		json_object_foreach(roles, name, v) {
			if (!json_is_string(v) || (role = cohort_role_parse(json_string_value(v))) < 0) {
				util_fail(cause, "%s/study.json: schema role of '%s' must be one of id, label, "
				    "sex, continuous, binary, categorical, concept, ignore", s->dir, name);
				free(ov);
				free(path);
				return -1;
			}
			ov[n].name = name;
			ov[n].role = role;
			n++;
		}
	}
	opt.overrides = ov;
	opt.noverrides = n;
	opt.sex_female = js_str(schema, "sex_female", NULL);
	opt.no_auto_label = 1;
	rc = csv_read_cohort(path, &opt, &c, cause);
	free(ov);
	free(path);
	if (rc != 0)
		return -1;
	/* level order (and which binary level is 1) as init saw it */
	for (i = 0; i < json_array_size(cols); i++) {
		json_t *col = json_array_get(cols, i), *lv = json_object_get(col, "levels");
		int j = cohort_find(c, js_str(col, "name", ""));
		size_t m = json_array_size(lv), q;
		const char **names;

		/* counts as init recorded them ("kind": "count") */
		if (j >= 0 && c->cols[j].kind == KIND_NUMERIC)
			c->cols[j].is_count = strcmp(js_str(col, "kind", ""), "count") == 0;
		if (j < 0 || m == 0 || strcmp(js_str(col, "kind", ""), cohort_kind_name(c->cols[j].kind)) != 0)
			continue;
		names = xcalloc(m, sizeof(char *));
		for (q = 0; q < m; q++)
			names[q] = json_is_string(json_array_get(lv, q)) ? json_string_value(json_array_get(lv, q)) : "";
		cohort_order_levels(c, j, names, (int)m);
		free(names);
	}
	*out = c;
	return 0;
}
