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
#include "synthehr/set_switch.h"
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

size_t gen_draw_floor = 100000;

/* Rows go to a sink in chunks of accepted rows (in acceptance order). */
typedef int (*gen_sink_fn)(void *arg, const struct mtx *chunk, char **cause);

/* Draw `rows` rows and hand them to sink in chunks of `chunk` rows.  With
 * stratification, rows are accepted until each label class reaches its
 * quota; after o->max_draw_factor × rows draws (+ gen_draw_floor) the remaining
 * rows are accepted whatever their class and *unstrat gets their count
 * (0 otherwise). */
static int
gen_draw(struct wgan *w, const struct layout *l, const struct gen_opts *o, size_t rows, size_t npos,
    struct rng *r, size_t chunk, gen_sink_fn sink, void *arg, size_t *unstrat, char **cause)
{
	struct mtx *m;
	float *buf, *row, *net = NULL;
	size_t got = 0, have[2] = { 0, 0 }, want[2], drawn = 0, limit, i, inchunk = 0;
	int D = l->D, j, strat = o->stratify && l->label >= 0, rc = 0;

	*unstrat = 0;
	if (npos > rows)
		npos = rows;
	want[1] = npos;
	want[0] = rows - npos;
	limit = (size_t)(o->max_draw_factor * (double)rows) + gen_draw_floor;
	if (chunk == 0)
		chunk = 1;
	m = mtx_new(SH_MIN(chunk, rows), l);
	m->scaled = 0;
	buf = xmalloc_aligned((size_t)GEN_BATCH * (size_t)D * sizeof(float));
	if (l->enc_on)
		net = xmalloc_aligned((size_t)GEN_BATCH * (size_t)l->enc->Dn * sizeof(float));
	while (got < rows && rc == 0) {
		size_t nb = strat ? GEN_BATCH : SH_MIN((size_t)GEN_BATCH, rows - got);

		if (strat && drawn >= limit) {
			/* Issue 18: fill the rest without the quota rather than fail
			 * (the caller warns with the count). */
			strat = 0;
			*unstrat = rows - got;
			continue;
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
			mtx_set_row(m, inchunk++, row);
			got++;
			if (inchunk == m->n || got == rows) {
				size_t cap = m->n;

				m->n = inchunk;
				rc = sink(arg, m, cause);
				m->n = cap;
				inchunk = 0;
				if (rc != 0)
					break;
			}
		}
	}
	free(buf);
	free(net);
	mtx_free(m);
	return rc;
}

struct gen_whole {
	struct mtx *m;
	size_t at;
};

static int
sink_whole(void *arg, const struct mtx *chunk, char **cause)
{
	struct gen_whole *g = arg;
	struct mtx *m = g->m;

	(void)cause;
	memcpy(m->b + g->at * (size_t)m->nb, chunk->b, chunk->n * (size_t)m->nb);
	memcpy(m->c + g->at * (size_t)m->nc, chunk->c, chunk->n * (size_t)m->nc * sizeof(float));
	g->at += chunk->n;
	return 0;
}

int
gen_sample(struct wgan *w, const struct layout *l, const struct gen_opts *o, size_t rows,
    size_t npos, struct rng *r, struct mtx **out, char **cause)
{
	size_t unstrat;

	return gen_sample_ex(w, l, o, rows, npos, r, out, &unstrat, cause);
}

