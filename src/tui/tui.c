/* synthehr — GPL-3.0-or-later.
 * The TUI's frame: options, the main loop (keys with a short timeout so
 * background jobs and the clock keep the screen live), the top bar of six
 * screens, the status line, the '?' key overlay, y/n confirmations, the ':'
 * commands, and the study as the UI's memory (section "ui" of study.json). */
#include "config.h"

#include <ctype.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "synthehr/csvio.h"
#include "synthehr/encode.h"
#include "synthehr/slurm.h"
#include "synthehr/util.h"
#include "tui/tui.h"

const struct screen *const tui_screens[SCREEN_COUNT] = {
	&screen_load, &screen_review, &screen_prep, &screen_train, &screen_eval, &screen_rank,
};


/* A job or a training is running. */
static int
app_busy(const struct app *a)
{
	int pend, run, total;

	/* a cluster training is live too: its plots follow the runs' files */
	slurm_watch_counts(a->slurm, &pend, &run, &total);
	return job_running(a) || pend + run > 0;
}

static const char *const screen_keys_global[] = {
	"1-6 Tab\tswitch screen",
	":\tcommand line (:help lists commands)",
	"?\tthis help",
	"q\tquit",
	NULL,
};

const char *const tui_commands[] = {
	"column", "demo", "evaluate", "export", "generate", "help", "load", "open", "prep", "q", "quit",
	"rank", "screen", "set", "theme", "train", NULL,
};

const char *const tui_set_keys[] = {
	"batch", "ckpt_after", "ckpt_every", "ckpt_rule", "demo_concepts", "demo_rows", "epochs",
	"encode", "encoding", "eval_preset", "lr_d", "lr_g", "lr_schedule", "minutes", "preset", "runs", "seed", "study", NULL,
};

struct app *
app_new(void)
{
	struct app *a = xcalloc(1, sizeof *a);

	theme_default(&a->theme);
	a->colour = 1;
	a->study_default = xstrdup("./synthehr-study");
	a->demo_rows = 5000;
	a->demo_concepts = 300;
	a->line = xstrdup("");
	return a;
}

void
app_free(struct app *a)
{
	int i;

	if (a == NULL)
		return;
	for (i = 0; i < SCREEN_COUNT; i++)
		if (tui_screens[i]->reset != NULL)
			tui_screens[i]->reset(a);
	slurm_watch_stop(a->slurm);
	a->slurm = NULL;
	if (a->st != NULL)
		study_free(a->st);
	cohort_free(a->cohort);
	free(a->cohort_err);
	free(a->status);
	free(a->confirm_q);
	free(a->prompt);
	free(a->line);
	free(a->study_default);
	job_free(a);
	free(a);
}

void
app_status(struct app *a, const char *fmt, ...)
{
	va_list ap;

	free(a->status);
	va_start(ap, fmt);
	if (vasprintf(&a->status, fmt, ap) < 0)
		a->status = NULL;
	va_end(ap);
	a->status_role = THEME_STATUS;
}

void
app_error(struct app *a, char *cause)
{
	free(a->status);
	a->status = cause != NULL ? cause : xstrdup("failed");
	a->status_role = THEME_ERROR;
}

void
app_confirm(struct app *a, const char *question, void (*yes)(struct app *a))
{
	free(a->confirm_q);
	a->confirm_q = xstrdup(question);
	a->confirm_yes = yes;
}

char *
app_path(const struct app *a, const char *rel)
{
	return a->st != NULL ? study_path(a->st, rel) : NULL;
}

void
app_study_reload(struct app *a)
{
	struct study *s;
	char *cause = NULL;

	if (a->st == NULL)
		return;
	if (study_open(a->st->dir, &s, &cause) != 0) {
		app_error(a, cause);
		return;
	}
	study_free(a->st);
	a->st = s;
}

int
app_study_save(struct app *a)
{
	char *cause = NULL;

	if (a->st == NULL)
		return -1;
	if (study_save(a->st, &cause) != 0) {
		app_error(a, cause);
		return -1;
	}
	return 0;
}

/* The cohort file named by study.json's source section. */
static const char *
source_path(struct app *a)
{
	json_t *src = json_object_get(a->st->cfg, "source");
	static const char *const keys[] = { "path", "file", "data", "cohort" };
	size_t i;

	if (json_is_string(src))
		return json_string_value(src);
	for (i = 0; i < SH_NELEM(keys); i++)
		if (json_is_string(json_object_get(src, keys[i])))
			return json_string_value(json_object_get(src, keys[i]));
	return NULL;
}

