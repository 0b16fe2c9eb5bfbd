/* synthehr — GPL-3.0-or-later.
 * Training runs.  A job trains runs 1..N of a study one after another in a
 * worker thread.  Each run lives in runs/run-K/:
 *
 *   loss.csv         one row per epoch (means over the epoch's steps)
 *   ckpt-last.bin    the full state after the last scheduled checkpoint
 *                    (or the last completed epoch when stopped): resume point
 *   ckpt-E.bin       candidate checkpoints kept by the checkpoint rule
 *   state.json       seed, settings, hashes, status, candidates, chosen one
 *
 * Crash safety: at a checkpoint the files are written (each atomically) in
 * the order candidate, loss.csv, ckpt-last.bin, state.json.  On resume the
 * checkpoint's epoch is the truth: loss.csv rows after it are dropped, so a
 * SIGKILL at any moment leaves a consistent, resumable run.
 *
 * Determinism: everything random in a run comes from one rng seeded from the
 * run's seed (the shuffle of each epoch starts from the identity order), and
 * the rng state is saved with the model state, so a resumed run continues
 * exactly as an uninterrupted one (same thread count). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "synthehr/blas.h"
#include "synthehr/ckpt.h"
#include "synthehr/encode.h"
#include "synthehr/prep.h"
#include "synthehr/rng.h"
#include "synthehr/settings.h"
#include "synthehr/synth.h"
#include "synthehr/train.h"
#include "synthehr/util.h"
#include "train_int.h"

/* ---- The job */

#define QUEUE_CAP 512

struct cand {
	int epoch;
	double score;
	int on_disk;
};

struct train_job {
	struct study *s;
	struct train_opts opts;
	struct train_settings ts;
	struct layout *layout;
	struct mtx *train;           /* scaled training rows */
	float *dense;                /* the same rows as floats [n x D] when small enough, or NULL */
	train_cb cb;
	void *cb_arg;
	int first_run, last_run;
	int method;                  /* enum synth_method: a peer is fitted instead of runs */

	pthread_t thread;
	pthread_mutex_t mu;
	pthread_mutex_t cb_mu;       /* one callback at a time when runs train at once */
	pthread_cond_t cv;
	int paused, cancel;
	int abort;                   /* a run failed: the others save and stop */
	int nparallel;               /* runs trained at once */
	int next_run;                /* next run to start (guarded by mu) */
	int any_stopped;             /* a run returned 1 */
	char *first_err;             /* the first run error's cause */
	int bad_input;               /* ... and it was a damaged or foreign file */
	int state;                   /* enum train_state */
	char *err;
	struct train_event queue[QUEUE_CAP];
	int qhead, qlen;
	struct train_snapshot snap;
	struct run_hist hist[TRAIN_MAX_RUNS + 1];
	double sec_per_epoch;        /* running estimate for the ETA */
	int epochs_left_total;
};

static void
emit(struct train_job *j, struct train_event *ev)
{
	ev->job = j;
	pthread_mutex_lock(&j->mu);
	if (j->qlen == QUEUE_CAP) {
		j->qhead = (j->qhead + 1) % QUEUE_CAP;
		j->qlen--;
	}
	j->queue[(j->qhead + j->qlen) % QUEUE_CAP] = *ev;
	j->qlen++;
	j->snap.last = *ev;
	j->snap.run = ev->run;
	j->snap.nruns = ev->nruns;
	j->snap.epoch = ev->epoch;
	j->snap.epochs = ev->epochs;
	pthread_mutex_unlock(&j->mu);
	if (j->cb != NULL) {
		pthread_mutex_lock(&j->cb_mu);
		j->cb(ev, j->cb_arg);
		pthread_mutex_unlock(&j->cb_mu);
	}
}

/* Blocks while paused (adding the seconds waited to *waited); returns 1
 * when the job should stop. */
static int
should_stop(struct train_job *j, double *waited)
{
	int stop;
	double t0 = 0;

	pthread_mutex_lock(&j->mu);
	if (j->paused)
		t0 = util_now();
	while (j->paused && !j->cancel && !j->abort && !util_interrupted) {
		struct timespec ts;

		j->state = TRAIN_PAUSED;
		j->snap.state = TRAIN_PAUSED;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&j->cv, &j->mu, &ts);
	}
	j->state = TRAIN_RUNNING;
	j->snap.state = TRAIN_RUNNING;
	stop = j->cancel || j->abort || util_interrupted;
	pthread_mutex_unlock(&j->mu);
	if (t0 > 0 && waited != NULL)
		*waited += util_now() - t0;
	if (util_interrupted)
		util_interrupt_ack();   /* a safe point: saving the state may take its time */
	return stop;
}

static char *
run_file(struct train_job *j, int run, const char *name)
{
	char *rel = xsprintf("runs/run-%d/%s", run, name), *p = study_path(j->s, rel);

	free(rel);
	return p;
}

static char *
hex64(uint64_t v)
{
	return xsprintf("%016llx", (unsigned long long)v);
}

/* Everything state.json records about a run. */
/* Seconds between rewrites of loss.csv for followers (see run_one). */
#define TRAIN_LIVE_EVERY_S 5.0

struct run_ctx {
	int run;
	uint64_t seed, shash, lhash;
	struct cand *cands;
	int ncands, capcands;
	double best;                 /* rule state: best score so far */
	int best_epoch;              /* 0: none */
	double seconds;
	int epoch;                   /* completed epochs */
	long steps;
	double live_written;         /* when loss.csv was last rewritten between checkpoints */
};

static void
cand_add(struct run_ctx *rc, int epoch, double score, int on_disk)
{
	int i;

	for (i = 0; i < rc->ncands; i++)
		if (rc->cands[i].epoch == epoch) {
			rc->cands[i].score = score;
			rc->cands[i].on_disk = on_disk;
			return;
		}
	if (rc->ncands == rc->capcands) {
		rc->capcands = rc->capcands ? 2 * rc->capcands : 16;
		rc->cands = xreallocarray(rc->cands, (size_t)rc->capcands, sizeof *rc->cands);
	}
	rc->cands[rc->ncands].epoch = epoch;
	rc->cands[rc->ncands].score = score;
	rc->cands[rc->ncands].on_disk = on_disk;
	rc->ncands++;
}

