/* synthehr — GPL-3.0-or-later.
 * Generation from trained runs (SPEC §3.1–3.2).  The model is rebuilt from
 * the settings recorded in the run's state.json (so changing study.json
 * after training does not break generation), the checkpoint is checked
 * against them, and rows are drawn in batches: groups one-hot by argmax,
 * binary columns thresholded at 0.5 (or Bernoulli), continuous columns
 * clipped to [0,1] and inverse-scaled with (1 − s)·lo + s·hi.  With
 * stratification on, rows are accepted until each label class reaches its
 * quota (the tutorial's rejection sampling, with the training proportion
 * as the quota).  Rows keep the order in which they were accepted. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/blas.h"
#include "synthehr/ckpt.h"
#include "synthehr/encode.h"
#include "synthehr/generate.h"
#include "synthehr/prep.h"
#include "synthehr/train.h"
#include "synthehr/util.h"

#define GEN_BATCH 1024

int
gen_opts_load(json_t *sec, struct gen_opts *o, char **cause)
{
	json_t *x;

	memset(o, 0, sizeof *o);
	o->stratify = 1;
	o->seed = 1;
	o->max_draw_factor = 50;
	if (sec == NULL)
		return 0;
	if (!json_is_object(sec))
		return util_fail(cause, "study.json: generate: expected an object");
	if ((x = json_object_get(sec, "rows")) != NULL) {
		if (!json_is_integer(x) || json_integer_value(x) < 0)
			return util_fail(cause, "study.json: generate.rows: expected a non-negative integer"
			    " (0 = as many rows as the training set)");
		o->rows = (size_t)json_integer_value(x);
	}
	if ((x = json_object_get(sec, "stratify")) != NULL) {
		if (!json_is_boolean(x))
			return util_fail(cause, "study.json: generate.stratify: expected true or false");
		o->stratify = json_is_true(x);
	}
	if ((x = json_object_get(sec, "sample")) != NULL) {
		if (!json_is_boolean(x))
			return util_fail(cause, "study.json: generate.sample: expected true or false");
		o->sample = json_is_true(x);
	}
	if ((x = json_object_get(sec, "seed")) != NULL) {
		if (!json_is_integer(x) || json_integer_value(x) < 0)
			return util_fail(cause, "study.json: generate.seed: expected a non-negative integer");
		o->seed = (uint64_t)json_integer_value(x);
	}
	if ((x = json_object_get(sec, "max_draw_factor")) != NULL) {
		if (!json_is_number(x) || json_number_value(x) < 1)
			return util_fail(cause, "study.json: generate.max_draw_factor: expected a number >= 1");
		o->max_draw_factor = json_number_value(x);
	}
	return 0;
}

size_t
gen_label_count(const struct mtx *m, const struct layout *l)
{
	size_t r, n = 0;

	if (l->label < 0)
		return 0;
	for (r = 0; r < m->n; r++)
		n += mtx_get(m, r, l->label) >= 0.5f;
	return n;
}

size_t
gen_label_target(const struct mtx *train, const struct layout *l, size_t rows)
{
	size_t pos = gen_label_count(train, l);

	if (train->n == 0)
		return 0;
	return (size_t)floor((double)pos * (double)rows / (double)train->n + 0.5);
}

int
gen_sample(struct wgan *w, const struct layout *l, const struct gen_opts *o, size_t rows,
    size_t npos, struct rng *r, struct mtx **out, char **cause)
{
	struct mtx *m;
	float *buf, *row, *net = NULL;
	size_t got = 0, have[2] = { 0, 0 }, want[2], drawn = 0, limit, i;
	int D = l->D, j, strat = o->stratify && l->label >= 0;

	*out = NULL;
	if (npos > rows)
		npos = rows;
	want[1] = npos;
	want[0] = rows - npos;
	limit = (size_t)(o->max_draw_factor * (double)rows) + 100000;
	m = mtx_new(rows, l);
	m->scaled = 0;
	buf = xmalloc_aligned((size_t)GEN_BATCH * (size_t)D * sizeof(float));
	if (l->enc_on)
		net = xmalloc_aligned((size_t)GEN_BATCH * (size_t)l->enc->Dn * sizeof(float));
	while (got < rows) {
		size_t nb = strat ? GEN_BATCH : SH_MIN((size_t)GEN_BATCH, rows - got);

		if (drawn >= limit) {
			int cls = have[1] < want[1] ? 1 : 0;

			free(buf);
			free(net);
			mtx_free(m);
			return util_fail(cause, "stratified sampling gave up after %zu draws: only %zu of %zu"
			    " rows with label %s = %d (the generator rarely produces them; train longer or"
			    " generate with --no-stratify)", drawn, have[cls], want[cls],
			    l->name[l->label], cls);
		}
		if (net != NULL) {
			/* Network columns → the layout's, continuous values in cohort
			 * units of the column's type and range. */
			wgan_generate(w, nb, r, 1, net);
			enc_decode_rows(l->enc, l, net, nb, 0, o->sample ? r : NULL, buf);
		} else
			wgan_generate(w, nb, r, 1, buf);
		drawn += nb;
		for (i = 0; i < nb && got < rows; i++) {
			row = buf + i * (size_t)D;
			for (j = 0; j < D; j++) {
				float v = row[j];

				if (l->kind[j] == MCOL_BINARY)
					v = o->sample ? (rng_uniformf(r) < v ? 1.0f : 0.0f) : (v >= 0.5f ? 1.0f : 0.0f);
				else if (l->kind[j] == MCOL_CONT && net == NULL) {
					double s = v < 0 ? 0 : v > 1 ? 1 : v;

					v = (float)((1 - s) * l->lo[j] + s * l->hi[j]);
				}
				row[j] = v;
			}
			if (strat) {
				int cls = row[l->label] >= 0.5f;

				if (have[cls] >= want[cls])
					continue;
				have[cls]++;
			}
			mtx_set_row(m, got++, row);
		}
	}
	free(buf);
	free(net);
	*out = m;
	return 0;
}

