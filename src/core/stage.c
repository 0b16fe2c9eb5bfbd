/* synthehr — GPL-3.0-or-later.
 * The stage runner (stage.h): a queue of stage requests, one worker thread
 * that runs them in order, an event ring for front ends that poll, and the
 * stage functions themselves (each a thin driver over the core module that
 * does the work).
 *
 * Locking: r->mu guards everything in the runner.  The training stage runs
 * train.c's own worker; its job pointer lives in r->train under r->mu, and
 * pause/cancel/history are forwarded to it under r->mu (order: r->mu, then
 * the train job's mutex; train.c calls our callback without its mutex). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#if defined(__GLIBC__)
#include <malloc.h>   /* mallopt */
#endif

#include "synthehr/baseline.h"
#include "synthehr/check.h"
#include "synthehr/eval.h"
#include "synthehr/generate.h"
#include "synthehr/lock.h"
#include "synthehr/mimic.h"
#include "synthehr/prep.h"
#include "synthehr/report.h"
#include "synthehr/stage.h"
#include "synthehr/study.h"
#include "synthehr/synth.h"
#include "synthehr/util.h"

#define EV_CAP 1024

static const char *const names[STAGE_COUNT] = {
	"import", "init", "prep", "train", "generate", "evaluate", "report", "check"
};
static const char *const verbs[STAGE_COUNT] = {
	"importing", "creating the study", "preprocessing", "training", "generating", "evaluating",
	"writing the report", "checking the study"
};

const char *
stage_name(int stage)
{
	return stage >= 0 && stage < STAGE_COUNT ? names[stage] : "?";
}

const char *
stage_verb(int stage)
{
	return stage >= 0 && stage < STAGE_COUNT ? verbs[stage] : "?";
}

/* A queued request with its own copies of the strings. */
struct item {
	struct stage_req q;
	unsigned long id;
	char *study, *data, *label, *mimic_dir, *phecodes, *eval_preset, *out_path, *profile;
};

struct stage_ctx {
	struct stage_runner *r;
	struct item *it;
};

/* Whether a stage writes into its study (and so takes the study lock). */
int
stage_writes(int stage)
{
	return stage == STAGE_PREP || stage == STAGE_TRAIN || stage == STAGE_GENERATE ||
	    stage == STAGE_EVALUATE || stage == STAGE_REPORT;
}

struct stage_runner {
	stage_cb cb;
	void *cb_arg;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;          /* queue, pause, idle changes */
	struct item *queue[STAGE_QUEUE_MAX];
	int nqueue;
	struct item *cur;           /* running, or NULL */
	int quit, paused, cancel;
	double t0, paused_at, paused_total;
	struct stage_event last;
	int last_stage, last_status;
	struct train_job *train;    /* the training stage's job while it runs */
	struct stage_event ev[EV_CAP];
	int evhead, evlen;
	unsigned long next_id;
};

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
item_free(struct item *it)
{
	if (it == NULL)
		return;
	free(it->study);
	free(it->data);
	free(it->label);
	free(it->mimic_dir);
	free(it->phecodes);
	free(it->eval_preset);
	free(it->out_path);
	free(it->profile);
	free(it);
}

/* Queue an event for polling and hand it to the callback.  Called without
 * r->mu held. */
static void
post(struct stage_runner *r, struct stage_event *ev)
{
	pthread_mutex_lock(&r->mu);
	if (r->evlen == EV_CAP) {
		r->evhead = (r->evhead + 1) % EV_CAP;
		r->evlen--;
	}
	r->ev[(r->evhead + r->evlen) % EV_CAP] = *ev;
	r->ev[(r->evhead + r->evlen) % EV_CAP].train = NULL;
	r->ev[(r->evhead + r->evlen) % EV_CAP].text = NULL;
	r->evlen++;
	if (ev->kind == STAGE_EV_PROGRESS || ev->kind == STAGE_EV_START)
		r->last = *ev;
	pthread_mutex_unlock(&r->mu);
	if (r->cb != NULL)
		r->cb(ev, r->cb_arg);
}

static void
ev_init(struct stage_event *ev, int kind, const struct item *it)
{
	memset(ev, 0, sizeof *ev);
	ev->kind = kind;
	ev->stage = it->q.stage;
	ev->id = it->id;
	ev->sub = -1;
	ev->value = NAN;
	ev->eta_s = NAN;
}

/* Blocks while paused; 1 when the stage should stop. */
static int
pause_point(struct stage_runner *r)
{
	int stop;

	pthread_mutex_lock(&r->mu);
	while (r->paused && !r->cancel && !r->quit && util_interrupted <= 0)
		pthread_cond_wait(&r->cv, &r->mu);
	stop = r->cancel || r->quit || util_interrupted != 0;
	pthread_mutex_unlock(&r->mu);
	return stop;
}