static int
state_write(struct train_job *j, struct run_ctx *rc, const char *status, char **cause)
{
	json_t *st = json_object(), *cl = json_array(), *ch;
	char *path = run_file(j, rc->run, "state.json");
	int i, rcode;

	json_object_set_new(st, "run", json_integer(rc->run));
	json_object_set_new(st, "seed", json_integer((json_int_t)rc->seed));
	json_object_set_new(st, "status", json_string(status));
	json_object_set_new(st, "epoch", json_integer(rc->epoch));
	/* With a time budget there is no epoch target: the epochs trained so far. */
	json_object_set_new(st, "epochs", json_integer(j->ts.minutes > 0 ? rc->epoch : j->ts.epochs));
	json_object_set_new(st, "minutes", json_real(j->ts.minutes));
	json_object_set_new(st, "steps", json_integer(rc->steps));
	json_object_set_new(st, "seconds", json_real(rc->seconds));
	{
		char *h = hex64(rc->shash);

		json_object_set_new(st, "settings_hash", json_string(h));
		free(h);
		h = hex64(rc->lhash);
		json_object_set_new(st, "layout_hash", json_string(h));
		free(h);
		h = hex64(j->train->sum);
		json_object_set_new(st, "data_sum", json_string(h));   /* train.mtx checksum */
		free(h);
	}
	json_object_set_new(st, "ckpt_rule", json_string(train_rule_name(j->ts.rule)));
	json_object_set_new(st, "settings", train_settings_to_json(&j->ts));
	for (i = 0; i < rc->ncands; i++) {
		json_t *c = json_object();
		char *f = xsprintf("ckpt-%d.bin", rc->cands[i].epoch);

		json_object_set_new(c, "epoch", json_integer(rc->cands[i].epoch));
		json_object_set_new(c, "score", js_real_or_null(rc->cands[i].score));
		json_object_set_new(c, "file", rc->cands[i].on_disk ? json_string(f) : json_null());
		free(f);
		json_array_append_new(cl, c);
	}
	json_object_set_new(st, "checkpoints", cl);
	ch = json_object();
	if (rc->best_epoch > 0) {
		char *f = xsprintf("ckpt-%d.bin", rc->best_epoch);

		json_object_set_new(ch, "epoch", json_integer(rc->best_epoch));
		json_object_set_new(ch, "file", json_string(f));
		json_object_set_new(ch, "score", js_real_or_null(rc->best));
		json_object_set_new(ch, "fallback", json_false());
		free(f);
	} else {
		/* No epoch met the rule (e.g. a short run): the latest state stands in. */
		json_object_set_new(ch, "epoch", json_integer(rc->epoch));
		json_object_set_new(ch, "file", json_string("ckpt-last.bin"));
		json_object_set_new(ch, "score", json_null());
		json_object_set_new(ch, "fallback", json_true());
	}
	json_object_set_new(ch, "rule", json_string(train_rule_name(j->ts.rule)));
	json_object_set_new(st, "chosen", ch);
	rcode = js_write_file(path, st, cause);
	free(path);
	json_decref(st);
	return rcode;
}

/* Remove candidate files beyond the newest ckpt_keep, never the chosen one. */
static void
cands_prune(struct train_job *j, struct run_ctx *rc)
{
	int i, kept = 0;

	for (i = rc->ncands - 1; i >= 0; i--) {
		struct cand *c = &rc->cands[i];

		if (!c->on_disk)
			continue;
		if (c->epoch == rc->best_epoch || kept < j->ts.ckpt_keep) {
			if (c->epoch != rc->best_epoch)
				kept++;
			continue;
		}
		{
			char *name = xsprintf("ckpt-%d.bin", c->epoch), *p = run_file(j, rc->run, name);

			util_unlink(p);
			free(p);
			free(name);
		}
		c->on_disk = 0;
	}
}

static void
header_fill(struct train_job *j, struct run_ctx *rc, const struct wgan *w, struct ckpt_header *h)
{
	const struct wgan_config *cfg = wgan_get_config(w);

	memset(h, 0, sizeof *h);
	h->version = CKPT_VERSION;
	h->settings_hash = rc->shash;
	h->layout_hash = rc->lhash;
	h->D = cfg->D;
	h->zdim = cfg->zdim;
	h->width = cfg->width;
	h->depth = cfg->depth;
	h->ngroups = cfg->ngroups;
	h->nfloats = wgan_state_floats(w);
	h->score = NAN;
	h->data_hash = j->train->sum;   /* the train.mtx it learns from */
}

/* Loss history, resume state and state.json after `epoch` completed epochs;
 * state[] and r are the model state and rng at that point. */
static int
save_resume(struct train_job *j, struct run_ctx *rc, const struct wgan *w, const float *state,
    const struct rng *r, const char *status, char **cause)
{
	struct ckpt_header h;
	char *p;
	int rcode;

	p = run_file(j, rc->run, "loss.csv");
	rcode = loss_write(p, &j->hist[rc->run], rc->epoch, cause);
	free(p);
	if (rcode != 0)
		return -1;
	header_fill(j, rc, w, &h);
	h.epoch = rc->epoch;
	h.rng = *r;
	h.best_score = rc->best;
	h.best_epoch = rc->best_epoch;
	p = run_file(j, rc->run, "ckpt-last.bin");
	rcode = ckpt_write(p, &h, state, cause);
	free(p);
	if (rcode != 0)
		return -1;
	return state_write(j, rc, status, cause);
}

/* Rows idx[0..nr) of the training matrix into out [nr x D]: from the dense
 * copy (one memcpy a row) when there is one, else from the packed matrix
 * (a branch and a lookup a cell: 3 % of a quick run's CPU). Same values. */
