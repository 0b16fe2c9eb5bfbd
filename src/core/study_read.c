/* synthehr — GPL-3.0-or-later.
 * Study-layout readers for the front ends (study_read.h). */
#include "config.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "synthehr/csvio.h"
#include "synthehr/study_read.h"
#include "synthehr/util.h"

int
study_read_table(const struct study *s, const char *rel, struct study_table *t)
{
	struct csv_reader *r;
	char **f, *cause = NULL, *path = s != NULL ? study_path(s, rel) : xstrdup(rel);
	size_t *lens;
	int nf, rc, cap = 0, i;

	memset(t, 0, sizeof *t);
	r = util_file_exists(path) ? csvr_open(path, &cause) : NULL;
	free(path);
	if (r == NULL) {
		free(cause);
		return -1;
	}
	while ((rc = csvr_next(r, &f, &lens, &nf, &cause)) == 1) {
		if (t->names == NULL) {
			t->ncols = nf;
			t->names = xcalloc(nf, sizeof *t->names);
			t->cols = xcalloc(nf, sizeof *t->cols);
			for (i = 0; i < nf; i++)
				t->names[i] = xstrndup(f[i], lens[i]);
			continue;
		}
		if (t->nrows == cap) {
			cap = cap ? cap * 2 : 64;
			for (i = 0; i < t->ncols; i++)
				t->cols[i] = xreallocarray(t->cols[i], cap, sizeof **t->cols);
		}
		for (i = 0; i < t->ncols; i++)
			if (i >= nf || util_parse_double(f[i], lens[i], &t->cols[i][t->nrows]) != 0)
				t->cols[i][t->nrows] = NAN;
		t->nrows++;
	}
	free(cause);
	csvr_close(r);
	if (t->names == NULL)
		return -1;
	return 0;
}

int
study_read_loss(const struct study *s, int run, struct study_table *t)
{
	char *rel = xsprintf("runs/run-%d/loss.csv", run);
	int rc = study_read_table(s, rel, t);

	free(rel);
	return rc;
}

const double *
study_table_col(const struct study_table *t, const char *name)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->names[i], name) == 0)
			return t->cols[i];
	return NULL;
}

void
study_table_free(struct study_table *t)
{
	int i;

	for (i = 0; i < t->ncols; i++) {
		free(t->names[i]);
		free(t->cols[i]);
	}
	free(t->names);
	free(t->cols);
	memset(t, 0, sizeof *t);
}

static int
read_json(const struct study *s, const char *rel, json_t **out, char **cause)
{
	char *p = study_path(s, rel);
	int rc = -1;

	*out = NULL;
	if (cause != NULL)
		*cause = NULL;
	if (util_file_exists(p))
		rc = js_read_file(p, out, cause);
	free(p);
	return rc;
}

int
study_read_prep_log(const struct study *s, json_t **out, char **cause)
{
	return read_json(s, "prep/log.json", out, cause);
}

int
study_read_metrics(const struct study *s, json_t **out, char **cause)
{
	return read_json(s, "eval/metrics.json", out, cause);
}

/* Modification time of STUDY/rel, or 0 when absent. */
static double
mtime(const struct study *s, const char *rel)
{
	char *p = study_path(s, rel);
	struct stat st;
	double t = stat(p, &st) == 0 ? (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec * 1e-9 : 0;

	free(p);
	return t;
}

/* The newest (newest = 1) or oldest file named `file` in the directories
 * under STUDY/dir (0 when none). */
static double
dir_mtime(const struct study *s, const char *dir, const char *file, int newest)
{
	char *p = study_path(s, dir);
	DIR *d = opendir(p);
	struct dirent *e;
	double best = 0;

	free(p);
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char *rel;
		double t;

		if (e->d_name[0] == '.')
			continue;
		rel = xsprintf("%s/%s/%s", dir, e->d_name, file);
		t = mtime(s, rel);
		free(rel);
		if (t > 0 && (best == 0 || (newest ? t > best : t < best)))
			best = t;
	}
	closedir(d);
	return best;
}

int
study_stale(const struct study *s, json_t *plan_json)
{
	double prep = mtime(s, "prep/train.mtx"), runs = dir_mtime(s, "runs", "state.json", 0);
	double sets = SH_MAX(dir_mtime(s, "runs", "synthetic.mtx", 1),
	    dir_mtime(s, "eval/external", "synthetic.mtx", 1));
	double metrics = mtime(s, "eval/metrics.json");
	int bits = 0;

	if (plan_json != NULL && prep > 0) {
		json_t *log = NULL;

		if (study_read_prep_log(s, &log, NULL) == 0 && json_object_get(log, "plan") != NULL &&
		    !json_equal(json_object_get(log, "plan"), plan_json))
			bits |= STUDY_STALE_PREP;
		json_decref(log);
	}
	if (prep > 0 && runs > 0 && runs < prep)
		bits |= STUDY_STALE_RUNS;
	if (metrics > 0 && sets > metrics)
		bits |= STUDY_STALE_EVAL;
	return bits;
}