/* Foundation's loader (study_init.c) when linked in; else the fallback below. */
extern int study_load_cohort(struct study *s, struct cohort **out, char **cause) __attribute__((weak));

int
app_load_cohort(struct app *a, char **cause)
{
	struct csv_options opt;
	struct csv_override *ov = NULL;
	json_t *schema, *roles, *v;
	const char *path, *k, *sf;
	char *full = NULL;
	int n = 0, rc, role;

	cohort_free(a->cohort);
	a->cohort = NULL;
	if (a->st == NULL)
		return util_fail(cause, "no study is open");
	if (study_load_cohort != NULL)
		return study_load_cohort(a->st, &a->cohort, cause);
	if ((path = source_path(a)) == NULL)
		return util_fail(cause, "%s/study.json: no \"source\" path (create the study with "
		    "the Load screen or 'synthehr init')", a->st->dir);
	if (path[0] != '/' && !util_file_exists(path)) {
		full = study_path(a->st, path);
		path = full;
	}
	memset(&opt, 0, sizeof opt);
	schema = json_object_get(a->st->cfg, "schema");
	roles = json_object_get(schema, "roles");
	if (json_is_object(roles)) {
		ov = xcalloc(json_object_size(roles) + 1, sizeof *ov);
		json_object_foreach(roles, k, v) {
			if (!json_is_string(v) || (role = cohort_role_parse(json_string_value(v))) < 0)
				continue;
			ov[n].name = k;
			ov[n].role = role;
			n++;
		}
	}
	opt.overrides = ov;
	opt.noverrides = n;
	if ((sf = js_str(schema, "sex_female", NULL)) != NULL)
		opt.sex_female = sf;
	rc = csv_read_cohort(path, &opt, &a->cohort, cause);
	free(ov);
	free(full);
	return rc;
}

static void
restore_ui(struct app *a)
{
	json_t *ui = json_object_get(a->st->cfg, "ui");
	const char *scr = js_str(ui, "screen", NULL);
	int i;

	if (scr == NULL)
		return;
	for (i = 0; i < SCREEN_COUNT; i++)
		if (strcasecmp(scr, tui_screens[i]->name) == 0)
			a->cur = i;
}

int
app_open_study(struct app *a, const char *dir, char **cause)
{
	struct study *s;
	char *lc = NULL;
	int i;

	if (study_open(dir, &s, cause) != 0)
		return -1;
	if (a->st != NULL)
		study_free(a->st);
	a->st = s;
	/* a cluster training is followed like a local one (squeue every 5 s,
	 * on the watcher's thread; the UI never waits for it) */
	slurm_watch_stop(a->slurm);
	a->slurm = a->headless ? NULL : slurm_watch_start(s->dir, 5.0);
	for (i = 0; i < SCREEN_COUNT; i++)
		if (tui_screens[i]->reset != NULL)
			tui_screens[i]->reset(a);
	free(a->cohort_err);
	a->cohort_err = NULL;
	if (app_load_cohort(a, &lc) != 0)
		a->cohort_err = lc;
	restore_ui(a);
	if (tui_screens[a->cur]->enter != NULL)
		tui_screens[a->cur]->enter(a);
	return 0;
}

/* Remember where the user is (study.json "ui"). */
static void
save_ui(struct app *a)
{
	json_t *ui;

	if (a->st == NULL || job_running(a))
		return;
	app_study_reload(a);
	ui = study_section(a->st, "ui");
	json_object_set_new(ui, "screen", json_string(tui_screens[a->cur]->name));
	json_object_set_new(ui, "theme", json_string(a->theme.name));
	app_study_save(a);
}

void
app_switch(struct app *a, int screen)
{
	if (screen < 0 || screen >= SCREEN_COUNT)
		return;
	if (screen != a->cur) {   /* the last screen's message does not follow */
		free(a->status);
		a->status = NULL;
	}
	a->cur = screen;
	a->help = 0;
	if (tui_screens[screen]->enter != NULL)
		tui_screens[screen]->enter(a);
	save_ui(a);
}

int
tui_is_plot_role(int r)
{
	return r >= THEME_PLOT_1 && r <= THEME_PLOT_6;
}

