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
	int n;
};

static struct {
	int live;                     /* our training stage runs */
	struct train_settings ts;
	int ts_ok;
	int field;
	int view;                     /* 0 overlay, 1 small multiples */
	int full;                     /* y axis: the full range, not the robust one */
	struct tr_run run[TRAIN_MAX_RUNS + 1];
	int nruns;
	double eta;
	int loaded;
	unsigned slurm_gen;           /* the Slurm watcher's refresh last drawn */
	char slurm_state[TRAIN_MAX_RUNS + 1][24];   /* each run's task state on the cluster, or "" */
} tr;

static const char *const train_keys[] = {
	"Up/Down\tchoose a setting",
	"+ / -\tchange it (preset and rule cycle)",
	"Enter\ttype a value",
	"s\tstart training (resumes interrupted runs)",
	"p\tpause / resume",
	"x\tstop (state saved; s resumes); cancel the study's Slurm jobs",
	"v\tplots: overlaid / small multiples",
	"r\ty axis: robust (warm-up spike left out) / full range",
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
		for (c = 0; c < 2; c++) {
			const double *col = study_table_col(&t, fields[c]);

			tr.run[r].y[c] = xcalloc(n + 1, sizeof(double));
			if (col != NULL)
				memcpy(tr.run[r].y[c], col, n * sizeof(double));
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
		static const int fields[2] = { 0, 3 };

		if (n <= 0)
			continue;
		if (n > TR_MAXPTS)
			n = TR_MAXPTS;
		for (k = 0; k < 2; k++) {
			tr.run[r].y[k] = xreallocarray(tr.run[r].y[k], n + 1, sizeof(double));
			n = SH_MIN(n, stage_train_history(a->job.runner, r, fields[k], tr.run[r].y[k], n));
		}
		tr.run[r].n = n;
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
plot_range(const struct canvas_series *s, int ns, double *lo, double *hi)
{
	int clipped = 0;

	if (tr.full) {
		if (!canvas_series_range(s, ns, lo, hi))
			*lo = *hi = 0;
	} else
		robust_range(s, ns, lo, hi, &clipped);
	return clipped;
}

/* A plot area with its axes: y labels at the top and bottom of the left
 * margin (lw columns), x labels (first and last epoch) on the row below.
 * Returns the area's width for data. */
static void
plot_with_axes(struct canvas *cv, int x, int y, int w, int h, int lw, const struct canvas_series *s,
    int ns, int xmax, double lo, double hi)
{
	char b[32];

	if (w - lw < 2 || h < 2)
		return;
	if (lw > 0) {
		canvas_text_right(cv, x, y, lw - 1, THEME_DIM, axis_num(b, sizeof b, hi));
		canvas_text_right(cv, x, y + h - 2, lw - 1, THEME_DIM, axis_num(b, sizeof b, lo));
	}
	canvas_plot(cv, x + lw, y, w - lw, h - 1, s, ns, xmax, lo, hi);
	canvas_text(cv, x + lw, y + h - 1, 1, THEME_DIM, "1");
	snprintf(b, sizeof b, "%d", xmax);
	canvas_text_right(cv, x + lw + 1, y + h - 1, w - lw - 1, THEME_DIM, b);
	if (w - lw > 20)
		canvas_text(cv, x + lw + (w - lw - 5) / 2, y + h - 1, 5, THEME_DIM, "epoch");
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

static void
draw_plots(struct canvas *cv, int x, int y, int w, int h, int marks)
{
	struct canvas_series s[TRAIN_MAX_RUNS * 2];
	int ns = 0, r, xmax = 1, clipped;
	double lo, hi;
	char title[96], eta[24] = "";

	for (r = 1; r <= tr.nruns; r++)
		if (tr.run[r].epochs > xmax)
			xmax = tr.run[r].epochs;
	if (tr.live && tr.eta > 0)   /* for all runs, not one */
		snprintf(eta, sizeof eta, ", %d:%02d left", (int)tr.eta / 60, (int)tr.eta % 60);
	if (tr.view == 0) {
		int lx;

		memset(s, 0, sizeof s);
		for (r = 1; r <= tr.nruns && ns < TRAIN_MAX_RUNS; r++) {
			if (tr.run[r].n == 0)
				continue;
			s[ns].y = tr.run[r].y[0];
			s[ns].n = tr.run[r].n;
			s[ns].role = THEME_PLOT_1 + (r - 1) % THEME_PLOT_COUNT;
			/* the same glyph for a run whatever runs have data */
			s[ns].mark = marks ? canvas_plot_mark(r - 1) : 0;
			ns++;
		}
		clipped = ns > 0 ? plot_range(s, ns, &lo, &hi) : 0;
		snprintf(title, sizeof title, "critic loss per epoch, all runs%s", eta);
		canvas_box(cv, x, y, w, h, THEME_BORDER, title);
		if (ns == 0) {
			canvas_text(cv, x + 2, y + 2, w - 4, THEME_DIM, "no loss history yet: s starts training");
			return;
		}
		plot_with_axes(cv, x + 1, y + 1, w - 2, h - 3, 8, s, ns, xmax, lo, hi);
		/* the legend has its own row: every run, never over the data */
		lx = x + 2;
		for (r = 1; r <= tr.nruns; r++) {
			char l[16];

			snprintf(l, sizeof l, "run %d", r);
			lx += legend_item(cv, lx, y + h - 2, x + w - 1 - lx, THEME_PLOT_1 + (r - 1) % THEME_PLOT_COUNT,
			    marks ? canvas_plot_mark(r - 1) : 0, l);
		}
		if (clipped > 0)
			snprintf(title, sizeof title, "%d off, r: all", clipped);
		else
			snprintf(title, sizeof title, tr.full ? "r: robust" : "");
		if (title[0] != '\0' && lx + (int)strlen(title) < x + w - 1)
			canvas_text_right(cv, lx, y + h - 2, x + w - 2 - lx, THEME_DIM, title);
		return;
	}
	/* small multiples: a box per run, critic and generator, each with its
	 * axes; one legend below them */
	{
		int n = tr.nruns > 0 ? tr.nruns : 1, cols = n <= 2 ? n : n <= 4 ? 2 : 3;
		int rows = (n + cols - 1) / cols, bw = w / cols, bh = (h - 1) / rows, i, lx, any = 0;
		uint32_t m1 = marks ? canvas_plot_mark(0) : 0, m2 = marks ? canvas_plot_mark(1) : 0;

		for (i = 0; i < n; i++) {
			int bx = x + (i % cols) * bw, by = y + (i / cols) * bh;

			r = i + 1;
			snprintf(title, sizeof title, "run %d", r);
			canvas_box(cv, bx, by, bw, bh, THEME_BORDER, title);
			if (tr.run[r].n == 0 || bh < 5)
				continue;
			memset(s, 0, 2 * sizeof *s);
			s[0].y = tr.run[r].y[0]; s[0].n = tr.run[r].n; s[0].role = THEME_PLOT_1; s[0].mark = m1;
			s[1].y = tr.run[r].y[1]; s[1].n = tr.run[r].n; s[1].role = THEME_PLOT_2; s[1].mark = m2;
			any += plot_range(s, 2, &lo, &hi) > 0;
			plot_with_axes(cv, bx + 1, by + 1, bw - 2, bh - 2, bw >= 24 ? 8 : 6, s, 2, xmax, lo, hi);
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
	int fw = 24, nbar, r, py;

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
	}
	nbar = SH_MIN(tr.nruns, 6);
	draw_plots(cv, x + fw, y, w - fw, h - nbar, cv->ascii || !a->colour);
	for (r = 1, py = y + h - nbar; r <= nbar; r++, py++) {
		struct tr_run *ru = &tr.run[r];
		double frac;

		if (ru->epochs == 0)
			ru->epochs = tr.ts.epochs;   /* not started yet */
		frac = ru->epochs > 0 ? (double)ru->epoch / ru->epochs : 0;
		char left[32] = "";
		int bx;

		bx = x + 1 + canvas_printf(cv, x + 1, py, -1, THEME_PLOT_1 + (r - 1) % THEME_PLOT_COUNT,
		    "run %d ", r);
		canvas_progress(cv, bx, py, 26, frac, ru->done ? THEME_GOOD : THEME_PLOT_1 + (r - 1) % THEME_PLOT_COUNT);
		if (!tr.live && tr.slurm_state[r][0] != '\0' && !ru->done)
			snprintf(left, sizeof left, "slurm %s", tr.slurm_state[r]);
		canvas_printf(cv, bx + 27, py, x + w - bx - 28, THEME_NORMAL, "%5d/%-5d %7.1f st/s %s",
		    ru->epoch, ru->epochs, ru->sps, ru->done ? "done" : left);
		if (ru->n > 0) {
			char b[32];

			canvas_printf(cv, x + w - 16, py, 16, THEME_DIM, "loss %s", tui_fmt(b, sizeof b,
			    ru->y[0][ru->n - 1]));
		}
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
	switch (key) {
	case TKEY_UP: case 'k': tr.field = (tr.field + F_COUNT - 1) % F_COUNT; return TUI_REDRAW;
	case TKEY_DOWN: case 'j': tr.field = (tr.field + 1) % F_COUNT; return TUI_REDRAW;
	case 'v': tr.view = !tr.view; return TUI_REDRAW;
	case 'r': tr.full = !tr.full; return TUI_REDRAW;
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
