/* synthehr — GPL-3.0-or-later.
 * Training-run tests on a small synthetic study (19 model columns with a
 * 3-level group, label, sex, 12 concepts of prevalence 2–60 % that depend
 * on a hidden factor, and 2 continuous columns): settings and presets, the
 * fidelity score on a hand-computed case, identical loss histories for the
 * same seed, resume after a stop (and after a torn loss.csv) equal to an
 * uninterrupted run, pause/resume and the event queue, the tutorial
 * checkpoint rule's invariants, a learning test (training must improve the
 * fidelity score of the untrained generator by at least half), generation
 * (stratified counts, one-hot groups, ranges) and the marginals baseline. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "synthehr/baseline.h"
#include "synthehr/ckpt.h"
#include "synthehr/encode.h"
#include "synthehr/generate.h"
#include "synthehr/prep.h"
#include "synthehr/study.h"
#include "synthehr/train.h"
#include "synthehr/util.h"
#include "study_fixture.h"
#include "tap.h"

#define NCONCEPT 12
#define D_ALL (3 + 2 + NCONCEPT + 2)

static struct layout *
make_layout(void)
{
	struct layout *l = layout_new(D_ALL);
	char **gn = xcalloc(1, sizeof *gn);
	static const char *lv[3] = { "A", "B", "C" };
	int j;

	for (j = 0; j < 3; j++) {
		l->kind[j] = MCOL_GROUP;
		l->group_of[j] = 0;
		l->name[j] = xsprintf("GRP_%s", lv[j]);
		l->source[j] = xstrdup("GRP");
		l->level[j] = xstrdup(lv[j]);
	}
	l->name[3] = xstrdup("DEAD");
	l->source[3] = xstrdup("DEAD");
	l->label = 3;
	l->name[4] = xstrdup("FEMALE");
	l->source[4] = xstrdup("FEMALE");
	l->sex = 4;
	for (j = 5; j < 5 + NCONCEPT; j++) {
		l->name[j] = xsprintf("C%02d", j - 5);
		l->source[j] = xstrdup(l->name[j]);
		l->concept[j] = 1;
	}
	l->kind[D_ALL - 2] = l->kind[D_ALL - 1] = MCOL_CONT;
	l->name[D_ALL - 2] = xstrdup("AGE");
	l->source[D_ALL - 2] = xstrdup("AGE");
	l->lo[D_ALL - 2] = 18;
	l->hi[D_ALL - 2] = 91;
	l->name[D_ALL - 1] = xstrdup("BMI");
	l->source[D_ALL - 1] = xstrdup("BMI");
	l->lo[D_ALL - 1] = 10;
	l->hi[D_ALL - 1] = 60;
	gn[0] = xstrdup("GRP");
	layout_finish(l, 1, gn);
	return l;
}

/* n rows, scaled; dependence through a hidden factor u. */
static struct mtx *
make_data(const struct layout *l, size_t n, uint64_t seed)
{
	struct mtx *m = mtx_new(n, l);
	struct rng r;
	float row[D_ALL];
	size_t i;
	int j;

	rng_seed(&r, seed);
	m->scaled = 1;
	for (i = 0; i < n; i++) {
		double u = rng_uniform(&r), g = rng_uniform(&r);

		memset(row, 0, sizeof row);
		row[g < 0.6 ? 0 : g < 0.85 ? 1 : 2] = 1;
		row[3] = rng_uniform(&r) < 0.05 + 0.3 * u;
		row[4] = rng_uniform(&r) < 0.55;
		for (j = 0; j < NCONCEPT; j++) {
			double p = 0.02 + 0.05 * j * (0.5 + u);

			row[5 + j] = rng_uniform(&r) < SH_MIN(p, 0.95);
		}
		row[D_ALL - 2] = (float)SH_MIN(1.0, 0.2 + 0.6 * u + 0.1 * rng_normal(&r) * 0.5);
		if (row[D_ALL - 2] < 0)
			row[D_ALL - 2] = 0;
		row[D_ALL - 1] = (float)SH_MIN(1.0, fabs(0.3 + 0.15 * rng_normal(&r)));
		mtx_set_row(m, i, row);
	}
	return m;
}

