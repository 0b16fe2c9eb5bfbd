/* synthehr — GPL-3.0-or-later.
 * Screen 4, Train: the settings form (study.json "train" over the preset),
 * start / pause / stop / resume of the training job, live loss plots of
 * every run (overlaid, or small multiples with the critic and generator
 * losses), and a progress bar per run with steps/s and time left.
 *
 * Training runs in-process as a stage of the core stage runner (job.c),
 * queued with the generation of the synthetic sets behind it; the screen
 * takes the stage's events and reads the live loss history through the
 * runner on every tick, so it stays responsive.  Runs not being trained
 * here are drawn from runs/run-N/loss.csv. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/plot.h"
#include "synthehr/settings.h"
#include "synthehr/slurm.h"
#include "synthehr/study_read.h"
#include "synthehr/train.h"
#include "synthehr/util.h"
#include "tui/tui.h"

#define TR_MAXPTS 100000

struct tr_run {
	int epoch, epochs;
	double sps;           /* steps per second */
	int done;
	double *y[2];         /* disc_loss, gen_loss per epoch */
	double *t;            /* the run's training seconds at the end of each epoch */
	int n;
	/* the checkpoint rule's score at each candidate epoch (state.json
	 * "checkpoints") and the chosen epoch (0: none met the rule) */
	int *cand_ep;
	double *cand_sc;
	int ncand, chosen;
};

/* Smoothing steps (s on the screen): off, then EMA with these alphas. */
static const double tr_alphas[] = { 0, 0.9, 0.98 };

static struct {
	int live;                     /* our training stage runs */
	struct train_settings ts;
	int ts_ok;
	int field;
	int view;                     /* 0 overlay, 1 small multiples */
	int full;                     /* y axis: the full range, not the robust one */
	int smooth;                   /* index into tr_alphas */
	int xtime;                    /* x axis: 0 epoch, 1 wall time */
	int fid;                      /* 1: the checkpoint rule's score instead of the loss */
	int cursor;                   /* 1: the cursor is shown (Left/Right move it) */
	double curf;                  /* its position, 0..1 across the x axis */
	double elo, ehi;              /* the range the drawn EMA took points from (elo > ehi: all) */
	int curw;                     /* data columns of the last plot drawn (cursor step) */
	int hide_pending;             /* h typed: the next digit hides/shows a run */
	unsigned char hidden[TRAIN_MAX_RUNS + 1];
	double cands_read;            /* when state.json was last read for the scores */
	struct tr_run run[TRAIN_MAX_RUNS + 1];
	int nruns;
	double eta;
	int loaded;
	unsigned slurm_gen;           /* the Slurm watcher's refresh last drawn */
	char slurm_state[TRAIN_MAX_RUNS + 1][24];   /* each run's task state on the cluster, or "" */
} tr;

static const char *const train_keys[] = {
	"Up/Down\tchoose a setting (they wrap round)",
	"Home/End\tthe first / last setting (PgUp/PgDn: 4 settings)",
	"+ / -\tchange it (preset and rule cycle; Left/Right too, no cursor)",
	"Enter\ttype a value",
	"s\tstart training (resumes interrupted runs)",
	"p\tpause / resume",
	"x\tstop (state saved; s resumes); cancel the study's Slurm jobs",
	"v\tplots: overlaid / small multiples",
	"r\ty axis: robust (warm-up spike left out) / full range",
	"e\tsmoothing: off / EMA 0.9 / EMA 0.98 (the raw trace dimmed)",
	"h 1-9\thide / show run 1-9 (h a: show all)",
	"t\tx axis: epoch / wall time (each run's training seconds)",
	"c\tcursor on / off: the run rows read out each run's value there",
	"Left/Right\tmove the cursor (PgUp/PgDn: 10 steps; Home/End: its ends)",
	"f\tthe checkpoint rule's score per candidate epoch, chosen ones marked",
	"g\tgenerate synthetic sets from the trained runs",
	NULL,
};

enum { F_PRESET, F_RUNS, F_EPOCHS, F_MINUTES, F_BATCH, F_LR_G, F_LR_D, F_LR_SCHED, F_SEED,
	F_CKPT_EVERY, F_CKPT_AFTER, F_RULE, F_COUNT };
static const char *const fnames[F_COUNT] = { "preset", "runs", "epochs", "minutes", "batch", "lr_g",
	"lr_d", "lr_schedule", "seed", "ckpt_every", "ckpt_after", "ckpt_rule" };

static void
free_runs(void)
{
	int r;

	for (r = 0; r <= TRAIN_MAX_RUNS; r++) {
		free(tr.run[r].y[0]);
		free(tr.run[r].y[1]);
		free(tr.run[r].t);
		free(tr.run[r].cand_ep);
		free(tr.run[r].cand_sc);
		memset(&tr.run[r], 0, sizeof tr.run[r]);
	}
}

static void
train_reset(struct app *a)
{
	(void)a;
	if (tr.live)
		return;   /* a live training keeps its state */
	free_runs();
	tr.loaded = 0;
	tr.ts_ok = 0;
	/* another study: its runs are all shown, no cursor, the loss plotted */
	memset(tr.hidden, 0, sizeof tr.hidden);
	tr.hide_pending = tr.cursor = tr.fid = 0;
}

static void
load_settings(struct app *a)
{
	char *cause = NULL;

	tr.ts_ok = 0;
	if (a->st == NULL)
		return;
	if (train_settings_load(json_object_get(a->st->cfg, "train"), &tr.ts, &cause) != 0) {
		app_error(a, cause);
		train_settings_preset("quick", &tr.ts, NULL);
	}
	tr.ts_ok = 1;
}

/* The checkpoint rule's scores and the chosen epoch from a run's
 * state.json (written at every checkpoint). */
static void
read_cands(struct tr_run *ru, json_t *st)
{
	json_t *cl = json_object_get(st, "checkpoints"), *ch = json_object_get(st, "chosen");
	size_t i;

	free(ru->cand_ep);
	free(ru->cand_sc);
	ru->ncand = 0;
	ru->cand_ep = xcalloc(json_array_size(cl) + 1, sizeof *ru->cand_ep);
	ru->cand_sc = xcalloc(json_array_size(cl) + 1, sizeof *ru->cand_sc);
	for (i = 0; i < json_array_size(cl); i++) {
		json_t *c = json_array_get(cl, i), *sc = json_object_get(c, "score");
		int e = (int)js_int(c, "epoch", 0);

		/* epochs ascending, as train.c appends them */
		if (e <= 0 || (ru->ncand > 0 && e <= ru->cand_ep[ru->ncand - 1]))
			continue;
		ru->cand_ep[ru->ncand] = e;
		ru->cand_sc[ru->ncand] = json_is_number(sc) ? json_number_value(sc) : NAN;
		ru->ncand++;
	}
	ru->chosen = json_is_true(json_object_get(ch, "fallback")) ? 0 : (int)js_int(ch, "epoch", 0);
}