static void
train_gather(const struct train_job *j, const size_t *idx, size_t nr, float *out)
{
	size_t i, D = (size_t)j->train->D;

	if (j->dense == NULL) {
		mtx_gather_rows(j->train, idx, nr, out);
		return;
	}
	for (i = 0; i < nr; i++)
		memcpy(out + i * D, j->dense + idx[i] * D, D * sizeof *out);
}

/* What one run holds while it trains (run_one and its parts). */
struct run_work {
	struct run_ctx rc;
	struct wgan_config cfg;
	struct wgan *w;
	struct rng rng;
	struct rng rng_snap;         /* rng at the start of the current epoch */
	float *snap;                 /* model state at the start of the current epoch */
	float *batch, *gen, *rows, *dec;
	size_t *idx, nstate, n;
	json_t *state;               /* state.json when resuming, else NULL */
	double budget;               /* seconds; 0: train for ts.epochs */
	double sched_steps;          /* steps the learning-rate schedule spans */
	double t_mark;               /* when rc.seconds was last brought up to date */
	int steps_per_epoch;
	struct train_event ev;
};

/* An event about the run as it stands (seconds and message left empty). */
static void
run_event(struct train_job *j, struct run_work *rw, int kind)
{
	memset(&rw->ev, 0, sizeof rw->ev);
	rw->ev.kind = kind;
	rw->ev.run = rw->rc.run;
	rw->ev.nruns = j->ts.runs;
	rw->ev.epoch = rw->rc.epoch;
	rw->ev.epochs = rw->budget > 0 ? rw->rc.epoch : j->ts.epochs;
	rw->ev.score = NAN;
	rw->ev.chosen_epoch = rw->rc.best_epoch;
}

/* Load the model, rng, candidates and loss history of a run that was
 * trained before with the same settings (state.json and ckpt-last.bin). */
static int
run_resume(struct train_job *j, struct run_work *rw, char **cause)
{
	struct run_ctx *rc = &rw->rc;
	char *p = run_file(j, rc->run, "state.json");
	struct ckpt_header got, want;
	struct run_hist h;
	float *data = NULL;
	json_t *cl, *c;
	size_t i;

	if (util_file_exists(p)) {
		char *want_h;
		const char *got_h;

		if (js_read_file(p, &rw->state, cause) != 0) {
			free(p);
			return -1;
		}
		want_h = hex64(rc->shash);
		got_h = js_str(rw->state, "settings_hash", "");
		if (strcmp(got_h, want_h) != 0) {
			util_fail(cause, "%s: run %d was trained with other settings (settings hash %s,"
			    " now %s); use --restart to discard it", p, rc->run, got_h, want_h);
			free(want_h);
			free(p);
			return -1;
		}
		free(want_h);
	}
	free(p);
	p = run_file(j, rc->run, "ckpt-last.bin");
	if (rw->state == NULL || !util_file_exists(p)) {
		free(p);
		return 0;
	}
	header_fill(j, rc, rw->w, &want);
	{
		/* a damaged or foreign checkpoint is bad input (-2) */
		int cr = ckpt_read(p, &got, &data, cause);

		if (cr == 0)
			cr = ckpt_check(p, &got, &want, cause);
		if (cr != 0) {
			free(data);
			free(p);
			return cr;
		}
	}
	free(p);
	wgan_state_set(rw->w, data);
	free(data);
	rc->epoch = got.epoch;
	rw->rng = got.rng;
	rc->best = got.best_score;
	rc->best_epoch = got.best_epoch;
	cl = json_object_get(rw->state, "checkpoints");
	json_array_foreach(cl, i, c) {
		int ce = (int)js_int(c, "epoch", 0);
		json_t *sc = json_object_get(c, "score");

		if (ce > 0 && ce <= rc->epoch)
			cand_add(rc, ce, json_is_number(sc) ? json_number_value(sc) : NAN,
			    json_is_string(json_object_get(c, "file")));
	}
	if (rc->best_epoch > 0)
		cand_add(rc, rc->best_epoch, rc->best, 1);
	p = run_file(j, rc->run, "loss.csv");
	memset(&h, 0, sizeof h);
	if (loss_read(p, &h, rc->epoch, cause) != 0) {
		hist_free(&h);
		free(p);
		return -1;
	}
	free(p);
	if (h.n > 0)
		rc->seconds = h.v[6][h.n - 1];
	pthread_mutex_lock(&j->mu);
	j->hist[rc->run] = h;   /* emptied by run_prepare */
	pthread_mutex_unlock(&j->mu);
	return 0;
}

/* Whether a resumed run has nothing left to train. */
static int
run_complete(const struct train_job *j, const struct run_work *rw)
{
	const struct train_settings *ts = &j->ts;

	if (rw->budget <= 0)
		return rw->rc.epoch >= ts->epochs;
	return rw->rc.seconds >= rw->budget || (rw->state != NULL &&
	    strcmp(js_str(rw->state, "status", ""), "done") == 0 &&
	    js_num(json_object_get(rw->state, "settings"), "minutes", 0) >= ts->minutes);
}

/* Set a run up: its directory, the model, a resume from its last state,
 * then START (or RUN_DONE "already complete") and the buffers for
 * training.  0 to train, 1 nothing left to train, -1 error. */
