/* synthehr — GPL-3.0-or-later.
 * Screen 2, Review: three panes over the source cohort.
 *  c  columns: the column list (sortable by name order, missing % or
 *     flags) and a detail pane with statistics and the text histogram;
 *  o  outliers: the plan's rules with the patients each affects, editable
 *     bounds, action and switch, and a live preview (count and histogram
 *     after the rule) recomputed on every keystroke by prep_rule_count and
 *     prep_rule_preview;
 *  m  missingness: the column drop threshold, the default imputation and
 *     a method per column.
 * Every edit is written to study.json "prep" at once (prep_plan_save). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/hist.h"
#include "synthehr/prep.h"
#include "synthehr/util.h"
#include "tui/tui.h"

enum { PANE_COLUMNS, PANE_OUTLIERS, PANE_MISSING };
enum { SORT_ORDER, SORT_MISSING, SORT_FLAGS, SORT_COUNT };

static struct {
	int loaded;                /* plan and counts valid for the current cohort */
	struct prep_plan plan;
	struct prep_count *cnt;    /* [plan.nrules] */
	int *cnt_ok;               /* [plan.nrules] */
	int pane, sort;
	int *order;                /* [ncols] display order of columns */
	int ncols;
	int csel, ctop;            /* columns pane: index into order */
	int rsel, field;           /* outliers pane: rule, field */
	int msel, mtop;            /* missing pane */
	int *mcols, nm;            /* columns with missing values */
	int vcol;                  /* column whose sorted observed values are cached, -1 */
	double *vals;              /* [nvals] sorted observed values of vcol */
	size_t nvals;
} rv = { .vcol = -1 };

static const char *const review_keys[] = {
	"c o m\tpanes: columns, outlier rules, missingness",
	"Up/Down\tselect a column / rule",
	"s\tcolumns: sort by order, missing %, flags",
	"Left/Right\toutliers: choose the field (min, max, action, on)",
	"+ / -\traise / lower the field (threshold, k, percent)",
	"Enter\ttype a value for the field (empty: unbounded)",
	"a\ttoggle the rule's action (drop / clip)",
	"Space\tswitch the rule on / off; missing: next method",
	"n\tnew range rule on the selected column",
	"D\tdelete the selected rule",
	"[ / ]\tmissing: lower / raise the drop threshold",
	"d\tmissing: cycle the default imputation",
	NULL,
};

static void
review_reset(struct app *a)
{
	(void)a;
	if (rv.loaded)
		prep_plan_done(&rv.plan);
	free(rv.cnt);
	free(rv.cnt_ok);
	free(rv.order);
	free(rv.mcols);
	rv.cnt = NULL;
	rv.cnt_ok = NULL;
	rv.order = NULL;
	rv.mcols = NULL;
	rv.loaded = 0;
	free(rv.vals);
	rv.vals = NULL;
	rv.vcol = -1;
	rv.csel = rv.ctop = rv.rsel = rv.field = rv.msel = rv.mtop = 0;
}

static void
recount(struct app *a)
{
	int i;

	free(rv.cnt);
	free(rv.cnt_ok);
	rv.cnt = xcalloc(rv.plan.nrules + 1, sizeof *rv.cnt);
	rv.cnt_ok = xcalloc(rv.plan.nrules + 1, sizeof *rv.cnt_ok);
	for (i = 0; i < rv.plan.nrules; i++) {
		char *cause = NULL;

		rv.cnt_ok[i] = prep_rule_count(a->cohort, &rv.plan.rules[i], &rv.cnt[i], &cause) == 0;
		free(cause);
	}
}

