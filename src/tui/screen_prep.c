/* synthehr — GPL-3.0-or-later.
 * Screen 3, Preprocess: the cohort before and after the plan in the shape of
 * the paper's Table 1 (patients, age, sex, the race group, the label, the
 * continuous measurements with their missing counts, the most prevalent
 * concepts, the model-matrix width), what each step removed (outlier rows,
 * columns dropped for missingness, concepts pruned for low prevalence),
 * and a confirmation that runs 'synthehr prep' to write prep/. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/prep.h"
#include "synthehr/util.h"
#include "synthehr/study_read.h"
#include "tui/tui.h"

static struct {
	json_t *before, *after, *log;   /* summaries (prep_summary_to_json shape) and prep/log.json */
	int scroll;
	int stale;                      /* the plan changed since prep/ was written */
} pp;

static const char *const prep_keys[] = {
	"p\tpreprocess: confirm, then write prep/ (runs 'synthehr prep')",
	"Up/Down\tscroll the table",
	"r\tre-read prep/log.json",
	NULL,
};

static void
prep_reset(struct app *a)
{
	(void)a;
	json_decref(pp.before);
	json_decref(pp.after);
	json_decref(pp.log);
	pp.before = pp.after = pp.log = NULL;
	pp.scroll = 0;
}

static void
prep_load(struct app *a)
{
	char *p, *cause = NULL;

	prep_reset(a);
	if (a->st == NULL)
		return;
	p = NULL;
	if (study_read_prep_log(a->st, &pp.log, &cause) == 0) {
		pp.before = json_incref(json_object_get(pp.log, "before"));
		pp.after = json_incref(json_object_get(pp.log, "after"));
		/* stale when study.json's plan differs from the one applied */
		{
			json_t *plan = json_object_get(pp.log, "plan"), *cur = json_object_get(a->st->cfg, "prep");
			json_t *o;
			const char *k;
			json_t *v;
			int diff = 0;

			if (json_is_object(plan) && json_is_object(cur)) {
				json_object_foreach(plan, k, v) {
					o = json_object_get(cur, k);
					if (o != NULL && !json_equal(o, v))
						diff = 1;
				}
			}
			pp.stale = diff;
		}
	}
	free(cause);
	free(p);
	if (pp.before == NULL && a->cohort != NULL) {
		struct prep_summary s;

		prep_summary(a->cohort, &s);
		pp.before = prep_summary_to_json(&s);
		prep_summary_done(&s);
	}
}

static void
prep_enter(struct app *a)
{
	prep_load(a);
}

/* One Table-1 row: label, before, after. */
struct t1row {
	char label[48], before[32], after[32];
	int role;
};

static void
fmt_n_pct(char *buf, size_t n, json_t *count, double total)
{
	if (!json_is_integer(count)) {
		snprintf(buf, n, "-");
		return;
	}
	snprintf(buf, n, "%lld (%.1f%%)", (long long)json_integer_value(count),
	    total > 0 ? 100.0 * json_integer_value(count) / total : 0);
}

static void
fmt_mean_sd(char *buf, size_t n, json_t *o)
{
	json_t *m = json_object_get(o, "mean"), *s = json_object_get(o, "sd");

	if (!json_is_number(m)) {
		snprintf(buf, n, "-");
		return;
	}
	snprintf(buf, n, "%.1f (%.1f)", json_number_value(m), json_is_number(s) ? json_number_value(s) : NAN);
}