const char *
tui_fmt(char *buf, size_t n, double v)
{
	double av = fabs(v);

	if (v != v)
		snprintf(buf, n, "-");
	else if (av != 0 && (av < 0.001 || av >= 1e6))
		snprintf(buf, n, "%.2e", v);
	else if (av >= 1000)
		snprintf(buf, n, "%.0f", v);
	else if (av >= 10)
		snprintf(buf, n, "%.2f", v);
	else
		snprintf(buf, n, "%.4f", v);
	return buf;
}

int
tui_read_numeric_csv(const char *path, int *ncols, char ***names, double ***cols)
{
	struct csv_reader *r;
	char **f, *cause = NULL;
	size_t *lens;
	int nf, rc, nc = 0, rows = 0, cap = 0, i;
	char **nm = NULL;
	double **cl = NULL;

	if (!util_file_exists(path) || (r = csvr_open(path, &cause)) == NULL) {
		free(cause);
		return -1;
	}
	while ((rc = csvr_next(r, &f, &lens, &nf, &cause)) == 1) {
		if (nm == NULL) {
			nc = nf;
			nm = xcalloc(nc, sizeof *nm);
			cl = xcalloc(nc, sizeof *cl);
			for (i = 0; i < nc; i++)
				nm[i] = xstrndup(f[i], lens[i]);
			continue;
		}
		if (rows == cap) {
			cap = cap ? cap * 2 : 64;
			for (i = 0; i < nc; i++)
				cl[i] = xreallocarray(cl[i], cap, sizeof **cl);
		}
		for (i = 0; i < nc; i++)
			if (i >= nf || util_parse_double(f[i], lens[i], &cl[i][rows]) != 0)
				cl[i][rows] = NAN;
		rows++;
	}
	free(cause);
	csvr_close(r);
	if (nm == NULL)
		return -1;
	*ncols = nc;
	*names = nm;
	*cols = cl;
	return rows;
}

void
tui_free_numeric_csv(int ncols, char **names, double **cols)
{
	int i;

	for (i = 0; i < ncols; i++) {
		free(names[i]);
		free(cols[i]);
	}
	free(names);
	free(cols);
}

/* Top bar: program, tabs 1-6, the running stage with its progress and the
 * queue, the study's name on the right.  While a stage runs the other
 * tabs shrink to their numbers to make room. */
static void
draw_topbar(struct app *a, struct canvas *cv)
{
	int x = 0, i, busy = job_running(a), shrink = busy, need;
	char buf[160];
	const char *base = NULL;

	if (a->st != NULL) {
		base = strrchr(a->st->dir, '/');
		base = base != NULL && base[1] != '\0' ? base + 1 : a->st->dir;
	}
	/* the study's name is never cut: the other tabs shrink to their
	 * numbers first (as while a stage runs) */
	need = 10 + (base != NULL ? canvas_strwidth(base) + 2 : 0);
	for (i = 0; i < SCREEN_COUNT; i++)
		need += (int)strlen(tui_screens[i]->name) + 4;
	if (need > cv->w)
		shrink = 1;
	canvas_fill(cv, 0, 0, cv->w, 1, ' ', THEME_TAB);
	x += canvas_text(cv, 0, 0, -1, THEME_TAB, " synthehr ");
	for (i = 0; i < SCREEN_COUNT; i++) {
		int role = i == a->cur ? THEME_TAB_ACTIVE : THEME_TAB;

		if (shrink && i != a->cur)
			snprintf(buf, sizeof buf, " %d ", i + 1);
		else
			snprintf(buf, sizeof buf, " %d %s ", i + 1, tui_screens[i]->name);
		if (x + (int)strlen(buf) > cv->w)
			break;
		x += canvas_text(cv, x, 0, -1, role, buf);
	}
	if (busy) {
		char job[128];

		job_describe(a, job, sizeof job);
		snprintf(buf, sizeof buf, " [%s]", job);
		x += canvas_text(cv, x, 0, cv->w - x, THEME_KEY, buf);
	}
	{
		int pend, run, total;

		slurm_watch_counts(a->slurm, &pend, &run, &total);
		if (pend + run > 0) {
			snprintf(buf, sizeof buf, " [slurm: %d running, %d queued]", run, pend);
			x += canvas_text(cv, x, 0, cv->w - x, THEME_KEY, buf);
		}
	}
	if (base != NULL && cv->w - x >= 3) {
		int bw = canvas_strwidth(base), room = cv->w - x - 2;

		if (bw <= room)
			canvas_text_right(cv, x, 0, cv->w - x - 1, THEME_TAB, base);
		else {   /* no room even so: keep its end, marked as cut */
			const char *t = base;
			uint32_t c;

			while (bw > room - 1 && *t != '\0') {
				t += canvas_utf8_decode(t, &c);
				bw--;
			}
			canvas_text(cv, x + 1, 0, 1, THEME_TAB, cv->ascii ? "~" : "\xe2\x80\xa6");
			canvas_text(cv, x + 2, 0, room - 1, THEME_TAB, t);
		}
	}
}

