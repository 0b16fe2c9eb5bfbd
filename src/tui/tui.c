/* synthehr — GPL-3.0-or-later.
 * The TUI's frame: options, the main loop (keys with a short timeout so
 * running stages and the clock keep the screen live), the top bar of six
 * screens, the status line, y/n confirmations, and the pages over the
 * screen (viewer.c: help, messages, job log).
 * The state is in app.c, the ':' commands in commands.c. */
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

#include "synthehr/exitcode.h"
#include "tui/tui_main.h"
#include "synthehr/csvio.h"
#include "synthehr/encode.h"
#include "synthehr/slurm.h"
#include "synthehr/util.h"
#include "tui/tui.h"

const struct screen *const tui_screens[SCREEN_COUNT] = {
	&screen_load, &screen_review, &screen_prep, &screen_train, &screen_eval, &screen_rank,
};


const char *const tui_keys_global[] = {
	"1-6\tswitch to screen 1-6",
	"Tab S-Tab\tthe next / the previous screen",
	":\tcommand line (Tab completes; Tab Tab lists what fits)",
	"? F1\tthis page (also :help)",
	"M\tevery message, warning and error so far, and the job log (also :messages, :log)",
	"Ctrl-L\tredraw",
	"q Ctrl-C\tquit (asks while a job runs or edited weights are unsaved)",
	NULL,
};

/* Top bar: program, tabs 1-6, the running stage with its progress and the
 * queue, the study's name on the right.  Tabs shrink (short names, then
 * numbers) to make room for the name and the progress. */
static void
draw_topbar(struct app *a, struct canvas *cv)
{
	int x = 0, i, tier, need, pend, run, total, ew;
	char buf[160], extra[320] = "";
	const char *base = NULL;

	/* what the bar says besides the tabs: the running stage and its queue
	 * (or the holder of the lock), the Slurm tasks */
	if (job_running(a)) {
		char job[128];

		job_describe(a, job, sizeof job);
		snprintf(extra, sizeof extra, " [%s]", job);
	} else if (a->foreign)
		snprintf(extra, sizeof extra, " [read-only: pid %ld %s]", (long)a->holder.pid,
		    a->holder.stage[0] ? a->holder.stage : "?");
	slurm_watch_counts(a->slurm, &pend, &run, &total);
	if (pend + run > 0)
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra), " [slurm: %d running, %d queued]",
		    run, pend);
	/* room for it with some slack, so the tabs do not change form as
	 * the progress text grows by a digit */
	ew = extra[0] != '\0' ? canvas_strwidth(extra) + 6 : 0;
	if (a->st != NULL) {
		base = strrchr(a->st->dir, '/');
		base = base != NULL && base[1] != '\0' ? base + 1 : a->st->dir;
	}
	/* The study's name is never cut.  The tabs take the widest of three
	 * forms that leaves room for it and for the text above: full names,
	 * short names ("3 Prep"), numbers (the current screen keeps its
	 * short name). */
	for (tier = 0; tier < 2; tier++) {
		need = 10 + (base != NULL ? canvas_strwidth(base) + 2 : 0) + ew;
		for (i = 0; i < SCREEN_COUNT; i++) {
			const char *nm = tier == 0 || tui_screens[i]->abbr == NULL ?
			    tui_screens[i]->name : tui_screens[i]->abbr;

			need += (int)strlen(nm) + 4;
		}
		if (need <= cv->w)
			break;
	}
	canvas_fill(cv, 0, 0, cv->w, 1, ' ', THEME_TAB);
	x += canvas_text(cv, 0, 0, -1, THEME_TAB, " synthehr ");
	for (i = 0; i < SCREEN_COUNT; i++) {
		int role = i == a->cur ? THEME_TAB_ACTIVE : THEME_TAB;
		const char *nm = tui_screens[i]->name;

		if (tier >= 1 && tui_screens[i]->abbr != NULL)
			nm = tui_screens[i]->abbr;
		if (tier == 2 && i != a->cur)
			snprintf(buf, sizeof buf, " %d ", i + 1);
		else
			snprintf(buf, sizeof buf, " %d %s ", i + 1, nm);
		if (x + (int)strlen(buf) > cv->w)
			break;
		x += canvas_text(cv, x, 0, -1, role, buf);
	}
	if (extra[0] != '\0')
		x += canvas_text(cv, x, 0, cv->w - x, THEME_KEY, extra);
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