int
stage_progress(struct stage_ctx *c, int part, int nparts, double step, double total, double value,
    const char *fmt, ...)
{
	struct stage_event ev;
	va_list ap;

	ev_init(&ev, STAGE_EV_PROGRESS, c->it);
	ev.part = part;
	ev.nparts = nparts;
	ev.step = step;
	ev.total = total;
	ev.value = value;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(ev.label, sizeof ev.label, fmt, ap);
		va_end(ap);
	}
	post(c->r, &ev);
	return pause_point(c->r);
}

void
stage_note(struct stage_ctx *c, int result, const char *fmt, ...)
{
	struct stage_event ev;
	va_list ap;

	char *text;

	ev_init(&ev, STAGE_EV_NOTE, c->it);
	ev.result = result;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	snprintf(ev.msg, sizeof ev.msg, "%s", text != NULL ? text : "?");
	ev.text = text;
	post(c->r, &ev);
	free(text);
}

/* ---- The stages.  Each returns an EXIT_* status; *cause on failure. */

static int
open_study(struct stage_ctx *c, struct study **s, char **cause)
{
	if (c->it->q.open_study != NULL) {
		*s = c->it->q.open_study;
		return EXIT_OK;
	}
	return study_open(c->it->study, s, cause) == 0 ? EXIT_OK : EXIT_USAGE;
}

static void
close_study(struct stage_ctx *c, struct study *s)
{
	if (s != c->it->q.open_study)
		study_free(s);
}

static void
mimic_progress(const char *stage, size_t rows, int done, void *arg)
{
	stage_progress(arg, 0, 0, (double)rows, 0, NAN, "%s%s", stage, done ? " done" : "");
}

static int
run_import(struct stage_ctx *c, char **cause)
{
	struct mimic_options o;
	struct mimic_summary sum, *s = c->it->q.result != NULL ? c->it->q.result : &sum;

	if (c->it->q.mimic_opts != NULL)
		o = *c->it->q.mimic_opts;
	else {
		memset(&o, 0, sizeof o);
		o.mimic_dir = c->it->mimic_dir;
		o.map_dir = c->it->phecodes;
	}
	o.out = c->it->out_path;
	o.progress = mimic_progress;
	o.progress_arg = c;
	if (mimic_import(&o, s, cause) != 0)
		return util_interrupted ? EXIT_INTERRUPTED : EXIT_USAGE;
	stage_note(c, 1, "imported %zu patients into %s", s->kept, o.out);
	if (s == &sum)
		mimic_summary_done(&sum);
	return EXIT_OK;
}

/* init's inference notes (stray tokens, numbers with commas) as events */
static void
init_note(void *ctx, const char *msg)
{
	stage_note(ctx, 0, "%s", msg);
}

static int
run_init(struct stage_ctx *c, char **cause)
{
	struct study_init_opts o;
	struct study *s = NULL;
	json_t *src;

	if (c->it->q.init_opts != NULL)
		o = *c->it->q.init_opts;
	else {
		memset(&o, 0, sizeof o);
		o.data = c->it->data;
		o.label = c->it->label;
		o.demo = c->it->q.demo;
		o.demo_rows = c->it->q.demo_rows;
		o.demo_concepts = c->it->q.demo_concepts;
		o.demo_seed = c->it->q.demo_seed ? c->it->q.demo_seed : 1;
	}
	o.note = init_note;
	o.note_ctx = c;
	stage_note(c, 0, "reading %s", o.demo ? "the built-in demo cohort" : o.data);
	if (study_init(c->it->study, &o, &s, cause) != 0)
		return EXIT_USAGE;
	src = json_object_get(s->cfg, "source");
	stage_note(c, 1, "created %s: %lld patients x %lld columns", c->it->study,
	    (long long)js_int(src, "rows", 0), (long long)js_int(src, "cols", 0));
	close_study(c, s);
	return EXIT_OK;
}

static int
run_prep(struct stage_ctx *c, char **cause)
{
	struct prep_report rep, *rp = c->it->q.result != NULL ? c->it->q.result : &rep;
	struct study *s;
	int rc;

	if ((rc = open_study(c, &s, cause)) != EXIT_OK)
		return rc;
	if (prep_run(s, rp, cause) == 0)
		rc = EXIT_OK;
	else {
		/* a bad value in study.json is bad input (2); the rest is a failure */
		char *sj = study_path(s, "study.json");

		rc = *cause != NULL && strncmp(*cause, sj, strlen(sj)) == 0 && (*cause)[strlen(sj)] == ':' ?
		    EXIT_USAGE : EXIT_FAIL;
		free(sj);
	}
	if (rp == &rep)
		prep_report_done(&rep);
	close_study(c, s);
	return rc;
}