/* A study with the layout and n rows of make_data and the given "train"
 * settings. */
static struct study *
make_study(const char *name, size_t n, json_t *train)
{
	struct layout *l = make_layout();
	struct mtx *m = make_data(l, n, 11);
	struct study *s = fixture_study(name, l, m, train);

	mtx_free(m);
	layout_free(l);
	return s;
}

static json_t *
tiny_settings(int epochs, const char *rule)
{
	/* constant rates: an extended run then equals one trained to the end at once */
	return json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:s, s:f, s:f, s:i, s:i, s:i, s:s, s:i, s:i, s:s}",
	    "preset", "quick", "runs", 1, "epochs", epochs, "batch", 64, "zdim", 8, "width", 16,
	    "depth", 2, "lr_g", 1e-3, "lr_d", 1e-3, "optimizer", "adam", "adam_b1", 0.5,
	    "adam_b2", 0.9, "ckpt_every", 5, "ckpt_after", 5, "ckpt_keep", 2, "ckpt_rule", rule,
	    "threads", 1, "seed", 5, "lr_schedule", "constant");
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static int
train_blocking(struct study *s, train_cb cb, void *arg, char **cause)
{
	struct train_job *j = train_start(s, NULL, cb, arg, cause);

	if (j == NULL)
		return -2;
	return train_wait(j, cause);
}

static void
cancel_at_10(const struct train_event *ev, void *arg)
{
	(void)arg;
	if (ev->kind == TRAIN_EV_EPOCH && ev->epoch == 10)
		train_cancel(ev->job);
}

static void
test_settings(void)
{
	struct train_settings a, b;
	char *cause = NULL;
	int rc;
	json_t *j;

	tap_ok(train_settings_preset("tutorial", &a, &cause) == 0, "tutorial preset exists");
	tap_ok(a.batch == 4096 && a.drop_remainder && a.epochs == 15000 && a.zdim == 128 && a.width == 384 &&
	    a.depth == 5 && a.lr_g == 1e-5 && a.lr_d == 2e-5 && a.gp_lambda == 10 &&
	    a.optimizer == WGAN_OPT_RMSPROP && a.ckpt_every == 50 && a.ckpt_after == 100 &&
	    a.rule == TRAIN_RULE_TUTORIAL && a.runs == 5, "tutorial preset is SPEC §1 exactly");
	tap_ok(train_settings_preset("fast", &a, &cause) == -1 && strstr(cause, "quick or tutorial"),
	    "unknown preset refused");
	free(cause);
	cause = NULL;
	j = json_pack("{s:s, s:i, s:f, s:s}", "preset", "tutorial", "epochs", 7, "lr_g", 3e-4,
	    "ckpt_rule", "metric");
	tap_ok(train_settings_load(j, &a, &cause) == 0 && a.epochs == 7 && a.lr_g == 3e-4 &&
	    a.rule == TRAIN_RULE_METRIC && a.batch == 4096, "explicit keys override the preset");
	json_object_set_new(j, "batch", json_string("big"));
	rc = train_settings_load(j, &a, &cause);
	tap_ok(rc == -1 && strstr(cause, "train.batch: expected an integer"), "wrong type named: %s", cause);
	free(cause);
	cause = NULL;
	json_object_set_new(j, "batch", json_integer(0));
	rc = train_settings_load(j, &a, &cause);
	tap_ok(rc == -1 && strstr(cause, "train.batch") &&
	    strstr(cause, "out of range"), "out of range named: %s", cause);
	free(cause);
	cause = NULL;
	json_object_set_new(j, "batch", json_integer(64));
	json_object_set_new(j, "optimizer", json_string("sgd"));
	tap_ok(train_settings_load(j, &a, &cause) == -1 && strstr(cause, "rmsprop"), "bad optimizer named");
	free(cause);
	cause = NULL;
	json_object_del(j, "optimizer");
	train_settings_load(j, &a, &cause);
	b = a;
	b.epochs = 99;
	b.threads = 2;
	b.ckpt_every = 3;
	tap_ok(train_settings_hash(&a, 1) == train_settings_hash(&b, 1),
	    "settings hash ignores epochs, threads and the schedule");
	b.lr_d *= 2;
	tap_ok(train_settings_hash(&a, 1) != train_settings_hash(&b, 1), "settings hash covers lr_d");
	tap_ok(train_settings_hash(&a, 1) != train_settings_hash(&a, 2) && train_run_seed(&a, 3) == a.seed + 2,
	    "each run has its own seed (seed + K - 1)");
	json_object_set_new(j, "seeds", json_pack("[i,i]", 77, 88));
	tap_ok(train_settings_load(j, &a, &cause) == 0 && train_run_seed(&a, 2) == 88 &&
	    train_run_seed(&a, 3) == a.seed + 2, "an explicit seeds list wins");
	json_decref(j);
}