static int
run_prepare(struct train_job *j, int run, struct run_work *rw, char **cause)
{
	struct train_settings *ts = &j->ts;
	struct run_ctx *rc = &rw->rc;
	char *rel;
	int rcode;

	memset(rw, 0, sizeof *rw);
	rw->n = j->train->n;
	rc->run = run;
	rc->seed = train_run_seed(ts, run);
	rc->shash = train_settings_hash(ts, run);
	rc->lhash = train_layout_hash(ts, j->layout);
	rc->best = ts->rule == TRAIN_RULE_TUTORIAL ? 1e6 : INFINITY;
	rel = train_run_dir(run);
	rcode = study_mkdir(j->s, rel, cause);
	free(rel);
	if (rcode != 0)
		return -1;
	train_wgan_config(ts, j->layout, &rw->cfg);
	if ((rw->w = wgan_new_checked(&rw->cfg, rc->seed, cause)) == NULL)
		return -1;
	rw->nstate = wgan_state_floats(rw->w);
	rng_seed_stream(&rw->rng, rc->seed, 1);
	pthread_mutex_lock(&j->mu);
	hist_free(&j->hist[run]);
	pthread_mutex_unlock(&j->mu);
	if ((rcode = run_resume(j, rw, cause)) != 0)
		return rcode;   /* -2: a damaged or foreign checkpoint */
	rc->steps = wgan_steps(rw->w);
	rw->budget = ts->minutes > 0 ? ts->minutes * 60 : 0;

	run_event(j, rw, TRAIN_EV_START);
	if (run_complete(j, rw)) {
		pthread_mutex_lock(&j->mu);
		j->epochs_left_total -= rw->budget > 0 ? 0 : ts->epochs;
		pthread_mutex_unlock(&j->mu);
		if (strcmp(js_str(rw->state, "status", ""), "done") != 0 &&
		    state_write(j, rc, "done", cause) != 0)
			return -1;
		rw->ev.kind = TRAIN_EV_RUN_DONE;
		rw->ev.seconds = rc->seconds;
		rw->ev.score = rc->best_epoch > 0 ? rc->best : NAN;
		snprintf(rw->ev.msg, sizeof rw->ev.msg, "already complete");
		emit(j, &rw->ev);
		return 1;
	}
	pthread_mutex_lock(&j->mu);
	j->epochs_left_total -= rw->budget > 0 ? 0 : rc->epoch;
	pthread_mutex_unlock(&j->mu);
	if (rc->epoch > 0)
		snprintf(rw->ev.msg, sizeof rw->ev.msg, "resuming after epoch %d", rc->epoch);
	else
		snprintf(rw->ev.msg, sizeof rw->ev.msg, "seed %llu", (unsigned long long)rc->seed);
	emit(j, &rw->ev);

	rw->snap = xmalloc_aligned(rw->nstate * sizeof(float));
	wgan_state_get(rw->w, rw->snap);
	rw->rng_snap = rw->rng;
	if (state_write(j, rc, "running", cause) != 0)
		return -1;
	rw->batch = xmalloc_aligned((size_t)ts->batch * (size_t)rw->cfg.D * sizeof(float));
	if (j->layout->enc_on)
		rw->rows = xmalloc_aligned((size_t)ts->batch * (size_t)j->layout->D * sizeof(float));
	rw->idx = xmalloc(rw->n * sizeof *rw->idx);
	rw->steps_per_epoch = ts->drop_remainder ? (int)(rw->n / (size_t)ts->batch)
	    : (int)((rw->n + (size_t)ts->batch - 1) / (size_t)ts->batch);
	rw->sched_steps = (double)ts->epochs * rw->steps_per_epoch;
	return 0;
}

static void
run_work_free(struct run_work *rw)
{
	if (rw->state != NULL)
		json_decref(rw->state);
	free(rw->snap);
	free(rw->batch);
	free(rw->gen);
	free(rw->rows);
	free(rw->dec);
	free(rw->idx);
	free(rw->rc.cands);
	if (rw->w != NULL)
		wgan_free(rw->w);
}

/* The steps of epoch e, their mean losses into *sum; *waited: seconds
 * spent paused.  0 done, 1 stopped (the state at the epoch's start saved,
 * CANCELLED posted), -1 error. */
static int
run_epoch(struct train_job *j, struct run_work *rw, int e, struct wgan_stats *sum, double *waited,
    char **cause)
{
	struct train_settings *ts = &j->ts;
	struct run_ctx *rc = &rw->rc;
	struct wgan_stats st;
	size_t r, n = rw->n;
	int step, spe = rw->steps_per_epoch;

	memset(sum, 0, sizeof *sum);
	for (r = 0; r < n; r++)
		rw->idx[r] = r;
	rng_shuffle(&rw->rng, rw->idx, n);
	for (step = 0; step < spe; step++) {
		size_t off = (size_t)step * (size_t)ts->batch;
		int B = (int)SH_MIN((size_t)ts->batch, n - off);

		if (should_stop(j, waited)) {
			/* Save the state at the start of this epoch. */
			if (save_resume(j, rc, rw->w, rw->snap, &rw->rng_snap, "stopped", cause) != 0)
				return -1;
			run_event(j, rw, TRAIN_EV_CANCELLED);
			rw->ev.seconds = rc->seconds;
			snprintf(rw->ev.msg, sizeof rw->ev.msg, "stopped after epoch %d; state saved", rc->epoch);
			emit(j, &rw->ev);
			return 1;
		}
		if (ts->lr_schedule != TRAIN_LR_CONSTANT) {
			double p = rw->budget > 0
			    ? (rc->seconds + (util_now() - rw->t_mark - *waited)) / rw->budget
			    : (double)wgan_steps(rw->w) / rw->sched_steps;
			double f = train_lr_factor(ts->lr_schedule, ts->lr_floor, p);

			wgan_set_lr(rw->w, ts->lr_g * f, ts->lr_d * f);
		}
		if (rw->rows != NULL) {
			train_gather(j, rw->idx + off, (size_t)B, rw->rows);
			enc_encode_rows(j->layout->enc, j->layout, rw->rows, (size_t)B, rw->batch);
		} else
			train_gather(j, rw->idx + off, (size_t)B, rw->batch);
		wgan_train_step(rw->w, rw->batch, B, &rw->rng, &st);
		if (!isfinite(st.disc_loss) || !isfinite(st.gen_loss) || !isfinite(st.w_distance) ||
		    !isfinite(st.gp))
			return util_fail(cause, "run %d, epoch %d, step %d: the loss is not a finite number "
			    "(numerical failure); training stopped, the last saved state is kept. "
			    "Check the cohort for extreme values or lower the learning rate",
			    rc->run, e, step + 1);
		sum->disc_loss += st.disc_loss;
		sum->w_distance += st.w_distance;
		sum->gp += st.gp;
		sum->gen_loss += st.gen_loss;
		sum->d_real += st.d_real;
		sum->d_fake += st.d_fake;
	}
	if (spe > 0) {
		sum->disc_loss /= spe;
		sum->w_distance /= spe;
		sum->gp /= spe;
		sum->gen_loss /= spe;
		sum->d_real /= spe;
		sum->d_fake /= spe;
	}
	return 0;
}