/* train.c's events, on its worker thread, become stage events. */
static void
train_event(const struct train_event *te, void *arg)
{
	struct stage_ctx *c = arg;
	struct stage_event ev;

	ev_init(&ev, STAGE_EV_NOTE, c->it);
	ev.train = te;
	ev.sub = te->kind;
	ev.part = te->run;
	ev.nparts = te->nruns;
	ev.step = te->epoch;
	ev.total = te->epochs;
	ev.rate = te->steps_per_s;
	ev.eta_s = te->eta_s;
	if (te->peer) {
		/* A classical peer: its two lines say it all. */
		if (te->kind != TRAIN_EV_START && te->kind != TRAIN_EV_RUN_DONE)
			return;
		snprintf(ev.msg, sizeof ev.msg, "%s", te->msg);
		post(c->r, &ev);
		return;
	}
	switch (te->kind) {
	case TRAIN_EV_START:
		snprintf(ev.msg, sizeof ev.msg, "run %d/%d: %.200s, %d epochs", te->run, te->nruns, te->msg,
		    te->epochs);
		break;
	case TRAIN_EV_EPOCH:
	case TRAIN_EV_CKPT:
		ev.kind = STAGE_EV_PROGRESS;
		ev.value = te->st.disc_loss;
		snprintf(ev.label, sizeof ev.label, "run %d/%d", te->run, te->nruns);
		snprintf(ev.msg, sizeof ev.msg, "W %.4f  GP %.4f  G %.4f", -te->st.w_distance, te->st.gp,
		    te->st.gen_loss);
		break;
	case TRAIN_EV_RUN_DONE:
		if (te->chosen_epoch > 0)
			snprintf(ev.msg, sizeof ev.msg, "run %d/%d: %d epochs (%.0f s); chosen checkpoint:"
			    " epoch %d (score %.4g)", te->run, te->nruns, te->epoch, te->seconds,
			    te->chosen_epoch, te->score);
		else
			snprintf(ev.msg, sizeof ev.msg, "run %d/%d: %d epochs%s%.150s; no epoch met the"
			    " checkpoint rule, the last state is used", te->run, te->nruns, te->epoch,
			    te->msg[0] ? ", " : "", te->msg);
		break;
	case TRAIN_EV_CANCELLED:
		snprintf(ev.msg, sizeof ev.msg, "run %d/%d: %.200s; run the same command to resume", te->run,
		    te->nruns, te->msg);
		break;
	default:
		return;   /* DONE and ERROR: the stage's own DONE says it */
	}
	post(c->r, &ev);
}

static int
run_train(struct stage_ctx *c, char **cause)
{
	struct stage_runner *r = c->r;
	struct train_snapshot sn;
	struct train_job *j;
	struct study *s;
	int rc;

	struct study_lock *locks[TRAIN_MAX_RUNS + 1];
	struct train_settings ts;
	const char *method;
	int k, first, last, peer;

	memset(locks, 0, sizeof locks);
	if ((rc = open_study(c, &s, cause)) != EXIT_OK)
		return rc;
	if (train_settings_load(json_object_get(s->cfg, "train"), &ts, cause) != 0) {
		close_study(c, s);
		return EXIT_USAGE;
	}
	/* The study lock is held shared; each run trained here exclusively,
	 * or, for a classical peer, its slot (index 0).  A -2 (no lock file
	 * can be made: a read-only study) trains unlocked and fails on its
	 * own writes. */
	method = c->it->q.train.method != NULL ? c->it->q.train.method :
	    js_str(json_object_get(s->cfg, "train"), "method", "emrwgan");
	peer = strcmp(method, "emrwgan") != 0;
	first = peer ? 0 : c->it->q.train.only_run > 0 ? c->it->q.train.only_run : 1;
	last = peer ? 0 : c->it->q.train.only_run > 0 ? c->it->q.train.only_run : ts.runs;
	for (k = first; k <= last && k <= TRAIN_MAX_RUNS; k++) {
		long long slot = peer ? lock_slot_name("peer", method) : LOCK_SLOT_RUN(k);
		int lr = lock_take(s->dir, slot, 1, "train", &locks[k], cause);

		if (lr == -2) {
			free(*cause);
			*cause = NULL;
		} else if (lr != 0) {
			while (k >= first)
				lock_release(locks[k--]);
			close_study(c, s);
			return EXIT_FAIL;
		}
	}
	if ((j = train_start(s, &c->it->q.train, train_event, c, cause)) == NULL) {
		for (k = first; k <= last && k <= TRAIN_MAX_RUNS; k++)
			lock_release(locks[k]);
		close_study(c, s);
		return EXIT_USAGE;
	}
	pthread_mutex_lock(&r->mu);
	r->train = j;
	if (r->paused)
		train_pause(j);
	if (r->cancel || r->quit)
		train_cancel(j);
	for (;;) {
		struct timespec ts;

		train_snapshot(j, &sn);
		if (sn.state == TRAIN_FINISHED || sn.state == TRAIN_STOPPED || sn.state == TRAIN_FAILED)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&r->cv, &r->mu, &ts);
	}
	r->train = NULL;
	pthread_mutex_unlock(&r->mu);
	rc = train_wait(j, cause);
	for (k = first; k <= last && k <= TRAIN_MAX_RUNS; k++)
		lock_release(locks[k]);
	close_study(c, s);
	return rc == -2 ? EXIT_USAGE : rc < 0 ? EXIT_FAIL : rc > 0 ? EXIT_INTERRUPTED : EXIT_OK;
}