/* Histories from runs/run-N/loss.csv. */
static void
load_files(struct app *a)
{
	int r;

	free_runs();
	tr.nruns = 0;
	if (a->st == NULL)
		return;
	for (r = 1; r <= TRAIN_MAX_RUNS; r++) {
		struct study_table t;
		static const char *const fields[2] = { "disc_loss", "gen_loss" };
		json_t *st = NULL;
		int c, n;

		if (study_read_loss(a->st, r, &t) != 0) {
			if (r > tr.ts.runs)
				break;
			continue;
		}
		n = t.nrows;
		for (c = 0; c < 3; c++) {
			const double *col = study_table_col(&t, c < 2 ? fields[c] : "seconds");
			double *v = xcalloc(n + 1, sizeof(double));
			int i;

			if (col != NULL)
				memcpy(v, col, n * sizeof(double));
			else
				for (i = 0; i < n; i++)
					v[i] = NAN;
			if (c < 2)
				tr.run[r].y[c] = v;
			else
				tr.run[r].t = v;
		}
		tr.run[r].n = n;
		tr.run[r].epoch = n > 0 && t.ncols > 0 ? (int)t.cols[0][n - 1] : 0;
		tr.run[r].epochs = tr.ts.epochs;
		if (train_read_state(a->st, r, &st, NULL) == 0) {
			tr.run[r].epochs = (int)js_int(st, "epochs", tr.ts.epochs);
			/* loss.csv runs ahead of the last checkpoint while a run
			 * trains elsewhere (a cluster task, another process) */
			tr.run[r].epoch = SH_MAX(tr.run[r].epoch, (int)js_int(st, "epoch", 0));
			tr.run[r].done = strcmp(js_str(st, "status", ""), "done") == 0;
			if (js_num(st, "seconds", 0) > 0)
				tr.run[r].sps = js_num(st, "steps", 0) / js_num(st, "seconds", 1);
			read_cands(&tr.run[r], st);
			json_decref(st);
		}
		study_table_free(&t);
		tr.nruns = r;
	}
	if (tr.nruns < tr.ts.runs)
		tr.nruns = tr.ts.runs;
	tr.loaded = 1;
}

static void
train_enter(struct app *a)
{
	if (tr.live)
		return;
	load_settings(a);
	load_files(a);
}

int
screen_train_interrupted(struct app *a)
{
	struct train_settings ts;
	int r, any = 0;

	if (a->st == NULL || train_settings_load(json_object_get(a->st->cfg, "train"), &ts, NULL) != 0)
		return 0;
	{
		/* runs submitted to Slurm are resumed there (train --slurm), not
		 * here behind the cluster's back; s on this screen still can */
		char *jobs = app_path(a, "slurm/jobs.json");
		int cluster = util_file_exists(jobs);

		free(jobs);
		if (cluster)
			return 0;
	}
	for (r = 1; r <= ts.runs; r++) {
		json_t *st = NULL;

		if (train_read_state(a->st, r, &st, NULL) != 0)
			continue;
		if (strcmp(js_str(st, "status", ""), "done") != 0)
			any = 1;
		json_decref(st);
	}
	return any;
}

static void
gen_done(struct app *a, int rc)
{
	if (rc == 0)
		app_status(a, "synthetic sets generated: next, 5 Evaluate");
}

static int
start_generate(struct app *a, int after_ok)
{
	struct stage_req q;
	char *cause = NULL;

	memset(&q, 0, sizeof q);
	q.stage = STAGE_GENERATE;
	q.study = a->st->dir;
	q.after_ok = after_ok;
	q.gen_rows = q.gen_seed = -1;
	if (job_submit(a, &q, gen_done, &cause) != 0) {
		app_error(a, cause);
		return -1;
	}
	if (!after_ok)
		app_status(a, "generating synthetic sets ...");
	return 0;
}

static void
train_done(struct app *a, int rc)
{
	tr.live = 0;
	load_files(a);
	if (rc == 0)
		app_status(a, "training done; generating the synthetic sets ...");
	else if (rc == EXIT_INTERRUPTED)
		app_status(a, "training stopped; state saved (s resumes)");
}

int
screen_train_start(struct app *a)
{
	struct stage_req q;
	char *cause = NULL;
	int r;

	if (a->st == NULL) {
		app_error(a, xstrdup("no study is open (screen 1)"));
		return -1;
	}
	if (job_is(a, STAGE_TRAIN) && a->job.st.paused) {
		job_resume(a);
		return 0;
	}
	app_study_reload(a);
	load_settings(a);
	memset(&q, 0, sizeof q);
	q.stage = STAGE_TRAIN;
	q.study = a->st->dir;
	if (job_submit(a, &q, train_done, &cause) != 0) {
		app_error(a, cause);
		return -1;
	}
	load_files(a);
	start_generate(a, 1);
	tr.nruns = tr.ts.runs;
	/* runs already complete report RUN_DONE again; extended ones train on */
	for (r = 1; r <= TRAIN_MAX_RUNS; r++) {
		tr.run[r].done = 0;
		tr.run[r].sps = 0;
	}
	if (job_is(a, STAGE_TRAIN) || !a->job.st.busy)
		app_status(a, "training %d run%s of %d epochs ...", tr.ts.runs, tr.ts.runs == 1 ? "" : "s",
		    tr.ts.epochs);
	else
		app_status(a, "training queued behind %s", stage_name(a->job.st.stage));
	return 0;
}

/* The training stage's events. */
static void
train_event(struct app *a, const struct stage_event *ev)
{
	(void)a;
	if (ev->stage != STAGE_TRAIN)
		return;
	if (ev->kind == STAGE_EV_START)
		tr.live = 1;
	if (ev->sub < 0 || ev->part < 1 || ev->part > TRAIN_MAX_RUNS)
		return;
	tr.run[ev->part].epoch = (int)ev->step;
	tr.run[ev->part].epochs = (int)ev->total;
	if (ev->sub == TRAIN_EV_EPOCH || ev->sub == TRAIN_EV_CKPT)
		tr.run[ev->part].sps = ev->rate;
	if (ev->sub == TRAIN_EV_RUN_DONE)
		tr.run[ev->part].done = 1;
	if (ev->nparts > 0)
		tr.nruns = ev->nparts;
	tr.eta = ev->eta_s;
}