/* The score of the model after epoch e under the checkpoint rule, and
 * whether it is kept as the best so far. */
static double
run_score(struct train_job *j, struct run_work *rw, int e, const struct wgan_stats *sum, int *keep)
{
	struct train_settings *ts = &j->ts;
	struct run_ctx *rc = &rw->rc;
	struct rng mr;
	size_t m;
	double score;

	if (ts->rule == TRAIN_RULE_TUTORIAL) {
		/* SPEC §1.5: 0 < -mean(disc_loss) <= best. */
		score = -sum->disc_loss;
		*keep = score > 0 && score <= rc->best;
		return score;
	}
	m = ts->metric_rows > 0 ? (size_t)ts->metric_rows : SH_MIN(rw->n, 20000);
	rw->gen = xreallocarray(rw->gen, m * (size_t)rw->cfg.D, sizeof(float));
	rng_seed_stream(&mr, rc->seed, 1000000 + (uint64_t)e);
	wgan_generate(rw->w, m, &mr, 1, rw->gen);
	if (j->layout->enc_on) {
		rw->dec = xreallocarray(rw->dec, m * (size_t)j->layout->D, sizeof(float));
		enc_decode_rows(j->layout->enc, j->layout, rw->gen, m, 1, NULL, rw->dec);
		score = train_fidelity(j->train, j->layout, rw->dec, m);
	} else
		score = train_fidelity(j->train, j->layout, rw->gen, m);
	*keep = isfinite(score) && score < rc->best;
	return score;
}

/* After epoch e: a candidate checkpoint when the rule scores this epoch
 * (ckpt-E.bin when kept), the resume state, old candidates pruned, CKPT
 * posted (rw->ev is the epoch's event). */
static int
run_checkpoint(struct train_job *j, struct run_work *rw, int e, int final, const struct wgan_stats *sum,
    char **cause)
{
	struct train_settings *ts = &j->ts;
	struct run_ctx *rc = &rw->rc;
	double score = NAN;
	int keep = 0;

	/* A budgeted run's last epoch is a candidate too: it may be the best. */
	if ((e % ts->ckpt_every == 0 || (final && rw->budget > 0)) && e > ts->ckpt_after) {
		score = run_score(j, rw, e, sum, &keep);
		if (keep) {
			struct ckpt_header h;
			char *name = xsprintf("ckpt-%d.bin", e), *p;
			int rcode;

			rc->best = score;
			rc->best_epoch = e;
			header_fill(j, rc, rw->w, &h);
			h.epoch = e;
			h.rng = rw->rng;
			h.score = score;
			h.best_score = rc->best;
			h.best_epoch = rc->best_epoch;
			p = run_file(j, rc->run, name);
			free(name);
			rcode = ckpt_write(p, &h, rw->snap, cause);
			free(p);
			if (rcode != 0)
				return -1;
		}
		cand_add(rc, e, score, keep);
	}
	if (save_resume(j, rc, rw->w, rw->snap, &rw->rng_snap, final ? "done" : "running", cause) != 0)
		return -1;
	cands_prune(j, rc);
	if (keep && state_write(j, rc, final ? "done" : "running", cause) != 0)
		return -1;
	rw->ev.kind = TRAIN_EV_CKPT;
	rw->ev.score = score;
	rw->ev.chosen_epoch = rc->best_epoch;
	snprintf(rw->ev.msg, sizeof rw->ev.msg, "%s", keep ? "kept" : "");
	emit(j, &rw->ev);
	return 0;
}

/* Book epoch e (mean losses sum, t0 its start, waited its pauses): time,
 * history, the snapshot to resume from, EPOCH posted.  Sets *final when no
 * further epoch is to run.  0, or -1 when a parameter is not finite. */
static int
run_epoch_done(struct train_job *j, struct run_work *rw, int e, const struct wgan_stats *sum, double t0,
    double waited, int *final, char **cause)
{
	struct train_settings *ts = &j->ts;
	struct run_ctx *rc = &rw->rc;
	double now = util_now(), t_epoch, t_cycle, budget = rw->budget;
	size_t r;

	t_epoch = now - t0 - waited;
	rc->seconds += now - rw->t_mark - waited;
	t_cycle = now - rw->t_mark - waited;    /* this epoch and the last checkpoint's work */
	rw->t_mark = now;
	rc->epoch = e;
	rc->steps = wgan_steps(rw->w);
	/* With a budget, this is the last epoch when another one would not
	 * fit: at least one epoch runs and no epoch starts past the budget. */
	*final = budget > 0 ? rc->seconds + t_cycle > budget : e == ts->epochs;
	pthread_mutex_lock(&j->mu);
	hist_push(&j->hist[rc->run], sum, rc->seconds, e);
	j->sec_per_epoch = j->sec_per_epoch > 0 ? 0.9 * j->sec_per_epoch + 0.1 * t_epoch : t_epoch;
	if (budget <= 0)
		j->epochs_left_total--;
	pthread_mutex_unlock(&j->mu);
	wgan_state_get(rw->w, rw->snap);
	rw->rng_snap = rw->rng;
	for (r = 0; r < rw->nstate; r++)
		if (!isfinite(rw->snap[r]))
			return util_fail(cause, "run %d, epoch %d: a model parameter is not a finite number "
			    "(numerical failure); training stopped, the last saved state is kept. "
			    "Check the cohort for extreme values or lower the learning rate", rc->run, e);

	run_event(j, rw, TRAIN_EV_EPOCH);
	/* With a budget the epoch count is an estimate from the pace so far. */
	rw->ev.epochs = budget <= 0 ? ts->epochs : *final ? e
	    : e + (int)SH_MIN(1e8, (budget - rc->seconds) / SH_MAX(t_cycle, 1e-6));
	rw->ev.st = *sum;
	rw->ev.seconds = rc->seconds;
	rw->ev.steps_per_s = t_epoch > 0 ? rw->steps_per_epoch / t_epoch : 0;
	if (budget > 0) {
		int waiting;

		pthread_mutex_lock(&j->mu);
		waiting = j->last_run - j->next_run + 1;
		pthread_mutex_unlock(&j->mu);
		rw->ev.eta_s = (budget - rc->seconds) + budget * ((waiting + j->nparallel - 1) / j->nparallel);
	} else
		rw->ev.eta_s = j->sec_per_epoch * j->epochs_left_total / j->nparallel;
	emit(j, &rw->ev);

	/* Followers elsewhere (the workbench on a cluster's login node,
	 * `synthehr status`) read the history from loss.csv: besides at
	 * checkpoints it is rewritten every few seconds.  A resume reads
	 * it only up to the saved epoch, so the extra rows are harmless. */
	if (!(e % ts->ckpt_every == 0 || *final) && now - rc->live_written >= TRAIN_LIVE_EVERY_S) {
		char *lp = run_file(j, rc->run, "loss.csv");

		(void)loss_write(lp, &j->hist[rc->run], e, NULL);   /* best effort: the checkpoint writes it again */
		free(lp);
		rc->live_written = now;
	}
	return 0;
}

