/* synthehr — GPL-3.0-or-later.
 * TUI tests without a terminal: the canvas compose functions against
 * hand-worked cells, the theme parser, and every screen drawn on fixed data
 * (tests/data/tui/: a 12-patient cohort, two loss histories, and the
 * tutorial's reference metrics from SPEC.md §5) compared with the expected
 * text in tests/data/tui/NAME.txt.  Known answers checked besides the golden
 * text: the patients an outlier rule affects (counted by hand from
 * cohort.csv), and the rankings under profiles A and B (SPEC.md §5: run 2
 * best under A with 1.8, run 3 under B with 2.4).  TUI_GOLDEN_UPDATE=1
 * rewrites the expected files. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synthehr/study.h"
#include "synthehr/util.h"
#include "tap.h"
#include "tui/canvas.h"
#include "tui/theme.h"
#include "tui/tui.h"

static const char *srcdir;

static void
test_canvas_basics(void)
{
	struct canvas *cv = canvas_new(12, 4, 0);
	char *t;

	canvas_text(cv, 0, 0, 5, THEME_NORMAL, "hello world");
	canvas_box(cv, 0, 1, 6, 3, THEME_BORDER, NULL);
	canvas_bar(cv, 7, 1, 4, 0.5, THEME_HIST_BAR);     /* 2 cells exactly */
	canvas_bar(cv, 7, 2, 4, 0.3125, THEME_HIST_BAR);  /* 1.25 cells: full + 2/8 */
	t = canvas_to_text(cv);
	tap_ok(strcmp(t, "hell\u2026\n\u250c\u2500\u2500\u2500\u2500\u2510 \u2588\u2588\n"
	    "\u2502    \u2502 \u2588\u258e\n\u2514\u2500\u2500\u2500\u2500\u2518\n") == 0,
	    "text clipped with the cut marked, box corners, bars with eighth blocks");
	if (strstr(t, "hell") == NULL)
		tap_diag("got:\n%s", t);
	free(t);
	tap_ok(cv->cells[1 * 12 + 7].role == THEME_HIST_BAR && cv->cells[0].role == THEME_NORMAL,
	    "cells keep their roles");
	canvas_free(cv);

	cv = canvas_new(12, 3, 1);
	canvas_box(cv, 0, 0, 6, 3, THEME_BORDER, NULL);
	canvas_bar(cv, 7, 1, 4, 0.5, THEME_HIST_BAR);
	canvas_text(cv, 7, 0, -1, THEME_NORMAL, "\u00e9t\u00e9");
	canvas_text(cv, 7, 2, -1, THEME_NORMAL, "abcdefgh");   /* 5 columns to the edge */
	t = canvas_to_text(cv);
	tap_ok(strcmp(t, "+----+ ?t?\n|    | ##\n+----+ abcd~\n") == 0,
	    "ASCII mode: +-| frames, # bars, ? for non-ASCII, '~' marks a cut at the edge");
	free(t);
	canvas_free(cv);

	/* ASCII bars in eighths of a cell: 1 cell + k/8 for k = 0..7 ends
	 * in nothing . . : - = + * (7 steps a cell, not 4 levels in all) */
	{
		static const char *const want[8] = { "#", "#.", "#.", "#:", "#-", "#=", "#+", "#*" };
		int k, good = 0;

		cv = canvas_new(4, 8, 1);
		for (k = 0; k < 8; k++)
			canvas_bar(cv, 0, k, 4, (1 + k / 8.0 + 1e-9) / 4, THEME_HIST_BAR);
		t = canvas_to_text(cv);
		{
			char *line = t, *nl;

			for (k = 0; k < 8 && line != NULL; k++, line = nl ? nl + 1 : NULL) {
				nl = strchr(line, '\n');
				good += (int)strlen(want[k]) == (nl ? nl - line : (long)strlen(line)) &&
				    strncmp(line, want[k], strlen(want[k])) == 0;
			}
		}
		tap_ok(good == 8, "ASCII bars: a cell in eighths (# . . : - = + *), %d of 8 right", good);
		if (good != 8)
			tap_diag("got:\n%s", t);
		free(t);
		canvas_free(cv);
	}

	/* Braille: y = {0, 1} in a 1x1 cell goes from dot (0,3) to dot (1,0);
	 * the join fills the previous point's column up to the new row, so
	 * dots (0,3) (0,2) (0,1) and (1,0): bits 0x40 0x04 0x02 0x08. */
	{
		double y[2] = { 0, 1 };
		struct canvas_series s = { y, 2, THEME_PLOT_1, 0 };
		uint32_t want = 0x2800 | 0x40 | 0x04 | 0x02 | 0x08;

		cv = canvas_new(1, 1, 0);
		canvas_plot(cv, 0, 0, 1, 1, &s, 1, 0, 0, 1);
		tap_ok(cv->cells[0].ch == want, "braille plot: a rising segment is U+%04X (got U+%04X)",
		    (unsigned)want, (unsigned)cv->cells[0].ch);
		canvas_free(cv);
		cv = canvas_new(2, 2, 1);
		canvas_plot(cv, 0, 0, 2, 2, &s, 1, 0, 0, 1);
		t = canvas_to_text(cv);
		tap_ok(strcmp(t, " *\n*\n") == 0, "ASCII plot marks the two points");
		free(t);
		canvas_free(cv);
	}
	{
		double c[3] = { 1, 4, 2 };

		cv = canvas_new(3, 2, 1);
		canvas_histogram(cv, 0, 0, 3, 2, c, 3, THEME_HIST_BAR);
		t = canvas_to_text(cv);
		tap_ok(strcmp(t, " #\n###\n") == 0, "ASCII histogram: heights 1,4,2 of 4 on 2 rows -> 1,2,1");
		free(t);
		canvas_free(cv);
	}
	cv = canvas_new(10, 1, 1);
	canvas_progress(cv, 0, 0, 10, 0.5, THEME_GOOD);
	t = canvas_to_text(cv);
	tap_ok(strcmp(t, "[====....]\n") == 0, "progress bar half full");
	free(t);
	canvas_free(cv);
}