/* A cluster training: the watcher's task states, and the histories from
 * the runs' files whenever the watcher brought new states. */
static void
slurm_tick(struct app *a)
{
	struct slurm_task *t;
	unsigned gen;
	int n, i, r;

	gen = slurm_watch_get(a->slurm, &t, &n);
	if (gen == tr.slurm_gen)
		return;
	tr.slurm_gen = gen;
	memset(tr.slurm_state, 0, sizeof tr.slurm_state);
	for (i = 0; i < n; i++)
		if (t[i].stage == SLURM_TRAIN && t[i].run >= 1 && t[i].run <= TRAIN_MAX_RUNS)
			snprintf(tr.slurm_state[t[i].run], sizeof tr.slurm_state[0], "%s", t[i].state);
	free(t);
	for (r = 1; r <= TRAIN_MAX_RUNS; r++)
		if (tr.slurm_state[r][0] != '\0')
			break;
	if (r <= TRAIN_MAX_RUNS && !tr.live)
		load_files(a);
}

static void
slurm_cancel_yes(struct app *a)
{
	char *cause = NULL;
	int nc = 0;

	if (slurm_cancel(a->st, &nc, &cause) != 0)
		app_error(a, cause);
	else
		app_status(a, "scancel: %d job%s of this study cancelled; state saved (train --slurm resubmits)",
		    nc, nc == 1 ? "" : "s");
}

/* Read the live loss histories through the runner. */
static void
train_tick(struct app *a)
{
	int r;

	slurm_tick(a);
	if (!tr.live && a->foreign && a->st != NULL) {
		static double last;

		/* another process trains: follow its files (written at every
		 * checkpoint) */
		if (util_now() - last >= 2.0) {
			last = util_now();
			load_settings(a);
			load_files(a);
		}
		return;
	}
	if (!tr.live || a->job.runner == NULL)
		return;
	for (r = 1; r <= tr.nruns && r <= TRAIN_MAX_RUNS; r++) {
		int n = stage_train_history(a->job.runner, r, 0, NULL, 0), k;
		static const int fields[3] = { 0, 3, 6 };

		if (n <= 0)
			continue;
		if (n > TR_MAXPTS)
			n = TR_MAXPTS;
		for (k = 0; k < 3; k++) {
			double **v = k < 2 ? &tr.run[r].y[k] : &tr.run[r].t;

			*v = xreallocarray(*v, n + 1, sizeof(double));
			n = SH_MIN(n, stage_train_history(a->job.runner, r, fields[k], *v, n));
		}
		tr.run[r].n = n;
	}
	/* the checkpoint scores: state.json is rewritten at every checkpoint */
	if (util_now() - tr.cands_read >= 2.0) {
		tr.cands_read = util_now();
		for (r = 1; r <= tr.nruns && r <= TRAIN_MAX_RUNS; r++) {
			json_t *st = NULL;

			if (train_read_state(a->st, r, &st, NULL) == 0) {
				read_cands(&tr.run[r], st);
				json_decref(st);
			}
		}
	}
}

/* A field's value, as the settings table formats it. */
static void
field_text(int f, char *buf, size_t n)
{
	const struct setting *st = settings_find("train", fnames[f]);

	if (f == F_PRESET)
		snprintf(buf, n, "%s", tr.ts.preset);
	else if (f == F_MINUTES && tr.ts.minutes <= 0)
		snprintf(buf, n, "off");
	else if (st != NULL)
		setting_format(st, &tr.ts, buf, n);
	else
		snprintf(buf, n, "?");
}

static void
draw_form(struct canvas *cv, int x, int y, int w)
{
	int f;
	char v[32];

	canvas_text(cv, x + 1, y, w - 1, THEME_TITLE, "Settings");
	for (f = 0; f < F_COUNT; f++) {
		int role = f == tr.field ? THEME_SELECTED : THEME_NORMAL;

		field_text(f, v, sizeof v);
		canvas_fill(cv, x, y + 1 + f, w, 1, ' ', role);
		canvas_printf(cv, x + 1, y + 1 + f, w - 1, role, "%-*s%s",
		    (int)SH_MAX(11, strlen(fnames[f]) + 1), fnames[f], v);
	}
}

/* A compact axis number: at most 7 characters. */
static const char *
axis_num(char *b, size_t n, double v)
{
	double av = fabs(v);

	if (av != 0 && (av < 0.01 || av >= 1e5))
		snprintf(b, n, "%.0e", v);
	else if (av >= 100)
		snprintf(b, n, "%.0f", v);
	else if (av >= 10)
		snprintf(b, n, "%.1f", v);
	else
		snprintf(b, n, "%.2f", v);
	return b;
}

/* The y range a class can read: points beyond Tukey's far-out fences
 * (3 interquartile ranges outside the quartiles of every point drawn) are
 * left out, so the warm-up spike (thousands against about -2) does not
 * flatten the curves; they are drawn on the frame's edge and counted in
 * *clipped.  Without such points, or when the quartiles coincide, the
 * data's own range. */
static void
robust_range(const struct canvas_series *s, int ns, double *lo, double *hi, int *clipped)
{
	double *v, flo, fhi, q1, q3, iqr, f1, f3, rlo = HUGE_VAL, rhi = -HUGE_VAL, span;
	size_t n = 0, cap = 0, i;
	int k, j;

	*clipped = 0;
	if (!canvas_series_range(s, ns, &flo, &fhi)) {
		*lo = *hi = 0;
		return;
	}
	*lo = flo;
	*hi = fhi;
	for (k = 0; k < ns; k++)
		cap += s[k].n;
	v = xcalloc(cap + 1, sizeof *v);
	for (k = 0; k < ns; k++)
		for (j = 0; j < s[k].n; j++)
			if (isfinite(s[k].y[j]))
				v[n++] = s[k].y[j];
	if (n < 4) {
		free(v);
		return;
	}
	qsort(v, n, sizeof *v, util_cmp_double);
	q1 = v[(n - 1) / 4];
	q3 = v[(3 * (n - 1) + 3) / 4];
	iqr = q3 - q1;
	f1 = q1 - 3 * iqr;
	f3 = q3 + 3 * iqr;
	for (i = 0; i < n; i++)
		if (v[i] >= f1 && v[i] <= f3) {
			rlo = SH_MIN(rlo, v[i]);
			rhi = SH_MAX(rhi, v[i]);
		} else
			(*clipped)++;
	free(v);
	if (iqr <= 0 || *clipped == 0 || rhi < rlo) {
		*clipped = 0;
		return;
	}
	span = rhi > rlo ? rhi - rlo : fabs(rhi) > 0 ? fabs(rhi) * 0.1 : 1;
	*lo = SH_MAX(flo, rlo - 0.03 * span);
	*hi = SH_MIN(fhi, rhi + 0.03 * span);
	/* what the padding let back in is drawn, not off */
	*clipped = 0;
	for (k = 0; k < ns; k++)
		for (j = 0; j < s[k].n; j++)
			if (isfinite(s[k].y[j]) && (s[k].y[j] > *hi || s[k].y[j] < *lo))
				(*clipped)++;
}