/* The status line: the latest message whole, or as much as fits and the
 * way to read the rest (the message log keeps it). */
static void
draw_status(struct app *a, struct canvas *cv)
{
	int y = cv->h - 2;
	static const char more[] = " (M shows all)";

	canvas_fill(cv, 0, y, cv->w, 1, ' ', THEME_STATUS);
	if (a->status == NULL)
		return;
	if (canvas_strwidth(a->status) <= cv->w && strchr(a->status, '\n') == NULL)
		canvas_text(cv, 0, y, cv->w, a->status_role, a->status);
	else {
		int room = cv->w - (int)strlen(more), x;
		char *s = xstrdup(a->status), *nl = strchr(s, '\n');

		if (nl != NULL)
			*nl = '\0';
		x = canvas_text(cv, 0, y, room, a->status_role, s);
		canvas_text(cv, x, y, -1, THEME_KEY, more);
		free(s);
	}
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
		const char *q = a->confirm_q;

		/* a question too long for the line starts on the status line,
		 * broken at a space, so that it is read whole */
		if (canvas_strwidth(q) + 6 > cv->w) {
			const char *p = q, *brk = NULL;
			uint32_t c;
			int col = 0;

			while (*p != '\0' && col < cv->w) {
				if (*p == ' ')
					brk = p;
				p += canvas_utf8_decode(p, &c);
				col++;
			}
			if (brk == NULL || brk == q)
				brk = p;
			canvas_fill(cv, 0, y - 1, cv->w, 1, ' ', THEME_STATUS);
			{
				char *first = xstrndup(q, (size_t)(brk - q));

				canvas_text(cv, 0, y - 1, -1, THEME_KEY, first);
				free(first);
			}
			q = *brk == ' ' ? brk + 1 : brk;
		}
		x = canvas_text(cv, 0, y, cv->w - 6, THEME_KEY, q);
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
	if (a->view != VIEW_NONE)
		viewer_draw(a, cv, 0, 1, cv->w, cv->h - 3);
	if (a->compl != NULL && a->prompt_on)
		viewer_completions_draw(a, cv, 0, 1, cv->w, cv->h - 3);
	draw_status(a, cv);
	draw_bottom(a, cv);
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
	if (a->view != VIEW_NONE) {
		/* a page takes every key but ':' */
		r = viewer_key(a, key);
		if (!(r & TUI_UNHANDLED))
			return r;
	} else {
		r = tui_screens[a->cur]->key(a, key);
		if (!(r & TUI_UNHANDLED))
			return r;
	}
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
		viewer_open(a, VIEW_HELP);
		return TUI_REDRAW;
	case 'M':
		viewer_open(a, VIEW_MESSAGES);
		return TUI_REDRAW;
	case ':':
		cmdline_open(a, ":", CMDLINE_COMMAND, NULL, command_done);
		return TUI_REDRAW;
	case 'q': case TKEY_CTRL('c'):
		app_request_quit(a);
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
	job_check_lock(a);
	/* every screen's tick runs: a job started on one screen ends on another */
	for (i = 0; i < SCREEN_COUNT; i++)
		if (tui_screens[i]->tick != NULL)
			tui_screens[i]->tick(a);
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
	a->theme_cli = theme_name != NULL;
	if (study_dir != NULL) {
		if (app_open_study(a, study_dir, &cause) != 0) {
			fprintf(stderr, "synthehr: %s\n", cause);
			free(cause);
			app_free(a);
			return EXIT_USAGE;
		}
		if (a->cohort_err != NULL)
			app_cohort_error(a);
		job_check_lock(a);
		if (!a->foreign && screen_train_interrupted(a))
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
		app_save_ui(a);
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