/* Train one run; 0 done, 1 stopped (saved), -1 error, -2 a damaged or
 * foreign checkpoint. */
static int
run_one(struct train_job *j, int run, char **cause)
{
	struct train_settings *ts = &j->ts;
	struct run_work rw;
	int rcode, e, final = 0;

	rcode = run_prepare(j, run, &rw, cause);
	if (rcode != 0) {
		run_work_free(&rw);
		return rcode > 0 ? 0 : rcode == -2 ? -2 : -1;
	}
	/* rc.seconds counts wall time from here on, checkpoints included and
	 * pauses excluded; the budget is measured against it. */
	rw.t_mark = util_now();
	for (e = rw.rc.epoch + 1; !final && (rw.budget > 0 || e <= ts->epochs); e++) {
		struct wgan_stats sum;
		double t0 = util_now(), waited = 0;

		if ((rcode = run_epoch(j, &rw, e, &sum, &waited, cause)) != 0 ||
		    (rcode = run_epoch_done(j, &rw, e, &sum, t0, waited, &final, cause)) != 0)
			break;
		if ((e % ts->ckpt_every == 0 || final) &&
		    (rcode = run_checkpoint(j, &rw, e, final, &sum, cause)) != 0)
			break;
	}
	if (rcode == 0) {
		run_event(j, &rw, TRAIN_EV_RUN_DONE);
		rw.ev.seconds = rw.rc.seconds;
		rw.ev.score = rw.rc.best_epoch > 0 ? rw.rc.best : NAN;
		if (rw.budget > 0)
			snprintf(rw.ev.msg, sizeof rw.ev.msg, "time budget of %g min reached", ts->minutes);
		emit(j, &rw.ev);
	}
	run_work_free(&rw);
	return rcode;
}

/* Take runs from the job's queue until none is left or one fails or stops.
 * Each run's arithmetic depends only on its own seed and state, so runs
 * trained at once give the same results as one after another (at the same
 * BLAS thread count). */
static void *
run_loop(void *arg)
{
	struct train_job *j = arg;

	for (;;) {
		char *cause = NULL;
		int run, rc;

		pthread_mutex_lock(&j->mu);
		if (j->abort || j->cancel || util_interrupted || j->next_run > j->last_run) {
			if (!j->abort && (j->cancel || util_interrupted) && j->next_run <= j->last_run)
				j->any_stopped = 1;
			pthread_mutex_unlock(&j->mu);
			break;
		}
		run = j->next_run++;
		pthread_mutex_unlock(&j->mu);
		rc = run_one(j, run, &cause);
		pthread_mutex_lock(&j->mu);
		if (rc < 0) {
			if (j->first_err == NULL) {
				j->first_err = cause ? cause : xsprintf("run %d: training failed", run);
				j->bad_input = rc == -2;
			} else
				free(cause);
			j->abort = 1;
		} else {
			free(cause);
			if (rc > 0)
				j->any_stopped = 1;
		}
		pthread_mutex_unlock(&j->mu);
		if (rc != 0)
			break;
	}
	return NULL;
}

/* Method hook: a classical peer (synth.h) is fitted and sampled in one go,
 * reported as one run from START to RUN_DONE. */
static int
train_peer(struct train_job *j, char **cause)
{
	struct train_event ev;
	struct gen_opts go;
	struct synth_result res;

	memset(&ev, 0, sizeof ev);
	ev.peer = 1;
	ev.run = ev.nruns = 1;
	ev.epochs = 1;
	ev.score = NAN;
	ev.kind = TRAIN_EV_START;
	snprintf(ev.msg, sizeof ev.msg, "%s: fitting and sampling", synth_method_name(j->method));
	emit(j, &ev);
	if (gen_opts_load(json_object_get(j->s->cfg, "generate"), &go, cause) != 0 ||
	    synth_peer_run(j->s, j->method, &go, &res, cause) != 0)
		return -1;
	ev.kind = TRAIN_EV_RUN_DONE;
	ev.epoch = 1;
	ev.seconds = res.fit_s + res.sample_s;
	snprintf(ev.msg, sizeof ev.msg, "%s: %zu rows in %.1f s (%.1f CPU s) -> %s", synth_method_name(j->method),
	    res.rows, ev.seconds, res.cpu_s, synth_method_dir(j->method));
	emit(j, &ev);
	return 0;
}