/* The y range of the plots: robust unless r asked for the full one. */
static int
loss_range(const struct canvas_series *s, int ns, double *lo, double *hi)
{
	int clipped = 0;

	if (tr.full) {
		if (!canvas_series_range(s, ns, lo, hi))
			*lo = *hi = 0;
	} else
		robust_range(s, ns, lo, hi, &clipped);
	return clipped;
}

/* m:ss (h:mm:ss from an hour) of a number of seconds. */
static const char *
fmt_secs(char *b, size_t n, double s)
{
	int v = s > 0 ? (int)SH_MIN(s + 0.5, 359999.0) : 0;   /* at most 99:59:59 */

	if (v >= 3600)
		snprintf(b, n, "%d:%02d:%02d", v / 3600 % 100, v / 60 % 60, v % 60);
	else
		snprintf(b, n, "%d:%02d", v / 60 % 60, v % 60);
	return b;
}

/* The longest run's epochs: the x axis in epochs is 1..this. */
static int
epochs_max(void)
{
	int r, xmax = 1;

	for (r = 1; r <= tr.nruns; r++)
		if (tr.run[r].epochs > xmax)
			xmax = tr.run[r].epochs;
	return xmax;
}

/* The longest training time of the shown runs (seconds), 0 when a shown
 * run has a history without times (a loss.csv without "seconds"). */
static double
seconds_max(void)
{
	double tmax = 0;
	int r;

	for (r = 1; r <= tr.nruns; r++) {
		const struct tr_run *ru = &tr.run[r];

		if (tr.hidden[r] || ru->n == 0)
			continue;
		if (ru->t == NULL || !isfinite(ru->t[ru->n - 1]))
			return 0;
		tmax = SH_MAX(tmax, ru->t[ru->n - 1]);
	}
	return tmax;
}

/* A run's per-epoch values y[n] on g points spread over 0..tmax seconds:
 * each point takes the last epoch finished by then; NaN before the first
 * epoch ends and after the run's last one.  Caller frees. */
static double *
time_grid(const double *y, const double *t, int n, int g, double tmax)
{
	double *o = xcalloc((size_t)g + 1, sizeof *o);
	int k, i = -1;

	for (k = 0; k < g; k++) {
		double tk = g > 1 ? tmax * k / (g - 1) : tmax;

		while (i + 1 < n && t[i + 1] <= tk * (1 + 1e-12))
			i++;
		o[k] = i >= 0 && tk <= t[n - 1] * (1 + 1e-12) ? y[i] : NAN;
	}
	return o;
}

/* The checkpoint rule's score per epoch 1..last candidate, joined by
 * straight lines between candidates (NaN before the first).  Caller frees;
 * *n gets the length. */
static double *
cand_series(const struct tr_run *ru, int *n)
{
	int last = ru->cand_ep[ru->ncand - 1], k, e;
	double *o = xcalloc((size_t)last + 1, sizeof *o);

	for (e = 0; e < last; e++)
		o[e] = NAN;
	for (k = 0; k < ru->ncand; k++) {
		int e0 = ru->cand_ep[k];

		o[e0 - 1] = ru->cand_sc[k];
		if (k > 0 && isfinite(ru->cand_sc[k]) && isfinite(ru->cand_sc[k - 1])) {
			int ep = ru->cand_ep[k - 1];

			for (e = ep + 1; e < e0; e++)
				o[e - 1] = ru->cand_sc[k - 1] + (ru->cand_sc[k] - ru->cand_sc[k - 1]) *
				    (e - ep) / (e0 - ep);
		}
	}
	*n = last;
	return o;
}

/* The score of a run's chosen checkpoint (NaN when none). */
static double
chosen_score(const struct tr_run *ru)
{
	int k;

	for (k = 0; k < ru->ncand; k++)
		if (ru->cand_ep[k] == ru->chosen)
			return ru->cand_sc[k];
	return NAN;
}

/* The point of run r under the cursor: its index into the run's epochs
 * (-1: the run has none there; on the time axis a finished run's last
 * epoch), and the cursor's place as text. */
static int
cursor_at(const struct tr_run *ru, int xmax, double tmax, char *where, size_t n)
{
	int i;

	if (tr.xtime && !tr.fid && tmax > 0) {
		double tc = tr.curf * tmax;

		if (where != NULL)
			fmt_secs(where, n, tc);
		/* a run that had finished by then keeps its last value */
		if (ru->t == NULL || ru->n == 0)
			return -1;
		for (i = ru->n - 1; i >= 0 && ru->t[i] > tc * (1 + 1e-12); i--)
			;
		return i;
	}
	i = (int)(tr.curf * (xmax - 1) + 0.5);
	if (where != NULL)
		snprintf(where, n, "%d", i + 1);
	return i < ru->n ? i : -1;
}

/* The value the cursor reads out for a run: the loss (smoothed when the
 * plot is), or in the score plot the last candidate's score up to there. */
static double
cursor_value(const struct tr_run *ru, int xmax, double tmax)
{
	int i = cursor_at(ru, xmax, tmax, NULL, 0), k;
	double v = NAN;

	if (i < 0)
		return NAN;
	if (tr.fid) {
		for (k = 0; k < ru->ncand && ru->cand_ep[k] <= i + 1; k++)
			v = ru->cand_sc[k];
		return v;
	}
	if (tr.smooth > 0) {
		double *e = xcalloc((size_t)i + 2, sizeof *e);

		/* as drawn: the spike is left out of the average in the robust view */
		plot_ema(ru->y[0], i + 1, tr_alphas[tr.smooth], tr.elo, tr.ehi, e);
		v = e[i];
		free(e);
		return v;
	}
	return ru->y[0][i];
}

/* A plot area with its axes: y labels at the top and bottom of the left
 * margin (lw columns), x labels (xl at the left end, xr at the right, xm
 * in the middle) on the row below; the cursor as a vertical line. */