static void
test_theme(void)
{
	struct theme t;
	char *cause = NULL, *p;
	static const char *const names[] = { "dark", "light", "monochrome", "high-contrast" };
	size_t i;

	tap_ok(theme_parse("# c\ntitle = red default bold underline\nbest = 208 bright-blue\n", "x.theme",
	    &t, &cause) == 0, "theme text parses");
	tap_ok(t.st[THEME_TITLE].fg == 1 && t.st[THEME_TITLE].bg == -1 &&
	    t.st[THEME_TITLE].attrs == (THEME_A_BOLD | THEME_A_UNDERLINE), "colour names and attributes");
	tap_ok(t.st[THEME_BEST].fg == 208 && t.st[THEME_BEST].bg == 12, "numbers and bright colours");
	tap_ok(theme_parse("title = red\n", "x.theme", &t, &cause) == -1 && strstr(cause, "x.theme:1:") != NULL,
	    "one colour is an error naming file:line (%s)", cause ? cause : "");
	free(cause);
	cause = NULL;
	tap_ok(theme_parse("\n\ntitel = red blue\n", "y.theme", &t, &cause) == -1 &&
	    strstr(cause, "y.theme:3: unknown role 'titel'") != NULL, "unknown role named with its line (%s)",
	    cause ? cause : "");
	free(cause);
	cause = NULL;
	tap_ok(theme_parse("best = red blue blink\n", "z.theme", &t, &cause) == -1 &&
	    strstr(cause, "blink") != NULL, "unknown attribute named");
	free(cause);
	cause = NULL;
	for (i = 0; i < SH_NELEM(names); i++) {
		p = xsprintf("%s/themes/%s.theme", srcdir, names[i]);
		tap_ok(theme_load(p, &t, &cause) == 0 && strcmp(t.name, names[i]) == 0, "shipped theme %s loads%s%s",
		    names[i], cause ? ": " : "", cause ? cause : "");
		free(cause);
		cause = NULL;
		free(p);
	}
	tap_ok(theme_load("no-such-theme", &t, &cause) == -1 && strstr(cause, "not found") != NULL,
	    "a missing theme is an error");
	free(cause);
}

/* Compare a rendered canvas with tests/data/tui/NAME.txt. */
static int
golden(struct canvas *cv, const char *name)
{
	char *text = canvas_to_text(cv), *path = xsprintf("%s/tests/data/tui/%s.txt", srcdir, name);
	char *want = NULL;
	size_t len;
	int ok;

	if (getenv("TUI_GOLDEN_UPDATE") != NULL)
		util_write_file_atomic(path, text, strlen(text), NULL);
	ok = util_read_file(path, &want, &len, NULL) == 0 && strcmp(want, text) == 0;
	tap_ok(ok, "screen %s matches %s", name, path);
	if (!ok) {
		char *l = text, *nl;

		tap_diag("got:");
		for (; *l != '\0'; l = nl + 1) {
			nl = strchr(l, '\n');
			printf("# |%.*s\n", (int)(nl - l), l);
		}
	}
	free(want);
	free(path);
	free(text);
	return ok;
}

static void
copy_file(const char *from, const char *to)
{
	char *data;
	size_t len;

	if (util_read_file(from, &data, &len, NULL) == 0) {
		util_write_file_atomic(to, data, len, NULL);
		free(data);
	}
}

/* A fixed study: the cohort, two runs' loss histories, reference metrics. */
static char *
make_study(void)
{
	char tmpl[] = "/tmp/synthehr-tui-XXXXXX", *dir, *p, *q;
	json_t *cfg;
	const char *sj = "{ \"synthehr_study\": 1,"
	    " \"source\": { \"path\": \"source/cohort.csv\" },"
	    " \"schema\": { \"roles\": { \"id\": \"id\", \"DIE_1y\": \"label\", \"AGE\": \"continuous\","
	    "   \"GENDER\": \"sex\", \"BMI\": \"continuous\", \"SYSTOLIC\": \"continuous\","
	    "   \"401\": \"concept\", \"272\": \"concept\", \"250\": \"concept\" }, \"sex_female\": \"F\" },"
	    " \"prep\": { \"outliers\": [ { \"type\": \"range\", \"column\": \"BMI\", \"min\": 10, \"max\": 60,"
	    "   \"action\": \"drop\", \"enabled\": true } ] },"
	    " \"train\": { \"preset\": \"quick\", \"runs\": 2, \"epochs\": 10 } }";
	int r;

	if (mkdtemp(tmpl) == NULL)
		return NULL;
	dir = util_path_join(tmpl, "study");
	util_mkdir_private(dir, NULL);
	p = util_path_join(dir, "study.json");
	cfg = json_loads(sj, 0, NULL);
	js_write_file(p, cfg, NULL);
	json_decref(cfg);
	free(p);
	p = util_path_join(dir, "source");
	util_mkdir_private(p, NULL);
	free(p);
	p = xsprintf("%s/tests/data/tui/cohort.csv", srcdir);
	q = util_path_join(dir, "source/cohort.csv");
	copy_file(p, q);
	free(p);
	free(q);
	for (r = 1; r <= 2; r++) {
		char *rel = xsprintf("runs/run-%d", r);

		p = util_path_join(dir, rel);
		util_mkdir_private(p, NULL);
		free(p);
		free(rel);
		p = xsprintf("%s/tests/data/tui/loss-run-%d.csv", srcdir, r);
		q = xsprintf("%s/runs/run-%d/loss.csv", dir, r);
		copy_file(p, q);
		free(p);
		free(q);
	}
	p = util_path_join(dir, "eval");
	util_mkdir_private(p, NULL);
	free(p);
	p = xsprintf("%s/tests/data/tui/metrics.json", srcdir);
	q = util_path_join(dir, "eval/metrics.json");
	copy_file(p, q);
	free(p);
	free(q);
	return dir;
}