static void
draw_status(struct app *a, struct canvas *cv)
{
	int y = cv->h - 2;

	canvas_fill(cv, 0, y, cv->w, 1, ' ', THEME_STATUS);
	if (a->status != NULL)
		canvas_text(cv, 0, y, cv->w, a->status_role, a->status);
}

/* The bottom line: the command line while it is open, else key hints. */
static void
draw_bottom(struct app *a, struct canvas *cv)
{
	int y = cv->h - 1, x;

	canvas_fill(cv, 0, y, cv->w, 1, ' ', THEME_NORMAL);
	if (a->prompt_on) {
		int plen = canvas_strwidth(a->prompt), off = 0, avail = cv->w - plen - 1;

		if (a->line_point > avail)
			off = a->line_point - avail;
		canvas_text(cv, 0, y, -1, THEME_CMDLINE, a->prompt);
		{
			const char *s = a->line;
			uint32_t c;
			int col = 0;

			while (*s != '\0') {
				s += canvas_utf8_decode(s, &c);
				if (col >= off)
					canvas_put(cv, plen + col - off, y, c, THEME_CMDLINE);
				col++;
			}
		}
		cv->cur_x = plen + a->line_point - off;
		cv->cur_y = y;
		return;
	}
	if (a->confirm_q != NULL) {
		x = canvas_text(cv, 0, y, -1, THEME_KEY, a->confirm_q);
		canvas_text(cv, x, y, -1, THEME_NORMAL, " (y/n)");
		return;
	}
	x = canvas_text(cv, 0, y, -1, THEME_KEY, "?");
	x += canvas_text(cv, x, y, -1, THEME_DIM, " help  ");
	x += canvas_text(cv, x, y, -1, THEME_KEY, ":");
	x += canvas_text(cv, x, y, -1, THEME_DIM, " command  ");
	x += canvas_text(cv, x, y, -1, THEME_KEY, "1-6");
	x += canvas_text(cv, x, y, -1, THEME_DIM, " screens  ");
	x += canvas_text(cv, x, y, -1, THEME_KEY, "q");
	canvas_text(cv, x, y, -1, THEME_DIM, " quit");
}

/* The '?' overlay: keys of the current screen, then the global ones. */
static void
draw_help(struct app *a, struct canvas *cv)
{
	const struct screen *s = tui_screens[a->cur];
	const char *const *k;
	int n = 0, w = 66, h, x0, y0, y;

	for (k = s->keys; k != NULL && *k != NULL; k++)
		n++;
	n += 5;
	h = SH_MIN(n + 3, cv->h - 3);
	if (w > cv->w - 2)
		w = cv->w - 2;
	x0 = (cv->w - w) / 2;
	y0 = 2;
	canvas_fill(cv, x0, y0, w, h, ' ', THEME_NORMAL);
	{
		char title[64];

		snprintf(title, sizeof title, "Keys: %s", s->name);
		canvas_box(cv, x0, y0, w, h, THEME_BORDER, title);
	}
	y = y0 + 1;
	for (k = s->keys; k != NULL && *k != NULL && y < y0 + h - 1; k++, y++) {
		const char *tab = strchr(*k, '\t');

		canvas_printf(cv, x0 + 2, y, tab ? (int)(tab - *k) : -1, THEME_KEY, "%s", *k);
		if (tab != NULL)
			canvas_text(cv, x0 + 14, y, w - 16, THEME_NORMAL, tab + 1);
	}
	for (k = screen_keys_global; *k != NULL && y < y0 + h - 1; k++, y++) {
		const char *tab = strchr(*k, '\t');

		canvas_printf(cv, x0 + 2, y, (int)(tab - *k), THEME_KEY, "%s", *k);
		canvas_text(cv, x0 + 14, y, w - 16, THEME_DIM, tab + 1);
	}
}