static void
plot_with_axes(struct canvas *cv, int x, int y, int w, int h, int lw, const struct canvas_series *s,
    int ns, int xmax, double lo, double hi, const char *xl, const char *xr, const char *xm, int cursor)
{
	char b[32];
	int pw = w - lw;

	if (pw < 2 || h < 2)
		return;
	if (lw > 0) {
		canvas_text_right(cv, x, y, lw - 1, THEME_DIM, axis_num(b, sizeof b, hi));
		canvas_text_right(cv, x, y + h - 2, lw - 1, THEME_DIM, axis_num(b, sizeof b, lo));
	}
	canvas_plot(cv, x + lw, y, pw, h - 1, s, ns, xmax, lo, hi);
	canvas_text(cv, x + lw, y + h - 1, pw, THEME_DIM, xl);
	canvas_text_right(cv, x + lw + (int)strlen(xl), y + h - 1, pw - (int)strlen(xl), THEME_DIM, xr);
	if (pw > (int)strlen(xm) + 14)
		canvas_text(cv, x + lw + (pw - (int)strlen(xm)) / 2, y + h - 1, (int)strlen(xm), cursor ?
		    THEME_KEY : THEME_DIM, xm);
	if (cursor) {
		int cx = x + lw + (int)(tr.curf * (pw - 1) + 0.5), j;

		/* on the blank cells of its column: the data stays readable */
		for (j = y; j < y + h - 1; j++)
			if (cx >= 0 && cx < cv->w && j >= 0 && j < cv->h && cv->cells[(size_t)j * cv->w + cx].ch == ' ')
				canvas_put(cv, cx, j, cv->ascii ? '|' : 0x2502, THEME_KEY);
	}
}

/* A legend entry: the run's glyph (its colour's line, or its mark when
 * there is no colour) and a label.  Returns the width drawn. */
static int
legend_item(struct canvas *cv, int x, int y, int maxw, int role, uint32_t mark, const char *label)
{
	char g[8];
	int n;

	if (maxw < 3)
		return 0;
	g[canvas_utf8_encode(mark != 0 ? mark : 0x2501, g)] = '\0';
	n = canvas_text(cv, x, y, 1, role, g);
	n += canvas_printf(cv, x + n, y, maxw - n, THEME_DIM, "%s ", label);
	return n;
}

/* Runs overlaid: the critic loss (raw, or dimmed under its EMA) by epoch
 * or by training time, or the checkpoint rule's score by epoch with each
 * run's chosen checkpoint marked; the legend on its own row. */
static void
draw_overlay(struct canvas *cv, int x, int y, int w, int h, int marks)
{
	struct canvas_series s[TRAIN_MAX_RUNS], d[TRAIN_MAX_RUNS * 2];
	double *own[TRAIN_MAX_RUNS * 3], lo, hi, tmax = seconds_max(), alpha = tr_alphas[tr.smooth];
	int run_of[TRAIN_MAX_RUNS], ns = 0, nd = 0, nown = 0, r, k, clipped, xmax = epochs_max(), lw = 8;
	int pw = w - 2 - lw, ph = h - 4, time = tr.xtime && !tr.fid && tmax > 0, g, lx, hidden = 0, cells;
	char title[128], eta[24] = "", xl[32], xr[32], xm[48];

	cells = cv->ascii || marks;
	g = SH_MAX(2, cells ? pw : 2 * pw);
	tr.curw = g;
	if (tr.live && tr.eta > 0)   /* for all runs, not one */
		snprintf(eta, sizeof eta, ", %d:%02d left", (int)tr.eta / 60, (int)tr.eta % 60);
	memset(s, 0, sizeof s);
	memset(d, 0, sizeof d);
	for (r = 1; r <= tr.nruns && ns < TRAIN_MAX_RUNS; r++) {
		const struct tr_run *ru = &tr.run[r];

		hidden += tr.hidden[r] != 0;
		if (tr.hidden[r] || ru->n == 0 || (tr.fid && ru->ncand == 0))
			continue;
		if (tr.fid)
			s[ns].y = own[nown++] = cand_series(ru, &s[ns].n);
		else {
			s[ns].y = ru->y[0];
			s[ns].n = ru->n;
		}
		s[ns].role = THEME_PLOT_1 + (r - 1) % THEME_PLOT_COUNT;
		/* the same glyph for a run whatever runs are shown */
		s[ns].mark = marks ? canvas_plot_mark(r - 1) : 0;
		run_of[ns++] = r;
	}
	/* the title: what is plotted, how, and what is left out, in the
	 * frame's width (at 80 columns: 52) */
	if (tr.fid)
		snprintf(title, sizeof title, "checkpoint score (%s)", tr.ts.rule == TRAIN_RULE_METRIC ?
		    "quick DWD, lower is better" : "-critic loss, lowest > 0 kept");
	else {
		size_t o;

		snprintf(title, sizeof title, "critic loss %s%s%s", time ? "by time" : "per epoch",
		    tr.smooth > 0 ? ", EMA " : "", tr.smooth > 0 ? (tr.smooth == 1 ? "0.9" : "0.98") : "");
		o = strlen(title);
		if (hidden > 0)
			snprintf(title + o, sizeof title - o, ", %d hidden", hidden);
		else if ((int)(o + strlen(", all runs") + strlen(eta)) <= w - 4)
			snprintf(title + o, sizeof title - o, ", all runs");
	}
	if (eta[0] != '\0' && strlen(title) + strlen(eta) < sizeof title)
		strcat(title, eta);
	canvas_box(cv, x, y, w, h, THEME_BORDER, title);
	if (ns == 0) {
		canvas_text(cv, x + 2, y + 2, w - 4, THEME_DIM, tr.fid ? "no checkpoint scores yet (state.json)" :
		    hidden > 0 ? "every run is hidden: h a shows them" : "no loss history yet: s starts training");
		for (k = 0; k < nown; k++)
			free(own[k]);
		return;
	}
	if (tr.fid) {
		/* the range and the points left out count the candidates, not
		 * the lines drawn between them */
		struct canvas_series c[TRAIN_MAX_RUNS];

		memset(c, 0, sizeof c);
		for (k = 0; k < ns; k++) {
			c[k].y = tr.run[run_of[k]].cand_sc;
			c[k].n = tr.run[run_of[k]].ncand;
		}
		clipped = loss_range(c, ns, &lo, &hi);
	} else
		clipped = loss_range(s, ns, &lo, &hi);
	tr.elo = tr.full || clipped == 0 ? 1 : lo;
	tr.ehi = tr.full || clipped == 0 ? 0 : hi;
	/* what is drawn: the raw trace (dimmed under its EMA when smoothing),
	 * on the epoch axis or resampled onto the time axis */
	for (k = 0; k < ns; k++) {
		const struct tr_run *ru = &tr.run[run_of[k]];
		int pass;

		for (pass = 0; pass < (tr.smooth > 0 && !tr.fid ? 2 : 1); pass++) {
			const double *v = s[k].y;
			int n = s[k].n;

			if (pass == 1) {
				double *e = own[nown++] = xcalloc((size_t)n + 1, sizeof *e);

				/* robust view: the spike is not averaged in */
				plot_ema(v, n, alpha, tr.elo, tr.ehi, e);
				v = e;
			}
			d[nd] = s[k];
			if (time) {
				d[nd].y = own[nown++] = time_grid(v, ru->t, n, g, tmax);
				d[nd].n = g;
			} else
				d[nd].y = v;
			if (pass == 0 && tr.smooth > 0 && !tr.fid) {
				d[nd].role = THEME_DIM;
				d[nd].mark = marks ? '.' : 0;
			}
			nd++;
		}
	}
	if (time) {
		snprintf(xl, sizeof xl, "0:00");
		fmt_secs(xr, sizeof xr, tmax);
	} else {
		snprintf(xl, sizeof xl, "1");
		snprintf(xr, sizeof xr, "%d", xmax);
	}
	if (tr.cursor) {
		char wh[32];

		cursor_at(&tr.run[run_of[0]], xmax, tmax, wh, sizeof wh);
		snprintf(xm, sizeof xm, time ? "cursor %s" : "cursor: epoch %s", wh);
	} else
		snprintf(xm, sizeof xm, time ? "training time (m:ss)" : "epoch");
	plot_with_axes(cv, x + 1, y + 1, w - 2, h - 3, lw, d, nd, time ? g : xmax, lo, hi, xl, xr, xm, tr.cursor);
	/* the chosen checkpoints, on top of the scores */
	if (tr.fid)
		for (k = 0; k < ns; k++) {
			const struct tr_run *ru = &tr.run[run_of[k]];
			double v = chosen_score(ru);
			int px, py;

			if (ru->chosen <= 0 || !isfinite(v) || hi <= lo)
				continue;
			px = x + 1 + lw + (xmax > 1 ? (int)((double)(ru->chosen - 1) * (pw - 1) / (xmax - 1) + 0.5) : 0);
			py = y + 1 + (int)((hi - SH_MAX(lo, SH_MIN(hi, v))) / (hi - lo) * (ph - 1) + 0.5);
			canvas_put(cv, px, py, marks && run_of[k] <= 9 ? (uint32_t)('0' + run_of[k]) : cv->ascii ? '#' :
			    0x25c6, s[k].role);
		}
	/* the legend has its own row: every shown run, never over the data */
	lx = x + 2;
	if (tr.fid)
		lx += canvas_text(cv, lx, y + h - 2, x + w - 1 - lx, THEME_DIM, marks ? "chosen (digit): " :
		    cv->ascii ? "chosen #: " : "chosen \u25c6: ");
	for (k = 0; k < ns; k++) {
		char l[24];

		r = run_of[k];
		if (tr.fid && tr.run[r].chosen > 0)
			snprintf(l, sizeof l, "%d:%d", r, tr.run[r].chosen);
		else if (tr.fid)
			snprintf(l, sizeof l, "%d:none", r);
		else
			snprintf(l, sizeof l, "run %d", r);
		lx += legend_item(cv, lx, y + h - 2, x + w - 1 - lx, s[k].role, s[k].mark, l);
	}
	if (clipped > 0)
		snprintf(title, sizeof title, "%d off, r: all", clipped);
	else
		snprintf(title, sizeof title, tr.full ? "r: robust" : "");
	if (title[0] != '\0' && lx + (int)strlen(title) < x + w - 1)
		canvas_text_right(cv, lx, y + h - 2, x + w - 2 - lx, THEME_DIM, title);
	for (k = 0; k < nown; k++)
		free(own[k]);
}