static void
keys(struct app *a, const int *k, int n)
{
	int i;

	for (i = 0; i < n; i++)
		app_key(a, k[i]);
}

/* How many times s occurs in t. */
static int
count_of(const char *t, const char *s)
{
	int n = 0;

	while ((t = strstr(t, s)) != NULL) {
		n++;
		t += strlen(s);
	}
	return n;
}

static int
has(struct canvas *cv, const char *s)
{
	char *t = canvas_to_text(cv);
	int ok = strstr(t, s) != NULL;

	if (!ok)
		tap_diag("'%s' not on the screen", s);
	free(t);
	return ok;
}

static void
test_screens(void)
{
	struct app *a = app_new();
	struct canvas *cv = canvas_new(80, 24, 0);
	char *dir = make_study(), *cause = NULL;
	int i;

	a->headless = 1;
	if (dir == NULL || app_open_study(a, dir, &cause) != 0) {
		tap_ok(0, "open the fixture study: %s", cause ? cause : "mkdtemp");
		free(cause);
		return;
	}
	tap_ok(a->cur == SCREEN_EVAL, "a study never opened in the workbench opens at its furthest stage "
	    "(eval/metrics.json: Evaluate)");
	tap_ok(a->cohort != NULL && a->cohort->nrows == 12, "fixture cohort: 12 patients%s%s",
	    a->cohort_err ? ": " : "", a->cohort_err ? a->cohort_err : "");
	if (a->cohort == NULL)
		return;

	app_switch(a, SCREEN_LOAD);
	app_draw(a, cv);
	golden(cv, "load");
	tap_ok(has(cv, "female=F other=M"), "Load: the sex column says which level counts as female");
	/* role changes re-read the cohort, which frees the column names: the
	 * status line and the selection must not use the old cohort (a
	 * use-after-free that ASan reports, and garbage on the status line) */
	{
		static const int down2[] = { TKEY_DOWN, TKEY_DOWN };

		keys(a, down2, 2);   /* AGE */
	}
	app_key(a, 'i');
	tap_ok(a->status != NULL && strcmp(a->status, "AGE is now ignore (saved in study.json)") == 0,
	    "i: the status line names the column (%s)", a->status ? a->status : "(none)");
	app_key(a, 'r');
	tap_ok(a->status != NULL && strcmp(a->status, "AGE is now continuous (saved in study.json)") == 0,
	    "r: the status line names the column (%s)", a->status ? a->status : "(none)");
	app_key(a, 'R');
	app_key(a, 'r');
	app_draw(a, cv);
	tap_ok(has(cv, "column 3 of 9") && a->cohort->cols[2].role == ROLE_CONTINUOUS,
	    "r r: the selection stays on AGE, continuous again");
	app_key(a, TKEY_DOWN);
	app_key(a, 's');
	tap_ok(a->status != NULL && strstr(a->status, "GENDER is now the sex column, female = F") != NULL,
	    "s: the status line names the column and the female level (%s)", a->status ? a->status : "(none)");
	app_key(a, TKEY_HOME);
	/* the top bar never cuts the study's name: the other tabs shrink */
	{
		char *dir0 = a->st->dir;

		a->st->dir = xstrdup("/tmp/synthehr-study");
		app_draw(a, cv);
		tap_ok(has(cv, " 1 Load  2 Review  3 Prep  4 Train  5 Eval  6 Rank ") &&
		    has(cv, " synthehr-study\n"),
		    "top bar at 80 columns: tabs take short names so that synthehr-study shows whole");
		free(a->st->dir);
		a->st->dir = xstrdup("/tmp/a-study-named-for-the-spring-2027-cohort");
		app_draw(a, cv);
		tap_ok(has(cv, " 1 Load  2  3  4  5  6 ") && has(cv, " a-study-named-for-the-spring-2027-cohort\n"),
		    "top bar at 80 columns: a longer name and the tabs shrink to numbers");
		app_switch(a, SCREEN_EVAL);
		app_draw(a, cv);
		tap_ok(has(cv, " 1  2  3  4  5 Eval  6 ") && has(cv, " a-study-named-for-the-spring-2027-cohort\n"),
		    "... the current screen keeps its short name there (5 Eval)");
		app_switch(a, SCREEN_LOAD);
		free(a->st->dir);
		a->st->dir = dir0;
	}
	/* concept columns named from a phecode map's phecode_info.csv */
	{
		char *pi = util_path_join(dir, "phecode_info.csv");
		const char *csv = "\"phecode\",\"description\",\"groupnum\"\n\"401\",\"Hypertension\",7\n"
		    "\"250\",\"Diabetes mellitus\",3\n";
		static const int to401[] = { TKEY_HOME, TKEY_DOWN, TKEY_DOWN, TKEY_DOWN, TKEY_DOWN, TKEY_DOWN, TKEY_DOWN };

		util_write_file_atomic(pi, csv, strlen(csv), NULL);
		setenv("SYNTHEHR_PHECODES", dir, 1);
		tui_screens[SCREEN_LOAD]->reset(a);
		keys(a, to401, 7);
		app_draw(a, cv);
		tap_ok(has(cv, "levels / phecode") && has(cv, "0.0%  Diabetes mellitus") && has(cv, "phecode 401: Hypertension"),
		    "Load: concept columns carry their phecode descriptions ($SYNTHEHR_PHECODES)");
		unsetenv("SYNTHEHR_PHECODES");
		tui_screens[SCREEN_LOAD]->reset(a);
		app_key(a, TKEY_HOME);
		free(pi);
	}
	/* a screen's message does not follow to the next screen */
	app_switch(a, SCREEN_REVIEW);
	tap_ok(a->status == NULL, "switching screens clears the status line");
	app_switch(a, SCREEN_LOAD);

	app_switch(a, SCREEN_REVIEW);
	{
		static const int down4[] = { TKEY_DOWN, TKEY_DOWN, TKEY_DOWN, TKEY_DOWN };

		keys(a, down4, 4);   /* id, DIE_1y, AGE, GENDER, BMI */
	}
	app_draw(a, cv);
	golden(cv, "review-columns");
	tap_ok(has(cv, "BMI         num 83.3%"), "skim table: BMI numeric, complete 10 of 12");
	app_key(a, TKEY_ENTER);   /* the column's view */
	app_draw(a, cv);
	golden(cv, "review-column");
	tap_ok(has(cv, "2/12 missing (16.7%)"), "BMI: 2 of 12 missing");
	app_key(a, TKEY_ESC);

	app_key(a, 'o');
	app_draw(a, cv);
	golden(cv, "review-outliers");
	tap_ok(has(cv, "drops 3 patients (1 below, 2 above); 9 of 12 remain"),
	    "BMI outside [10, 60] drops 3 patients (5; 65 and 70)");
	/* lower the maximum from 60 to 30 by steps of 1: 31.2 and 33.3 join */
	app_key(a, TKEY_RIGHT);
	for (i = 0; i < 30; i++)
		app_key(a, '-');
	app_draw(a, cv);
	tap_ok(has(cv, "drops 5 patients (1 below, 4 above); 7 of 12 remain"),
	    "max 30: the count changes live to 5");
	golden(cv, "review-outliers-edited");
	{
		struct study *s;
		json_t *r;

		study_open(dir, &s, NULL);
		r = json_array_get(json_object_get(json_object_get(s->cfg, "prep"), "outliers"), 0);
		tap_near(js_num(r, "max", -1), 30, 1e-9, "the edited bound is saved in study.json");
		study_free(s);
	}
	app_key(a, 'm');
	app_draw(a, cv);
	golden(cv, "review-missing");

	app_switch(a, SCREEN_PREP);
	app_draw(a, cv);
	golden(cv, "prep");
	tap_ok(has(cv, "DIE_1y, n (%)") && has(cv, "3 (25.0%)"), "Table 1: 3 of 12 died (25.0%)");

	app_switch(a, SCREEN_TRAIN);
	app_draw(a, cv);
	golden(cv, "train");
	tap_ok(has(cv, "   10/10"), "train: run progress from loss.csv");
	app_key(a, 'v');
	app_draw(a, cv);
	golden(cv, "train-multiples");

	app_switch(a, SCREEN_EVAL);
	app_draw(a, cv);
	golden(cv, "eval");
	app_key(a, TKEY_RIGHT);   /* the panels that fit whole: TSTR on page 2 */
	app_draw(a, cv);
	tap_ok(has(cv, "0.9088±0.0050"), "evaluate: a value with its standard error");
	app_key(a, TKEY_LEFT);
	app_key(a, TKEY_ENTER);
	app_draw(a, cv);
	tap_ok(has(cv, "0.10% rows copy a training row, 25.00% repeat") && has(cv, "0.00% and 20.00%") &&
	    has(cv, "1 of 6 checked codes never produced"), "evaluate details: memorisation, its reference, CKV missing");
	app_key(a, TKEY_ESC);
	app_key(a, TKEY_DOWN);
	app_key(a, TKEY_ENTER);
	app_draw(a, cv);
	golden(cv, "eval-drill");
	tap_ok(has(cv, " FI      \u2191 0.8000       -  1/5 best") && has(cv, "dimension-wise distance (binary") &&
	    has(cv, "prevalence + relative continuous WD)"),
	    "details: the place as Rank counts it, the description whole (wrapped)");
	/* the real-data reference beside each value: metrics.json
	 * reference.values (DWD 0.41), TSTR and TRTS TRTR's AUROC (0.9253) */
	tap_ok(has(cv, "\u2502 metric     value    real  place") && has(cv, " DWD     \u2193 0.5235  0.4100  1/5 best") &&
	    has(cv, " TSTR    \u2191 0.9112  0.9253  1/5 best") &&
	    has(cv, "\u2502 real = the held-out test rows scored as a set"),
	    "details: a 'real' column (the held-out test rows scored as a set) and what it is");
	app_key(a, TKEY_ESC);
	app_key(a, TKEY_DOWN);   /* run-3: FI 0.65, tied with runs 4 and 5 */
	app_key(a, TKEY_ENTER);
	app_draw(a, cv);
	golden(cv, "eval-drill-tied");
	tap_ok(has(cv, " FI      \u2191  0.6500       -  4/5, 3 tied"),
	    "details: run 3's FI ties runs 4 and 5: place 4 of 5 for all three, as on the Rank screen");
	app_key(a, TKEY_ESC);
	app_draw(a, cv);
	/* bars in goodness space, the real-data reference in the scale: DWD
	 * lower is better, the reference 0.41 best (23 cells, its column the
	 * 23rd); run 2 (0.5235) 0.41/0.5235 x 23 = 18.01 cells, run 3
	 * (1.5588) 0.41/1.5588 x 23 = 6.05; every row marked at the reference */
	tap_ok(has(cv, "\u2502*run-2 " "\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588"
	    "\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588    \u2502  0.5235") &&
	    has(cv, "\u2502 run-3 \u2588\u2588\u2588\u2588\u2588\u2588                \u2502  1.5588"),
	    "evaluate: bars in goodness space against the reference (DWD: run 2 18 cells of 23, run 3 6)");
	tap_ok(has(cv, "\u2502 real  \u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
	    "\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2502  0.4100") &&
	    has(cv, "\u2502 real = the held-out test rows scored as a set"),
	    "evaluate: the real-data reference row (0.41), its line through the bars, and what it is");
	/* TSTR on the next page: the reference is TRTR's AUROC (metrics.json "trtr") */
	app_key(a, TKEY_RIGHT);
	app_draw(a, cv);
	tap_ok(has(cv, "TSTR \u2191") && has(cv, "\u2502  0.9253\u2502"), "evaluate: TSTR's reference is TRTR's AUROC (0.9253)");
	app_key(a, TKEY_LEFT);
	/* ASCII: the reference as '|', bars in eighths */
	{
		struct canvas *ca = canvas_new(80, 24, 1);

		app_draw(a, ca);
		tap_ok(has(ca, "|*run-2 ##################    |  0.5235") && has(ca, "| run-1 #########.            |  1.0244"),
		    "evaluate in ASCII: the reference '|', run 1's 0.41/1.0244 x 23 = 9.2 cells as #########.");
		canvas_free(ca);
	}
	app_key(a, TKEY_UP);
	app_key(a, TKEY_UP);

	app_switch(a, SCREEN_RANK);
	app_key(a, 'a');
	app_draw(a, cv);
	golden(cv, "rank-table-A");
	/* SPEC §5, profile A: each cell is the place and weight x place, the
	 * overall row their sums */
	tap_ok(has(cv, " metric   weight   run-2  run-1  run-3  run-4  run-5") &&
	    has(cv, " DWD     \u2193  0.10  1 0.10 3 0.30 5 0.50 4 0.40 2 0.20") &&
	    has(cv, " overall            1.80   2.30   3.20   3.70   4.00") &&
	    has(cv, " place                 1      2      3      4      5"),
	    "rank table: places, weight x place and overall per set (profile A, SPEC \u00a75)");
	tap_ok(has(cv, "why run-2 is before run-1 (1.80 against 2.30):") &&
	    has(cv, "gains DWD 0.20, TSTR 0.20, FI 0.20, CWC 0.10; loses most on CKV 0.20"),
	    "rank table: why run 2 beats run 1 (by hand: DWD 0.1x(3-1), TSTR 0.2x(2-1), FI 0.2x(2-1), CWC 0.1x(2-1); CKV 0.1x(4-2))");
	/* FI ties runs 3-5 (0.75 each): one place for all three, here and on Evaluate */
	tap_ok(has(cv, " FI      \u2191  0.20  1 0.20 2 0.40 4 0.80 4 0.80 4 0.80"), "rank table: tied sets share a place");
	app_key(a, TKEY_END);
	app_key(a, TKEY_PGUP);
	app_key(a, '+');
	app_draw(a, cv);
	tap_ok(has(cv, "profile A (edited, S saves)") && has(cv, " TRTS    \u2191  0.05"),
	    "End, PgUp: TRTS selected (row 11 - 5 = 6); + edits it and marks the profile edited");
	/* by hand, TRTS places 2 1 3 5 4 (runs 1-5) x 0.05 added */
	tap_ok(has(cv, " overall            1.85   2.40   3.35   3.95   4.20"),
	    "the overall row follows the weight at once (TRTS 0.05: 1.80+0.05, 2.30+0.10, ...)");
	app_key(a, 'a');
	tap_ok(a->confirm_q != NULL && strstr(a->confirm_q, "not saved") != NULL, "a with edited weights asks first");
	app_key(a, 'y');
	app_key(a, TKEY_HOME);
	app_key(a, 'v');   /* the ranking with its stability */
	app_draw(a, cv);
	golden(cv, "rank-A");
	tap_ok(has(cv, "1   run-2               1.8000") && has(cv, "2   run-1               2.3000") &&
	    has(cv, "5   run-5               4.0000"), "profile A: run 2 best (1.8), run 5 last (4.0) as SPEC §5");
	app_key(a, 'b');
	app_draw(a, cv);
	tap_ok(has(cv, "1   run-3               2.4000") && has(cv, "5   run-5               4.4000"),
	    "profile B: run 3 best (2.4), run 5 last (4.4) as SPEC §5");
	/* A, then MI 0.1 -> 0.6: by hand, run 1 becomes best with 2.3 + 0.5*3 = 3.8 */
	app_key(a, 'a');
	for (i = 0; i < 8; i++)
		app_key(a, TKEY_DOWN);   /* DWD CWC LCA MCA CKV TSTR TRTS FI -> MI */
	for (i = 0; i < 10; i++)
		app_key(a, '+');
	app_draw(a, cv);
	golden(cv, "rank-edited");
	tap_ok(has(cv, "1   run-1               3.8000") && has(cv, "sum 1.50"),
	    "MI weight 0.6: run 1 best with 3.8, sum 1.50 shown");
	app_key(a, 'n');
	app_draw(a, cv);
	tap_ok(has(cv, "sum 1.00") && has(cv, "1   run-1               2.5333"),
	    "normalised: sum 1, overall 3.8/1.5 = 2.5333");
	/* only NNAA weighted: every set has place 3 on it, so the two best tie
	 * and the why line says so instead of 'is before' */
	app_key(a, TKEY_HOME);
	for (i = 0; i < 12; i++) {
		int k;

		for (k = 0; k < 40; k++)
			app_key(a, '-');
		if (i == 10)   /* DWD CWC LCA MCA CKV TSTR TRTS FI MI AI -> NNAA */
			app_key(a, '+');
		app_key(a, TKEY_DOWN);
	}
	app_draw(a, cv);
	/* the list view: one place for all, and every set best (tied) in every jitter */
	{
		char *t = canvas_to_text(cv);

		tap_ok(count_of(t, "100% ") == 5 && has(cv, "1   run-5               0.1500"),
		    "NNAA alone, the list: all five share place 1 and are best (tied) in 100%% of the jitters");
		free(t);
	}
	app_key(a, 'v');
	app_draw(a, cv);
	tap_ok(has(cv, " tie (0.15 each); ") && !has(cv, " is before "),
	    "NNAA alone (every set in place 3): the two best tie, said as a tie");

	viewer_open(a, VIEW_HELP);
	app_draw(a, cv);
	golden(cv, "rank-help");
	app_key(a, TKEY_ESC);

	/* ASCII at 80x24 */
	canvas_free(cv);
	cv = canvas_new(80, 24, 1);
	app_switch(a, SCREEN_TRAIN);
	app_draw(a, cv);
	golden(cv, "train-ascii");
	{
		char *t = canvas_to_text(cv);
		const unsigned char *u;
		int ascii = 1;

		for (u = (const unsigned char *)t; *u; u++)
			if (*u > 126)
				ascii = 0;
		tap_ok(ascii, "ASCII mode draws only 7-bit characters");
		free(t);
	}
	/* every screen and view at sizes from tiny to large: nothing is drawn
	 * outside the canvas (cells are bounds-checked) and nothing crashes */
	{
		static const int sizes[][2] = { { 1, 1 }, { 10, 4 }, { 20, 6 }, { 40, 12 }, { 80, 24 }, { 132, 43 },
		    { 240, 70 } };
		static const int views[] = { 0, 'o', 'm', 'v', 'f', TKEY_ENTER };
		size_t z, v;
		int scr, drawn = 0;

		for (z = 0; z < SH_NELEM(sizes); z++) {
			canvas_resize(cv, sizes[z][0], sizes[z][1]);
			for (scr = 0; scr < SCREEN_COUNT; scr++) {
				app_switch(a, scr);
				for (v = 0; v < SH_NELEM(views); v++) {
					if (views[v] != 0 && scr != SCREEN_LOAD)
						app_key(a, views[v]);
					a->view = v == 3 ? VIEW_HELP : v == 4 ? VIEW_MESSAGES : VIEW_NONE;
					app_draw(a, cv);
					drawn++;
				}
				app_key(a, TKEY_ESC);
			}
		}
		a->view = VIEW_NONE;
		tap_ok(drawn == (int)(SH_NELEM(sizes) * SCREEN_COUNT * SH_NELEM(views)),
		    "%d frames of every screen at 1x1 to 240x70", drawn);
	}
	/* below 80x24 a notice instead of garbled screens; back at 80x24 the
	 * screen is whole again */
	canvas_resize(cv, 60, 20);
	app_switch(a, SCREEN_TRAIN);
	app_draw(a, cv);
	tap_ok(has(cv, "terminal too small (need 80x24)") && has(cv, "now 60x20") && !has(cv, "Settings"),
	    "60x20: 'terminal too small (need 80x24)' and nothing else");
	canvas_resize(cv, 80, 24);
	app_draw(a, cv);
	tap_ok(!has(cv, "terminal too small") && has(cv, "Settings") && has(cv, "6 Rank"),
	    "80x24 again: the Train screen and the top bar come back");
	/* resize: a small canvas redraws without overflow */
	canvas_resize(cv, 40, 12);
	app_switch(a, SCREEN_REVIEW);
	app_draw(a, cv);
	tap_ok(cv->w == 40 && cv->h == 12, "draws into a 40x12 canvas");

	/* the ':' line: commands run, errors go to the status line */
	i = app_command(a, "column SYSTOLIC");
	tap_ok(i == 0 && a->cur == SCREEN_REVIEW, ":column jumps to Review (%s)", a->status ? a->status : "");
	canvas_resize(cv, 80, 24);
	app_draw(a, cv);
	tap_ok(has(cv, "SYSTOLIC  (continuous") && has(cv, "2/12 missing"), ":column shows the column's view");
	tap_ok(app_command(a, "set epochs 7") == 0, ":set epochs 7");
	{
		struct study *s;

		study_open(dir, &s, NULL);
		tap_ok(js_int(json_object_get(s->cfg, "train"), "epochs", 0) == 7, ":set writes study.json train.epochs");
		study_free(s);
	}
	tap_ok(app_command(a, "set epochs lots") == -1 && a->status_role == THEME_ERROR &&
	    strstr(a->status, "'lots' is not a number (expected integer") != NULL, ":set with a bad value explains");
	tap_ok(app_command(a, "help") == 0 && a->view == VIEW_HELP, ":help opens the keys page");
	app_draw(a, cv);
	tap_ok(has(cv, "Keys of the Review screen"), ":help starts with the screen's keys");
	{
		/* every command of the table is on the page, whole: scroll through it */
		const struct tui_command *c;
		char *seen = xstrdup(""), *t, *t2;
		int pages, all = 1;

		for (pages = 0; pages < 40; pages++) {
			t = canvas_to_text(cv);
			seen = xsprintf("%s\n%s", (t2 = seen), t);
			free(t2);
			free(t);
			app_key(a, TKEY_PGDN);
			app_draw(a, cv);
		}
		for (c = tui_command_table; c->name != NULL; c++) {
			char *want = xsprintf(":%s%s%s ", c->name, c->args[0] ? " " : "", c->args);

			if (strstr(seen, want) == NULL) {
				tap_diag("not on the :help page: '%s'", want);
				all = 0;
			}
			free(want);
		}
		tap_ok(all, ":help: every command of the table is listed whole (PgDn pages)");
		tap_ok(strstr(seen, "generate_rows ") != NULL && strstr(seen, "demo_concepts ") != NULL,
		    ":help: the settings are listed too");
		free(seen);
	}
	app_key(a, 'q');
	tap_ok(a->view == VIEW_NONE && !a->quit, "q closes the page (and does not quit)");
	tap_ok(app_command(a, "frobnicate") == -1 && strstr(a->status, "unknown command ':frobnicate'") != NULL,
	    "an unknown command is reported");
	tap_ok(app_command(a, "theme no-such") == -1 && strstr(a->status, "not found") != NULL,
	    ":theme with an unknown name is reported");

	/* an interrupted run is offered for resumption */
	{
		char *p = util_path_join(dir, "runs/run-1/state.json");
		json_t *st = json_pack("{s:i,s:s,s:i,s:i}", "run", 1, "status", "running", "epoch", 4, "epochs", 10);

		tap_ok(screen_train_interrupted(a) == 0, "no state.json: nothing to resume");
		js_write_file(p, st, NULL);
		tap_ok(screen_train_interrupted(a) == 1, "a run with status 'running' is offered for resumption");
		json_decref(st);
		free(p);
	}


	canvas_free(cv);
	app_free(a);
	{
		char *cmd = xsprintf("rm -rf '%.*s'", (int)(strrchr(dir, '/') - dir), dir);

		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
		free(cmd);
	}
	free(dir);
}