/* Below 80x24 the screens would cut and garble their text: say so instead,
 * and draw them again as soon as the terminal is large enough (every key
 * still works meanwhile). */
#define TUI_MIN_W 80
#define TUI_MIN_H 24
static void
draw_too_small(struct canvas *cv)
{
	char buf[64];
	int y = cv->h / 2 - 1, w;

	snprintf(buf, sizeof buf, "terminal too small (need %dx%d)", TUI_MIN_W, TUI_MIN_H);
	w = (int)strlen(buf);
	canvas_text(cv, w < cv->w ? (cv->w - w) / 2 : 0, y < 0 ? 0 : y, cv->w, THEME_ERROR, buf);
	snprintf(buf, sizeof buf, "now %dx%d; q quits", cv->w, cv->h);
	w = (int)strlen(buf);
	if (y + 1 < cv->h)
		canvas_text(cv, w < cv->w ? (cv->w - w) / 2 : 0, y + 1, cv->w, THEME_DIM, buf);
}

void
app_draw(struct app *a, struct canvas *cv)
{
	canvas_clear(cv);
	if (cv->w < TUI_MIN_W || cv->h < TUI_MIN_H) {
		draw_too_small(cv);
		return;
	}
	draw_topbar(a, cv);
	tui_screens[a->cur]->draw(a, cv, 0, 1, cv->w, cv->h - 3);
	if (a->help)
		draw_help(a, cv);
	draw_status(a, cv);
	draw_bottom(a, cv);
}

static void
quit_yes(struct app *a)
{
	job_stop(a);
	a->quit = 1;
}

static void
command_done(struct app *a, char *line)
{
	if (line != NULL && *line != '\0')
		app_command(a, line);
	free(line);
}

int
app_key(struct app *a, int key)
{
	int r;

	if (key == TKEY_RESIZE)
		return TUI_REDRAW;
	if (a->prompt_on)
		return cmdline_key(a, key);
	if (a->confirm_q != NULL) {
		void (*yes)(struct app *) = a->confirm_yes;

		if (key == 'y' || key == 'Y' || key == 'n' || key == 'N' || key == TKEY_ESC || key == 'q') {
			free(a->confirm_q);
			a->confirm_q = NULL;
			a->confirm_yes = NULL;
			if ((key == 'y' || key == 'Y') && yes != NULL)
				yes(a);
		}
		return TUI_REDRAW;
	}
	if (a->help) {
		a->help = 0;
		if (key == '?' || key == TKEY_ESC || key == 'q')
			return TUI_REDRAW;
	}
	r = tui_screens[a->cur]->key(a, key);
	if (!(r & TUI_UNHANDLED))
		return r;
	switch (key) {
	case '1': case '2': case '3': case '4': case '5': case '6':
		app_switch(a, key - '1');
		return TUI_REDRAW;
	case '\t':
		app_switch(a, (a->cur + 1) % SCREEN_COUNT);
		return TUI_REDRAW;
	case TKEY_BTAB:
		app_switch(a, (a->cur + SCREEN_COUNT - 1) % SCREEN_COUNT);
		return TUI_REDRAW;
	case '?': case TKEY_F1:
		a->help = 1;
		return TUI_REDRAW;
	case ':':
		cmdline_open(a, ":", CMDLINE_COMMAND, NULL, command_done);
		return TUI_REDRAW;
	case 'q': case TKEY_CTRL('c'):
		if (app_busy(a))
			app_confirm(a, "A job is running; stop it (resumable) and quit?", quit_yes);
		else
			a->quit = 1;
		return TUI_REDRAW;
	case TKEY_CTRL('l'):
		return TUI_REDRAW;
	}
	return TUI_REDRAW;
}

void
app_tick(struct app *a)
{
	int i;

	job_poll(a);
	/* every screen's tick runs: a job started on one screen ends on another */
	for (i = 0; i < SCREEN_COUNT; i++)
		if (tui_screens[i]->tick != NULL)
			tui_screens[i]->tick(a);
}