static void
draw_plots(struct canvas *cv, int x, int y, int w, int h, int marks)
{
	struct canvas_series s[2];
	int r, xmax = epochs_max();
	double lo, hi;
	char title[96], xr[16];

	if (tr.view == 0 || tr.fid) {
		draw_overlay(cv, x, y, w, h, marks);
		return;
	}
	/* small multiples: a box per shown run, critic and generator, each
	 * with its axes; one legend below them */
	{
		int vis[TRAIN_MAX_RUNS], n = 0, cols, rows, bw, bh, i, lx, any = 0;
		uint32_t m1 = marks ? canvas_plot_mark(0) : 0, m2 = marks ? canvas_plot_mark(1) : 0;

		for (r = 1; r <= tr.nruns; r++)
			if (!tr.hidden[r])
				vis[n++] = r;
		if (n == 0)
			vis[n++] = 1;
		cols = n <= 2 ? n : n <= 4 ? 2 : 3;
		rows = (n + cols - 1) / cols;
		bw = w / cols;
		bh = (h - 1) / rows;
		snprintf(xr, sizeof xr, "%d", xmax);
		for (i = 0; i < n; i++) {
			int bx = x + (i % cols) * bw, by = y + (i / cols) * bh;

			r = vis[i];
			snprintf(title, sizeof title, "run %d", r);
			canvas_box(cv, bx, by, bw, bh, THEME_BORDER, title);
			if (tr.run[r].n == 0 || bh < 5)
				continue;
			memset(s, 0, sizeof s);
			s[0].y = tr.run[r].y[0]; s[0].n = tr.run[r].n; s[0].role = THEME_PLOT_1; s[0].mark = m1;
			s[1].y = tr.run[r].y[1]; s[1].n = tr.run[r].n; s[1].role = THEME_PLOT_2; s[1].mark = m2;
			any += loss_range(s, 2, &lo, &hi) > 0;
			plot_with_axes(cv, bx + 1, by + 1, bw - 2, bh - 2, bw >= 24 ? 8 : 6, s, 2, xmax, lo, hi, "1", xr,
			    "epoch", 0);
		}
		lx = x + 1;
		lx += legend_item(cv, lx, y + h - 1, x + w - lx, THEME_PLOT_1, m1, "critic");
		lx += legend_item(cv, lx, y + h - 1, x + w - lx, THEME_PLOT_2, m2, "generator");
		canvas_text(cv, lx + 1, y + h - 1, x + w - lx - 1, THEME_DIM, tr.full ? "y: all (r: robust)" :
		    any ? "y: robust, spikes off (r: all)" : "y: robust (r: all)");
	}
}