struct gen_cb {
	struct stage_ctx *c;
	const char *name;
};

static void
gen_progress_cb(void *arg, size_t done, size_t total)
{
	struct gen_cb *g = arg;

	stage_progress(g->c, 0, 0, (double)done, (double)total, NAN, "%s", g->name);
}

static void
gen_warn_cb(void *arg, const char *msg)
{
	struct gen_cb *g = arg;

	stage_note(g->c, 0, "warning: %s", msg);
}

static int
gen_one(struct stage_ctx *c, struct study *s, int run, const struct gen_opts *o, char **cause)
{
	size_t rows = 0;
	char *dir, *name = run > 0 ? xsprintf("run-%d", run) : xstrdup("baseline-marginals");
	struct gen_opts go = *o;
	struct gen_cb cb = { c, name };
	int rc;

	/* generate streams its rows: progress per chunk written, and a
	 * warning when stratification had to stop (issue 18) */
	go.progress = gen_progress_cb;
	go.warn = gen_warn_cb;
	go.cb_arg = &cb;
	stage_progress(c, 0, 0, 0, 0, NAN, "%s", name);
	rc = run == 0 ? baseline_run(s, o, &rows, cause) : gen_run(s, run, &go, &rows, cause);
	if (rc == 0) {
		dir = xsprintf("%s/runs/%s", s->dir, name);
		stage_note(c, 1, "%s: %zu rows -> %s/synthetic.csv", name, rows, dir);
		free(dir);
	}
	free(name);
	return rc == 0 ? EXIT_OK : rc == -2 ? EXIT_USAGE : EXIT_FAIL;
}

/* A peer's set: kept when current (same options and training rows), else
 * fitted and sampled again. */
static int
gen_peer(struct stage_ctx *c, struct study *s, int method, const struct gen_opts *o, int force,
    char **cause)
{
	struct synth_result res;
	char *dir = study_path(s, synth_method_dir(method));

	stage_progress(c, 0, 0, 0, 0, NAN, "peer-%s", synth_method_name(method));
	if (!force && synth_peer_current(s, method, o)) {
		stage_note(c, 1, "peer-%s: up to date -> %s/synthetic.csv", synth_method_name(method), dir);
		free(dir);
		return EXIT_OK;
	}
	if (synth_peer_run(s, method, o, &res, cause) != 0) {
		free(dir);
		return EXIT_FAIL;
	}
	stage_note(c, 1, "peer-%s: %zu rows (%.1f s) -> %s/synthetic.csv", synth_method_name(method),
	    res.rows, res.fit_s + res.sample_s, dir);
	free(dir);
	return EXIT_OK;
}