static int
build_rows(json_t *b, json_t *af, struct t1row *rows, int max)
{
	json_t *side[2] = { b, af };
	int n = 0, k;
	double tot[2];
	const char *key;
	json_t *v;
	size_t i;

	for (k = 0; k < 2; k++)
		tot[k] = (double)js_int(side[k], "patients", 0);
#define ROW(lbl) (n < max ? (memset(&rows[n], 0, sizeof rows[n]), snprintf(rows[n].label, \
    sizeof rows[n].label, "%s", lbl), &rows[n++]) : NULL)
	{
		struct t1row *r = ROW("Patients");

		for (k = 0; r && k < 2; k++)
			if (side[k] != NULL)
				snprintf(k ? r->after : r->before, 32, "%lld", (long long)js_int(side[k], "patients", 0));
		if (r) r->role = THEME_TITLE;
	}
	if (json_object_get(b, "age") != NULL) {
		struct t1row *r = ROW("Age, mean (SD)");

		for (k = 0; r && k < 2; k++)
			if (side[k] != NULL)
				fmt_mean_sd(k ? r->after : r->before, 32, json_object_get(side[k], "age"));
	}
	if (json_object_get(b, "female_pct") != NULL) {
		struct t1row *r = ROW("Female, %");

		for (k = 0; r && k < 2; k++)
			if (side[k] != NULL)
				snprintf(k ? r->after : r->before, 32, "%.1f%%", js_num(side[k], "female_pct", NAN));
	}
	if (json_object_get(b, "label") != NULL) {
		char l[48];
		struct t1row *r;

		snprintf(l, sizeof l, "%s, n (%%)", js_str(json_object_get(b, "label"), "name", "label"));
		r = ROW(l);
		for (k = 0; r && k < 2; k++)
			if (side[k] != NULL)
				fmt_n_pct(k ? r->after : r->before, 32,
				    json_object_get(json_object_get(side[k], "label"), "count"), tot[k]);
	}
	if (json_object_get(b, "group") != NULL) {
		json_t *cb = json_object_get(json_object_get(b, "group"), "counts");
		struct t1row *r;

		r = ROW(js_str(json_object_get(b, "group"), "name", "group"));
		if (r) r->role = THEME_DIM;
		json_object_foreach(cb, key, v) {
			char l[48];

			snprintf(l, sizeof l, "  %s", key);
			if ((r = ROW(l)) == NULL)
				break;
			for (k = 0; k < 2; k++)
				if (side[k] != NULL)
					fmt_n_pct(k ? r->after : r->before, 32, json_object_get(json_object_get(
					    json_object_get(side[k], "group"), "counts"), key), tot[k]);
		}
	}
	json_array_foreach(json_object_get(b, "continuous"), i, v) {
		const char *nm = js_str(v, "name", "?");
		char l[48];
		struct t1row *r;
		json_t *av = NULL, *x;
		size_t j;

		snprintf(l, sizeof l, "%s, mean (SD)", nm);
		if ((r = ROW(l)) == NULL)
			break;
		fmt_mean_sd(r->before, 32, v);
		json_array_foreach(json_object_get(af, "continuous"), j, x)
			if (strcmp(js_str(x, "name", ""), nm) == 0)
				av = x;
		if (af != NULL)
			fmt_mean_sd(r->after, 32, av);
		snprintf(l, sizeof l, "  missing");
		if ((r = ROW(l)) == NULL)
			break;
		r->role = THEME_DIM;
		fmt_n_pct(r->before, 32, json_object_get(v, "missing"), tot[0]);
		if (af != NULL)
			fmt_n_pct(r->after, 32, av ? json_object_get(av, "missing") : NULL, tot[1]);
	}
	json_array_foreach(json_object_get(b, "top_concepts"), i, v) {
		const char *nm = js_str(v, "name", "?");
		char l[48];
		struct t1row *r;
		json_t *av = NULL, *x;
		size_t j;

		snprintf(l, sizeof l, "concept %s, %%", nm);
		if ((r = ROW(l)) == NULL)
			break;
		snprintf(r->before, 32, "%.1f%%", 100 * js_num(v, "prevalence", NAN));
		json_array_foreach(json_object_get(af, "top_concepts"), j, x)
			if (strcmp(js_str(x, "name", ""), nm) == 0)
				av = x;
		if (af != NULL)
			snprintf(r->after, 32, av ? "%.1f%%" : "-", 100 * js_num(av, "prevalence", NAN));
	}
	{
		struct t1row *r = ROW("Model columns");

		for (k = 0; r && k < 2; k++)
			if (side[k] != NULL)
				snprintf(k ? r->after : r->before, 32, "%lld", (long long)js_int(side[k], "columns", 0));
	}
#undef ROW
	return n;
}