static void
train_draw(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	int fw = 24, nbar, r, py, marks = cv->ascii || !a->colour, xmax;
	double tmax;

	if (a->st == NULL) {
		canvas_text(cv, x + 2, y + 1, w - 4, THEME_DIM, "No study open: start on screen 1 (Load).");
		return;
	}
	if (!tr.ts_ok)
		load_settings(a);
	if (!tr.loaded && !tr.live)
		load_files(a);
	draw_form(cv, x, y, fw);
	{
		const char *st = job_is(a, STAGE_TRAIN) ? (a->job.st.paused ? "paused" : "training") :
		    a->job.st.busy ? stage_verb(a->job.st.stage) : a->foreign ? "followed" : "idle";

		canvas_printf(cv, x + 1, y + F_COUNT + 2, fw - 1, THEME_KEY, "state: %s", st);
		canvas_text(cv, x + 1, y + F_COUNT + 3, fw - 1, THEME_DIM, "s start  p pause");
		canvas_text(cv, x + 1, y + F_COUNT + 4, fw - 1, THEME_DIM, "x stop   v view");
		if (a->stale & STUDY_STALE_RUNS)
			canvas_text(cv, x + 1, y + F_COUNT + 5, fw - 1, THEME_BAD, "stale: prep/ is newer");
		else if (tr.hide_pending)
			canvas_text(cv, x + 1, y + F_COUNT + 5, fw - 1, THEME_KEY, "hide/show run: 1-9, a");
		else
			canvas_text(cv, x + 1, y + F_COUNT + 5, fw - 1, THEME_DIM, "e smooth  c cursor");
	}
	nbar = SH_MIN(tr.nruns, 6);
	draw_plots(cv, x + fw, y, w - fw, h - nbar, marks);
	xmax = epochs_max();
	tmax = seconds_max();
	for (r = 1, py = y + h - nbar; r <= nbar; r++, py++) {
		struct tr_run *ru = &tr.run[r];
		double frac;
		char left[32] = "", b[32];
		int bx;

		if (ru->epochs == 0)
			ru->epochs = tr.ts.epochs;   /* not started yet */
		frac = ru->epochs > 0 ? (double)ru->epoch / ru->epochs : 0;
		bx = x + 1 + canvas_printf(cv, x + 1, py, -1, THEME_PLOT_1 + (r - 1) % THEME_PLOT_COUNT,
		    "run %d ", r);
		canvas_progress(cv, bx, py, 26, frac, ru->done ? THEME_GOOD : THEME_PLOT_1 + (r - 1) % THEME_PLOT_COUNT);
		if (tr.hidden[r])
			snprintf(left, sizeof left, "hidden");
		else if (ru->done)
			snprintf(left, sizeof left, "done");
		else if (!tr.live && tr.slurm_state[r][0] != '\0')
			snprintf(left, sizeof left, "slurm %s", tr.slurm_state[r]);
		canvas_printf(cv, bx + 27, py, x + w - 17 - bx - 27, THEME_NORMAL, "%5d/%-5d %7.1f st/s %s",
		    ru->epoch, ru->epochs, ru->sps, left);
		if (tr.cursor) {
			/* the cursor's readout: this run's value where it stands */
			char wh[32];
			double v = cursor_value(ru, xmax, tmax);

			cursor_at(ru, xmax, tmax, wh, sizeof wh);
			canvas_printf(cv, x + w - 16, py, 16, THEME_KEY, "@%s %s", wh, isfinite(v) ?
			    tui_fmt(b, sizeof b, v) : "-");
		} else if (tr.fid && ru->chosen > 0)
			canvas_printf(cv, x + w - 16, py, 16, THEME_DIM, "chosen %d", ru->chosen);
		else if (ru->n > 0)
			canvas_printf(cv, x + w - 16, py, 16, THEME_DIM, "loss %s", tui_fmt(b, sizeof b,
			    ru->y[0][ru->n - 1]));
	}
}

/* Write one setting into study.json "train". */
static void
set_field(struct app *a, int f, json_t *v)
{
	json_t *sec;
	char *cause = NULL;
	struct train_settings ts;

	app_study_reload(a);
	sec = study_section(a->st, "train");
	json_object_set_new(sec, fnames[f], v);
	if (train_settings_load(sec, &ts, &cause) != 0) {
		app_error(a, cause);
		app_study_reload(a);
		return;
	}
	app_study_save(a);
	load_settings(a);
	if (f == F_RUNS)
		load_files(a);
}

static void
got_value(struct app *a, char *line)
{
	const struct setting *st = settings_find("train", fnames[tr.field]);
	json_t *v = NULL;
	char *cause = NULL;

	if (line == NULL)
		return;
	if (tr.field == F_MINUTES && strcmp(line, "off") == 0)
		set_field(a, tr.field, json_real(0));
	else if (st == NULL || setting_parse(st, line, &v, &cause) != 0)
		app_error(a, cause != NULL ? cause : xstrdup("no such setting"));
	else
		set_field(a, tr.field, v);
	free(line);
}

static void
adjust(struct app *a, int dir)
{
	const struct train_settings *t = &tr.ts;

	switch (tr.field) {
	case F_PRESET: {
		json_t *sec;

		app_study_reload(a);
		sec = study_section(a->st, "train");
		/* a new preset brings its own numbers */
		json_object_clear(sec);
		json_object_set_new(sec, "preset", json_string(strcmp(t->preset, "quick") == 0 ?
		    "tutorial" : "quick"));
		app_study_save(a);
		load_settings(a);
		break;
	}
	case F_RULE:
		set_field(a, F_RULE, json_string(t->rule == TRAIN_RULE_METRIC ? "tutorial" : "metric"));
		break;
	case F_LR_SCHED:
		set_field(a, F_LR_SCHED, json_string(train_lr_schedule_name((t->lr_schedule + dir +
		    TRAIN_LR_COUNT) % TRAIN_LR_COUNT)));
		break;
	case F_MINUTES:
		/* off, 1, 2, 5, 10, 20, 30, 60 ... */
		{
			static const double steps[] = { 0, 1, 2, 5, 10, 20, 30, 60, 120, 240 };
			int k, n = (int)SH_NELEM(steps), at = 0;

			for (k = 0; k < n; k++)
				if (steps[k] <= t->minutes)
					at = k;
			at = SH_MAX(0, SH_MIN(n - 1, at + (dir > 0 ? 1 : steps[at] < t->minutes ? 0 : -1)));
			set_field(a, F_MINUTES, json_real(steps[at]));
		}
		break;
	case F_RUNS: set_field(a, F_RUNS, json_integer(SH_MAX(1, t->runs + dir))); break;
	case F_EPOCHS: set_field(a, F_EPOCHS, json_integer(SH_MAX(1, t->epochs + dir *
	    (t->epochs >= 100 ? 10 : 1)))); break;
	case F_BATCH: set_field(a, F_BATCH, json_integer(dir > 0 ? t->batch * 2 : SH_MAX(1, t->batch / 2))); break;
	case F_LR_G: set_field(a, F_LR_G, json_real(dir > 0 ? t->lr_g * 2 : t->lr_g / 2)); break;
	case F_LR_D: set_field(a, F_LR_D, json_real(dir > 0 ? t->lr_d * 2 : t->lr_d / 2)); break;
	case F_SEED: set_field(a, F_SEED, json_integer((json_int_t)t->seed + dir >= 0 ? (json_int_t)t->seed + dir : 0)); break;
	case F_CKPT_EVERY: set_field(a, F_CKPT_EVERY, json_integer(SH_MAX(1, t->ckpt_every + dir))); break;
	case F_CKPT_AFTER: set_field(a, F_CKPT_AFTER, json_integer(SH_MAX(0, t->ckpt_after + dir))); break;
	}
}