/* ':set KEY VALUE' — numbers and words go to the section they belong to. */
static int
command_set(struct app *a, const char *key, const char *val)
{
	json_t *sec;
	double d;

	if (key == NULL || val == NULL) {
		app_error(a, xstrdup("usage: :set KEY VALUE (keys: preset runs epochs minutes batch lr_g lr_d "
		    "lr_schedule seed ckpt_every ckpt_after ckpt_rule encoding encode eval_preset demo_rows demo_concepts study)"));
		return -1;
	}
	if (strcmp(key, "demo_rows") == 0 || strcmp(key, "demo_concepts") == 0) {
		long v = strtol(val, NULL, 10);

		if (v < 10) {
			app_error(a, xsprintf(":set %s: expected a whole number >= 10, got '%s'", key, val));
			return -1;
		}
		if (key[5] == 'r') a->demo_rows = (int)v; else a->demo_concepts = (int)v;
		app_status(a, "%s = %ld", key, v);
		return 0;
	}
	if (strcmp(key, "study") == 0) {
		free(a->study_default);
		a->study_default = xstrdup(val);
		app_status(a, "new studies go to %s", val);
		return 0;
	}
	if (a->st == NULL) {
		app_error(a, xsprintf(":set %s: no study is open (load one on screen 1)", key));
		return -1;
	}
	app_study_reload(a);
	if (strcmp(key, "encoding") == 0) {
		if (strcmp(val, "prep") != 0 && strcmp(val, "minmax") != 0) {
			app_error(a, xsprintf(":set encoding: expected prep or minmax, got '%s'", val));
			return -1;
		}
		sec = study_section(a->st, "train");
		json_object_set_new(sec, "encoding", json_string(val));
	} else if (strcmp(key, "encode") == 0) {
		/* [COL=]KIND into prep.encoding; prep checks the column. */
		const char *eq = strrchr(val, '=');
		json_t *e, *cols;

		if (enc_kind_parse(eq ? eq + 1 : val) < -1 || eq == val) {
			app_error(a, xsprintf(":set encode: expected [COLUMN=]KIND, KIND one of auto minmax "
			    "quantile gmm zero onehot; got '%s'", val));
			return -1;
		}
		sec = study_section(a->st, "prep");
		e = json_object_get(sec, "encoding");
		if (!json_is_object(e)) {
			json_t *n = json_object();

			if (json_is_string(e))
				json_object_set(n, "default", e);
			json_object_set_new(sec, "encoding", n);
			e = n;
		}
		if (eq == NULL)
			json_object_set_new(e, "default", json_string(val));
		else {
			char *col = xstrndup(val, (size_t)(eq - val));

			cols = json_object_get(e, "columns");
			if (!json_is_object(cols)) {
				cols = json_object();
				json_object_set_new(e, "columns", cols);
			}
			if (strcmp(eq + 1, "auto") == 0)
				json_object_del(cols, col);
			else
				json_object_set_new(cols, col, json_string(eq + 1));
			free(col);
		}
	} else if (strcmp(key, "eval_preset") == 0) {
		sec = study_section(a->st, "eval");
		json_object_set_new(sec, "preset", json_string(val));
	} else if (strcmp(key, "preset") == 0 || strcmp(key, "ckpt_rule") == 0 ||
	    strcmp(key, "lr_schedule") == 0) {
		sec = study_section(a->st, "train");
		json_object_set_new(sec, key, json_string(val));
	} else {
		const char *const *k;

		for (k = tui_set_keys; *k != NULL; k++)
			if (strcmp(*k, key) == 0)
				break;
		if (*k == NULL) {
			app_error(a, xsprintf(":set: unknown setting '%s' (try Tab to complete)", key));
			return -1;
		}
		if (util_parse_double(val, strlen(val), &d) != 0 || d < 0) {
			app_error(a, xsprintf(":set %s: expected a non-negative number, got '%s'", key, val));
			return -1;
		}
		sec = study_section(a->st, "train");
		if (d == floor(d) && strncmp(key, "lr", 2) != 0 && strcmp(key, "minutes") != 0)
			json_object_set_new(sec, key, json_integer((json_int_t)d));
		else
			json_object_set_new(sec, key, json_real(d));
	}
	if (app_study_save(a) == 0)
		app_status(a, "%s = %s", key, val);
	return 0;
}


