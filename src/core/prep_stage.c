/* synthehr — GPL-3.0-or-later.
 * The prep stage of a study: load the cohort, apply the plan (prep_apply),
 * fit the encodings, write prep/ (layout, split matrices, CSVs, log, Table
 * 1) as one set that replaces the old one at once; and the readers of
 * prep/ that the later stages use. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/csvio.h"
#include "synthehr/encode.h"
#include "synthehr/prep.h"
#include "synthehr/profile.h"
#include "synthehr/util.h"
#include "prep_int.h"

void
prep_report_done(struct prep_report *r)
{
	prep_summary_done(&r->before);
	prep_summary_done(&r->after);
	json_decref(r->log);
	r->log = NULL;
}

/* prep writes its whole set here, then switches it in for prep/ at once
 * (issue 18: a stage's outputs become valid together). */
#define PREP_STAGE "prep.tmp.stage"

static int
write_in_prep(const struct study *s, const char *name, json_t *j, char **cause)
{
	char *rel = xsprintf(PREP_STAGE "/%s", name), *p = study_path(s, rel);
	int rc = js_write_file(p, j, cause);

	free(rel);
	free(p);
	return rc;
}

/* prep_write_csv() on a thread of its own. */
struct csv_job {
	char *path;
	const struct layout *l;
	const struct mtx *m;
	char *cause;
	int rc;
};

static void *
csv_job_run(void *arg)
{
	struct csv_job *job = arg;

	job->rc = prep_write_csv(job->path, job->l, job->m, &job->cause);
	return NULL;
}

/* The source profile is cached on the way (review then needs no load). */
static int
cache_profile(struct study *s, const struct cohort *c, const struct prep_plan *plan, char **cause)
{
	char pkey[65];
	struct profile *pr = NULL;

	if (profile_study_key(s, pkey, NULL) == 0 && profile_load_cached(s, pkey, &pr, NULL) == 0) {
		pr = profile_compute(c, plan);
		memcpy(pr->key, pkey, sizeof pr->key);
		if (profile_save(s, pr, cause) != 0) {
			profile_free(pr);
			return -1;
		}
	}
	profile_free(pr);
	return 0;
}

/* What the matrices were made from (issue 18): the source key (cohort
 * file and schema), the plan (split included); the test rows name the
 * training rows they go with. */
static void
mark_provenance(struct mtx *a, struct mtx *b, const struct prep_plan *plan, const char *key)
{
	json_t *pj = prep_plan_to_json(plan);
	char *dump = json_dumps(pj, JSON_SORT_KEYS | JSON_COMPACT);

	a->prov.role = MTX_ROLE_TRAIN;
	a->prov.source = util_hex64(key);
	a->prov.plan = util_hash64(dump, strlen(dump), 0x706c616e5f763031ULL);
	b->prov = a->prov;
	b->prov.role = MTX_ROLE_TEST;
	b->prov.train = mtx_checksum(a);
	free(dump);
	json_decref(pj);
}

/* Generator encodings of the continuous columns, fitted on the training
 * rows (used by presets that encode; the tutorial's keeps min–max), into
 * the staged encoding.json.  The log names each choice and why, without
 * values. */
static int
stage_encoding(struct study *s, const struct layout *l, const struct mtx *a, const struct prep_plan *plan,
    json_t *log, char **cause)
{
	struct encoding *e = enc_fit(l, a, &plan->enc, cause);
	json_t *ej, *el = json_array();
	int i, rc;

	if (e == NULL) {
		json_decref(el);
		return -1;
	}
	for (i = 0; i < e->ncont; i++) {
		const struct enc_col *ec = &e->col[i];

		json_array_append_new(el, json_pack("{s:s,s:s,s:s,s:i,s:b}", "column",
		    l->source[ec->j], "encoding", enc_kind_name(ec->kind), "why", ec->why,
		    "width", ec->width, "integer", ec->integer));
	}
	json_object_set_new(log, "encodings", el);
	json_object_set_new(log, "network_columns", json_integer(e->Dn));
	ej = enc_to_json(e);
	rc = write_in_prep(s, "encoding.json", ej, cause);
	json_decref(ej);
	enc_free(e);
	return rc;
}

