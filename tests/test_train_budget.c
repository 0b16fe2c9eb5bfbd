/* synthehr — GPL-3.0-or-later.
 * Training per minute (issue 14): the learning-rate schedules at given
 * points (hand-computed), a run with a schedule equal to a hand-written
 * training loop that applies those factors, the time budget (stops at an
 * epoch end inside the budget, keeps the checkpoint with the lowest score,
 * a finished budget is not retrained, a larger one extends the run), runs
 * trained at once bit-identical to runs trained one after another, and
 * stop + resume of runs trained at once bit-identical to an uninterrupted
 * job.  Assertions are on the recorded state, never on timing. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synthehr/ckpt.h"
#include "synthehr/prep.h"
#include "synthehr/study.h"
#include "synthehr/train.h"
#include "synthehr/util.h"
#include "study_fixture.h"
#include "tap.h"

#define D_ALL 10

/* A 3-level group, a label, 4 concepts and 2 continuous columns. */
static struct layout *
make_layout(void)
{
	struct layout *l = layout_new(D_ALL);
	char **gn = xcalloc(1, sizeof *gn);
	int j;

	for (j = 0; j < 3; j++) {
		l->kind[j] = MCOL_GROUP;
		l->group_of[j] = 0;
		l->name[j] = xsprintf("G_%c", 'A' + j);
		l->source[j] = xstrdup("G");
		l->level[j] = xsprintf("%c", 'A' + j);
	}
	l->name[3] = xstrdup("DEAD");
	l->source[3] = xstrdup("DEAD");
	l->label = 3;
	for (j = 4; j < 8; j++) {
		l->name[j] = xsprintf("C%d", j);
		l->source[j] = xstrdup(l->name[j]);
		l->concept[j] = 1;
	}
	for (j = 8; j < 10; j++) {
		l->kind[j] = MCOL_CONT;
		l->name[j] = xsprintf("X%d", j);
		l->source[j] = xstrdup(l->name[j]);
		l->lo[j] = 0;
		l->hi[j] = 100;
	}
	gn[0] = xstrdup("G");
	layout_finish(l, 1, gn);
	return l;
}

/* A study of n rows of a hidden-factor model and the given "train"
 * settings. */
static struct study *
make_study(const char *name, size_t n, json_t *train)
{
	struct layout *l = make_layout();
	struct mtx *m = mtx_new(n, l);
	struct study *s;
	struct rng r;
	float row[D_ALL];
	size_t i;
	int j;

	rng_seed(&r, 3);
	m->scaled = 1;
	for (i = 0; i < n; i++) {
		double u = rng_uniform(&r);

		memset(row, 0, sizeof row);
		row[(int)(3 * rng_uniform(&r)) % 3] = 1;
		row[3] = rng_uniform(&r) < 0.1 + 0.3 * u;
		for (j = 4; j < 8; j++)
			row[j] = rng_uniform(&r) < 0.05 + 0.1 * j * u;
		row[8] = (float)u;
		row[9] = (float)(rng_uniform(&r) < 0.6 ? 0 : rng_uniform(&r));
		mtx_set_row(m, i, row);
	}
	s = fixture_study(name, l, m, train);
	mtx_free(m);
	layout_free(l);
	return s;
}

static json_t *
tiny(int runs, int epochs)
{
	return json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:s, s:i, s:i, s:i, s:s, s:i, s:i}",
	    "preset", "quick", "runs", runs, "epochs", epochs, "batch", 32, "zdim", 4, "width", 8,
	    "depth", 2, "lr_g", 1e-3, "lr_d", 1e-3, "optimizer", "adam", "ckpt_every", 4,
	    "ckpt_after", 0, "ckpt_keep", 2, "ckpt_rule", "metric", "threads", 1, "seed", 7);
}