int
gen_sample_ex(struct wgan *w, const struct layout *l, const struct gen_opts *o, size_t rows,
    size_t npos, struct rng *r, struct mtx **out, size_t *unstrat, char **cause)
{
	struct gen_whole g;

	g.m = mtx_new(rows, l);
	g.m->scaled = 0;
	g.at = 0;
	if (gen_draw(w, l, o, rows, npos, r, GEN_BATCH, sink_whole, &g, unstrat, cause) != 0) {
		mtx_free(g.m);
		*out = NULL;
		return -1;
	}
	*out = g.m;
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
	if ((rc = ckpt_read(path, &got, &data, cause)) != 0)
		goto out;   /* -2: damaged */
	rc = -1;
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
	if ((rc = ckpt_check(path, &got, &want, cause)) != 0)
		goto out;   /* -2: another model's, layout's or training rows' */
	rc = -1;
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

/* A set's files become valid together through the set switch
 * (set_switch.h): written into DIR/set.tmp.stage, switched in by
 * set_switch_commit. */
static int
gen_set_begin(struct study *s, const char *rel, char **dir, char **stage, char **cause)
{
	*stage = NULL;
	*dir = NULL;
	if (study_mkdir(s, rel, cause) != 0)
		return -1;
	*dir = study_path(s, rel);
	return set_switch_begin(*dir, stage, cause);
}

int
gen_write_files(const char *dir, const struct layout *l, const struct mtx *m, char **cause)
{
	char *p;
	int rc;

	/* The CSV, then the matrix naming it (its SHA-256 in the header). */
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
	return rc;
}

int
gen_write_set(struct study *s, const char *rel, const struct layout *l, const struct mtx *m,
    char **cause)
{
	char *dir, *stage;
	int rc;

	if (gen_set_begin(s, rel, &dir, &stage, cause) != 0) {
		free(dir);
		return -1;
	}
	rc = gen_write_files(stage, l, m, cause);
	rc = set_switch_end(dir, stage, rc, cause);
	return rc;
}

/* Generate's rows, streamed to the staged CSV and matrix chunk by chunk. */
struct gen_stream {
	struct prep_csv *csv;
	struct mtx_stream *mtx;
	size_t done, total;
	const struct gen_opts *o;
};

static int
sink_stream(void *arg, const struct mtx *chunk, char **cause)
{
	struct gen_stream *g = arg;

	if (prep_csv_rows(g->csv, chunk, cause) != 0 || mtx_stream_rows(g->mtx, chunk, cause) != 0)
		return -1;
	g->done += chunk->n;
	if (g->o->progress != NULL)
		g->o->progress(g->o->cb_arg, g->done, g->total);
	return 0;
}

/* Rows per chunk: about 16 MiB of rows held at once (at least a batch). */
static size_t
gen_chunk_rows(const struct mtx *proto)
{
	size_t per = (size_t)proto->nb + 4 * (size_t)proto->nc + 1;
	const char *e = getenv("SYNTHEHR_GEN_CHUNK_ROWS");   /* tests: force small chunks */

	if (e != NULL && atoi(e) > 0)
		return (size_t)atoi(e);

	return SH_MAX((size_t)GEN_BATCH, ((size_t)16 << 20) / per);
}

int
gen_run(struct study *s, int run, const struct gen_opts *o, size_t *rows_out, char **cause)
{
	struct layout *l = NULL;
	struct mtx *train = NULL, *proto = NULL;
	struct wgan *w = NULL;
	struct gen_stream g;
	struct rng r;
	size_t rows, chunk, unstrat = 0;
	char *rel = NULL, *dir = NULL, *stage = NULL, *p, sha[65];
	int rc = -1, epoch = 0;

	memset(&g, 0, sizeof g);
	/* damaged or foreign training rows or checkpoint are bad input (-2,
	 * as train says); a run that cannot be loaded otherwise fails (-1);
	 * either way nothing is written */
	if (train_load_data(s, &l, &train, cause) != 0)
		return -2;
	if (blas_headroom_check("generating", 2, cause) != 0)
		goto out;
	if ((rc = gen_load_model(s, run, o->ckpt_epoch, l, &w, &epoch, cause)) != 0)
		goto out;
	rc = -1;
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
			rc = -2;
			goto out;
		}
	}

	rows = o->rows > 0 ? o->rows : train->n;
	proto = mtx_new(0, l);
	proto->scaled = 0;
	proto->prov = train->prov;
	proto->prov.role = MTX_ROLE_SYNTH;
	proto->prov.seed = o->seed;
	proto->prov.parent = (uint64_t)run << 32 | (uint32_t)epoch;   /* run and checkpoint epoch */
	proto->prov.train = train->sum;
	/* Rows are streamed to the files in chunks (issue 18): what is held
	 * scales with a chunk, not with the rows asked for. */
	chunk = SH_MIN(gen_chunk_rows(proto), rows > 0 ? rows : 1);
	if (util_mem_check(chunk * ((size_t)train->nb + 4 * (size_t)train->nc + 16) +
	    (size_t)GEN_BATCH * (size_t)l->D * 8 + ((size_t)2 << 20), "generating the synthetic rows", cause) != 0)
		goto out;
	rel = train_run_dir(run);
	if (gen_set_begin(s, rel, &dir, &stage, cause) != 0)
		goto out;
	g.o = o;
	g.total = rows;
	p = util_path_join(stage, "synthetic.csv");
	g.csv = prep_csv_open(p, l, proto, cause);
	free(p);
	if (g.csv == NULL)
		goto out;
	p = util_path_join(stage, "synthetic.mtx");
	g.mtx = mtx_stream_open(p, proto, rows, cause);
	free(p);
	if (g.mtx == NULL)
		goto out;
	rng_seed_stream(&r, o->seed, (uint64_t)run);
	if (o->progress != NULL)
		o->progress(o->cb_arg, 0, rows);
	if (gen_draw(w, l, o, rows, gen_label_target(train, l, rows), &r, chunk, sink_stream, &g, &unstrat,
	    cause) != 0) {
		char *c = cause ? *cause : NULL;

		if (cause != NULL) {
			*cause = xsprintf("run %d: %s", run, c);
			free(c);
		}
		goto out;
	}
	rc = prep_csv_commit(g.csv, cause);
	g.csv = NULL;
	if (rc == 0) {
		/* the matrix names the CSV written with it */
		p = util_path_join(stage, "synthetic.csv");
		proto->prov.companion = util_sha256_file(p, sha, NULL) == 0 ? util_hex64(sha) : 0;
		free(p);
		rc = mtx_stream_commit(g.mtx, proto, cause);
	} else
		mtx_stream_abort(g.mtx);
	g.mtx = NULL;
	if (rc == 0)
		rc = set_switch_commit(dir, stage, cause);
	if (rc == 0 && unstrat > 0 && o->warn != NULL) {
		char *msg = xsprintf("run %d: stratified sampling stopped after %.0f × %zu draws; the last %zu of "
		    "%zu rows were drawn without the label quota, so the label proportion differs from the "
		    "training rows' (train longer, or raise generate.max_draw_factor)", run,
		    o->max_draw_factor, rows, unstrat, rows);

		o->warn(o->cb_arg, msg);
		free(msg);
	}
	if (rc == 0 && rows_out != NULL)
		*rows_out = rows;
out:
	if (g.csv != NULL)
		prep_csv_abort(g.csv);
	if (g.mtx != NULL)
		mtx_stream_abort(g.mtx);
	if (rc != 0)
		set_switch_abort(stage);
	free(stage);
	free(dir);
	free(rel);
	if (w != NULL)
		wgan_free(w);
	mtx_free(proto);
	mtx_free(train);
	layout_free(l);
	return rc;
}