/* The four data files are independent: train.csv (the largest) is
 * written by a second thread while this one writes the others, so the
 * formatting and the waits for the disk overlap on two cores.  Errors are
 * reported in the files' usual order. */
static int
stage_data(struct study *s, const struct layout *l, const struct mtx *a, const struct mtx *b, char **cause)
{
	struct csv_job job;
	pthread_t th;
	char *err[3] = { NULL, NULL, NULL }, *p;
	int threaded, bad;

	job.path = study_path(s, PREP_STAGE "/train.csv");
	job.l = l;
	job.m = a;
	job.cause = NULL;
	job.rc = -1;
	threaded = pthread_create(&th, NULL, csv_job_run, &job) == 0;
	p = study_path(s, PREP_STAGE "/train.mtx");
	bad = mtx_write(p, a, &err[0]) != 0;
	free(p);
	if (!bad) {
		p = study_path(s, PREP_STAGE "/test.mtx");
		bad = mtx_write(p, b, &err[1]) != 0;
		free(p);
	}
	if (!bad) {
		p = study_path(s, PREP_STAGE "/train.f64");
		bad = mtx_f64_write(p, a, &err[0]) != 0;
		free(p);
	}
	if (!bad) {
		p = study_path(s, PREP_STAGE "/test.f64");
		bad = mtx_f64_write(p, b, &err[1]) != 0;
		free(p);
	}
	if (!bad) {
		p = study_path(s, PREP_STAGE "/test.csv");
		bad = prep_write_csv(p, l, b, &err[2]) != 0;
		free(p);
	}
	if (threaded)
		pthread_join(th, NULL);
	else
		csv_job_run(&job);
	free(job.path);
	if (err[0] != NULL || err[1] != NULL || job.rc != 0 || err[2] != NULL) {
		char *first = err[0] ? err[0] : err[1] ? err[1] : job.rc != 0 ? job.cause : err[2];

		util_fail(cause, "%s", first != NULL ? first : "writing prep/ failed");
		free(err[0]);
		free(err[1]);
		free(err[2]);
		free(job.cause);
		return -1;
	}
	free(job.cause);
	return 0;
}

/* Files of prep/ this stage does not write (the profile cache) travel
 * with the new set; then the staged set replaces prep/ at once. */
static int
stage_switch(struct study *s, char **cause)
{
	char *pd = study_path(s, "prep"), *p;
	DIR *d = opendir(pd);
	struct dirent *e;
	int rc = 0;

	while (rc == 0 && d != NULL && (e = readdir(d)) != NULL) {
		char *from, *to, *rel, *data;
		size_t len;

		if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp.") != NULL)
			continue;
		rel = xsprintf(PREP_STAGE "/%s", e->d_name);
		to = study_path(s, rel);
		from = util_path_join(pd, e->d_name);
		if (!util_file_exists(to) && util_file_exists(from) &&
		    util_read_file(from, &data, &len, NULL) == 0) {
			rc = util_write_file_atomic(to, data, len, cause);
			free(data);
		}
		free(from);
		free(to);
		free(rel);
	}
	if (d != NULL)
		closedir(d);
	p = study_path(s, PREP_STAGE);
	if (rc == 0)
		rc = util_dir_switch(p, pd, cause);
	free(p);
	free(pd);
	return rc != 0 ? -1 : 0;
}