static int
run_generate(struct stage_ctx *c, char **cause)
{
	const struct stage_req *q = &c->it->q;
	struct train_settings ts;
	struct gen_opts o;
	struct study *s;
	int rc, k, done = 0, failed = 0, bad = 0;

	if ((rc = open_study(c, &s, cause)) != EXIT_OK)
		return rc;
	if (gen_opts_load(json_object_get(s->cfg, "generate"), &o, cause) != 0 ||
	    train_settings_load(json_object_get(s->cfg, "train"), &ts, cause) != 0) {
		close_study(c, s);
		return EXIT_USAGE;
	}
	if (q->gen_rows > 0)
		o.rows = (size_t)q->gen_rows;
	if (q->gen_seed >= 0)
		o.seed = (uint64_t)q->gen_seed;
	if (q->gen_nostratify)
		o.stratify = 0;
	if (q->gen_sample)
		o.sample = 1;
	o.ckpt_epoch = q->gen_ckpt;
	if (q->gen_peer > 0) {
		rc = gen_peer(c, s, q->gen_peer, &o, 1, cause);
		study_free(s);
		return rc;
	}
	if (q->gen_run > 0) {
		rc = gen_one(c, s, q->gen_run, &o, cause);
		close_study(c, s);
		return rc;
	}
	for (k = 1; q->gen_run == 0 && k <= TRAIN_MAX_RUNS && !pause_point(c->r); k++) {
		char *rel = xsprintf("runs/run-%d/state.json", k), *p = study_path(s, rel);
		int exists = util_file_exists(p);
		char *why = NULL;

		free(rel);
		free(p);
		if (!exists) {
			if (k <= ts.runs)
				stage_note(c, 0, "synthehr generate: run %d has not been trained; skipped", k);
			continue;
		}
		if ((rc = gen_one(c, s, k, &o, &why)) != EXIT_OK) {
			stage_note(c, 0, "synthehr generate: %s", why ? why : "failed");
			free(why);
			failed++;
			bad += rc == EXIT_USAGE;   /* a damaged or foreign input */
		} else
			done++;
	}
	if (pause_point(c->r)) {
		close_study(c, s);
		return EXIT_INTERRUPTED;
	}
	if (q->gen_run == 0 && done == 0 && failed == 0)
		stage_note(c, 0, "synthehr generate: no trained runs; run \"synthehr train %s\" first"
		    " (the baseline is still written)", s->dir);
	if (q->gen_run == 0) {
		unsigned peers = synth_peers_trained(s);

		for (k = SYNTH_CART; k < SYNTH_MARGINALS && !pause_point(c->r); k++) {
			char *why = NULL;

			if (!(peers & (1u << k)))
				continue;
			if (gen_peer(c, s, k, &o, 0, &why) != EXIT_OK) {
				stage_note(c, 0, "synthehr generate: peer-%s: %s", synth_method_name(k),
				    why ? why : "failed");
				failed++;
			}
			free(why);
		}
	}
	rc = gen_one(c, s, 0, &o, cause);
	close_study(c, s);
	if (rc == EXIT_OK && failed > 0) {
		/* bad input when every failure was a damaged or foreign file,
		 * as generate --run K says for one */
		*cause = xsprintf("%d set%s could not be generated", failed, failed == 1 ? "" : "s");
		rc = bad == failed ? EXIT_USAGE : EXIT_FAIL;
	}
	return rc;
}

static void
eval_progress(void *arg, const struct eval_progress *p)
{
	double done = p->nsets > 0 ? ((double)p->set + p->frac) / p->nsets : 0;

	stage_progress(arg, p->set + 1, p->nsets, done, 1.0, NAN, "%s %s", p->name ? p->name : "",
	    p->metric ? p->metric : "");
}

static int
run_evaluate(struct stage_ctx *c, char **cause)
{
	struct eval_opts o;
	struct study *s;
	int rc;

	if ((rc = open_study(c, &s, cause)) != EXIT_OK)
		return rc;
	if (c->it->q.eval_opts != NULL)
		o = *c->it->q.eval_opts;
	else if (eval_opts_init(&o, c->it->eval_preset, study_section(s, "eval"), cause) != 0) {
		close_study(c, s);
		return EXIT_USAGE;
	}
	o.progress = eval_progress;
	o.progress_arg = c;
	rc = eval_run(s, &o, NULL, cause);
	if (c->it->q.eval_opts == NULL)
		eval_opts_done(&o);
	if (rc == 0 && o.only_set != NULL)
		stage_note(c, 1, "Wrote %s/eval/sets/%s.json", s->dir, o.only_set);
	else if (rc == 0)
		stage_note(c, 1, "Wrote %s/eval/metrics.json", s->dir);
	close_study(c, s);
	return rc == 0 ? EXIT_OK : util_interrupted ? EXIT_INTERRUPTED : rc == -2 ? EXIT_USAGE : EXIT_FAIL;
}

static int
run_report(struct stage_ctx *c, char **cause)
{
	const struct stage_req *q = &c->it->q;
	struct report_html_opts ho;
	struct study *s;
	char *out = NULL, *html = NULL;
	const char *op = q->out_path;
	int rc, only = q->report_only;

	if ((rc = open_study(c, &s, cause)) != EXIT_OK)
		return rc;
	/* A path ending in .html (the workbench's :export) asks for the HTML alone. */
	if (only == 0 && op != NULL && strlen(op) > 5 && strcmp(op + strlen(op) - 5, ".html") == 0)
		only = 1;
	if (only <= 0)
		out = op != NULL ? xstrdup(op) : study_path(s, "eval/report.md");
	if (only >= 0)
		html = only > 0 && op != NULL ? xstrdup(op) : study_path(s, "eval/report.html");
	memset(&ho, 0, sizeof ho);
	ho.profile = c->it->profile;
	ho.fractional = q->fractional_ties;
	ho.min_cell = q->min_cell;
	ho.phecodes = q->phecodes;
	stage_progress(c, 0, 0, 0, 0, NAN, "writing the reports");
	if (out != NULL) {
		rc = report_markdown(s, c->it->profile, q->fractional_ties, out, cause) == 0 ? EXIT_OK : EXIT_FAIL;
		if (rc == EXIT_OK)
			stage_note(c, 1, "Wrote %s", out);
	}
	if (rc == EXIT_OK && html != NULL) {
		rc = report_html(s, &ho, html, cause) == 0 ? EXIT_OK : EXIT_FAIL;
		if (rc == EXIT_OK)
			stage_note(c, 1, "Wrote %s", html);
	}
	free(out);
	free(html);
	close_study(c, s);
	return rc;
}