int
gen_load_model(struct study *s, int run, int ckpt_epoch, struct layout *l, struct wgan **out,
    int *epoch, char **cause)
{
	json_t *st = NULL;
	struct train_settings ts;
	struct wgan_config cfg;
	struct ckpt_header got, want;
	struct wgan *w = NULL;
	float *data = NULL;
	char *name, *rel, *path = NULL;
	const struct wgan_config *wc;
	int rc = -1;

	*out = NULL;
	if (train_read_state(s, run, &st, cause) != 0)
		return -1;
	if (train_settings_load(json_object_get(st, "settings"), &ts, cause) != 0)
		goto out;
	/* Runs trained before encodings existed recorded no "encoding". */
	if (json_object_get(json_object_get(st, "settings"), "encoding") == NULL)
		ts.encode = 0;
	l->enc_on = train_encoded(&ts, l);
	if (ckpt_epoch > 0)
		name = xsprintf("ckpt-%d.bin", ckpt_epoch);
	else if (ckpt_epoch < 0)
		name = xstrdup("ckpt-last.bin");
	else
		name = xstrdup(js_str(json_object_get(st, "chosen"), "file", "ckpt-last.bin"));
	if (strchr(name, '/') != NULL || strncmp(name, "ckpt-", 5) != 0) {
		util_fail(cause, "runs/run-%d/state.json: chosen.file \"%s\" is not a checkpoint name", run, name);
		free(name);
		goto out;
	}
	rel = xsprintf("runs/run-%d/%s", run, name);
	path = study_path(s, rel);
	free(rel);
	free(name);
	if (!util_file_exists(path)) {
		util_fail(cause, "%s: not found%s", path, ckpt_epoch > 0 ?
		    " (only the checkpoints listed in state.json are kept)" : " (train the run first)");
		goto out;
	}
	train_wgan_config(&ts, l, &cfg);
	if ((w = wgan_new_checked(&cfg, 0, cause)) == NULL)
		goto out;
	if (ckpt_read(path, &got, &data, cause) != 0)
		goto out;
	wc = wgan_get_config(w);
	memset(&want, 0, sizeof want);
	want.D = wc->D;
	want.zdim = wc->zdim;
	want.width = wc->width;
	want.depth = wc->depth;
	want.ngroups = wc->ngroups;
	want.nfloats = wgan_state_floats(w);
	want.layout_hash = train_layout_hash(&ts, l);
	want.settings_hash = train_settings_hash(&ts, run);
	want.data_hash = util_hex64(js_str(st, "data_sum", NULL));
	if (ckpt_check(path, &got, &want, cause) != 0)
		goto out;
	wgan_state_set(w, data);
	if (epoch != NULL)
		*epoch = got.epoch;
	*out = w;
	w = NULL;
	rc = 0;
out:
	free(data);
	free(path);
	if (w != NULL)
		wgan_free(w);
	json_decref(st);
	return rc;
}