static void *
worker(void *arg)
{
	struct train_job *j = arg;
	struct train_event ev;
	pthread_t helpers[TRAIN_MAX_RUNS];
	int nh = 0, k, rc, blas_before = blas_threads();

	/* Runs trained at once share the cores: one BLAS thread each (the
	 * setting is process-wide in OpenBLAS 0.3.21; restored afterwards for
	 * the stages that follow in the same process). */
	if (j->nparallel > 1 && j->method == SYNTH_EMRWGAN)
		blas_set_threads(1);
	else if (j->ts.threads > 0)
		blas_set_threads(j->ts.threads);
	if (j->method != SYNTH_EMRWGAN) {
		char *cause = NULL;

		rc = train_peer(j, &cause);
		if (rc < 0)
			j->first_err = cause ? cause : xsprintf("%s failed", synth_method_name(j->method));
		else
			free(cause);
		j->next_run = j->last_run + 1;
	} else {
		for (k = 1; k < j->nparallel; k++)
			if (pthread_create(&helpers[nh], NULL, run_loop, j) == 0)
				nh++;
		run_loop(j);
		for (k = 0; k < nh; k++)
			pthread_join(helpers[k], NULL);
		rc = j->first_err != NULL ? -1 : j->any_stopped ? 1 : 0;
	}
	if (blas_threads() != blas_before)
		blas_set_threads(blas_before);
	memset(&ev, 0, sizeof ev);
	ev.nruns = j->method != SYNTH_EMRWGAN ? 1 : j->ts.runs;
	ev.run = SH_MIN(j->next_run, j->last_run);
	ev.score = NAN;
	if (rc < 0) {
		ev.kind = TRAIN_EV_ERROR;
		snprintf(ev.msg, sizeof ev.msg, "%s", j->first_err);
	} else if (rc == 0)
		ev.kind = TRAIN_EV_DONE;
	pthread_mutex_lock(&j->mu);
	j->state = rc < 0 ? TRAIN_FAILED : rc > 0 ? TRAIN_STOPPED : TRAIN_FINISHED;
	j->snap.state = j->state;
	j->err = j->first_err;
	j->first_err = NULL;
	pthread_mutex_unlock(&j->mu);
	if (rc <= 0)
		emit(j, &ev);
	return NULL;
}

/* Delete a run directory's training and generation files. */
static void
run_clear(struct study *s, int run)
{
	char *rel = train_run_dir(run), *dir = study_path(s, rel);
	DIR *d;
	struct dirent *de;

	free(rel);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			const char *nm = de->d_name;

			if (strncmp(nm, "ckpt-", 5) == 0 || strcmp(nm, "loss.csv") == 0 ||
			    strcmp(nm, "state.json") == 0 || strncmp(nm, "synthetic.", 10) == 0 ||
			    strstr(nm, ".tmp.") != NULL) {
				char *p = util_path_join(dir, nm);

				util_unlink(p);
				free(p);
			}
		}
		closedir(d);
	}
	free(dir);
}

/* Refuse before anything is written (or saved into study.json) when a run
 * to resume was trained with other settings. */
int
train_check_settings(struct study *s, const struct train_opts *o, char **cause)
{
	struct train_settings ts;
	int run, first = 1, last, rc = 0;
	struct mtx_prov pv;
	uint64_t tsum = 0, lh = 0;
	char *tp, key[65];
	struct layout *l = NULL;

	if (train_settings_load(json_object_get(s->cfg, "train"), &ts, cause) != 0)
		return -1;
	/* the training rows, from their header: this study's, for this layout */
	tp = study_path(s, "prep/train.mtx");
	if (util_file_exists(tp)) {
		if (mtx_read_header(tp, &pv, &tsum, &lh, cause) != 0)
			rc = -1;
		else if (pv.role != MTX_ROLE_TRAIN)
			rc = util_fail(cause, "%s: holds %s, expected training rows (a file swapped or copied from "
			    "elsewhere?); re-run 'synthehr prep %s'", tp, mtx_role_name(pv.role), s->dir);
		else if (prep_load_layout(s, &l, NULL) == 0 && layout_hash(l) != lh)
			rc = util_fail(cause, "%s: made for another column layout (layout hash %016llx, "
			    "prep/layout.json has %016llx); re-run 'synthehr prep %s'", tp, (unsigned long long)lh,
			    (unsigned long long)layout_hash(l), s->dir);
		else if (study_source_key(s, key, NULL) == 0 && util_hex64(key) != pv.source)
			rc = util_fail(cause, "%s: made from another cohort or schema than this study's; re-run "
			    "'synthehr prep %s'", tp, s->dir);
		layout_free(l);
	}
	free(tp);
	if (rc != 0)
		return -2;
	if (o != NULL && o->restart)
		return 0;
	last = ts.runs;
	if (o != NULL && o->only_run > 0)
		first = last = o->only_run;
	for (run = first; run <= last && rc == 0; run++) {
		char *rel = xsprintf("runs/run-%d/state.json", run), *p = study_path(s, rel);
		json_t *state = NULL;

		if (util_file_exists(p) && js_read_file(p, &state, NULL) == 0) {
			char *want = hex64(train_settings_hash(&ts, run));
			const char *got = js_str(state, "settings_hash", "");

			uint64_t was = util_hex64(js_str(state, "data_sum", NULL));

			/* a run that does not go with these settings or rows is
			 * bad input (-2, as a foreign checkpoint) */
			if (strcmp(got, want) != 0)
				rc = (util_fail(cause, "%s: run %d was trained with other settings (settings hash %s,"
				    " now %s); use --restart to discard it", p, run, got, want), -2);
			else if (was != 0 && tsum != 0 && was != tsum)
				rc = (util_fail(cause, "%s: run %d was trained on other training rows (train.mtx checksum "
				    "%016llx, now %016llx: another cohort, or prep changed the rows); retrain with "
				    "--restart", p, run, (unsigned long long)was, (unsigned long long)tsum), -2);
			else {
				/* the checkpoint to resume from reads back sound
				 * (checksum) before any setting is saved */
				char *cr = xsprintf("runs/run-%d/ckpt-last.bin", run), *cp = study_path(s, cr);
				struct ckpt_header h;
				float *data = NULL;

				if (util_file_exists(cp))
					rc = ckpt_read(cp, &h, &data, cause);
				free(data);
				free(cp);
				free(cr);
			}
			free(want);
			json_decref(state);
		}
		free(rel);
		free(p);
	}
	return rc;
}