static void
check_line(const char *line, void *arg)
{
	stage_note(arg, 1, "%s", line);
}

/* Read-only but with clean, which removes files: then the study lock, so
 * that no writer's file in progress is taken for a leftover. */
static int
run_check(struct stage_ctx *c, char **cause)
{
	struct study_lock *lock = NULL;
	char *sj = util_path_join(c->it->study, "study.json");
	int st;

	if (c->it->q.check_clean && util_file_exists(sj) &&
	    lock_take(c->it->study, LOCK_SLOT_STUDY, 1, "check", &lock, cause) == -1) {
		free(sj);
		return EXIT_FAIL;
	}
	free(sj);
	free(*cause);   /* -2: a read-only study, which nobody writes */
	*cause = NULL;
	st = study_check(c->it->study, c->it->q.check_clean, check_line, c, cause);
	lock_release(lock);
	return st;
}

static int (*const stage_fn[STAGE_COUNT])(struct stage_ctx *, char **) = {
	run_import, run_init, run_prep, run_train, run_generate, run_evaluate, run_report, run_check
};

/* ---- The runner */

static void *
worker(void *arg)
{
	struct stage_runner *r = arg;
	int prev_status = EXIT_OK;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		struct stage_ctx c;
		struct stage_event ev;
		struct study_lock *lock, *part_lock;
		struct item *it;
		char *cause = NULL;
		int st, i;

		while (r->nqueue == 0 && !r->quit)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->quit)
			break;
		it = r->queue[0];
		for (i = 1; i < r->nqueue; i++)
			r->queue[i - 1] = r->queue[i];
		r->nqueue--;
		if (it->q.after_ok && prev_status != EXIT_OK) {
			/* its predecessor did not finish: skip it (and report it) */
			pthread_mutex_unlock(&r->mu);
			ev_init(&ev, STAGE_EV_DONE, it);
			ev.status = EXIT_INTERRUPTED;
			snprintf(ev.msg, sizeof ev.msg, "%s skipped: the stage before it did not finish",
			    stage_name(it->q.stage));
			post(r, &ev);
			item_free(it);
			pthread_mutex_lock(&r->mu);
			continue;
		}
		r->cur = it;
		r->cancel = 0;
		r->paused = 0;
		if (util_interrupted == UTIL_STOP_REQUEST)
			util_interrupted = 0;
		r->t0 = util_now();
		r->paused_total = 0;
		pthread_mutex_unlock(&r->mu);

		ev_init(&ev, STAGE_EV_START, it);
		snprintf(ev.msg, sizeof ev.msg, "%s", stage_verb(it->q.stage));
		post(r, &ev);
		c.r = r;
		c.it = it;
		lock = part_lock = NULL;
		st = EXIT_OK;
		if (stage_writes(it->q.stage)) {
			char *sj = util_path_join(it->study, "study.json");
			const char *set = it->q.stage == STAGE_EVALUATE && it->q.eval_opts != NULL ?
			    it->q.eval_opts->only_set : NULL;

			/* Trainings and one-set evaluations (cluster tasks) share the
			 * study and lock their own part: a run (run_train) or a set.
			 * Without a study.json the stage fails with its own message. */
			if (util_file_exists(sj) && lock_take(it->study, LOCK_SLOT_STUDY,
			    it->q.stage != STAGE_TRAIN && set == NULL, stage_name(it->q.stage), &lock,
			    &cause) == -1)
				st = EXIT_FAIL;
			else {
				/* -2: a read-only study, which nobody can write either */
				free(cause);
				cause = NULL;
			}
			if (st == EXIT_OK && lock != NULL && set != NULL) {
				if (lock_take(it->study, lock_slot_name("set", set), 1, "evaluate", &part_lock,
				    &cause) == -1)
					st = EXIT_FAIL;
				else {
					free(cause);
					cause = NULL;
				}
			}
			free(sj);
		}
		if (st == EXIT_OK)
			st = stage_fn[it->q.stage](&c, &cause);
		lock_release(part_lock);
		lock_release(lock);
		if (st != EXIT_OK && st != EXIT_INTERRUPTED && util_interrupted != 0)
			st = EXIT_INTERRUPTED;
		ev_init(&ev, STAGE_EV_DONE, it);
		ev.status = st;
		if (st != EXIT_OK && cause != NULL)
			snprintf(ev.msg, sizeof ev.msg, "%s", cause);
		free(cause);
		/* DONE is posted while the stage still counts as running, so a
		 * front end that sees the runner idle has seen every DONE */
		post(r, &ev);

		pthread_mutex_lock(&r->mu);
		r->cur = NULL;
		r->paused = 0;
		r->last_stage = it->q.stage;
		r->last_status = st;
		prev_status = st;
		if (st == EXIT_INTERRUPTED) {
			/* a stop drops what was waiting on the stopped stage */
			for (i = 0; i < r->nqueue; i++)
				if (r->queue[i]->q.after_ok) {
					item_free(r->queue[i]);
					memmove(&r->queue[i], &r->queue[i + 1],
					    (size_t)(r->nqueue - i - 1) * sizeof *r->queue);
					r->nqueue--;
					i--;
				}
		}
		item_free(it);
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