int
app_command(struct app *a, const char *line)
{
	char *copy = xstrdup(line), *w[4] = { NULL, NULL, NULL, NULL }, *sp = NULL, *t;
	int n = 0, rc = 0;

	for (t = strtok_r(copy, " \t", &sp); t != NULL && n < 3; t = strtok_r(NULL, " \t", &sp))
		w[n++] = t;
	if (n == 3 && sp != NULL && *sp != '\0')
		w[2][strlen(w[2])] = ' ';   /* keep the rest of the line in the last word */
	if (n == 0)
		goto out;
	if (strcmp(w[0], "q") == 0 || strcmp(w[0], "quit") == 0) {
		if (app_busy(a))
			app_confirm(a, "A job is running; stop it (resumable) and quit?", quit_yes);
		else
			a->quit = 1;
	} else if (strcmp(w[0], "q!") == 0)
		quit_yes(a);
	else if (strcmp(w[0], "set") == 0)
		rc = command_set(a, w[1], w[2]);
	else if (strcmp(w[0], "screen") == 0 && w[1] != NULL) {
		int i;

		for (i = 0; i < SCREEN_COUNT; i++)
			if (strcasecmp(w[1], tui_screens[i]->name) == 0 || atoi(w[1]) == i + 1)
				app_switch(a, i);
	} else if (strcmp(w[0], "theme") == 0 && w[1] != NULL) {
		struct theme th;
		char *cause = NULL;

		if (theme_load(w[1], &th, &cause) != 0) {
			app_error(a, cause);
			rc = -1;
		} else {
			a->theme = th;
			if (term_active())
				term_set_theme(&a->theme, a->colour);
			save_ui(a);
			app_status(a, "theme %s", th.name);
		}
	} else if (strcmp(w[0], "open") == 0 && w[1] != NULL) {
		char *cause = NULL;

		if (app_open_study(a, w[1], &cause) != 0) {
			app_error(a, cause);
			rc = -1;
		} else
			app_status(a, "opened %s", w[1]);
	} else if ((strcmp(w[0], "column") == 0 || strcmp(w[0], "col") == 0) && w[1] != NULL)
		rc = screen_review_show(a, w[1]);
	else if (strcmp(w[0], "demo") == 0)
		rc = screen_load_start_demo(a);
	else if (strcmp(w[0], "load") == 0 && w[1] != NULL)
		rc = screen_load_start_csv(a, w[1]);
	else if (strcmp(w[0], "prep") == 0)
		rc = screen_prep_start(a);
	else if (strcmp(w[0], "train") == 0 || strcmp(w[0], "generate") == 0)
		rc = screen_train_start(a);
	else if (strcmp(w[0], "evaluate") == 0 || strcmp(w[0], "rank") == 0)
		rc = screen_eval_start(a);
	else if (strcmp(w[0], "export") == 0)
		rc = screen_eval_export(a, w[1] != NULL ? w[1] : "report.md");
	else if (strcmp(w[0], "help") == 0)
		app_status(a, "commands: set KEY VALUE, train, prep, evaluate, export FILE, theme NAME, "
		    "column NAME, open DIR, load FILE, demo, screen N, q");
	else {
		app_error(a, xsprintf("unknown command ':%s' (:help lists them; Tab completes)", w[0]));
		rc = -1;
	}
out:
	free(copy);
	return rc;
}

/* Offer to resume an interrupted training when a study opens. */
static void
resume_yes(struct app *a)
{
	app_switch(a, SCREEN_TRAIN);
	screen_train_start(a);
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: synthehr [--theme NAME|FILE] [--ascii] [--frames N] [STUDY]\n"
	    "  --theme NAME|FILE  colour theme (dark, light, monochrome, high-contrast, or a file);\n"
	    "                     default $SYNTHEHR_THEME or dark; NO_COLOR turns colour off\n"
	    "  --ascii            7-bit characters only (automatic when the locale is not UTF-8)\n"
	    "  --frames N         draw N frames then exit (also $SYNTHEHR_TUI_EXIT_AFTER; for tests)\n");
}

