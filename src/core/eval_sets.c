/* synthehr — GPL-3.0-or-later.
 * The synthetic sets an evaluation judges (eval.h): every runs/NAME/ and
 * eval/external/NAME/ with a synthetic.mtx, in a fixed order (runs, peers,
 * the baseline, external sets), and the import of a synthetic CSV made
 * elsewhere as eval/external/NAME/.  The metrics are in eval.c. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "synthehr/csvio.h"
#include "synthehr/eval.h"
#include "synthehr/prep.h"
#include "synthehr/set_switch.h"
#include "synthehr/util.h"

/* ---- Sets ------------------------------------------------------------ */

/* Runs first, then the classical peers, the baseline, external sets. */
static int
set_kind_order(const char *kind)
{
	return strcmp(kind, "run") == 0 ? 0 : strcmp(kind, "peer") == 0 ? 1 :
	    strcmp(kind, "baseline") == 0 ? 2 : 3;
}

static int
set_cmp(const void *a, const void *b)
{
	const struct eval_set *x = a, *y = b;
	int kx = set_kind_order(x->kind), ky = set_kind_order(y->kind);

	if (kx != ky)
		return kx - ky;
	if (kx == 0 && strncmp(x->name, "run-", 4) == 0 && strncmp(y->name, "run-", 4) == 0) {
		long nx = strtol(x->name + 4, NULL, 10), ny = strtol(y->name + 4, NULL, 10);

		if (nx != ny)
			return nx < ny ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

static void
sets_scan(const struct study *s, const char *rel, int external, struct eval_set **sets, int *n)
{
	char *dir = study_path(s, rel);
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			char *p;

			if (e->d_name[0] == '.')
				continue;
			p = xsprintf("%s/%s/synthetic.mtx", dir, e->d_name);
			if (!util_file_exists(p)) {
				free(p);
				continue;
			}
			*sets = xreallocarray(*sets, (size_t)*n + 1, sizeof **sets);
			(*sets)[*n].name = xstrdup(e->d_name);
			(*sets)[*n].kind = xstrdup(external ? "external" :
			    strncmp(e->d_name, "baseline", 8) == 0 ? "baseline" :
			    strncmp(e->d_name, "peer-", 5) == 0 ? "peer" : "run");
			(*sets)[*n].path = p;
			(*n)++;
		}
		closedir(d);
	}
	free(dir);
}

int
eval_list_sets(const struct study *s, struct eval_set **out, int *n, char **cause)
{
	SH_UNUSED(cause);
	*out = NULL;
	*n = 0;
	sets_scan(s, "runs", 0, out, n);
	sets_scan(s, "eval/external", 1, out, n);
	if (*n > 1)
		qsort(*out, (size_t)*n, sizeof **out, set_cmp);
	return 0;
}

void
eval_sets_free(struct eval_set *sets, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(sets[i].name);
		free(sets[i].kind);
		free(sets[i].path);
	}
	free(sets);
}

static int
name_ok(const char *name)
{
	const char *p;

	if (*name == '\0' || *name == '.' || strlen(name) > 64)
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

int
eval_import_external(struct study *s, const char *csv, const char *name, char **name_out, char **cause)
{
	struct layout *l = NULL;
	struct mtx *m = NULL;
	char *nm, *cause1 = NULL, *cause2 = NULL, *rel, *path, *dir, *stage = NULL;
	json_t *src;
	char sha[65];
	int rc = -1;

	if (name != NULL)
		nm = xstrdup(name);
	else {
		const char *b = strrchr(csv, '/');
		char *dot;

		nm = xstrdup(b != NULL ? b + 1 : csv);
		if ((dot = strstr(nm, ".csv")) != NULL)
			*dot = '\0';
		for (dot = nm; *dot; dot++)
			if (!name_ok((char[]){ *dot, 0 }))
				*dot = '_';
	}
	if (!name_ok(nm)) {
		util_fail(cause, "external set name \"%s\": use letters, digits, '-', '_' or '.'", nm);
		free(nm);
		return -1;
	}
	if (prep_load_layout(s, &l, cause) != 0) {
		free(nm);
		return -1;
	}
	/* Either the model columns (groups as 0/1 columns) or the cohort's
	 * columns decoded through the schema. */
	if (mtx_read_csv(csv, l, &m, &cause1) != 0) {
		struct cohort *c = NULL;

		if (csv_read_cohort(csv, NULL, &c, &cause2) == 0) {
			free(cause2);
			cause2 = NULL;
			if (prep_encode(l, c, &m, &cause2) != 0)
				m = NULL;
			cohort_free(c);
		}
		if (m == NULL) {
			util_fail(cause, "%s does not match the study's schema.\n  as model columns: %s\n  as cohort columns: %s",
			    csv, cause1 ? cause1 : "?", cause2 ? cause2 : "?");
			goto out;
		}
	}
	if (m->n == 0) {
		util_fail(cause, "%s: no data rows", csv);
		goto out;
	}
	mtx_unscale(m, l);
	{
		/* an external set goes with the training rows it was imported for */
		struct mtx_prov tp;
		uint64_t tsum = 0;
		char *tpath = study_path(s, "prep/train.mtx");

		if (mtx_read_header(tpath, &tp, &tsum, NULL, NULL) == 0) {
			m->prov = tp;
			m->prov.train = tsum;
		}
		free(tpath);
		m->prov.role = MTX_ROLE_EXTERNAL;
		m->prov.parent = util_hash64(csv, strlen(csv), 0);
	}
	/* the matrix and its source.json switch in together (set_switch.h):
	 * an interrupted import leaves the previous set whole, or none */
	rel = xsprintf("eval/external/%s", nm);
	if (study_mkdir(s, rel, cause) != 0) {
		free(rel);
		goto out;
	}
	dir = study_path(s, rel);
	free(rel);
	if (set_switch_begin(dir, &stage, cause) != 0) {
		free(dir);
		goto out;
	}
	path = util_path_join(stage, "synthetic.mtx");
	rc = mtx_write(path, m, cause);
	free(path);
	if (rc == 0)
		rc = util_sha256_file(csv, sha, cause);
	if (rc == 0) {
		src = json_pack("{s:s,s:s,s:I}", "source", csv, "sha256", sha, "rows", (json_int_t)m->n);
		path = util_path_join(stage, "source.json");
		rc = js_write_file(path, src, cause);
		free(path);
		json_decref(src);
	}
	rc = set_switch_end(dir, stage, rc, cause);
	if (rc == 0 && name_out != NULL) {
		*name_out = nm;
		nm = NULL;
	}
out:
	free(cause1);
	free(cause2);
	free(nm);
	mtx_free(m);
	layout_free(l);
	return rc;
}