/* Hand-computed fidelity: D = 3 (label, binary, continuous). */
static void
test_fidelity(void)
{
	struct layout *l = layout_new(3);
	struct mtx *m;
	float real[4][3] = { { 1, 1, 0 }, { 0, 1, 1 }, { 1, 0, 0 }, { 0, 0, 1 } };
	float syn[4 * 3] = { 0, 0.9f, 0.5f, 1, 0.2f, 0.5f, 1, 0.4f, 0.5f, 0, 0.1f, 0.5f };
	int r;

	l->name[0] = xstrdup("y");
	l->name[1] = xstrdup("b");
	l->name[2] = xstrdup("c");
	l->label = 0;
	l->kind[2] = MCOL_CONT;
	layout_finish(l, 0, NULL);
	m = mtx_new(4, l);
	m->scaled = 1;
	for (r = 0; r < 4; r++)
		mtx_set_row(m, (size_t)r, real[r]);
	/* |0.25 − 0.5| + W1({0,0,1,1}, {.5,.5,.5,.5}) = 0.25 + 0.5, / (3 − 1) × 1000. */
	tap_near(train_fidelity(m, l, syn, 4), 375, 1e-9, "fidelity score, hand-computed case");
	mtx_free(m);
	layout_free(l);
}

static void
test_determinism_resume(void)
{
	struct study *a, *b, *c;
	char *cause = NULL, *la, *lb, *lc, *ca, *cb, *cc;
	int rc;
	json_t *st = NULL;

	a = make_study("det-a", 600, tiny_settings(20, "metric"));
	b = make_study("det-b", 600, tiny_settings(20, "metric"));
	c = make_study("det-c", 600, tiny_settings(20, "metric"));
	tap_ok(train_blocking(a, NULL, NULL, &cause) == 0, "train 20 epochs (%s)", cause ? cause : "ok");
	tap_ok(train_blocking(b, NULL, NULL, &cause) == 0, "train again with the same seed");
	la = loss_no_seconds(a, 1);
	lb = loss_no_seconds(b, 1);
	tap_ok(count_lines(la) == 21, "loss.csv has a header and 20 rows (%d lines)", count_lines(la));
	tap_ok(strcmp(la, lb) == 0, "same seed and threads: identical loss history");
	ca = slurp(a, "runs/run-1/ckpt-last.bin");
	cb = slurp(b, "runs/run-1/ckpt-last.bin");
	tap_ok(ca && cb && memcmp(ca, cb, 2000) == 0, "same seed: identical final checkpoint");

	/* Stop after epoch 10, resume. */
	rc = train_blocking(c, cancel_at_10, NULL, &cause);
	tap_ok(rc == 1, "cancel during training returns 1 (%d)", rc);
	lc = loss_no_seconds(c, 1);
	tap_ok(count_lines(lc) == 11, "stopped run kept 10 epochs of history (%d lines)", count_lines(lc) - 1);
	free(lc);
	tap_ok(train_read_state(c, 1, &st, &cause) == 0 && strcmp(js_str(st, "status", ""), "stopped") == 0 &&
	    js_int(st, "epoch", 0) == 10, "state.json says stopped after epoch 10");
	json_decref(st);
	/* A torn history (as after SIGKILL between loss.csv and the checkpoint). */
	{
		char *p = study_path(c, "runs/run-1/loss.csv"), *d = slurp(c, "runs/run-1/loss.csv");
		char *more = xsprintf("%s11,9,9,9,9,9,9,9\n12,9,9,9,9,9,9,9\n", d);

		util_write_file_atomic(p, more, strlen(more), &cause);
		free(p);
		free(d);
		free(more);
	}
	tap_ok(train_blocking(c, NULL, NULL, &cause) == 0, "resume to 20 epochs (%s)", cause ? cause : "ok");
	lc = loss_no_seconds(c, 1);
	tap_ok(strcmp(la, lc) == 0, "stop at 10 + resume = uninterrupted 20 epochs (loss history)");
	cc = slurp(c, "runs/run-1/ckpt-last.bin");
	tap_ok(cc && memcmp(ca, cc, 2000) == 0, "stop + resume: identical final checkpoint");
	free(cc);
	free(lc);

	/* Extending a finished run: 20 → 25 epochs equals training 25 at once. */
	json_object_set_new(json_object_get(b->cfg, "train"), "epochs", json_integer(25));
	json_object_set_new(json_object_get(a->cfg, "train"), "epochs", json_integer(25));
	study_save(a, &cause);
	tap_ok(train_blocking(b, NULL, NULL, &cause) == 0, "extend a finished run to 25 epochs");
	json_object_set_new(json_object_get(a->cfg, "train"), "epochs", json_integer(25));
	{
		struct train_opts o = { .restart = 1 };
		struct train_job *j = train_start(a, &o, NULL, NULL, &cause);

		tap_ok(j != NULL && train_wait(j, &cause) == 0, "--restart trains 25 epochs from scratch");
	}
	free(la);
	free(lb);
	la = loss_no_seconds(a, 1);
	lb = loss_no_seconds(b, 1);
	tap_ok(strcmp(la, lb) == 0 && count_lines(la) == 26, "extended run = run trained 25 epochs at once");

	/* Changing a setting that shapes the run is refused on resume. */
	json_object_set_new(json_object_get(b->cfg, "train"), "lr_g", json_real(5e-4));
	json_object_set_new(json_object_get(b->cfg, "train"), "epochs", json_integer(30));
	rc = train_blocking(b, NULL, NULL, &cause);
	tap_ok(rc == -1 && cause && strstr(cause, "other settings") && strstr(cause, "--restart"),
	    "resume with other settings refused: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	free(la);
	free(lb);
	free(ca);
	free(cb);
	study_free(a);
	study_free(b);
	study_free(c);
}

struct pause_ctx {
	int paused_at;
};

static void
pause_at_3(const struct train_event *ev, void *arg)
{
	struct pause_ctx *pc = arg;

	if (ev->kind == TRAIN_EV_EPOCH && ev->epoch == 3 && !pc->paused_at) {
		pc->paused_at = 3;
		train_pause(ev->job);
	}
}

static void
test_pause_events(void)
{
	struct study *s = make_study("pause", 300, tiny_settings(8, "tutorial"));
	struct pause_ctx pc = { 0 };
	struct train_snapshot snap;
	struct train_event ev;
	struct train_job *j;
	char *cause = NULL;
	int tries, epochs_seen = 0, done = 0, e1;
	double hist[64];
	struct timespec ms50 = { 0, 50 * 1000 * 1000 };

	j = train_start(s, NULL, pause_at_3, &pc, &cause);
	tap_ok(j != NULL, "start a job");
	for (tries = 0; tries < 200; tries++) {
		train_snapshot(j, &snap);
		if (snap.state == TRAIN_PAUSED)
			break;
		nanosleep(&ms50, NULL);
	}
	tap_ok(snap.state == TRAIN_PAUSED && snap.epoch == 3, "job pauses after epoch 3 (state %d, epoch %d)",
	    snap.state, snap.epoch);
	e1 = snap.epoch;
	nanosleep(&ms50, NULL);
	nanosleep(&ms50, NULL);
	train_snapshot(j, &snap);
	tap_ok(snap.epoch == e1, "no progress while paused");
	tap_ok(train_history(j, 1, 7, hist, 64) == 3 && hist[2] == 3, "history holds epochs 1..3 while paused");
	train_resume(j);
	tap_ok(train_wait(j, &cause) == 0, "resumed job finishes");
	/* The job is freed by train_wait; poll before waiting in real use.  Here
	 * the events are checked through a second, short job. */
	j = train_start(s, NULL, NULL, NULL, &cause);
	while (!done) {
		while (train_poll(j, &ev)) {
			if (ev.kind == TRAIN_EV_RUN_DONE)
				tap_ok(strcmp(ev.msg, "already complete") == 0, "complete run is not retrained");
			epochs_seen += ev.kind == TRAIN_EV_EPOCH;
			done |= ev.kind == TRAIN_EV_DONE;
		}
		nanosleep(&ms50, NULL);
	}
	tap_ok(epochs_seen == 0 && train_wait(j, &cause) == 0, "DONE event polled from the queue");
	study_free(s);
}

/* Tutorial rule: kept candidates have 0 < score, non-increasing; chosen is
 * the latest kept. */
static void
check_tutorial_rule(struct study *s)
{
	json_t *st = NULL, *cl, *c;
	size_t i;
	double best = 1e6;
	int ok = 1, last_kept = 0, nkept = 0;

	if (train_read_state(s, 1, &st, NULL) != 0) {
		tap_ok(0, "state.json readable");
		return;
	}
	cl = json_object_get(st, "checkpoints");
	json_array_foreach(cl, i, c) {
		int e = (int)js_int(c, "epoch", 0);
		double sc = js_num(c, "score", NAN);
		int want_keep = sc > 0 && sc <= best;

		ok &= e % 5 == 0 && e > 5;
		if (want_keep) {
			best = sc;
			last_kept = e;
			nkept++;
		}
	}
	tap_ok(ok && json_array_size(cl) > 0, "candidates only at epochs %% ckpt_every == 0 and > ckpt_after");
	tap_ok(js_int(json_object_get(st, "chosen"), "epoch", -1) == (last_kept ? last_kept : js_int(st, "epoch", 0)),
	    "tutorial rule: chosen = latest epoch with 0 < -disc_loss <= best (%d kept, chosen %lld)",
	    nkept, js_int(json_object_get(st, "chosen"), "epoch", -1));
	json_decref(st);
}

static void
test_learning_generation(void)
{
	struct study *s;
	struct layout *l = NULL;
	struct mtx *train = NULL, *syn = NULL;
	struct train_settings ts;
	struct wgan_config cfg;
	struct wgan *w0, *w1 = NULL;
	struct rng r;
	struct gen_opts go;
	float *buf;
	double f0, f1;
	char *cause = NULL, *p;
	size_t m = 2000, i, npos;
	int ep = 0, j, ok;
	json_t *set = tiny_settings(40, "metric"), *st = NULL, *cl, *c;

	json_object_set_new(set, "batch", json_integer(128));
	json_object_set_new(set, "width", json_integer(32));
	json_object_set_new(set, "zdim", json_integer(16));
	s = make_study("learn", 2000, set);
	tap_ok(train_blocking(s, NULL, NULL, &cause) == 0, "train 40 epochs on 2000 rows (%s)", cause ? cause : "ok");
	tap_ok(train_load_data(s, &l, &train, &cause) == 0, "load layout and training rows");
	train_settings_load(json_object_get(s->cfg, "train"), &ts, &cause);
	train_wgan_config(&ts, l, &cfg);
	w0 = wgan_new(&cfg, train_run_seed(&ts, 1));   /* the run's initial state */
	buf = xmalloc(m * (size_t)l->D * sizeof *buf);
	rng_seed(&r, 123);
	wgan_generate(w0, m, &r, 1, buf);
	f0 = train_fidelity(train, l, buf, m);
	ok = gen_load_model(s, 1, 0, l, &w1, &ep, &cause) == 0;
	tap_ok(ok, "load the chosen checkpoint (epoch %d)", ep);
	rng_seed(&r, 123);
	wgan_generate(w1, m, &r, 1, buf);
	f1 = train_fidelity(train, l, buf, m);
	tap_diag("fidelity (quick DWD, lower is better): untrained %.2f, trained %.2f", f0, f1);
	tap_ok(f1 < 0.5 * f0, "LEARNING: training at least halves the untrained generator's score (%.2f -> %.2f)",
	    f0, f1);
	/* The metric rule chose the best-scoring candidate. */
	train_read_state(s, 1, &st, &cause);
	cl = json_object_get(st, "checkpoints");
	{
		double best = INFINITY;
		int be = 0;

		json_array_foreach(cl, i, c) {
			if (js_num(c, "score", INFINITY) < best) {
				best = js_num(c, "score", INFINITY);
				be = (int)js_int(c, "epoch", 0);
			}
		}
		tap_ok(be > 0 && be == ep, "metric rule: chosen checkpoint has the lowest score (epoch %d)", be);
	}
	json_decref(st);

	/* Generation: stratified counts, one-hot groups, ranges. */
	gen_opts_load(NULL, &go, &cause);
	ok = gen_run(s, 1, &go, &i, &cause) == 0;
	tap_ok(ok && i == train->n, "generate run 1 (%zu rows; %s)", i, cause ? cause : "ok");
	p = study_path(s, "runs/run-1/synthetic.mtx");
	tap_ok(mtx_read(p, l, &syn, &cause) == 0 && syn->scaled == 0, "synthetic.mtx reads back, cohort units");
	free(p);
	npos = gen_label_count(train, l);
	tap_ok(gen_label_count(syn, l) == npos, "stratified: %zu label positives as in the training rows (%zu)",
	    gen_label_count(syn, l), npos);
	ok = 1;
	for (i = 0; i < syn->n; i++) {
		float g = mtx_get(syn, i, 0) + mtx_get(syn, i, 1) + mtx_get(syn, i, 2);
		float age = mtx_get(syn, i, D_ALL - 2), bmi = mtx_get(syn, i, D_ALL - 1);

		ok &= g == 1 && age >= 18 && age <= 91 && bmi >= 10 && bmi <= 60;
	}
	tap_ok(ok, "every row one-hot in its group; continuous within the fitted ranges");
	p = study_path(s, "runs/run-1/synthetic.csv");
	tap_ok(util_file_exists(p), "synthetic.csv written");
	free(p);
	mtx_free(syn);
	go.rows = 777;
	go.sample = 1;
	go.seed = 3;
	rng_seed(&r, 5);
	ok = gen_sample(w1, l, &go, 777, gen_label_target(train, l, 777), &r, &syn, &cause) == 0;
	tap_ok(ok && syn->n == 777 && gen_label_count(syn, l) == gen_label_target(train, l, 777),
	    "--rows 777 --sample: %zu positives (target %zu)", syn ? gen_label_count(syn, l) : 0,
	    gen_label_target(train, l, 777));
	mtx_free(syn);
	go.stratify = 0;
	go.sample = 0;
	rng_seed(&r, 5);
	tap_ok(gen_sample(w1, l, &go, 500, 0, &r, &syn, &cause) == 0 && syn->n == 500,
	    "unstratified generation ignores the label target");
	mtx_free(syn);
	/* Issue 18: stratification that cannot reach its quota within
	 * max_draw_factor × rows draws fills the rest without it (no failure)
	 * and says how many rows that was. */
	{
		size_t un = 0, pos = 0, first = 0;

		go.stratify = 1;
		go.max_draw_factor = 1;
		gen_draw_floor = 0;
		rng_seed(&r, 5);
		ok = gen_sample_ex(w1, l, &go, 3000, 3000, &r, &syn, &un, &cause) == 0;
		gen_draw_floor = 100000;
		if (ok) {
			for (i = 0; i < syn->n; i++) {
				pos += mtx_get(syn, i, l->label) >= 0.5f;
				if (i + 1 == syn->n - un)
					first = pos;
			}
		}
		tap_ok(ok && syn->n == 3000 && un > 0 && un < 3000 && first == 3000 - un && pos < 3000,
		    "stratified quota out of reach: %zu rows stratified (all positive), the last %zu unstratified "
		    "(%zu positives in all)", 3000 - un, un, pos);
		mtx_free(syn);
		go.max_draw_factor = 50;
	}

	/* Baseline: near-exact marginals. */
	rng_seed(&r, 9);
	syn = baseline_marginals(train, l, 20000, 1, gen_label_target(train, l, 20000), &r);
	ok = 1;
	for (j = 0; j < l->D; j++) {
		double pr = 0, ps = 0, se;

		if (l->kind[j] == MCOL_CONT || j == l->label)
			continue;
		for (i = 0; i < train->n; i++)
			pr += mtx_get(train, i, j);
		for (i = 0; i < syn->n; i++)
			ps += mtx_get(syn, i, j);
		pr /= (double)train->n;
		ps /= (double)syn->n;
		se = sqrt(pr * (1 - pr) / (double)syn->n) + 1e-9;
		if (fabs(ps - pr) > 4.5 * se) {
			ok = 0;
			tap_diag("baseline column %s: real %.4f, baseline %.4f", l->name[j], pr, ps);
		}
	}
	tap_ok(ok, "baseline prevalences within 4.5 standard errors of the real ones (20000 rows)");
	tap_ok(gen_label_count(syn, l) == gen_label_target(train, l, 20000), "baseline label count exact");
	{
		double mr = 0, ms = 0;

		for (i = 0; i < train->n; i++)
			mr += 18 + 73 * mtx_get(train, i, D_ALL - 2);
		for (i = 0; i < syn->n; i++)
			ms += mtx_get(syn, i, D_ALL - 2);
		mr /= (double)train->n;
		ms /= (double)syn->n;
		tap_near(ms, mr, 0.6, "baseline AGE mean %.2f close to real %.2f (resampled values)", ms, mr);
	}
	ok = 1;
	for (i = 0; i < syn->n; i++)
		ok &= mtx_get(syn, i, 0) + mtx_get(syn, i, 1) + mtx_get(syn, i, 2) == 1;
	tap_ok(ok, "baseline rows one-hot in the group");
	mtx_free(syn);
	gen_opts_load(NULL, &go, &cause);
	tap_ok(baseline_run(s, &go, &i, &cause) == 0 && i == train->n, "baseline-marginals set written");
	p = study_path(s, "runs/baseline-marginals/synthetic.mtx");
	tap_ok(util_file_exists(p), "runs/baseline-marginals/synthetic.mtx exists");
	free(p);

	free(buf);
	wgan_free(w0);
	if (w1)
		wgan_free(w1);
	mtx_free(train);
	layout_free(l);
	study_free(s);

	s = make_study("tutrule", 600, tiny_settings(30, "tutorial"));
	json_object_set_new(json_object_get(s->cfg, "train"), "lr_d", json_real(3e-3));
	study_save(s, &cause);
	tap_ok(train_blocking(s, NULL, NULL, &cause) == 0, "train 30 epochs with the tutorial rule");
	check_tutorial_rule(s);
	study_free(s);
}

static void
test_errors(void)
{
	struct study *s = make_study("errs", 100, tiny_settings(3, "metric"));
	char *cause = NULL;
	struct train_job *j;

	json_object_set_new(json_object_get(s->cfg, "train"), "batch", json_integer(500));
	j = train_start(s, NULL, NULL, NULL, &cause);
	tap_ok(j == NULL && cause != NULL && strstr(cause, "larger than the 100 training rows"),
	    "batch larger than the data refused: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	{
		char *p = study_path(s, "prep/train.mtx");

		unlink(p);
		free(p);
	}
	j = train_start(s, NULL, NULL, NULL, &cause);
	tap_ok(j == NULL && cause && strstr(cause, "synthehr prep"), "missing prep output named: %s",
	    cause ? cause : "");
	free(cause);
	study_free(s);
}

/* Training and generation on encoded columns: BMI replaced by a
 * zero-inflated count (60 % at its minimum 10, whole numbers up to 40),
 * prep/encoding.json fitted (BMI: zero, AGE: gmm), the quick preset trains
 * on the network columns, and generation decodes whole numbers in range
 * with a point mass at the minimum, by threshold and by Bernoulli. */
static void
test_encoded(void)
{
	struct study *s = make_study("enc", 1500, tiny_settings(30, "metric"));
	struct layout *l = NULL;
	struct mtx *train = NULL, *syn = NULL;
	struct encoding *e;
	struct enc_request req;
	struct gen_opts go;
	struct rng r;
	struct wgan *w = NULL;
	char *cause = NULL, *p;
	size_t i, at_min[2] = { 0, 0 };
	int ok, ints = 1, inrange = 1, mode, ep = 0;
	json_t *ej, *st = NULL;

	ok = train_load_data(s, &l, &train, &cause) == 0;
	rng_seed(&r, 17);
	for (i = 0; ok && i < train->n; i++) {
		double k = rng_uniform(&r) < 0.6 ? 0 : 1 + (double)rng_below(&r, 30);

		mtx_set(train, i, D_ALL - 1, (float)(k / 50));   /* BMI = 10 + k */
	}
	p = study_path(s, "prep/train.mtx");
	ok = ok && mtx_write(p, train, &cause) == 0;
	free(p);
	req.def = ENC_AUTO;
	req.n = 1;
	req.col = (char *[]){ "AGE" };
	req.kind = (int[]){ ENC_GMM };
	e = enc_fit(l, train, &req, &cause);
	tap_ok(ok && e->col[1].kind == ENC_ZERO && e->col[1].integer && e->col[0].kind == ENC_GMM,
	    "encoding fitted: BMI zero (integers), AGE gmm (%s, %s)", enc_kind_name(e->col[1].kind),
	    enc_kind_name(e->col[0].kind));
	ej = enc_to_json(e);
	p = study_path(s, "prep/encoding.json");
	ok = js_write_file(p, ej, &cause) == 0;
	free(p);
	json_decref(ej);
	tap_ok(ok && train_blocking(s, NULL, NULL, &cause) == 0, "quick training on the encoded columns (%s)",
	    cause ? cause : "ok");
	train_read_state(s, 1, &st, &cause);
	tap_ok(strcmp(js_str(json_object_get(st, "settings"), "encoding", ""), "prep") == 0,
	    "state.json records encoding \"prep\"");
	json_decref(st);
	mtx_free(train);
	layout_free(l);
	train_load_data(s, &l, &train, &cause);
	ok = gen_load_model(s, 1, 0, l, &w, &ep, &cause) == 0;
	tap_ok(ok && l->enc_on && wgan_get_config(w)->D == e->Dn && e->Dn == D_ALL - 2 + (e->col[0].nk + 1) + 2,
	    "the model works on %d network columns (layout %d)", e->Dn, l->D);
	for (mode = 0; mode < 2 && ok; mode++) {
		gen_opts_load(NULL, &go, &cause);
		go.sample = mode;
		rng_seed(&r, 99);
		if (gen_sample(w, l, &go, 3000, gen_label_target(train, l, 3000), &r, &syn, &cause) != 0) {
			tap_ok(0, "generate: %s", cause);
			break;
		}
		for (i = 0; i < syn->n; i++) {
			float b = mtx_get(syn, i, D_ALL - 1), a = mtx_get(syn, i, D_ALL - 2);

			ints &= b == floorf(b);
			if (b != floorf(b) || b < 10 || b > 40 || a < e->col[0].lo - 1e-4 || a > e->col[0].hi + 1e-4) {
				if (ints && inrange)
					tap_diag("row %zu: BMI %.9g AGE %.9g (AGE range %.9g..%.9g)", i, b, a,
					    e->col[0].lo, e->col[0].hi);
				inrange = 0;
			}
			at_min[mode] += b == 10;
		}
		mtx_free(syn);
	}
	tap_ok(ints && inrange, "decoded BMI counts are whole numbers in [10, 40]; AGE within its range");
	tap_diag("share at the minimum: threshold %.3f, Bernoulli %.3f (training 0.6)", at_min[0] / 3000.0,
	    at_min[1] / 3000.0);
	tap_ok(at_min[0] > 0 && at_min[1] > 0, "the point mass at the minimum is generated exactly");
	if (w != NULL)
		wgan_free(w);
	enc_free(e);
	mtx_free(train);
	layout_free(l);
	free(cause);
	study_free(s);
}

int
main(void)
{
	fixture_tmpdir("train-test");
	test_settings();
	test_fidelity();
	test_determinism_resume();
	test_pause_events();
	test_learning_generation();
	test_encoded();
	test_errors();
	fixture_tmpdir_done();
	return tap_done();
}