/* The model state of runs/run-K/NAME, or NULL. */
static float *
ckpt_state(struct study *s, int run, const char *name, struct ckpt_header *h)
{
	char *rel = xsprintf("runs/run-%d/%s", run, name), *p = study_path(s, rel), *cause = NULL;
	float *data = NULL;

	if (ckpt_read(p, h, &data, &cause) != 0) {
		free(cause);
		data = NULL;
	}
	free(rel);
	free(p);
	return data;
}

static int
train_blocking(struct study *s, train_cb cb, char **cause)
{
	struct train_job *j = train_start(s, NULL, cb, NULL, cause);

	if (j == NULL)
		return -2;
	return train_wait(j, cause);
}

static void
test_schedule_values(void)
{
	struct train_settings ts;
	char *cause = NULL;
	json_t *j;
	int rc;

	tap_ok(train_lr_factor(TRAIN_LR_CONSTANT, 0.1, 0.7) == 1.0, "constant: factor 1");
	tap_near(train_lr_factor(TRAIN_LR_COSINE, 0.1, 0), 1.0, 1e-15, "cosine at 0: 1");
	/* 0.1 + 0.9 (1 + cos(pi/4)) / 2 = 0.1 + 0.45 (1 + 0.70710678) */
	tap_near(train_lr_factor(TRAIN_LR_COSINE, 0.1, 0.25), 0.8681980515, 1e-9, "cosine at 1/4");
	tap_near(train_lr_factor(TRAIN_LR_COSINE, 0.1, 0.5), 0.55, 1e-15, "cosine at 1/2: 0.55");
	/* 0.1 + 0.45 (1 - 0.70710678) */
	tap_near(train_lr_factor(TRAIN_LR_COSINE, 0.1, 0.75), 0.2318019485, 1e-9, "cosine at 3/4");
	tap_near(train_lr_factor(TRAIN_LR_COSINE, 0.1, 1), 0.1, 1e-15, "cosine at 1: the floor");
	tap_near(train_lr_factor(TRAIN_LR_COSINE, 0, 1.5), 0.0, 1e-15, "cosine past the end stays at the floor");
	tap_ok(train_lr_factor(TRAIN_LR_STEP, 0, 0.2499) == 1 && train_lr_factor(TRAIN_LR_STEP, 0, 0.25) == 0.5 &&
	    train_lr_factor(TRAIN_LR_STEP, 0, 0.5) == 0.25 && train_lr_factor(TRAIN_LR_STEP, 0, 0.7499) == 0.25 &&
	    train_lr_factor(TRAIN_LR_STEP, 0, 0.75) == 0.125 && train_lr_factor(TRAIN_LR_STEP, 0, 1) == 0.125,
	    "step: 1, 1/2, 1/4, 1/8 by quarters");

	tap_ok(train_settings_preset("tutorial", &ts, &cause) == 0 && ts.lr_schedule == TRAIN_LR_CONSTANT &&
	    ts.minutes == 0 && ts.parallel == 1, "tutorial preset: constant rates, no budget, one run at a time");
	tap_ok(train_settings_preset("quick", &ts, &cause) == 0 && ts.lr_schedule == TRAIN_LR_COSINE &&
	    ts.lr_floor == 0.1 && ts.batch == 128 && ts.width == 64 && ts.depth == 2 && ts.zdim == 32 &&
	    ts.lr_g == 5e-4 && ts.lr_d == 5e-4 && ts.epochs == 1000 && ts.minutes == 0 && ts.parallel == 0,
	    "quick preset: the measured geometry, 5e-4 with a cosine schedule, 1000 epochs, runs at once");
	j = json_pack("{s:s, s:f, s:s, s:f, s:i}", "preset", "quick", "minutes", 2.5, "lr_schedule", "cosine",
	    "lr_floor", 0.2, "parallel", 3);
	tap_ok(train_settings_load(j, &ts, &cause) == 0 && ts.minutes == 2.5 && ts.lr_schedule == TRAIN_LR_COSINE &&
	    ts.lr_floor == 0.2 && ts.parallel == 3, "minutes, lr_schedule, lr_floor, parallel load");
	tap_ok(train_parallel(&ts, 5) == 3 && train_parallel(&ts, 2) == 2, "parallel capped by the runs");
	ts.parallel = 0;
	tap_ok(train_parallel(&ts, 5) == 5, "auto: all runs at once");
	ts.threads = 2;
	tap_ok(train_parallel(&ts, 5) == 1, "auto with 2 BLAS threads per run: one at a time");
	json_decref(j);
	j = json_pack("{s:s}", "lr_schedule", "linear");
	rc = train_settings_load(j, &ts, &cause);
	tap_ok(rc == -1 && strstr(cause, "train.lr_schedule") && strstr(cause, "cosine"),
	    "bad schedule named: %s", cause);
	free(cause);
	cause = NULL;
	json_decref(j);
	j = json_pack("{s:f}", "minutes", -1.0);
	rc = train_settings_load(j, &ts, &cause);
	tap_ok(rc == -1 && strstr(cause, "train.minutes"),
	    "negative minutes refused: %s", cause);
	free(cause);
	json_decref(j);
}