/* Flags of a column: 1 missing, 2 an outlier rule affects it, 4 dropped by the threshold. */
static int
col_flags(struct app *a, int c)
{
	const struct column *col = &a->cohort->cols[c];
	int f = 0, i;

	if (col->nmissing > 0)
		f |= 1;
	if (a->cohort->nrows > 0 && (double)col->nmissing / a->cohort->nrows > rv.plan.drop_above)
		f |= 4;
	for (i = 0; i < rv.plan.nrules; i++)
		if (rv.plan.rules[i].enabled && rv.cnt_ok[i] && rv.cnt[i].affected > 0 &&
		    (strcmp(rv.plan.rules[i].column, col->name) == 0 ||
		    (rv.plan.rules[i].right != NULL && strcmp(rv.plan.rules[i].right, col->name) == 0)))
			f |= 2;
	return f;
}

static struct app *sort_app;
static int
cmp_cols(const void *pa, const void *pb)
{
	int x = *(const int *)pa, y = *(const int *)pb;
	const struct column *cx = &sort_app->cohort->cols[x], *cy = &sort_app->cohort->cols[y];

	if (rv.sort == SORT_MISSING && cx->nmissing != cy->nmissing)
		return cx->nmissing > cy->nmissing ? -1 : 1;
	if (rv.sort == SORT_FLAGS) {
		int fx = col_flags(sort_app, x), fy = col_flags(sort_app, y);

		if (fx != fy)
			return fx > fy ? -1 : 1;
	}
	return x - y;
}

static void
resort(struct app *a)
{
	int i;

	free(rv.order);
	rv.ncols = a->cohort->ncols;
	rv.order = xcalloc(rv.ncols + 1, sizeof *rv.order);
	for (i = 0; i < rv.ncols; i++)
		rv.order[i] = i;
	sort_app = a;
	qsort(rv.order, rv.ncols, sizeof *rv.order, cmp_cols);
	free(rv.mcols);
	rv.mcols = xcalloc(rv.ncols + 1, sizeof *rv.mcols);
	rv.nm = 0;
	for (i = 0; i < rv.ncols; i++)
		if (a->cohort->cols[i].nmissing > 0)
			rv.mcols[rv.nm++] = i;
}

static int
ensure(struct app *a)
{
	char *cause = NULL;

	if (rv.loaded)
		return 0;
	if (a->st == NULL || a->cohort == NULL)
		return -1;
	if (prep_plan_load(a->st, a->cohort, &rv.plan, &cause) != 0) {
		app_error(a, cause);
		prep_plan_default(&rv.plan, a->cohort);
	}
	rv.loaded = 1;
	recount(a);
	resort(a);
	return 0;
}

/* Write the edited plan (merging into a fresh copy of study.json). */
static void
save_plan(struct app *a)
{
	char *cause = NULL;

	recount(a);
	app_study_reload(a);
	if (prep_plan_save(a->st, &rv.plan, &cause) != 0)
		app_error(a, cause);
}

static void
review_enter(struct app *a)
{
	if (rv.loaded)
		return;
	ensure(a);
}

/* Histogram lines from hist.h into the canvas, roles per cell. */
static void
draw_hist(struct canvas *cv, int x, int y, int w, int h, const struct hist *hg, const uint8_t *bin_out,
    const char *unit)
{
	struct hist_style st;
	struct hist_lines hl;
	int i;

	memset(&st, 0, sizeof st);
	st.width = w < 20 ? 20 : w;
	st.height = h - 2 < 2 ? 2 : h - 2;
	st.ascii = cv->ascii;
	st.bin_out = bin_out;
	st.unit = unit;
	hist_render(hg, &st, &hl);
	for (i = 0; i < hl.n && i < h; i++) {
		const char *s = hl.text[i];
		int col = 0;
		uint32_t c;

		while (*s != '\0' && col < w) {
			int r = hl.role[i][col], role;

			s += canvas_utf8_decode(s, &c);
			role = r == HIST_ROLE_BAR ? THEME_HIST_BAR : r == HIST_ROLE_BAR_OUT ? THEME_BAD :
			    r == HIST_ROLE_AXIS ? THEME_DIM : THEME_NORMAL;
			canvas_put(cv, x + col, y + i, c, role);
			col++;
		}
	}
	hist_lines_free(&hl);
}