int
tui_main(const char *study_dir, int argc, char **argv)
{
	struct app *a;
	struct canvas *cv;
	const char *theme_name = getenv("SYNTHEHR_THEME"), *cs, *dump = getenv("SYNTHEHR_TUI_DUMP");
	char *cause = NULL;
	long frames = -1;
	int i, w, h, redraw = 1, rc = EXIT_OK;
	double last_tick = 0;

	setlocale(LC_ALL, "");
	a = app_new();
	if (getenv("SYNTHEHR_TUI_EXIT_AFTER") != NULL)
		frames = strtol(getenv("SYNTHEHR_TUI_EXIT_AFTER"), NULL, 10);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--theme") == 0 && i + 1 < argc)
			theme_name = argv[++i];
		else if (strncmp(argv[i], "--theme=", 8) == 0)
			theme_name = argv[i] + 8;
		else if (strcmp(argv[i], "--ascii") == 0)
			a->ascii = 1;
		else if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc)
			frames = strtol(argv[++i], NULL, 10);
		else if (argv[i][0] != '-' && study_dir == NULL)
			study_dir = argv[i];
		else if (study_dir != NULL && strcmp(argv[i], study_dir) == 0)
			continue;
		else {
			fprintf(stderr, "synthehr: unknown option '%s'\n", argv[i]);
			usage(stderr);
			app_free(a);
			return EXIT_USAGE;
		}
	}
	cs = nl_langinfo(CODESET);
	if (cs == NULL || (strcasecmp(cs, "UTF-8") != 0 && strcasecmp(cs, "utf8") != 0))
		a->ascii = 1;
	if (getenv("NO_COLOR") != NULL && getenv("NO_COLOR")[0] != '\0') {
		a->colour = 0;
		theme_monochrome(&a->theme);
	} else if (theme_name != NULL && theme_load(theme_name, &a->theme, &cause) != 0) {
		fprintf(stderr, "synthehr: %s\n", cause);
		free(cause);
		app_free(a);
		return EXIT_USAGE;
	}
	if (study_dir != NULL) {
		if (app_open_study(a, study_dir, &cause) != 0) {
			fprintf(stderr, "synthehr: %s\n", cause);
			free(cause);
			app_free(a);
			return EXIT_USAGE;
		}
		if (a->cohort_err != NULL)
			app_error(a, xstrdup(a->cohort_err));
		if (theme_name == NULL && a->colour) {
			const char *tn = js_str(json_object_get(a->st->cfg, "ui"), "theme", NULL);
			struct theme t;

			if (tn != NULL && theme_load(tn, &t, NULL) == 0)
				a->theme = t;
		}
		if (screen_train_interrupted(a))
			app_confirm(a, "Training was interrupted. Resume it now?", resume_yes);
	} else if (util_file_exists("synthehr-study/study.json")) {
		app_status(a, "./synthehr-study holds a study: d or o opens it");
	}
	if (term_init(&a->theme, a->colour, &cause) != 0) {
		fprintf(stderr, "synthehr: %s\n", cause);
		free(cause);
		app_free(a);
		return EXIT_FAIL;
	}
	util_cancel_aware = 1;  /* SIGTERM/SIGHUP: leave the loop and restore the terminal */
	util_cancel_grace_ms = 0;   /* the loop restores the terminal itself */
	term_size(&w, &h);
	cv = canvas_new(w, h, a->ascii);
	if (tui_screens[a->cur]->enter != NULL && study_dir == NULL)
		tui_screens[a->cur]->enter(a);
	while (!a->quit) {
		int key;
		double now;

		if (redraw) {
			term_size(&w, &h);
			if (w != cv->w || h != cv->h)
				canvas_resize(cv, w, h);
			app_draw(a, cv);
			term_draw(cv);
			redraw = 0;
			if (frames > 0 && --frames == 0)
				break;
		}
		if (util_interrupted > 0) {
			/* a signal, or the terminal went away (term.c): stop every
			 * stage at its next safe point below and leave */
			rc = EXIT_INTERRUPTED;
			break;
		}
		key = term_getkey(100);
		if (key != TKEY_NONE) {
			int r = app_key(a, key);

			if (r & TUI_QUIT)
				a->quit = 1;
			redraw = 1;
			continue;
		}
		now = util_now();
		if (now - last_tick >= 0.2 || frames > 0) {
			int busy = app_busy(a);

			app_tick(a);
			last_tick = now;
			/* idle screens are not redrawn on the clock; live ones are,
			 * and once more when a job has just ended */
			redraw = busy || app_busy(a) || frames > 0;
		}
	}
	if (a->prompt_on)
		cmdline_close(a);
	/* Stages stop at their next safe point and save; after a signal or a
	 * lost terminal the process must be gone within 2 s, and every file is
	 * written atomically, so a stage still busy then loses only the work
	 * it had not saved. */
	job_stop_wait(a, rc == EXIT_INTERRUPTED ? 1.5 : -1);
	if (!job_running(a))
		save_ui(a);
	else
		a->job.runner = NULL;   /* still busy: not joined; the process's exit ends it */
	term_end();
	if (dump != NULL) {
		char *text = canvas_to_text(cv);

		util_write_file_atomic(dump, text, strlen(text), NULL);
		free(text);
	}
	canvas_free(cv);
	app_free(a);
	return rc;
}