static int
train_key(struct app *a, int key)
{
	if (a->st == NULL)
		return TUI_UNHANDLED;
	if (tr.hide_pending) {
		tr.hide_pending = 0;
		if (key == 'a') {
			memset(tr.hidden, 0, sizeof tr.hidden);
			app_status(a, "every run shown");
			return TUI_REDRAW;
		}
		if (key >= '1' && key <= '9' && key - '0' <= tr.nruns) {
			tr.hidden[key - '0'] = !tr.hidden[key - '0'];
			app_status(a, "run %d %s (h %c again: %s)", key - '0', tr.hidden[key - '0'] ? "hidden" :
			    "shown", key, tr.hidden[key - '0'] ? "show" : "hide");
			return TUI_REDRAW;
		}
		if (key != TKEY_ESC)
			app_error(a, xsprintf("h: no run %c to hide (1-%d, a: all)", key > 32 && key < 127 ? key : '?',
			    SH_MIN(tr.nruns, 9)));
		return TUI_REDRAW;
	}
	if (tr.cursor) {
		double step = 1.0 / SH_MAX(1, tr.curw - 1);

		switch (key) {
		case TKEY_LEFT: tr.curf = SH_MAX(0, tr.curf - step); return TUI_REDRAW;
		case TKEY_RIGHT: tr.curf = SH_MIN(1, tr.curf + step); return TUI_REDRAW;
		case TKEY_PGUP: tr.curf = SH_MAX(0, tr.curf - 10 * step); return TUI_REDRAW;
		case TKEY_PGDN: tr.curf = SH_MIN(1, tr.curf + 10 * step); return TUI_REDRAW;
		case TKEY_HOME: tr.curf = 0; return TUI_REDRAW;
		case TKEY_END: tr.curf = 1; return TUI_REDRAW;
		case TKEY_ESC: tr.cursor = 0; return TUI_REDRAW;
		}
	}
	/* the settings list: Home/End, PgUp/PgDn (Up/Down wrap round) */
	if (key != TKEY_UP && key != TKEY_DOWN) {
		int f = tui_list_key(key, tr.field, F_COUNT, 4);

		if (f >= 0) {
			tr.field = f;
			return TUI_REDRAW;
		}
	}
	switch (key) {
	case TKEY_UP: case 'k': tr.field = (tr.field + F_COUNT - 1) % F_COUNT; return TUI_REDRAW;
	case TKEY_DOWN: case 'j': tr.field = (tr.field + 1) % F_COUNT; return TUI_REDRAW;
	case 'v': tr.view = !tr.view; return TUI_REDRAW;
	case 'r': tr.full = !tr.full; return TUI_REDRAW;
	case 'e':
		tr.smooth = (tr.smooth + 1) % (int)SH_NELEM(tr_alphas);
		app_status(a, tr.smooth == 0 ? "smoothing off" : "EMA %g of the loss (the raw trace dimmed); e again: %s",
		    tr_alphas[tr.smooth], tr.smooth + 1 < (int)SH_NELEM(tr_alphas) ? "smoother" : "off");
		return TUI_REDRAW;
	case 't':
		tr.xtime = !tr.xtime;
		if (tr.xtime && seconds_max() <= 0)
			app_status(a, "no training times recorded (loss.csv has no seconds): x stays in epochs");
		return TUI_REDRAW;
	case 'f': tr.fid = !tr.fid; return TUI_REDRAW;
	case 'c':
		tr.cursor = !tr.cursor;
		if (tr.cursor && tr.curf <= 0)
			tr.curf = 1;
		return TUI_REDRAW;
	case 'h': tr.hide_pending = 1; return TUI_REDRAW;
	case 's': screen_train_start(a); return TUI_REDRAW;
	case 'g':
		start_generate(a, 0);
		return TUI_REDRAW;
	case 'p':
		if (job_running(a) && a->job.st.paused) {
			job_resume(a);
			app_status(a, "%s resumed", stage_name(a->job.st.stage));
		} else if (a->job.st.busy) {
			job_pause(a);
			app_status(a, "%s paused (p resumes)", stage_name(a->job.st.stage));
		}
		return TUI_REDRAW;
	case 'x':
		if (a->job.st.busy) {
			job_stop(a);
			app_status(a, "stopping %s at its next safe point ...", stage_name(a->job.st.stage));
		} else {
			int pend, run, total;

			slurm_watch_counts(a->slurm, &pend, &run, &total);
			if (pend + run > 0)
				app_confirm(a, "Cancel this study's Slurm jobs (scancel)?", slurm_cancel_yes);
		}
		return TUI_REDRAW;
	}
	if (tr.live && (key == '+' || key == '-' || key == TKEY_ENTER)) {
		app_error(a, xstrdup("settings are fixed while training runs"));
		return TUI_REDRAW;
	}
	switch (key) {
	case '+': case '=': case TKEY_RIGHT: adjust(a, 1); return TUI_REDRAW;
	case '-': case '_': case TKEY_LEFT: adjust(a, -1); return TUI_REDRAW;
	case TKEY_ENTER: {
		char v[32];

		field_text(tr.field, v, sizeof v);
		cmdline_open(a, "Value: ", CMDLINE_VALUE, v, got_value);
		return TUI_REDRAW;
	}
	}
	return TUI_UNHANDLED;
}

const struct screen screen_train = {
	.name = "Train",
	.keys = train_keys,
	.enter = train_enter,
	.draw = train_draw,
	.key = train_key,
	.tick = train_tick,
	.reset = train_reset,
	.event = train_event,
};