/* Five runs of 300 epochs whose critic loss starts with a warm-up spike
 * (2200 at epoch 1, as the demo's runs do) and settles near -2: the plot a
 * class sees must not be flattened by the spike, must name every run, show
 * the last epoch whole, and tell the runs apart without colour. */
static void
test_train_plot(void)
{
	char tmpl[] = "/tmp/synthehr-tui-XXXXXX", *dir, *p;
	struct app *a = app_new();
	struct canvas *cv = canvas_new(80, 24, 0);
	json_t *cfg;
	char *cause = NULL, *t;
	int r, e, i;

	if (mkdtemp(tmpl) == NULL)
		return;
	dir = util_path_join(tmpl, "spiky");
	util_mkdir_private(dir, NULL);
	p = util_path_join(dir, "study.json");
	cfg = json_pack("{s:i,s:{s:s},s:{s:s,s:i,s:i}}", "synthehr_study", 1, "source", "path", "none.csv",
	    "train", "preset", "quick", "runs", 5, "epochs", 300);
	js_write_file(p, cfg, NULL);
	json_decref(cfg);
	free(p);
	for (r = 1; r <= 5; r++) {
		struct sbuf { char *b; size_t n, cap; } sb = { NULL, 0, 0 };
		char line[128];

		p = xsprintf("%s/runs/run-%d", dir, r);
		util_mkdir_private(p, NULL);
		free(p);
		sb.cap = 300 * 64 + 64;
		sb.b = xcalloc(sb.cap, 1);
		sb.n = (size_t)snprintf(sb.b, sb.cap, "epoch,disc_loss,gen_loss,seconds\n");
		for (e = 1; e <= 300; e++) {
			double d = e == 1 ? 2200 : e == 2 ? 150 : -2 - 0.2 * r + 1.5 * exp(-e / 40.0);

			/* run r takes 0.1 r + 0.2 s an epoch: run 5 trains 300 epochs in 3:30 */
			snprintf(line, sizeof line, "%d,%.4f,%.4f,%.1f\n", e, d, e == 1 ? 900 : 0.5 + 0.1 * r,
			    e * (0.2 + 0.1 * r));
			memcpy(sb.b + sb.n, line, strlen(line));
			sb.n += strlen(line);
		}
		p = xsprintf("%s/runs/run-%d/loss.csv", dir, r);
		util_write_file_atomic(p, sb.b, sb.n, NULL);
		free(p);
		free(sb.b);
		/* the metric rule's scores at epochs 75, 100, ..., 300 (after
		 * ckpt_after 50): 10 r + (e - 100 - 25 r)^2 / 500, lowest at epoch
		 * 100 + 25 r, which is the chosen one (run 5: 225) */
		{
			json_t *cl = json_array(), *st;
			double best = HUGE_VAL;
			int be = 0;

			for (e = 75; e <= 300; e += 25) {
				double sc = 10 * r + (e - 100 - 25 * r) * (e - 100 - 25 * r) / 500.0;

				json_array_append_new(cl, json_pack("{s:i,s:f}", "epoch", e, "score", sc));
				if (sc < best) {
					best = sc;
					be = e;
				}
			}
			st = json_pack("{s:i,s:s,s:i,s:i,s:o,s:{s:i,s:f,s:b,s:s}}", "run", r, "status", "done", "epoch", 300,
			    "epochs", 300, "checkpoints", cl, "chosen", "epoch", be, "score", best, "fallback", 0, "rule", "metric");
			p = xsprintf("%s/runs/run-%d/state.json", dir, r);
			js_write_file(p, st, NULL);
			json_decref(st);
			free(p);
		}
	}
	a->headless = 1;
	if (app_open_study(a, dir, &cause) != 0) {
		tap_ok(0, "open the spiky study: %s", cause);
		free(cause);
		goto out;
	}
	tap_ok(a->cur == SCREEN_TRAIN, "a study with runs and no evaluation opens on Train");
	app_switch(a, SCREEN_TRAIN);
	app_draw(a, cv);
	golden(cv, "train-spiky");
	t = canvas_to_text(cv);
	/* by hand: the highest point after the spike is run 1's epoch 3,
	 * -2.2 + 1.5 exp(-3/40) = -0.808, the lowest run 5's last, -2.999;
	 * 3% of that span padded on: -0.74 and -3.00 */
	tap_ok(strstr(t, "2200") == NULL && strstr(t, "2e+03") == NULL && strstr(t, "  -0.74 ") != NULL &&
	    strstr(t, "  -3.00 ") != NULL, "train plot: the y range leaves out the warm-up spike (-3.00 to -0.74, not 2200)");
	tap_ok(strstr(t, "run 1 ") && strstr(t, "run 2 ") && strstr(t, "run 3 ") && strstr(t, "run 4 ") &&
	    strstr(t, "run 5 ") && strstr(t, "\u2501run 5"), "train plot: the legend lists all five runs");
	tap_ok(strstr(t, "epoch") != NULL && strstr(t, " 300\u2502") != NULL,
	    "train plot: the last epoch (300) is shown whole");
	tap_ok(strstr(t, "10 off, r: all") != NULL, "train plot: the 10 points left out (epochs 1-2 of 5 runs) are counted");
	free(t);
	app_key(a, 'r');
	app_draw(a, cv);
	golden(cv, "train-spiky-full");
	t = canvas_to_text(cv);
	tap_ok(strstr(t, "2200") != NULL && strstr(t, "r: robust") != NULL,
	    "r: the full range, spike included (2200)");
	free(t);
	app_key(a, 'r');
	/* ASCII, then UTF-8 without colour: a different mark per run, the same
	 * in the plot and in the legend */
	canvas_free(cv);
	cv = canvas_new(80, 24, 1);
	app_draw(a, cv);
	golden(cv, "train-spiky-ascii");
	t = canvas_to_text(cv);
	tap_ok(strstr(t, "*run 1 +run 2 orun 3 xrun 4 @run 5") != NULL,
	    "ASCII legend: a different mark per run (* + o x @)");
	free(t);
	canvas_free(cv);
	cv = canvas_new(80, 24, 0);
	a->colour = 0;
	app_draw(a, cv);
	golden(cv, "train-spiky-nocolour");
	t = canvas_to_text(cv);
	tap_ok(strstr(t, "*run 1 +run 2 orun 3 xrun 4 @run 5") != NULL && strstr(t, "@") != NULL,
	    "no colour: the runs' marks tell them apart in the plot and the legend");
	free(t);
	a->colour = 1;
	/* smoothing: EMA 0.9 over the robust points, the raw trace dimmed */
	app_key(a, 'e');
	app_draw(a, cv);
	golden(cv, "train-spiky-ema");
	tap_ok(has(cv, "critic loss per epoch, EMA 0.9, all runs") && has(cv, "  -0.74 ") && has(cv, "10 off"),
	    "e: the loss smoothed (EMA 0.9), the range still without the spike");
	/* the cursor at the last epoch reads every run's smoothed value: by
	 * hand the EMA of run 1 at epoch 300 */
	app_key(a, 'c');
	app_draw(a, cv);
	{
		double ema = NAN, v;
		char want[64];

		for (e = 3; e <= 300; e++) {
			v = -2 - 0.2 + 1.5 * exp(-e / 40.0);
			v = round(v * 1e4) / 1e4;   /* loss.csv holds 4 decimals */
			ema = e == 3 ? v : 0.9 * ema + 0.1 * v;
		}
		snprintf(want, sizeof want, "@300 %.4f", ema);
		t = canvas_to_text(cv);
		tap_ok(has(cv, "cursor: epoch 300") && has(cv, want) && count_of(t, "done @300 -") == 5,
		    "c: the cursor at epoch 300 reads out each of the 5 runs (run 1's EMA by hand: %s)", want);
		free(t);
	}
	app_key(a, 'e');
	app_key(a, 'e');   /* smoothing off again */
	for (i = 0; i < 200; i++)
		app_key(a, TKEY_LEFT);
	app_key(a, TKEY_HOME);
	app_draw(a, cv);
	tap_ok(has(cv, "cursor: epoch 1") && has(cv, "@1 2200"), "Home: the cursor at epoch 1 reads the raw spike (2200)");
	app_key(a, TKEY_END);
	app_key(a, TKEY_LEFT);
	app_draw(a, cv);
	golden(cv, "train-spiky-cursor");
	t = canvas_to_text(cv);
	tap_ok(strstr(t, "cursor: epoch 297") != NULL && count_of(t, "done @297 -") == 5,
	    "End, Left: one braille column back (300 - 299/91 epochs: 297); a value per run");
	free(t);
	app_key(a, 'c');
	/* hide run 3: out of the plot and the legend */
	app_key(a, 'h');
	app_key(a, '3');
	app_draw(a, cv);
	tap_ok(has(cv, "critic loss per epoch, 1 hidden") && !has(cv, "\u2501run 3") && has(cv, "\u2501run 4"),
	    "h 3: run 3 hidden from the plot and the legend");
	app_key(a, 'h');
	app_key(a, '3');
	app_draw(a, cv);
	tap_ok(has(cv, "\u2501run 3") && has(cv, "all runs"), "h 3 again: run 3 back");
	/* the wall-time axis: run 5 trained 300 x 0.7 s = 3:30 */
	app_key(a, 't');
	app_draw(a, cv);
	golden(cv, "train-spiky-time");
	tap_ok(has(cv, "critic loss by time") && has(cv, "0:00") && has(cv, "3:30\u2502"),
	    "t: the x axis in training time, 0:00 to 3:30 (run 5: 300 epochs of 0.7 s)");
	/* the cursor on the time axis: at 3:30 run 1 (done at 300 x 0.3 s =
	 * 1:30) reads its last loss, run 5 its own last */
	app_key(a, 'c');
	app_key(a, TKEY_END);
	app_draw(a, cv);
	tap_ok(has(cv, "cursor 3:30") && has(cv, "done @3:30 -2.1992") && has(cv, "done @3:30 -2.9992"),
	    "c on the time axis: at 3:30 each run's value (a finished run keeps its last)");
	app_key(a, 'c');
	app_key(a, 't');
	/* the checkpoint rule's score, the chosen epochs marked */
	app_key(a, 'f');
	app_draw(a, cv);
	golden(cv, "train-spiky-score");
	tap_ok(has(cv, "checkpoint score (quick DWD") && has(cv, "1:125") && has(cv, "5:225") &&
	    has(cv, "chosen 225"), "f: the checkpoint scores, each run's chosen epoch (100 + 25 r) named");
	t = canvas_to_text(cv);
	tap_ok(strstr(t, "\u25c6") != NULL, "f: the chosen checkpoints marked in the plot");
	free(t);
	app_key(a, 'f');
	app_key(a, 'v');
	app_draw(a, cv);
	golden(cv, "train-spiky-multiples");
	t = canvas_to_text(cv);
	tap_ok(strstr(t, "\u2501critic") != NULL && strstr(t, "\u2501generator") != NULL && strstr(t, "2200") == NULL,
	    "small multiples: a critic / generator legend, the spike left out");
	free(t);
out:
	canvas_free(cv);
	app_free(a);
	{
		char *cmd = xsprintf("rm -rf '%s'", tmpl);

		if (system(cmd) != 0)
			tap_diag("could not remove %s", tmpl);
		free(cmd);
	}
	free(dir);
}

int
main(void)
{
	srcdir = getenv("SRCDIR") != NULL ? getenv("SRCDIR") : "..";
	setenv("SYNTHEHR_THEME_DIR", "/nonexistent", 1);
	test_canvas_basics();
	test_theme();
	test_screens();
	test_train_plot();
	return tap_done();
}