int
prep_run_cohort(struct study *s, struct cohort *c, struct prep_report *rep, char **cause)
{
	struct prep_plan plan;
	struct layout *l = NULL;
	struct mtx *a = NULL, *b = NULL;
	char key[65], *p;
	double t0 = util_now();
	int rc = -1;
	json_t *log, *lj;

	memset(rep, 0, sizeof *rep);
	if (prep_plan_load(s, c, &plan, cause) != 0)
		return -1;
	if (study_source_key(s, key, cause) != 0 || cache_profile(s, c, &plan, cause) != 0) {
		prep_plan_done(&plan);
		return -1;
	}
	rep->rows_in = c->nrows;
	prep_summary(c, &rep->before);
	rep->cols_in = rep->before.ncols;
	log = json_object();
	json_object_set_new(log, "synthehr_prep_log", json_integer(1));
	json_object_set_new(log, "source_key", json_string(key));
	json_object_set_new(log, "plan", prep_plan_to_json(&plan));
	rep->log = log;
	if (prep_apply(c, &plan, &l, &a, &b, log, cause) != 0)
		goto out;
	mark_provenance(a, b, &plan, key);
	prep_summary(c, &rep->after);
	rep->rows_out = c->nrows;
	rep->cols_out = l->D;
	rep->ntrain = a->n;
	rep->ntest = b->n;
	json_object_set_new(log, "before", prep_summary_to_json(&rep->before));
	json_object_set_new(log, "after", prep_summary_to_json(&rep->after));
	p = study_path(s, PREP_STAGE);
	util_rmdir_files(p);   /* what an interrupted prep left */
	free(p);
	if (study_mkdir(s, PREP_STAGE, cause) != 0)
		goto out;
	lj = layout_to_json(l);
	rc = write_in_prep(s, "layout.json", lj, cause);
	json_decref(lj);
	if (rc != 0 || stage_encoding(s, l, a, &plan, log, cause) != 0 || stage_data(s, l, a, b, cause) != 0 ||
	    write_in_prep(s, "log.json", log, cause) != 0 || stage_switch(s, cause) != 0) {
		rc = -1;
		goto out;
	}
	rc = 0;
out:
	if (rc != 0) {
		/* a failed prep leaves the previous prep/ and nothing else */
		p = study_path(s, PREP_STAGE);
		util_rmdir_files(p);
		free(p);
	}
	rep->seconds = util_now() - t0;
	prep_plan_done(&plan);
	layout_free(l);
	mtx_free(a);
	mtx_free(b);
	return rc;
}

int
prep_load_encoding(const struct study *s, struct layout *l, char **cause)
{
	char *p = study_path(s, "prep/encoding.json");
	json_t *j = NULL;
	int rc = 0;

	enc_free(l->enc);
	l->enc = NULL;
	l->enc_on = 0;
	if (util_file_exists(p)) {
		rc = js_read_file(p, &j, cause);
		if (rc == 0)
			rc = enc_from_json(j, l, &l->enc, cause);
		json_decref(j);
	}
	free(p);
	return rc;
}

int
prep_load_layout(const struct study *s, struct layout **out, char **cause)
{
	char *p = study_path(s, "prep/layout.json");
	json_t *j;
	int rc;

	if (!util_file_exists(p)) {
		util_fail(cause, "%s: no prepared data yet (run 'synthehr prep %s')", p, s->dir);
		free(p);
		return -1;
	}
	if (js_read_file(p, &j, cause) != 0) {
		free(p);
		return -1;
	}
	rc = layout_from_json(j, out, cause);
	if (rc != 0 && cause && *cause) {
		char *t = xsprintf("%s: %s", p, *cause);

		free(*cause);
		*cause = t;
	}
	json_decref(j);
	free(p);
	return rc;
}

int
prep_load_split(const struct study *s, const struct layout *l, struct mtx **train,
    struct mtx **test, char **cause)
{
	char *p = study_path(s, "prep/train.mtx");
	int rc = mtx_read(p, l, train, cause);

	if (rc == 0 && (rc = mtx_expect(*train, p, MTX_ROLE_TRAIN, NULL, cause)) != 0) {
		mtx_free(*train);
		*train = NULL;
	}
	free(p);
	if (rc != 0)
		return -1;
	p = study_path(s, "prep/test.mtx");
	rc = mtx_read(p, l, test, cause);
	if (rc == 0 && (rc = mtx_expect(*test, p, MTX_ROLE_TEST, *train, cause)) != 0) {
		mtx_free(*test);
		*test = NULL;
	}
	free(p);
	if (rc != 0) {
		mtx_free(*train);
		*train = NULL;
		return -1;
	}
	return 0;
}

int
prep_attach_f64(const struct study *s, const char *split, struct mtx *m, char **cause)
{
	char *rel = xsprintf("prep/%s.f64", split), *p = study_path(s, rel);
	int rc = mtx_f64_attach(p, m, cause);

	free(rel);
	free(p);
	return rc;
}

int
prep_run(struct study *s, struct prep_report *rep, char **cause)
{
	struct cohort *c = NULL;
	int rc;

	memset(rep, 0, sizeof *rep);
	if (study_load_cohort(s, &c, cause) != 0)
		return -1;
	rc = prep_run_cohort(s, c, rep, cause);
	cohort_free(c);
	return rc;
}