int
gen_write_set(struct study *s, const char *rel, const struct layout *l, const struct mtx *m,
    char **cause)
{
	char *dir, *p;
	int rc;

	if (study_mkdir(s, rel, cause) != 0)
		return -1;
	dir = study_path(s, rel);
	/* The CSV first, then the matrix naming it (its SHA-256 in the header):
	 * the .mtx is the set's manifest, so an interrupted generate leaves the
	 * previous matrix in place and 'check' sees a CSV that is not its own. */
	p = util_path_join(dir, "synthetic.csv");
	rc = prep_write_csv(p, l, m, cause);
	if (rc == 0) {
		struct mtx w = *m;
		char sha[65];

		w.prov.companion = util_sha256_file(p, sha, NULL) == 0 ? util_hex64(sha) : 0;
		free(p);
		p = util_path_join(dir, "synthetic.mtx");
		rc = mtx_write(p, &w, cause);
	}
	free(p);
	free(dir);
	return rc;
}

int
gen_run(struct study *s, int run, const struct gen_opts *o, size_t *rows_out, char **cause)
{
	struct layout *l = NULL;
	struct mtx *train = NULL, *m = NULL;
	struct wgan *w = NULL;
	struct rng r;
	size_t rows;
	char *rel;
	int rc = -1, epoch = 0;

	if (train_load_data(s, &l, &train, cause) != 0)
		return -1;
	if (blas_headroom_check("generating", 2, cause) != 0 ||
	    gen_load_model(s, run, o->ckpt_epoch, l, &w, &epoch, cause) != 0)
		goto out;
	{
		/* the run must have learned from this study's train.mtx */
		json_t *st = NULL;
		uint64_t was = 0;

		if (train_read_state(s, run, &st, NULL) == 0)
			was = util_hex64(js_str(st, "data_sum", NULL));
		json_decref(st);
		if (was != 0 && was != train->sum) {
			util_fail(cause, "run %d was trained on other training rows (train.mtx checksum %016llx, "
			    "now %016llx: another cohort, or prep changed the rows); retrain it with "
			    "'synthehr train %s --restart'", run, (unsigned long long)was,
			    (unsigned long long)train->sum, s->dir);
			goto out;
		}
	}

	rows = o->rows > 0 ? o->rows : train->n;
	/* the synthetic rows are held whole (bytes and floats) and written as
	 * CSV: refuse clearly rather than be killed half-way (issue 18) */
	if (util_mem_check(rows * ((size_t)train->nb + 4 * (size_t)train->nc + 16), "generating the synthetic rows",
	    cause) != 0)
		goto out;
	rng_seed_stream(&r, o->seed, (uint64_t)run);
	if (gen_sample(w, l, o, rows, gen_label_target(train, l, rows), &r, &m, cause) != 0) {
		char *c = cause ? *cause : NULL;

		if (cause != NULL) {
			*cause = xsprintf("run %d: %s", run, c);
			free(c);
		}
		goto out;
	}
	m->prov = train->prov;
	m->prov.role = MTX_ROLE_SYNTH;
	m->prov.seed = o->seed;
	m->prov.parent = (uint64_t)run << 32 | (uint32_t)epoch;   /* run and checkpoint epoch */
	m->prov.train = train->sum;
	rel = train_run_dir(run);
	rc = gen_write_set(s, rel, l, m, cause);
	free(rel);
	if (rc == 0 && rows_out != NULL)
		*rows_out = rows;
out:
	if (w != NULL)
		wgan_free(w);
	if (m != NULL)
		mtx_free(m);
	mtx_free(train);
	layout_free(l);
	return rc;
}