/* A cosine run equals a hand-written loop over the same data that sets the
 * rates to lr x factor(steps done / (epochs x steps per epoch)) before each step. */
static void
test_schedule_in_training(void)
{
	json_t *t = tiny(1, 6);
	struct study *s;
	struct train_settings ts;
	struct layout *l = NULL;
	struct mtx *m = NULL;
	struct wgan_config cfg;
	struct wgan *w;
	struct rng rng;
	struct ckpt_header h;
	char *cause = NULL;
	float *batch, *got, *want;
	size_t *idx, r, nst;
	int e, k, spe;

	json_object_set_new(t, "lr_schedule", json_string("cosine"));
	json_object_set_new(t, "lr_floor", json_real(0.05));
	s = make_study("sched", 200, t);
	tap_ok(train_blocking(s, NULL, &cause) == 0, "cosine run trains (%s)", cause ? cause : "ok");
	tap_ok(train_settings_load(json_object_get(s->cfg, "train"), &ts, &cause) == 0 &&
	    train_load_data(s, &l, &m, &cause) == 0, "settings and data load");
	train_wgan_config(&ts, l, &cfg);
	w = wgan_new(&cfg, train_run_seed(&ts, 1));
	rng_seed_stream(&rng, train_run_seed(&ts, 1), 1);
	spe = (int)(m->n / (size_t)ts.batch);
	idx = xmalloc(m->n * sizeof *idx);
	batch = xmalloc((size_t)ts.batch * l->D * sizeof *batch);
	for (e = 0; e < ts.epochs; e++) {
		for (r = 0; r < m->n; r++)
			idx[r] = r;
		rng_shuffle(&rng, idx, m->n);
		for (k = 0; k < spe; k++) {
			double f = train_lr_factor(TRAIN_LR_COSINE, 0.05,
			    (double)(e * spe + k) / (double)(ts.epochs * spe));

			wgan_set_lr(w, ts.lr_g * f, ts.lr_d * f);
			mtx_gather_rows(m, idx + (size_t)k * ts.batch, (size_t)ts.batch, batch);
			wgan_train_step(w, batch, ts.batch, &rng, NULL);
		}
	}
	nst = wgan_state_floats(w);
	want = xmalloc(nst * sizeof *want);
	wgan_state_get(w, want);
	got = ckpt_state(s, 1, "ckpt-last.bin", &h);
	tap_ok(got != NULL && h.nfloats == nst && memcmp(got, want, nst * sizeof *want) == 0,
	    "cosine run = hand-written loop with the hand-computed factors (bit-identical state)");
	wgan_free(w);
	free(got);
	free(want);
	free(idx);
	free(batch);
	layout_free(l);
	mtx_free(m);
	study_free(s);
}