struct stage_runner *
stage_runner_new(stage_cb cb, void *arg)
{
	struct stage_runner *r = xcalloc(1, sizeof *r);
#ifdef M_ARENA_MAX
	struct rlimit rl;

	/* Under an address-space limit (ulimit -v) the worker's own malloc
	 * arena, 64 MiB reserved at its first allocation, would take most of
	 * it (check aborted under 100 MB): let the threads share one. */
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		mallopt(M_ARENA_MAX, 1);
#endif

	r->cb = cb;
	r->cb_arg = arg;
	r->last_stage = r->last_status = -1;
	r->next_id = 1;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	if (pthread_create(&r->thread, NULL, worker, r) != 0) {
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv);
		free(r);
		return NULL;
	}
	return r;
}

void
stage_runner_free(struct stage_runner *r)
{
	int i;

	if (r == NULL)
		return;
	stage_cancel(r);
	pthread_mutex_lock(&r->mu);
	r->quit = 1;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thread, NULL);
	for (i = 0; i < r->nqueue; i++)
		item_free(r->queue[i]);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r);
}

/* Why q may not join what runs or waits (caller holds r->mu), or NULL. */
static char *
refusal(struct stage_runner *r, const struct stage_req *q)
{
	int i, n = 0;
	const struct item *all[STAGE_QUEUE_MAX + 1];

	if (r->cur != NULL)
		all[n++] = r->cur;
	for (i = 0; i < r->nqueue; i++)
		all[n++] = r->queue[i];
	if (r->nqueue >= STAGE_QUEUE_MAX)
		return xsprintf("%d stages are already waiting", r->nqueue);
	for (i = 0; i < n; i++) {
		const struct item *o = all[i];
		int running = o == r->cur;

		if (o->q.stage == STAGE_IMPORT || q->stage == STAGE_IMPORT)
			continue;   /* an import writes a cohort file, not a study */
		if (strcmp(o->study, q->study) != 0)
			return xsprintf("%s (%s) is %s for %s; stop it (x) or wait for it to end",
			    stage_name(o->q.stage), running ? "running" : "queued",
			    running ? "busy" : "waiting", o->study);
		if (o->q.stage == q->stage && !running)
			return xsprintf("%s is already queued", stage_name(q->stage));
		if (q->stage < o->q.stage)
			return xsprintf("%s would rewrite what %s %s reads; %s first", stage_name(q->stage),
			    running ? "the running" : "the queued", stage_name(o->q.stage),
			    running ? "stop it (x) or wait for it to end" : "drop it (:cancel)");
		if (q->stage == o->q.stage && running && q->stage != STAGE_REPORT)
			return xsprintf("%s is already running", stage_name(q->stage));
	}
	return NULL;
}

int
stage_submit(struct stage_runner *r, const struct stage_req *q, unsigned long *id, char **cause)
{
	struct item *it;
	struct stage_event ev;
	char *why;

	if (q->stage < 0 || q->stage >= STAGE_COUNT || q->study == NULL)
		return util_fail(cause, "no such stage");
	pthread_mutex_lock(&r->mu);
	if ((why = refusal(r, q)) != NULL) {
		pthread_mutex_unlock(&r->mu);
		if (cause != NULL)
			*cause = why;
		else
			free(why);
		return -1;
	}
	it = xcalloc(1, sizeof *it);
	it->q = *q;
	it->study = xstrdup(q->study);
	it->data = dup_or_null(q->data);
	it->label = dup_or_null(q->label);
	it->mimic_dir = dup_or_null(q->mimic_dir);
	it->phecodes = dup_or_null(q->phecodes);
	it->eval_preset = dup_or_null(q->eval_preset);
	it->out_path = dup_or_null(q->out_path);
	it->profile = dup_or_null(q->profile);
	it->q.study = it->study;
	it->q.data = it->data;
	it->q.label = it->label;
	it->q.mimic_dir = it->mimic_dir;
	it->q.phecodes = it->phecodes;
	it->q.eval_preset = it->eval_preset;
	it->q.out_path = it->out_path;
	it->q.profile = it->profile;
	it->id = r->next_id++;
	if (id != NULL)
		*id = it->id;
	r->queue[r->nqueue++] = it;
	pthread_cond_broadcast(&r->cv);
	ev_init(&ev, STAGE_EV_QUEUED, it);
	pthread_mutex_unlock(&r->mu);
	post(r, &ev);
	return 0;
}