static void
prep_draw(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	struct t1row rows[64];
	int n, i, yy, tw = SH_MIN(w, 76) - 0, rowsh, ly;
	json_t *lp;

	if (pp.before == NULL)
		prep_load(a);
	if (pp.before == NULL) {
		canvas_text(cv, x + 2, y + 1, w - 4, THEME_DIM, "No cohort loaded: start on screen 1 (Load).");
		return;
	}
	canvas_text(cv, x + 1, y, w - 2, THEME_TITLE, pp.after != NULL ?
	    "Table 1: the cohort before and after preprocessing" :
	    "Table 1: the cohort before preprocessing (p runs the plan)");
	if (pp.stale)
		canvas_text_right(cv, x, y, w - 1, THEME_BAD, "plan changed since: p again");
	canvas_printf(cv, x + 1, y + 1, tw, THEME_DIM, "%-30s %20s %20s", "", "before", "after");
	n = build_rows(pp.before, pp.after, rows, (int)SH_NELEM(rows));
	rowsh = h - 2 - (pp.log != NULL ? 5 : 1);
	if (pp.scroll > n - rowsh) pp.scroll = n - rowsh;
	if (pp.scroll < 0) pp.scroll = 0;
	for (i = pp.scroll, yy = y + 2; i < n && yy < y + 2 + rowsh; i++, yy++) {
		canvas_printf(cv, x + 1, yy, tw, rows[i].role ? rows[i].role : THEME_NORMAL, "%-30.30s %20s %20s",
		    rows[i].label, rows[i].before, pp.after != NULL ? rows[i].after : "");
		if (pp.after != NULL && strcmp(rows[i].before, rows[i].after) != 0 && rows[i].role != THEME_TITLE)
			canvas_set_role(cv, x + 53, yy, 20, THEME_KEY);
	}
	ly = y + h - (pp.log != NULL ? 5 : 1);
	if (pp.log == NULL) {
		canvas_text(cv, x + 1, ly, w - 2, THEME_DIM, "prep/ not written yet: p applies the plan "
		    "(outliers, missingness, pruning, scaling, split).");
		return;
	}
	canvas_hline(cv, x, ly, w, THEME_BORDER);
	{
		size_t out_rows = 0, i2;
		json_t *v;
		char line[256];
		int off = 0;

		json_array_foreach(json_object_get(pp.log, "outliers"), i2, v)
			out_rows += (size_t)js_int(v, "removed", 0);
		lp = json_object_get(pp.log, "split");
		canvas_printf(cv, x + 1, ly + 1, w - 2, THEME_NORMAL,
		    "outlier rules removed %zu patients; split %lld train / %lld test; %lld model columns",
		    out_rows, (long long)js_int(lp, "train", 0), (long long)js_int(lp, "test", 0),
		    (long long)js_int(pp.log, "columns_out", 0));
		lp = json_object_get(pp.log, "low_prevalence");
		off = snprintf(line, sizeof line, "pruned %lld concepts below prevalence %g:",
		    (long long)js_int(lp, "dropped_count", 0), js_num(lp, "threshold", 5e-5));
		json_array_foreach(json_object_get(lp, "dropped"), i2, v)
			if (off < (int)sizeof line - 40)
				off += snprintf(line + off, sizeof line - off, " %s", js_str(v, "column", "?"));
		canvas_text(cv, x + 1, ly + 2, w - 2, THEME_NORMAL, line);
		lp = json_object_get(json_object_get(pp.log, "missing"), "columns_dropped");
		off = snprintf(line, sizeof line, "dropped for missingness:");
		if (json_array_size(lp) == 0)
			snprintf(line + off, sizeof line - off, " none");
		json_array_foreach(lp, i2, v)
			if (off < (int)sizeof line - 40)
				off += snprintf(line + off, sizeof line - off, " %s",
				    json_is_string(v) ? json_string_value(v) : js_str(v, "column", "?"));
		canvas_text(cv, x + 1, ly + 3, w - 2, THEME_NORMAL, line);
		/* Generator encodings prep chose (quick preset; tutorial: min–max). */
		off = snprintf(line, sizeof line, "encodings (quick; tutorial: min-max):");
		json_array_foreach(json_object_get(pp.log, "encodings"), i2, v)
			if (strcmp(js_str(v, "encoding", "minmax"), "minmax") != 0 && off < (int)sizeof line - 40)
				off += snprintf(line + off, sizeof line - off, " %s %s", js_str(v, "column", "?"),
				    js_str(v, "encoding", "?"));
		if (json_array_size(json_object_get(pp.log, "encodings")) == 0)
			snprintf(line + off, sizeof line - off, " none (prep again to choose)");
		canvas_text(cv, x + 1, ly + 4, w - 2, THEME_NORMAL, line);
	}
}

static void
prep_done(struct app *a, int rc)
{
	if (rc == 0) {
		prep_load(a);
		app_status(a, "prep/ written: next, 4 Train");
	}
}

static void
prep_yes(struct app *a)
{
	struct stage_req q;
	char *cause = NULL;

	memset(&q, 0, sizeof q);
	q.stage = STAGE_PREP;
	q.study = a->st->dir;
	if (job_submit(a, &q, prep_done, &cause) != 0)
		app_error(a, cause);
	else
		app_status(a, "preprocessing ...");
}

int
screen_prep_start(struct app *a)
{
	if (a->st == NULL) {
		app_error(a, xstrdup("no study is open (screen 1)"));
		return -1;
	}
	app_confirm(a, "Apply the plan and write prep/ (replaces earlier results)?", prep_yes);
	return 0;
}

static int
prep_key(struct app *a, int key)
{
	switch (key) {
	case 'p': case TKEY_ENTER:
		screen_prep_start(a);
		return TUI_REDRAW;
	case TKEY_UP: case 'k': pp.scroll--; return TUI_REDRAW;
	case TKEY_DOWN: case 'j': pp.scroll++; return TUI_REDRAW;
	case TKEY_PGUP: pp.scroll -= 10; return TUI_REDRAW;
	case TKEY_PGDN: pp.scroll += 10; return TUI_REDRAW;
	case 'r': prep_load(a); return TUI_REDRAW;
	}
	return TUI_UNHANDLED;
}

const struct screen screen_prep = {
	.name = "Preprocess",
	.keys = prep_keys,
	.enter = prep_enter,
	.draw = prep_draw,
	.key = prep_key,
	.reset = prep_reset,
};