static void
test_budget(void)
{
	json_t *t = tiny(1, 3), *st = NULL, *cl, *c, *ch;
	struct study *s;
	char *cause = NULL, *loss, *p, *line;
	double budget = 0.004 * 60, best = INFINITY, prev_s = 0, last_s = 0;
	int best_e = 0, n_epochs = 0, e1, ok = 1, nlines = 0;
	size_t i;

	/* 0.24 s of a tiny model; epochs (3) must not limit a budgeted run */
	json_object_set_new(t, "minutes", json_real(0.004));
	json_object_set_new(t, "ckpt_every", json_integer(2));
	s = make_study("budget", 400, t);
	tap_ok(train_blocking(s, NULL, &cause) == 0, "budgeted run trains (%s)", cause ? cause : "ok");
	tap_ok(train_read_state(s, 1, &st, &cause) == 0 && strcmp(js_str(st, "status", ""), "done") == 0,
	    "state.json: done");
	n_epochs = (int)js_int(st, "epoch", 0);
	tap_ok(n_epochs >= 1 && js_int(st, "epochs", 0) == n_epochs && js_num(st, "minutes", 0) == 0.004,
	    "at least one epoch; epochs recorded as trained (%d); budget recorded", n_epochs);
	tap_diag("the budget of %.2f s ran %d epochs", budget, n_epochs);
	/* the last epoch started inside the budget (loss.csv's seconds column) */
	loss = slurp(s, "runs/run-1/loss.csv");
	for (line = strtok(loss, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		if (nlines++ == 0)
			continue;
		p = strrchr(line, ',');
		prev_s = last_s;
		last_s = p ? atof(p + 1) : -1;
	}
	tap_ok(nlines - 1 == n_epochs, "loss.csv has one row per epoch (%d)", nlines - 1);
	tap_ok(n_epochs == 1 || prev_s < budget, "no epoch started after the budget was spent"
	    " (%.3f s before the last epoch, budget %.3f s)", prev_s, budget);
	tap_ok(js_num(st, "seconds", -1) == last_s, "state seconds = loss.csv's last seconds");
	free(loss);
	cl = json_object_get(st, "checkpoints");
	json_array_foreach(cl, i, c) {
		json_t *sc = json_object_get(c, "score");

		if (json_is_number(sc) && json_number_value(sc) < best) {
			best = json_number_value(sc);
			best_e = (int)js_int(c, "epoch", 0);
		}
		if (js_int(c, "epoch", 0) % 2 != 0 && js_int(c, "epoch", 0) != n_epochs)
			ok = 0;
	}
	tap_ok(ok && json_array_size(cl) >= 1, "candidates at every 2nd epoch and the last (%zu)",
	    json_array_size(cl));
	{
		json_t *last = json_array_get(cl, json_array_size(cl) - 1);

		tap_ok(last != NULL && js_int(last, "epoch", 0) == n_epochs,
		    "the budget's last epoch is a candidate");
	}
	ch = json_object_get(st, "chosen");
	tap_ok(best_e > 0 && js_int(ch, "epoch", 0) == best_e && js_num(ch, "score", 0) == best,
	    "chosen checkpoint: the lowest score (epoch %d, %.4g)", best_e, best);
	{
		char *rel = xsprintf("runs/run-1/%s", js_str(ch, "file", "?"));
		char *f = study_path(s, rel);
		struct ckpt_header h;
		float *d = NULL;

		tap_ok(ckpt_read(f, &h, &d, &cause) == 0 && h.epoch == best_e && h.score == best,
		    "the chosen file holds that epoch and score");
		free(d);
		free(f);
		free(rel);
	}
	json_decref(st);
	st = NULL;

	/* run again: complete, nothing trained */
	tap_ok(train_blocking(s, NULL, &cause) == 0 && train_read_state(s, 1, &st, &cause) == 0 &&
	    js_int(st, "epoch", 0) == n_epochs, "a finished budget is not retrained");
	json_decref(st);
	st = NULL;
	/* a larger budget extends the run */
	json_object_set_new(json_object_get(s->cfg, "train"), "minutes", json_real(0.008));
	tap_ok(study_save(s, &cause) == 0 && train_blocking(s, NULL, &cause) == 0 &&
	    train_read_state(s, 1, &st, &cause) == 0, "train with a doubled budget");
	e1 = (int)js_int(st, "epoch", 0);
	tap_ok(e1 > n_epochs && strcmp(js_str(st, "status", ""), "done") == 0,
	    "a larger budget extends the run (%d -> %d epochs)", n_epochs, e1);
	json_decref(st);
	study_free(s);
}

static void
cancel_run1_at_5(const struct train_event *ev, void *arg)
{
	(void)arg;
	if (ev->kind == TRAIN_EV_EPOCH && ev->run == 1 && ev->epoch == 5)
		train_cancel(ev->job);
}

static void
test_parallel(void)
{
	json_t *ta = tiny(3, 12), *tb, *tc;
	struct study *a, *b, *c;
	char *cause = NULL;
	int k, same = 1, rc;

	json_object_set_new(ta, "lr_schedule", json_string("step"));
	tb = json_deep_copy(ta);
	tc = json_deep_copy(ta);
	json_object_set_new(ta, "parallel", json_integer(1));
	json_object_set_new(tb, "parallel", json_integer(3));
	json_object_set_new(tc, "parallel", json_integer(3));
	a = make_study("seq", 300, ta);
	b = make_study("par", 300, tb);
	c = make_study("par-stop", 300, tc);
	tap_ok(train_blocking(a, NULL, &cause) == 0, "3 runs one after another");
	tap_ok(train_blocking(b, NULL, &cause) == 0, "3 runs at once");
	for (k = 1; k <= 3; k++) {
		char *la = loss_no_seconds(a, k), *lb = loss_no_seconds(b, k);
		struct ckpt_header ha, hb;
		float *sa = ckpt_state(a, k, "ckpt-last.bin", &ha), *sb = ckpt_state(b, k, "ckpt-last.bin", &hb);

		if (strcmp(la, lb) != 0 || strlen(la) < 100 || sa == NULL || sb == NULL ||
		    ha.nfloats != hb.nfloats || memcmp(sa, sb, ha.nfloats * sizeof *sa) != 0 ||
		    ha.best_epoch != hb.best_epoch)
			same = 0;
		free(la);
		free(lb);
		free(sa);
		free(sb);
	}
	tap_ok(same, "runs at once = runs one after another: identical loss histories, final states"
	    " and chosen epochs");

	rc = train_blocking(c, cancel_run1_at_5, &cause);
	tap_ok(rc == 1, "cancel while 3 runs train at once returns 1 (%d)", rc);
	tap_ok(train_blocking(c, NULL, &cause) == 0, "resume the 3 runs");
	same = 1;
	for (k = 1; k <= 3; k++) {
		char *la = loss_no_seconds(a, k), *lc = loss_no_seconds(c, k);
		struct ckpt_header ha, hc;
		float *sa = ckpt_state(a, k, "ckpt-last.bin", &ha), *sc = ckpt_state(c, k, "ckpt-last.bin", &hc);

		if (strcmp(la, lc) != 0 || sa == NULL || sc == NULL || ha.nfloats != hc.nfloats ||
		    memcmp(sa, sc, ha.nfloats * sizeof *sa) != 0)
			same = 0;
		free(la);
		free(lc);
		free(sa);
		free(sc);
	}
	tap_ok(same, "stop + resume of runs at once = uninterrupted (bit-identical states, step schedule)");
	study_free(a);
	study_free(b);
	study_free(c);
}

int
main(void)
{
	fixture_tmpdir("train-budget");
	test_schedule_values();
	test_schedule_in_training();
	test_budget();
	test_parallel();
	fixture_tmpdir_done();
	return tap_done();
}
