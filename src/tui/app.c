/* synthehr — GPL-3.0-or-later.
 * The workbench's state (struct app, tui.h): the open study and its
 * cohort, the status line, the y/n question, the current screen, and the
 * small helpers the screens share.  The loop is in tui.c, the ':' commands
 * in commands.c. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "synthehr/slurm.h"
#include "synthehr/study_read.h"
#include "synthehr/util.h"
#include "tui/tui.h"

/* A job or a training is running. */
int
app_busy(const struct app *a)
{
	int pend, run, total;

	/* a cluster training is live too: its plots follow the runs' files */
	slurm_watch_counts(a->slurm, &pend, &run, &total);
	return job_running(a) || a->foreign || pend + run > 0;
}

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
	free(a->view_find);
	tui_log_free(&a->msgs);
	tui_log_free(&a->joblog);
	viewer_completions_close(a);
	job_free(a);
	free(a);
}

/* Every message goes to the status line and into the message log (M). */
static void
app_vmessage(struct app *a, int role, int sev, const char *fmt, va_list ap)
{
	free(a->status);
	if (vasprintf(&a->status, fmt, ap) < 0)
		a->status = NULL;
	a->status_role = role;
	tui_log_add(&a->msgs, sev, NULL, a->status);
}

void
app_status(struct app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	app_vmessage(a, THEME_STATUS, TUI_SEV_INFO, fmt, ap);
	va_end(ap);
}

void
app_warn(struct app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	app_vmessage(a, THEME_BAD, TUI_SEV_WARN, fmt, ap);
	va_end(ap);
}

void
app_error(struct app *a, char *cause)
{
	free(a->status);
	a->status = cause != NULL ? cause : xstrdup("failed");
	a->status_role = THEME_ERROR;
	tui_log_add(&a->msgs, TUI_SEV_ERROR, NULL, a->status);
}

void
app_cohort_error(struct app *a)
{
	char *src;

	if (a->cohort_err == NULL)
		return;
	src = a->st != NULL ? study_source_path(a->st) : NULL;
	if (a->st == NULL || src != NULL) {
		free(src);
		app_error(a, xstrdup(a->cohort_err));
		return;
	}
	tui_log_add(&a->msgs, TUI_SEV_ERROR, NULL, a->cohort_err);
	free(a->status);
	a->status = xstrdup("no cohort: study.json names no \"source\" file (M: the whole message)");
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

int
app_load_cohort(struct app *a, char **cause)
{
	cohort_free(a->cohort);
	a->cohort = NULL;
	if (a->st == NULL)
		return util_fail(cause, "no study is open");
	return study_load_cohort(a->st, &a->cohort, cause);
}

static void
restore_ui(struct app *a)
{
	json_t *ui = json_object_get(a->st->cfg, "ui");
	const char *scr = js_str(ui, "screen", NULL);
	int i;

	if (scr == NULL) {
		/* never opened here (made with the command line): the furthest
		 * stage it has reached */
		static const struct { const char *rel; int screen; } stages[] = {
			{ "eval/metrics.json", SCREEN_EVAL }, { "runs/run-1/loss.csv", SCREEN_TRAIN },
			{ "prep/log.json", SCREEN_PREP },
		};
		size_t k;

		for (k = 0; k < SH_NELEM(stages); k++) {
			char *p = study_path(a->st, stages[k].rel);
			int there = util_file_exists(p);

			free(p);
			if (there) {
				a->cur = stages[k].screen;
				return;
			}
		}
		a->cur = SCREEN_LOAD;
		return;
	}
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
	{
		char *m = xsprintf("opened the study %s", s->dir);

		tui_log_add(&a->msgs, TUI_SEV_INFO, NULL, m);
		free(m);
	}
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
	/* the study's theme, unless the command line chose one */
	if (!a->theme_cli && a->colour) {
		const char *tn = js_str(json_object_get(s->cfg, "ui"), "theme", NULL);
		struct theme t;

		if (tn != NULL && theme_load(tn, &t, NULL) == 0) {
			a->theme = t;
			if (term_active())
				term_set_theme(&a->theme, a->colour);
		}
	}
	app_check_stale(a);
	if (tui_screens[a->cur]->enter != NULL)
		tui_screens[a->cur]->enter(a);
	return 0;
}

/* :open and o: another study, once the user agrees to lose unsaved weights. */
static char *open_pending;
static int open_rc;

static void
open_now(struct app *a)
{
	char *cause = NULL, *dir = open_pending;

	open_pending = NULL;
	open_rc = -1;
	if (dir == NULL)
		return;
	screen_rank_discard(a);
	if (app_open_study(a, dir, &cause) != 0)
		app_error(a, cause);
	else {
		app_status(a, "opened %s", dir);
		app_cohort_error(a);
		open_rc = 0;
	}
	free(dir);
}

int
app_open_ask(struct app *a, const char *dir)
{
	free(open_pending);
	open_pending = xstrdup(dir);
	if (screen_rank_unsaved(a)) {
		app_confirm(a, "The edited weights are not saved (S saves). Open the other study anyway?", open_now);
		return 0;
	}
	open_now(a);
	return open_rc;
}

/* Remember where the user is (study.json "ui"). */
void
app_save_ui(struct app *a)
{
	json_t *ui;

	if (a->st == NULL || job_running(a))
		return;
	app_study_reload(a);
	ui = study_section(a->st, "ui");
	json_object_set_new(ui, "screen", json_string(tui_screens[a->cur]->name));
	if (a->theme_chosen)   /* not a --theme given for this session */
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
	a->view = VIEW_NONE;
	app_check_stale(a);
	if (tui_screens[screen]->enter != NULL)
		tui_screens[screen]->enter(a);
	app_save_ui(a);
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

static void
quit_unsaved_yes(struct app *a)
{
	screen_rank_discard(a);
	app_request_quit(a);
}

void
app_request_quit(struct app *a)
{
	if (screen_rank_unsaved(a))
		app_confirm(a, "The edited weights are not saved (S saves). Quit anyway?", quit_unsaved_yes);
	else if (app_busy(a))
		app_confirm(a, "A job is running; stop it (resumable) and quit?", app_quit);
	else
		a->quit = 1;
}

/* Stop what runs (resumable) and leave the loop. */
void
app_quit(struct app *a)
{
	job_stop(a);
	a->quit = 1;
}

/* Which results are older than what they were made from (study_read.h),
 * after a stage ends, a study opens or the screen changes. */
void
app_check_stale(struct app *a)
{
	a->stale = a->st != NULL ? study_stale(a->st, NULL) : 0;
}