struct train_job *
train_start(struct study *s, const struct train_opts *o, train_cb cb, void *arg, char **cause)
{
	struct train_job *j = xcalloc(1, sizeof *j);
	struct train_opts none = { 0 };
	struct synth_settings ss;
	int run;

	j->s = s;
	j->opts = o ? *o : none;
	j->cb = cb;
	j->cb_arg = arg;
	if (blas_headroom_check("training", 2, cause) != 0 ||
	    train_settings_load(json_object_get(s->cfg, "train"), &j->ts, cause) != 0 ||
	    synth_settings_load(json_object_get(s->cfg, "train"), &ss, cause) != 0)
		goto fail;
	j->method = ss.method;
	if (j->opts.method != NULL && synth_method_parse(j->opts.method, &j->method, cause) != 0)
		goto fail;
	if (train_load_data(s, &j->layout, &j->train, cause) != 0)
		goto fail;
	/* A float copy for the per-step gather when it costs at most 256 MB
	 * (the default demo: 4 MB; the full-size demo: none). */
	if ((double)j->train->n * j->train->D * sizeof(float) <= 256.0 * 1048576) {
		j->dense = xmalloc_aligned((j->train->n ? j->train->n : 1) * (size_t)j->train->D * sizeof(float));
		mtx_get_rows(j->train, 0, j->train->n, j->dense);
	}
	j->layout->enc_on = train_encoded(&j->ts, j->layout);
	if (j->train->n == 0) {
		util_fail(cause, "%s/prep/train.mtx: no training rows", s->dir);
		goto fail;
	}
	if (j->method != SYNTH_EMRWGAN) {
		/* A peer: no runs, no checkpoints; one START .. RUN_DONE. */
		j->first_run = j->last_run = 1;
		j->opts.only_run = 0;
		j->opts.restart = 0;
	} else if (j->ts.drop_remainder && (size_t)j->ts.batch > j->train->n) {
		util_fail(cause, "study.json: train.batch: %d is larger than the %zu training rows"
		    " (every batch would be dropped); lower train.batch", j->ts.batch, j->train->n);
		goto fail;
	}
	if (j->method == SYNTH_EMRWGAN) {
		j->first_run = 1;
		j->last_run = j->ts.runs;
	}
	if (j->opts.only_run > 0) {
		if (j->opts.only_run > j->ts.runs) {
			util_fail(cause, "run %d does not exist (train.runs is %d)", j->opts.only_run, j->ts.runs);
			goto fail;
		}
		j->first_run = j->last_run = j->opts.only_run;
	}
	if (j->opts.restart)
		for (run = j->first_run; run <= j->last_run; run++)
			run_clear(s, run);
	j->epochs_left_total = j->method != SYNTH_EMRWGAN ? 1 :
	    (j->last_run - j->first_run + 1) * j->ts.epochs;
	j->nparallel = j->method != SYNTH_EMRWGAN ? 1 :
	    train_parallel(&j->ts, j->last_run - j->first_run + 1);
	j->next_run = j->first_run;
	pthread_mutex_init(&j->mu, NULL);
	pthread_mutex_init(&j->cb_mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	j->state = j->snap.state = TRAIN_RUNNING;
	j->snap.nruns = j->method != SYNTH_EMRWGAN ? 1 : j->ts.runs;
	j->snap.epochs = j->method != SYNTH_EMRWGAN ? 1 : j->ts.epochs;
	if (pthread_create(&j->thread, NULL, worker, j) != 0) {
		util_fail(cause, "cannot start the training thread: %s", strerror(errno));
		pthread_mutex_destroy(&j->mu);
		pthread_mutex_destroy(&j->cb_mu);
		pthread_cond_destroy(&j->cv);
		goto fail;
	}
	return j;
fail:
	if (j->layout != NULL)
		layout_free(j->layout);
	if (j->train != NULL)
		mtx_free(j->train);
	free(j->dense);
	free(j);
	return NULL;
}

void
train_pause(struct train_job *j)
{
	pthread_mutex_lock(&j->mu);
	j->paused = 1;
	pthread_mutex_unlock(&j->mu);
}

void
train_resume(struct train_job *j)
{
	pthread_mutex_lock(&j->mu);
	j->paused = 0;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

void
train_cancel(struct train_job *j)
{
	pthread_mutex_lock(&j->mu);
	j->cancel = 1;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

int
train_poll(struct train_job *j, struct train_event *ev)
{
	int got = 0;

	pthread_mutex_lock(&j->mu);
	if (j->qlen > 0) {
		*ev = j->queue[j->qhead];
		j->qhead = (j->qhead + 1) % QUEUE_CAP;
		j->qlen--;
		got = 1;
	}
	pthread_mutex_unlock(&j->mu);
	return got;
}

void
train_snapshot(struct train_job *j, struct train_snapshot *out)
{
	pthread_mutex_lock(&j->mu);
	*out = j->snap;
	pthread_mutex_unlock(&j->mu);
}

int
train_history(struct train_job *j, int run, int field, double *out, int max)
{
	int n = 0, i;

	if (run < 1 || run > TRAIN_MAX_RUNS || field < 0 || field >= HIST_FIELDS)
		return 0;
	pthread_mutex_lock(&j->mu);
	n = j->hist[run].n;
	for (i = 0; i < n && i < max; i++)
		out[i] = j->hist[run].v[field][i];
	pthread_mutex_unlock(&j->mu);
	return n;
}

int
train_wait(struct train_job *j, char **cause)
{
	int rc, run;

	pthread_join(j->thread, NULL);
	rc = j->state == TRAIN_FAILED ? (j->bad_input ? -2 : -1) : j->state == TRAIN_STOPPED ? 1 : 0;
	if (rc < 0) {
		if (cause != NULL)
			*cause = j->err ? j->err : xstrdup("training failed");
		else
			free(j->err);
	} else
		free(j->err);
	for (run = 0; run <= TRAIN_MAX_RUNS; run++)
		hist_free(&j->hist[run]);
	pthread_mutex_destroy(&j->mu);
	pthread_mutex_destroy(&j->cb_mu);
	pthread_cond_destroy(&j->cv);
	layout_free(j->layout);
	mtx_free(j->train);
	free(j->dense);
	free(j);
	return rc;
}