int
stage_poll(struct stage_runner *r, struct stage_event *ev)
{
	int got = 0;

	pthread_mutex_lock(&r->mu);
	if (r->evlen > 0) {
		*ev = r->ev[r->evhead];
		r->evhead = (r->evhead + 1) % EV_CAP;
		r->evlen--;
		got = 1;
	}
	pthread_mutex_unlock(&r->mu);
	return got;
}

void
stage_get_state(struct stage_runner *r, struct stage_state *out)
{
	int i;

	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&r->mu);
	out->busy = r->cur != NULL;
	out->stage = r->cur != NULL ? r->cur->q.stage : -1;
	out->paused = r->paused;
	out->cancelling = r->cancel;
	if (r->cur != NULL)
		out->elapsed = (r->paused ? r->paused_at : util_now()) - r->t0 - r->paused_total;
	out->last = r->last;
	out->nqueued = r->nqueue;
	for (i = 0; i < r->nqueue; i++)
		out->queued[i] = r->queue[i]->q.stage;
	out->last_stage = r->last_stage;
	out->last_status = r->last_status;
	pthread_mutex_unlock(&r->mu);
}

void
stage_pause(struct stage_runner *r)
{
	pthread_mutex_lock(&r->mu);
	if (r->cur != NULL && !r->paused) {
		r->paused = 1;
		r->paused_at = util_now();
		if (r->train != NULL)
			train_pause(r->train);
	}
	pthread_mutex_unlock(&r->mu);
}

void
stage_resume(struct stage_runner *r)
{
	pthread_mutex_lock(&r->mu);
	if (r->paused) {
		r->paused = 0;
		r->paused_total += util_now() - r->paused_at;
		if (r->train != NULL)
			train_resume(r->train);
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
}

void
stage_cancel(struct stage_runner *r)
{
	int i;

	pthread_mutex_lock(&r->mu);
	for (i = 0; i < r->nqueue; i++)
		item_free(r->queue[i]);
	r->nqueue = 0;
	if (r->cur != NULL) {
		r->cancel = 1;
		if (util_interrupted == 0)
			util_interrupted = UTIL_STOP_REQUEST;
		if (r->train != NULL) {
			train_cancel(r->train);
			train_resume(r->train);
		}
	}
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

int
stage_unqueue(struct stage_runner *r)
{
	int rc = -1;

	pthread_mutex_lock(&r->mu);
	if (r->nqueue > 0) {
		item_free(r->queue[--r->nqueue]);
		rc = 0;
	}
	pthread_mutex_unlock(&r->mu);
	return rc;
}

int
stage_wait_idle(struct stage_runner *r, double timeout_s)
{
	double end = util_now() + timeout_s;
	int rc;

	pthread_mutex_lock(&r->mu);
	while (r->cur != NULL || r->nqueue > 0) {
		struct timespec ts;

		if (timeout_s >= 0 && util_now() >= end) {
			pthread_mutex_unlock(&r->mu);
			return -1;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&r->cv, &r->mu, &ts);
	}
	rc = r->last_status;
	pthread_mutex_unlock(&r->mu);
	return rc;
}

int
stage_train_history(struct stage_runner *r, int run, int field, double *out, int max)
{
	int n = 0;

	pthread_mutex_lock(&r->mu);
	if (r->train != NULL)
		n = train_history(r->train, run, field, out, max);
	pthread_mutex_unlock(&r->mu);
	return n;
}

int
stage_run(const struct stage_req *q, stage_cb cb, void *arg)
{
	struct stage_runner *r = stage_runner_new(cb, arg);
	struct stage_event ev;
	char *cause = NULL;
	int rc, aware = util_cancel_aware;

	if (r == NULL) {
		memset(&ev, 0, sizeof ev);
		ev.kind = STAGE_EV_DONE;
		ev.stage = q->stage;
		ev.status = EXIT_FAIL;
		snprintf(ev.msg, sizeof ev.msg, "cannot start a thread: %s", strerror(errno));
		if (cb != NULL)
			cb(&ev, arg);
		return EXIT_FAIL;
	}
	/* stages that poll util_interrupted save and stop on a signal; the
	 * others are ended by it the usual way (every write is atomic) */
	if (q->stage == STAGE_IMPORT || q->stage == STAGE_TRAIN || q->stage == STAGE_EVALUATE)
		util_cancel_aware = 1;
	if (stage_submit(r, q, NULL, &cause) != 0) {
		free(cause);
		stage_runner_free(r);
		util_cancel_aware = aware;
		return EXIT_FAIL;
	}
	rc = stage_wait_idle(r, -1);
	stage_runner_free(r);
	util_cancel_aware = aware;
	return rc;
}