/* Observed numeric values of a column (NaN for missing), caller frees. */
static double *
col_values(const struct cohort *c, int col)
{
	double *v = xcalloc(c->nrows + 1, sizeof *v);
	size_t i;

	for (i = 0; i < c->nrows; i++)
		v[i] = cohort_value(c, col, i);
	return v;
}

static void
draw_detail(struct app *a, struct canvas *cv, int x, int y, int w, int h, int c)
{
	const struct cohort *co = a->cohort;
	const struct column *col = &co->cols[c];
	double *v, sum = 0, ss = 0, mean, sd;
	size_t n = 0, i;
	char b1[32], b2[32], b3[32];

	/* the observed values, sorted once per column (frames redraw often) */
	if (rv.vcol != c) {
		free(rv.vals);
		rv.vals = col_values(co, c);
		for (i = 0; i < co->nrows; i++)
			if (rv.vals[i] == rv.vals[i])
				rv.vals[n++] = rv.vals[i];
		qsort(rv.vals, n, sizeof *rv.vals, util_cmp_double);
		rv.nvals = n;
		rv.vcol = c;
	}
	v = rv.vals;
	n = rv.nvals;

	canvas_box(cv, x, y, w, h, THEME_BORDER, col->name);
	canvas_printf(cv, x + 2, y + 1, w - 4, THEME_NORMAL, "%s %s, %zu/%zu missing (%.1f%%)",
	    cohort_role_name(col->role), cohort_kind_name(col->kind), col->nmissing, co->nrows,
	    co->nrows ? 100.0 * col->nmissing / co->nrows : 0);
	if (n == 0 || col->kind == KIND_TEXT) {
		canvas_text(cv, x + 2, y + 3, w - 4, THEME_DIM, col->kind == KIND_TEXT ?
		    "identifiers: no statistics" : "no observed values");
		return;
	}
	for (i = 0; i < n; i++)
		sum += v[i];
	mean = sum / n;
	for (i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	sd = n > 1 ? sqrt(ss / (n - 1)) : 0;
	if (col->kind == KIND_BINARY) {
		canvas_printf(cv, x + 2, y + 2, w - 4, THEME_NORMAL, "prevalence %.2f%% (%.0f of %zu)",
		    100 * mean, sum, n);
		return;
	}
	if (col->kind == KIND_CATEGORICAL) {
		size_t *cnt = xcalloc(col->nlevels + 1, sizeof *cnt);
		int k;

		for (i = 0; i < n; i++)
			if (v[i] >= 0 && v[i] < col->nlevels)
				cnt[(int)v[i]]++;
		for (k = 0; k < col->nlevels && k < h - 4; k++) {
			canvas_printf(cv, x + 2, y + 2 + k, 16, THEME_NORMAL, "%-15.15s", col->levels[k]);
			canvas_printf(cv, x + 18, y + 2 + k, 8, THEME_NORMAL, "%5.1f%%", 100.0 * cnt[k] / n);
			canvas_bar(cv, x + 26, y + 2 + k, w - 28, (double)cnt[k] / n, THEME_HIST_BAR);
		}
		free(cnt);
		return;
	}
	canvas_printf(cv, x + 2, y + 2, w - 4, THEME_NORMAL, "mean %s  sd %s  median %s",
	    tui_fmt(b1, sizeof b1, mean), tui_fmt(b2, sizeof b2, sd), tui_fmt(b3, sizeof b3, v[n / 2]));
	canvas_printf(cv, x + 2, y + 3, w - 4, THEME_NORMAL, "min %s  p1 %s  max %s",
	    tui_fmt(b1, sizeof b1, v[0]), tui_fmt(b2, sizeof b2, v[(size_t)(0.01 * (n - 1))]),
	    tui_fmt(b3, sizeof b3, v[n - 1]));
	if (h > 8) {
		struct hist hg;

		hist_build(&hg, v, n, w - 4 < HIST_MAX_BINS ? w - 4 : HIST_MAX_BINS);
		draw_hist(cv, x + 1, y + 4, w - 2, h - 5, &hg, NULL, NULL);
		hist_done(&hg);
	}
}

static void
draw_columns(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	static const char *const sorts[SORT_COUNT] = { "order", "missing %", "flags" };
	int lw = 34, rows = h - 2, i, yy;

	canvas_printf(cv, x + 1, y, lw, THEME_DIM, "%-18s %7s %5s", "column", "miss%", "flags");
	canvas_printf(cv, x + 1, y + h - 1, lw, THEME_DIM, "sort: %s (s)", sorts[rv.sort]);
	if (rv.csel >= rv.ncols) rv.csel = rv.ncols - 1;
	if (rv.csel < 0) rv.csel = 0;
	if (rv.csel < rv.ctop) rv.ctop = rv.csel;
	if (rv.csel >= rv.ctop + rows) rv.ctop = rv.csel - rows + 1;
	for (i = rv.ctop, yy = y + 1; i < rv.ncols && yy < y + 1 + rows; i++, yy++) {
		int c = rv.order[i], f = col_flags(a, c), role = i == rv.csel ? THEME_SELECTED : THEME_NORMAL;
		const struct column *col = &a->cohort->cols[c];
		char fl[4] = "   ";

		if (f & 1) fl[0] = 'M';
		if (f & 2) fl[1] = 'O';
		if (f & 4) fl[2] = 'D';
		canvas_fill(cv, x, yy, lw, 1, ' ', role);
		canvas_printf(cv, x + 1, yy, lw - 1, role, "%-18.18s %6.1f%% %5s", col->name,
		    a->cohort->nrows ? 100.0 * col->nmissing / a->cohort->nrows : 0, fl);
		if (f != 0 && i != rv.csel)
			canvas_set_role(cv, x + 28, yy, 5, THEME_KEY);
	}
	if (rv.ncols > 0)
		draw_detail(a, cv, x + lw + 1, y, w - lw - 1, h, rv.order[rv.csel]);
}

static const char *const field_names[] = { "min", "max", "action", "on" };

static void
draw_outliers(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	int i, yy, list = SH_MIN(rv.plan.nrules, 7), top = 0, c;
	char desc[160];

	if (rv.plan.nrules == 0) {
		canvas_text(cv, x + 1, y + 1, w - 2, THEME_DIM,
		    "No outlier rules.  n adds a range rule on the column selected in pane c.");
		return;
	}
	if (rv.rsel >= rv.plan.nrules) rv.rsel = rv.plan.nrules - 1;
	if (rv.rsel < 0) rv.rsel = 0;
	if (rv.rsel >= list) top = rv.rsel - list + 1;
	canvas_printf(cv, x + 1, y, w - 2, THEME_DIM, "%-3s %-44s %10s %8s", "on", "rule", "patients", "%");
	for (i = top, yy = y + 1; i < rv.plan.nrules && yy < y + 1 + list; i++, yy++) {
		const struct prep_rule *r = &rv.plan.rules[i];
		int role = i == rv.rsel ? THEME_SELECTED : r->enabled ? THEME_NORMAL : THEME_DIM;

		prep_rule_describe(r, desc, sizeof desc);
		canvas_fill(cv, x, yy, w, 1, ' ', role);
		canvas_printf(cv, x + 1, yy, w - 2, role, "%-3s %-44.44s", r->enabled ? "[x]" : "[ ]", desc);
		if (rv.cnt_ok[i])
			canvas_printf(cv, x + 49, yy, w - 50, role, "%10zu %7.2f%%", rv.cnt[i].affected,
			    a->cohort->nrows ? 100.0 * rv.cnt[i].affected / a->cohort->nrows : 0);
		else
			canvas_text(cv, x + 49, yy, w - 50, THEME_ERROR, "  (column missing)");
	}
	/* the editor and live preview of the selected rule */
	{
		struct prep_rule *r = &rv.plan.rules[rv.rsel];
		int by = y + 2 + list, f, fx = x + 1;
		char b[32];

		canvas_hline(cv, x, by - 1, w, THEME_BORDER);
		for (f = 0; f < 4; f++) {
			char val[48];

			if (f == 0 || f == 1) {
				double v = r->type == PREP_RULE_RANGE ? (f == 0 ? r->min : r->max) :
				    r->type == PREP_RULE_IQR ? (f == 0 ? r->k : NAN) :
				    r->type == PREP_RULE_PERCENTILE ? (f == 0 ? r->lo : r->hi) : NAN;
				const char *nm = r->type == PREP_RULE_IQR ? (f == 0 ? "k" : "-") :
				    r->type == PREP_RULE_PERCENTILE ? (f == 0 ? "lo%" : "hi%") :
				    r->type == PREP_RULE_CROSS ? "-" : field_names[f];

				snprintf(val, sizeof val, "%s %s", nm, v == v ? tui_fmt(b, sizeof b, v) :
				    r->type == PREP_RULE_RANGE ? "none" : "");
			} else if (f == 2)
				snprintf(val, sizeof val, "action %s", r->action == PREP_ACTION_DROP ? "drop" : "clip");
			else
				snprintf(val, sizeof val, "%s", r->enabled ? "on" : "off");
			fx += canvas_text(cv, fx, by, -1, f == rv.field ? THEME_SELECTED : THEME_KEY, val);
			fx += canvas_text(cv, fx, by, -1, THEME_NORMAL, "   ");
		}
		if (rv.cnt_ok[rv.rsel]) {
			size_t n = a->cohort->nrows, aff = rv.cnt[rv.rsel].affected;

			canvas_printf(cv, x + 1, by + 1, w - 2, THEME_NORMAL,
			    "%s %zu patients (%zu below, %zu above); %zu of %zu %s",
			    r->action == PREP_ACTION_DROP ? "drops" : "clips", aff, rv.cnt[rv.rsel].below,
			    rv.cnt[rv.rsel].above, r->action == PREP_ACTION_DROP ? n - aff : n, n,
			    r->action == PREP_ACTION_DROP ? "remain" : "kept");
		}
		c = cohort_find(a->cohort, r->column);
		if (c >= 0 && a->cohort->cols[c].kind == KIND_NUMERIC && h - (by + 2 - y) >= 5) {
			double *v = col_values(a->cohort, c);
			struct hist before, after;
			uint8_t out[HIST_MAX_BINS];
			char *cause = NULL;

			hist_build(&before, v, a->cohort->nrows, SH_MIN(w - 4, HIST_MAX_BINS));
			memset(out, 0, sizeof out);
			if (prep_rule_preview(a->cohort, r, &before, &after, out, &cause) == 0) {
				draw_hist(cv, x + 1, by + 2, w - 2, h - (by + 2 - y), &after, out, NULL);
				hist_done(&after);
			} else {
				draw_hist(cv, x + 1, by + 2, w - 2, h - (by + 2 - y), &before, NULL, NULL);
				free(cause);
			}
			hist_done(&before);
			free(v);
		}
	}
}

static void
draw_missing(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	int i, yy, rows = h - 3;

	canvas_printf(cv, x + 1, y, w - 2, THEME_NORMAL,
	    "drop columns missing more than %.0f%%  ([ ])     default imputation: %s  (d)",
	    100 * rv.plan.drop_above, prep_impute_name(rv.plan.impute));
	canvas_printf(cv, x + 1, y + 1, w - 2, THEME_DIM, "%-24s %8s  %-10s %s", "column", "missing",
	    "method", "");
	if (rv.nm == 0) {
		canvas_text(cv, x + 1, y + 2, w - 2, THEME_GOOD, "No column has missing values.");
		return;
	}
	if (rv.msel >= rv.nm) rv.msel = rv.nm - 1;
	if (rv.msel < 0) rv.msel = 0;
	if (rv.msel < rv.mtop) rv.mtop = rv.msel;
	if (rv.msel >= rv.mtop + rows) rv.mtop = rv.msel - rows + 1;
	for (i = rv.mtop, yy = y + 2; i < rv.nm && yy < y + 2 + rows; i++, yy++) {
		const struct column *col = &a->cohort->cols[rv.mcols[i]];
		double frac = a->cohort->nrows ? (double)col->nmissing / a->cohort->nrows : 0;
		int role = i == rv.msel ? THEME_SELECTED : THEME_NORMAL, k, m = -1;

		for (k = 0; k < rv.plan.nimp; k++)
			if (strcmp(rv.plan.imp_col[k], col->name) == 0)
				m = rv.plan.imp_method[k];
		canvas_fill(cv, x, yy, w, 1, ' ', role);
		canvas_printf(cv, x + 1, yy, w - 2, role, "%-24.24s %7.1f%%  %-10s %s", col->name, 100 * frac,
		    frac > rv.plan.drop_above ? "-" : prep_impute_name(m >= 0 ? (enum prep_impute)m : rv.plan.impute),
		    frac > rv.plan.drop_above ? "column dropped (above the threshold)" : m >= 0 ? "" : "(default)");
		if (frac > rv.plan.drop_above && i != rv.msel)
			canvas_set_role(cv, x + 45, yy, w - 46, THEME_BAD);
	}
}

static void
review_draw(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	static const char *const panes[] = { "c Columns", "o Outliers", "m Missingness" };
	int i, px = x + 1;

	if (a->cohort == NULL || ensure(a) != 0) {
		canvas_text(cv, x + 2, y + 1, w - 4, THEME_DIM, "No cohort loaded: start on screen 1 (Load).");
		return;
	}
	for (i = 0; i < 3; i++) {
		px += canvas_text(cv, px, y, -1, i == rv.pane ? THEME_TAB_ACTIVE : THEME_TAB, panes[i]);
		px += canvas_text(cv, px, y, -1, THEME_NORMAL, " ");
	}
	canvas_printf(cv, px + 1, y, x + w - px - 2, THEME_DIM, "%zu patients, %d rules",
	    a->cohort->nrows, rv.plan.nrules);
	if (rv.pane == PANE_COLUMNS)
		draw_columns(a, cv, x, y + 1, w, h - 1);
	else if (rv.pane == PANE_OUTLIERS)
		draw_outliers(a, cv, x, y + 1, w, h - 1);
	else
		draw_missing(a, cv, x, y + 1, w, h - 1);
}

static double
step_for(double v)
{
	double av = fabs(v);

	if (!(av == av) || av < 10)
		return av < 1 && av > 0 ? 0.1 : 1;
	return av < 100 ? 1 : pow(10, floor(log10(av)) - 1);
}

static double *
field_ptr(struct prep_rule *r, int f)
{
	if (r->type == PREP_RULE_RANGE)
		return f == 0 ? &r->min : f == 1 ? &r->max : NULL;
	if (r->type == PREP_RULE_IQR)
		return f == 0 ? &r->k : NULL;
	if (r->type == PREP_RULE_PERCENTILE)
		return f == 0 ? &r->lo : f == 1 ? &r->hi : NULL;
	return NULL;
}

static void
got_value(struct app *a, char *line)
{
	struct prep_rule *r;
	double *p, d;

	if (line == NULL || !rv.loaded || rv.rsel >= rv.plan.nrules) {
		free(line);
		return;
	}
	r = &rv.plan.rules[rv.rsel];
	if ((p = field_ptr(r, rv.field)) != NULL) {
		if (*line == '\0' && r->type == PREP_RULE_RANGE)
			*p = NAN;
		else if (util_parse_double(line, strlen(line), &d) != 0)
			app_error(a, xsprintf("'%s' is not a number", line));
		else
			*p = d;
		save_plan(a);
	}
	free(line);
}

static int
outliers_key(struct app *a, int key)
{
	struct prep_rule *r = rv.plan.nrules > 0 ? &rv.plan.rules[rv.rsel] : NULL;
	double *p;

	switch (key) {
	case TKEY_UP: case 'k': rv.rsel--; return TUI_REDRAW;
	case TKEY_DOWN: case 'j': rv.rsel++; return TUI_REDRAW;
	case TKEY_LEFT: case 'h': rv.field = (rv.field + 3) % 4; return TUI_REDRAW;
	case TKEY_RIGHT: case 'l': rv.field = (rv.field + 1) % 4; return TUI_REDRAW;
	case 'n': {
		struct prep_rule nr;
		int c = rv.ncols > 0 ? rv.order[rv.csel] : -1;

		if (c < 0 || a->cohort->cols[c].kind != KIND_NUMERIC || a->cohort->cols[c].role != ROLE_CONTINUOUS) {
			app_error(a, xstrdup("select a continuous column in pane c first"));
			return TUI_REDRAW;
		}
		memset(&nr, 0, sizeof nr);
		nr.type = PREP_RULE_RANGE;
		nr.column = a->cohort->cols[c].name;
		nr.min = NAN;
		nr.max = NAN;
		nr.action = PREP_ACTION_DROP;
		nr.enabled = 1;
		prep_plan_add_rule(&rv.plan, &nr);
		rv.rsel = rv.plan.nrules - 1;
		rv.field = 0;
		save_plan(a);
		app_status(a, "new rule on %s: Enter types a bound", nr.column);
		return TUI_REDRAW;
	}
	}
	if (r == NULL)
		return TUI_UNHANDLED;
	switch (key) {
	case '+': case '=': case '-': case '_':
		if (rv.field == 2)
			r->action = r->action == PREP_ACTION_DROP ? PREP_ACTION_CLIP : PREP_ACTION_DROP;
		else if (rv.field == 3)
			r->enabled = !r->enabled;
		else if ((p = field_ptr(r, rv.field)) != NULL) {
			if (*p != *p) {
				/* an open bound starts from the observed extreme */
				int c = cohort_find(a->cohort, r->column);
				size_t i;
				double e = NAN;

				for (i = 0; c >= 0 && i < a->cohort->nrows; i++) {
					double v = cohort_value(a->cohort, c, i);

					if (v == v && (e != e || (rv.field == 0 ? v < e : v > e)))
						e = v;
				}
				*p = e == e ? floor(e) : 0;
			}
			*p += (key == '+' || key == '=' ? 1 : -1) * step_for(*p);
		} else
			return TUI_REDRAW;
		save_plan(a);
		return TUI_REDRAW;
	case 'a':
		if (r->type == PREP_RULE_CROSS) {
			app_error(a, xstrdup("a cross rule can only drop"));
			return TUI_REDRAW;
		}
		r->action = r->action == PREP_ACTION_DROP ? PREP_ACTION_CLIP : PREP_ACTION_DROP;
		save_plan(a);
		return TUI_REDRAW;
	case ' ':
		r->enabled = !r->enabled;
		save_plan(a);
		return TUI_REDRAW;
	case TKEY_ENTER:
		if (field_ptr(r, rv.field) != NULL) {
			char b[32] = "";
			double v = *field_ptr(r, rv.field);

			if (v == v)
				util_format_double(b, sizeof b, v);
			cmdline_open(a, "Value: ", CMDLINE_VALUE, b, got_value);
		}
		return TUI_REDRAW;
	case 'D': {
		int i;

		prep_rule_done(r);
		for (i = rv.rsel; i + 1 < rv.plan.nrules; i++)
			rv.plan.rules[i] = rv.plan.rules[i + 1];
		rv.plan.nrules--;
		save_plan(a);
		return TUI_REDRAW;
	}
	}
	return TUI_UNHANDLED;
}

static int
missing_key(struct app *a, int key)
{
	switch (key) {
	case TKEY_UP: case 'k': rv.msel--; return TUI_REDRAW;
	case TKEY_DOWN: case 'j': rv.msel++; return TUI_REDRAW;
	case '[': case ']': case '+': case '-':
		rv.plan.drop_above += (key == ']' || key == '+') ? 0.05 : -0.05;
		rv.plan.drop_above = SH_MAX(0, SH_MIN(1, rv.plan.drop_above));
		rv.plan.drop_above = floor(rv.plan.drop_above * 100 + 0.5) / 100;
		save_plan(a);
		return TUI_REDRAW;
	case 'd':
		rv.plan.impute = (rv.plan.impute + 1) % PREP_IMPUTE_COUNT;
		save_plan(a);
		return TUI_REDRAW;
	case ' ': case TKEY_ENTER: {
		const char *name;
		int k;

		if (rv.nm == 0)
			return TUI_REDRAW;
		name = a->cohort->cols[rv.mcols[rv.msel]].name;
		for (k = 0; k < rv.plan.nimp; k++)
			if (strcmp(rv.plan.imp_col[k], name) == 0)
				break;
		if (k == rv.plan.nimp) {
			rv.plan.imp_col = xreallocarray(rv.plan.imp_col, k + 1, sizeof *rv.plan.imp_col);
			rv.plan.imp_method = xreallocarray(rv.plan.imp_method, k + 1, sizeof *rv.plan.imp_method);
			rv.plan.imp_col[k] = xstrdup(name);
			rv.plan.imp_method[k] = rv.plan.impute;
			rv.plan.nimp++;
		}
		rv.plan.imp_method[k] = (rv.plan.imp_method[k] + 1) % PREP_IMPUTE_COUNT;
		save_plan(a);
		return TUI_REDRAW;
	}
	}
	return TUI_UNHANDLED;
}

static int
review_key(struct app *a, int key)
{
	if (a->cohort == NULL || ensure(a) != 0)
		return TUI_UNHANDLED;
	switch (key) {
	case 'c': rv.pane = PANE_COLUMNS; return TUI_REDRAW;
	case 'o': rv.pane = PANE_OUTLIERS; return TUI_REDRAW;
	case 'm': rv.pane = PANE_MISSING; return TUI_REDRAW;
	}
	if (rv.pane == PANE_OUTLIERS)
		return outliers_key(a, key);
	if (rv.pane == PANE_MISSING)
		return missing_key(a, key);
	switch (key) {
	case TKEY_UP: case 'k': rv.csel--; return TUI_REDRAW;
	case TKEY_DOWN: case 'j': rv.csel++; return TUI_REDRAW;
	case TKEY_PGUP: rv.csel -= 10; return TUI_REDRAW;
	case TKEY_PGDN: rv.csel += 10; return TUI_REDRAW;
	case TKEY_HOME: rv.csel = 0; return TUI_REDRAW;
	case TKEY_END: rv.csel = rv.ncols - 1; return TUI_REDRAW;
	case 's':
		rv.sort = (rv.sort + 1) % SORT_COUNT;
		resort(a);
		rv.csel = 0;
		return TUI_REDRAW;
	case 'n':
		rv.pane = PANE_OUTLIERS;
		return outliers_key(a, 'n');
	}
	return TUI_UNHANDLED;
}

/* ':column NAME': show a column in the columns pane. */
int
screen_review_show(struct app *a, const char *name)
{
	int i;

	if (a->cohort == NULL || ensure(a) != 0) {
		app_error(a, xstrdup("no cohort loaded (screen 1)"));
		return -1;
	}
	for (i = 0; i < rv.ncols; i++)
		if (strcmp(a->cohort->cols[rv.order[i]].name, name) == 0) {
			rv.csel = i;
			rv.pane = PANE_COLUMNS;
			app_switch(a, SCREEN_REVIEW);
			return 0;
		}
	app_error(a, xsprintf("no column '%s' (Tab completes names)", name));
	return -1;
}

const struct screen screen_review = {
	.name = "Review",
	.keys = review_keys,
	.enter = review_enter,
	.draw = review_draw,
	.key = review_key,
	.reset = review_reset,
};
