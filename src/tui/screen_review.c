/* synthehr — GPL-3.0-or-later.
 * Screen 2, Review: three panes over the source cohort.
 *  c  columns: every column in one table, as R's skimr gives it (type,
 *     complete rate, mean, sd, p0/p25/p50/p75/p100, an inline sparkline
 *     histogram, a prevalence bar for 0/1 columns), sortable; Enter opens
 *     the column: its statistics and histogram (z: zoom to p1–p99) with the
 *     bins the enabled rules remove marked (^) and the histogram after the
 *     rules beside it;
 *  o  outliers: the plan's rules with the patients each affects, editable
 *     bounds, action and switch, and a live preview (count, histogram
 *     before with the affected bins marked and after) recomputed on every
 *     keystroke; D deletes a rule after a y/n question, u undoes;
 *  m  missingness: a bar per column with missing values, the columns
 *     missing in the same rows as the selected one (co-missingness), the
 *     column drop threshold, the default imputation and a method per
 *     column (cycling back to the default).
 * Statistics come from skim.h (one quantile definition with 'synthehr
 * review').  Every edit is written to study.json "prep" at once. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/hist.h"
#include "synthehr/prep.h"
#include "synthehr/skim.h"
#include "synthehr/util.h"
#include "tui/tui.h"

enum { PANE_COLUMNS, PANE_OUTLIERS, PANE_MISSING };
enum { SORT_ORDER, SORT_NAME, SORT_COMPLETE, SORT_TYPE, SORT_RULES, SORT_COUNT };
static const char *const sort_names[SORT_COUNT] = { "order", "name", "complete rate", "type", "rules" };

#define UNDO_MAX 16

static struct {
	int loaded;                /* plan, counts and summaries valid for the current cohort */
	struct prep_plan plan;
	struct prep_count *cnt;    /* [plan.nrules] */
	int *cnt_ok;               /* [plan.nrules] */
	struct skim sk;            /* every column's summary */
	int pane, sort, rev;
	int view;                  /* columns pane: the selected column's view is open */
	int zoom;                  /* histograms on p1–p99 */
	int *order;                /* [ncols] display order of columns */
	int ncols;
	int csel, ctop, crows;     /* columns pane: index into order; rows shown */
	int rsel, field;           /* outliers pane: rule, field */
	int msel, mtop;            /* missing pane */
	int *mcols, nm;            /* columns with missing values */
	struct skim_pattern *pats; /* missingness patterns over mcols (the first 64) */
	int npats;
	int vcol;                  /* column whose values are cached, -1 */
	double *vals;              /* [nvals] sorted observed values of vcol */
	size_t nvals;
	double *byrow;             /* [nrows] values of vcol by row (NaN missing) */
	int pcol;                  /* column whose co-missingness is cached, -1 */
	struct skim_pair *pairs;
	int npairs;
	struct { struct prep_rule r; int at; } undo[UNDO_MAX];   /* deleted rules, last on top */
	int nundo;
} rv = { .vcol = -1, .pcol = -1 };

static const char *const review_keys[] = {
	"c o m\tpanes: columns (skim table), outlier rules, missingness",
	"Up/Down\tselect; PgUp/PgDn a page; Home/End the first / last",
	"s / S\tsort: order, name, complete rate, type, rules / reverse",
	"Enter/Esc\tcolumns: open / close the selected column's view",
	"z\tzoom the histograms to p1-p99 / back to the full range",
	"Left/Right\toutliers: the field (min, max, action, on)",
	"+ - Enter\traise / lower / type the field (empty: unbounded)",
	"a\toutliers: the rule's action, drop / clip",
	"Space\trule on / off; missing: next method, back to (default)",
	"n\tnew range rule on the column (clinical range, else p1-p99)",
	"D / u\tdelete the selected rule (asks y/n) / undo the deletion",
	"[ / ]\tmissing: lower / raise the column drop threshold",
	"d\tmissing: cycle the default imputation",
	NULL,
};

static void
free_cache(void)
{
	free(rv.vals);
	free(rv.byrow);
	free(rv.pairs);
	rv.vals = rv.byrow = NULL;
	rv.pairs = NULL;
	rv.vcol = rv.pcol = -1;
	rv.npairs = 0;
}

static void
review_reset(struct app *a)
{
	int i;

	(void)a;
	if (rv.loaded) {
		prep_plan_done(&rv.plan);
		skim_done(&rv.sk);
	}
	free(rv.cnt);
	free(rv.cnt_ok);
	free(rv.order);
	free(rv.mcols);
	free(rv.pats);
	rv.pats = NULL;
	rv.npats = 0;
	rv.cnt = NULL;
	rv.cnt_ok = NULL;
	rv.order = NULL;
	rv.mcols = NULL;
	rv.loaded = 0;
	free_cache();
	for (i = 0; i < rv.nundo; i++)
		prep_rule_done(&rv.undo[i].r);
	rv.nundo = 0;
	rv.csel = rv.ctop = rv.rsel = rv.field = rv.msel = rv.mtop = rv.view = 0;
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

/* The rule touches column name (its column, or the right side of a cross rule). */
static int
rule_on(const struct prep_rule *r, const char *name)
{
	return strcmp(r->column, name) == 0 || (r->type == PREP_RULE_CROSS && r->right != NULL &&
	    strcmp(r->right, name) == 0);
}

/* An enabled rule affects patients through column c. */
static int
col_ruled(struct app *a, int c)
{
	int i;

	for (i = 0; i < rv.plan.nrules; i++)
		if (rv.plan.rules[i].enabled && rv.cnt_ok[i] && rv.cnt[i].affected > 0 &&
		    rule_on(&rv.plan.rules[i], a->cohort->cols[c].name))
			return 1;
	return 0;
}

static struct app *sort_app;
static int
cmp_cols(const void *pa, const void *pb)
{
	int x = *(const int *)pa, y = *(const int *)pb, d = 0;
	const struct skim_col *sx = &rv.sk.cols[x], *sy = &rv.sk.cols[y];

	switch (rv.sort) {
	case SORT_NAME:
		d = strcmp(sort_app->cohort->cols[x].name, sort_app->cohort->cols[y].name);
		break;
	case SORT_COMPLETE:
		d = sx->complete < sy->complete ? -1 : sx->complete > sy->complete;
		break;
	case SORT_TYPE:
		d = (int)sx->type - (int)sy->type;
		break;
	case SORT_RULES:
		d = col_ruled(sort_app, y) - col_ruled(sort_app, x);
		break;
	}
	if (d == 0)
		d = x - y;
	return rv.rev ? -d : d;
}

static void
resort(struct app *a)
{
	int i, keep = rv.order != NULL && rv.csel >= 0 && rv.csel < rv.ncols ? rv.order[rv.csel] : -1;

	free(rv.order);
	rv.ncols = a->cohort->ncols;
	rv.order = xcalloc(rv.ncols + 1, sizeof *rv.order);
	for (i = 0; i < rv.ncols; i++)
		rv.order[i] = i;
	sort_app = a;
	qsort(rv.order, rv.ncols, sizeof *rv.order, cmp_cols);
	/* the selection stays on its column */
	for (i = 0; i < rv.ncols; i++)
		if (rv.order[i] == keep)
			rv.csel = i;
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
	skim_compute(a->cohort, &rv.sk);
	rv.loaded = 1;
	recount(a);
	resort(a);
	rv.npats = rv.nm > 0 ? skim_patterns(a->cohort, rv.mcols, SH_MIN(rv.nm, 64), &rv.pats) : 0;
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

/* A rule in words; a range rule without bounds says so (never "< nan"). */
static void
describe(const struct prep_rule *r, char *buf, size_t size)
{
	if (r->type == PREP_RULE_RANGE && isnan(r->min) && isnan(r->max))
		snprintf(buf, size, "%s: no bounds yet (Enter sets one)", r->column);
	else
		prep_rule_describe(r, buf, size);
}

/* A statistic as 'synthehr review' prints it (whole numbers and ≥ 1000
 * without decimals, else 4 significant digits). */
static const char *
fmt_stat(char *buf, size_t n, double v)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else if (fabs(v) >= 1e8 || (v != 0 && fabs(v) < 1e-3))
		snprintf(buf, n, "%.2e", v);
	else if (v == floor(v) || fabs(v) >= 1000)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%.4g", v);
	return buf;
}

/* Histogram lines from hist.h into the canvas, roles per cell; bins in
 * bin_out get a '^' under them (visible without colour). */
static void
draw_hist(struct canvas *cv, int x, int y, int w, int h, const struct hist *hg, const uint8_t *bin_out,
    int mark_room)
{
	struct hist_style st;
	struct hist_lines hl;
	int i, marks = bin_out != NULL && memchr(bin_out, 1, hg->nbins) != NULL;

	memset(&st, 0, sizeof st);
	st.width = w < 20 ? 20 : w;
	st.height = h - 2 - (marks || mark_room) < 2 ? 2 : h - 2 - (marks || mark_room);
	st.ascii = cv->ascii;
	st.bin_out = bin_out;
	st.mark_row = marks;
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

/* Cache column c's values (sorted, and by row). */
static void
load_values(struct app *a, int c)
{
	size_t i;

	if (rv.vcol == c && rv.vals != NULL)
		return;
	free(rv.vals);
	free(rv.byrow);
	rv.nvals = skim_sorted(a->cohort, c, &rv.vals);
	rv.byrow = xcalloc(a->cohort->nrows + 1, sizeof *rv.byrow);
	for (i = 0; i < a->cohort->nrows; i++)
		rv.byrow[i] = cohort_value(a->cohort, c, i);
	rv.vcol = c;
}

/* Before and after histograms of numeric column c, side by side in w × h:
 * the rules are the plan's enabled rules on c (only < 0) or rule only.
 * Returns the patients the rules affect through c. */
static size_t
draw_before_after(struct app *a, struct canvas *cv, int x, int y, int w, int h, int c, int only)
{
	const struct cohort *co = a->cohort;
	const struct skim_col *k = &rv.sk.cols[c];
	struct skim_bound b[32];
	uint8_t *drop = NULL, out[HIST_MAX_BINS + 1];
	struct hist before, after;
	size_t below = 0, above = 0, aff = 0, hid = 0, i;
	double wlo = NAN, whi = NAN;
	int marked, nb = 0, r, lw = (w - 1) / 2, rw = lw, maxbins;
	char t[160], b1[32], b2[32];

	load_values(a, c);
	for (r = 0; r < rv.plan.nrules; r++) {
		const struct prep_rule *ru = &rv.plan.rules[r];

		if (only >= 0 ? r != only : !ru->enabled)
			continue;
		if (!rv.cnt_ok[r] || !rule_on(ru, co->cols[c].name))
			continue;
		if (ru->type == PREP_RULE_CROSS) {
			int l = cohort_find(co, ru->column), rr = cohort_find(co, ru->right);

			if (l < 0 || rr < 0)
				continue;
			if (drop == NULL)
				drop = xcalloc(co->nrows + 1, 1);
			for (i = 0; i < co->nrows; i++) {
				double lv = cohort_value(co, l, i), rvv = cohort_value(co, rr, i);
				int holds = ru->op == PREP_CMP_LT ? lv < rvv : ru->op == PREP_CMP_LE ? lv <= rvv :
				    ru->op == PREP_CMP_GT ? lv > rvv : lv >= rvv;

				if (!isnan(lv) && !isnan(rvv) && !holds)
					drop[i] = 1;
			}
		} else if (nb < (int)SH_NELEM(b) && strcmp(ru->column, co->cols[c].name) == 0) {
			b[nb].lo = rv.cnt[r].lo;
			b[nb].hi = rv.cnt[r].hi;
			b[nb].clip = ru->action == PREP_ACTION_CLIP;
			nb++;
		}
	}
	if (rv.zoom && k->stats) {
		wlo = k->p1;
		whi = k->p99;
	}
	maxbins = SH_MAX(SH_MIN((lw - 8) / 2, HIST_MAX_BINS), 4);   /* two cells a bin */
	skim_hist(rv.vals, rv.nvals, wlo, whi, maxbins, &before, &below, &above);
	skim_after(rv.byrow, co->nrows, drop, b, nb, &before, wlo, whi, &after, out, &aff, &hid);
	canvas_printf(cv, x, y, lw, THEME_TITLE, "before%s", memchr(out, 1, before.nbins) ?
	    cv->ascii ? " (^: bins the rules remove)" : " (^ bins the rules remove)" : "");
	if (rv.zoom && (below || above)) {
		snprintf(t, sizeof t, "p1-p99 [%s, %s]: %zu values; %zu below, %zu above not drawn",
		    fmt_stat(b1, sizeof b1, wlo), fmt_stat(b2, sizeof b2, whi), before.total, below, above);
		canvas_text(cv, x, y + h - 1, w, THEME_DIM, t);
		h--;
	}
	marked = memchr(out, 1, before.nbins) != NULL;
	draw_hist(cv, x, y + 1, lw, h - 1, &before, out, 0);
	{
		int nclip = 0, q;

		for (q = 0; q < nb; q++)
			nclip += b[q].clip;
		if (nb == 0 && drop == NULL)
			snprintf(t, sizeof t, "after: no rule on %s", co->cols[c].name);
		else
			snprintf(t, sizeof t, "after: %zu %s%s", aff, nclip == 0 ? "removed" : nclip == nb &&
			    drop == NULL ? "clipped" : "removed or clipped", hid ? " (some off the zoom)" : "");
	}
	canvas_text(cv, x + lw + 1, y, rw, THEME_TITLE, t);
	if (!rv.zoom && (nb > 0 || drop != NULL)) {
		/* the full range: the kept values on a range of their own, so that
		 * what the rules leave shows its shape (outliers gone, not one bar) */
		double *kept = xmalloc((co->nrows + 1) * sizeof *kept);
		size_t nk = skim_kept(rv.byrow, co->nrows, drop, b, nb, kept);

		hist_done(&after);
		skim_hist(kept, nk, NAN, NAN, maxbins, &after, NULL, NULL);
		free(kept);
		if (strlen(t) + 14 <= (size_t)rw)
			strcat(t, "; own range");
		canvas_text(cv, x + lw + 1, y, rw, THEME_TITLE, t);
	}
	draw_hist(cv, x + lw + 1, y + 1, rw, h - 1, &after, NULL, marked);
	hist_done(&before);
	hist_done(&after);
	free(drop);
	return aff;
}

static const char *
type_name(enum skim_type t)
{
	return t == SKIM_NUMERIC ? "num" : t == SKIM_BINARY ? "bin" : t == SKIM_CATEGORICAL ? "cat" : "id";
}

/* "61.4%", never "100%" for an incomplete column. */
static const char *
fmt_complete(char *buf, size_t n, double c)
{
	if (c >= 1)
		snprintf(buf, n, "100%%");
	else
		snprintf(buf, n, "%4.1f%%", floor(c * 1000) / 10);
	return buf;
}

/* The skim table: one line per column. */
static void
draw_table(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	int nw = SH_MAX(11, SH_MIN(30, 11 + (w - 80))), rows = h - 2, i, yy;
	char b[8][24], sp[64];

	canvas_printf(cv, x, y, w, THEME_DIM, "%-*s %-3s %5s %6s %6s %6s %6s %6s %6s %6s %s", nw, "column",
	    "typ", "compl", "mean", "sd", "p0", "p25", "p50", "p75", "p100", "hist");
	rv.crows = SH_MAX(rows, 1);
	if (rv.csel >= rv.ncols) rv.csel = rv.ncols - 1;
	if (rv.csel < 0) rv.csel = 0;
	if (rv.ctop > SH_MAX(0, rv.ncols - rows)) rv.ctop = SH_MAX(0, rv.ncols - rows);
	if (rv.ctop < 0) rv.ctop = 0;
	if (rv.csel < rv.ctop) rv.ctop = rv.csel;
	if (rv.csel >= rv.ctop + rows) rv.ctop = rv.csel - rows + 1;
	for (i = rv.ctop, yy = y + 1; i < rv.ncols && yy < y + 1 + rows; i++, yy++) {
		int c = rv.order[i], role = i == rv.csel ? THEME_SELECTED : THEME_NORMAL, q0 = x + nw + 1 + 3 + 1 +
		    5 + 1 + 6 + 1 + 6 + 1;
		const struct column *col = &a->cohort->cols[c];
		const struct skim_col *k = &rv.sk.cols[c];

		canvas_fill(cv, x, yy, w, 1, ' ', role);
		canvas_printf(cv, x, yy, w, role, "%-*.*s %-3s %5s", nw, nw, col->name, type_name(k->type),
		    fmt_complete(b[0], sizeof b[0], k->complete));
		if (k->complete < 1 && i != rv.csel)
			canvas_set_role(cv, x + nw + 5, yy, 5, THEME_KEY);
		if (col_ruled(a, c) && i != rv.csel)
			canvas_set_role(cv, x, yy, SH_MIN(nw, (int)strlen(col->name)), THEME_BAD);
		if (k->type == SKIM_TEXT) {
			canvas_text(cv, x + nw + 11, yy, w - nw - 11, role == THEME_SELECTED ? role : THEME_DIM,
			    "identifiers: no statistics");
			continue;
		}
		if (k->type == SKIM_CATEGORICAL) {
			char lv[128];
			int off = 0, l;

			/* whole levels while they fit in the 34 columns, then "…"
			 * (Enter shows them all): never a level name cut */
			off = snprintf(lv, sizeof lv, "%d levels:", col->nlevels);
			for (l = 0; l < col->nlevels && l < SKIM_SPARK; l++) {
				char item[96];
				int iw = snprintf(item, sizeof item, " %s %.0f%%", col->levels[l],
				    k->n ? 100.0 * k->spark[l] / k->n : 0.0);
				int more = l + 1 < col->nlevels;

				if (off + iw + (more ? 2 : 0) > 34 || off + iw >= (int)sizeof lv - 4)
					break;
				memcpy(lv + off, item, (size_t)iw + 1);
				off += iw;
			}
			if (l < col->nlevels)
				snprintf(lv + off, sizeof lv - off, " %s", cv->ascii ? "~" : "\u2026");
			canvas_printf(cv, x + nw + 11, yy, 14, role, "%6s %6s", "-", "-");
			canvas_text(cv, x + nw + 25, yy, 34, role, lv);
			canvas_text(cv, q0 + 35, yy, 8, role == THEME_SELECTED ? role : THEME_HIST_BAR,
			    skim_spark_text(k->spark, k->nspark, cv->ascii, sp, sizeof sp));
			continue;
		}
		if (!k->stats) {
			canvas_text(cv, x + nw + 11, yy, w - nw - 11, THEME_DIM, "no observed values");
			continue;
		}
		canvas_printf(cv, x + nw + 11, yy, 13, role, "%6s %6s", skim_fmt(b[1], sizeof b[1], k->mean, 6),
		    skim_fmt(b[2], sizeof b[2], k->sd, 6));
		if (k->type == SKIM_BINARY) {
			/* prevalence bar over the quartile columns */
			canvas_text(cv, q0, yy, 26, THEME_DIM, cv->ascii ? ".........................." :
			    "\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7"
			    "\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7");
			canvas_bar(cv, q0, yy, 26, k->prevalence, THEME_HIST_BAR);
			if (k->prevalence > 0 && k->prevalence * 26 < 1 && !cv->ascii)
				canvas_put(cv, q0, yy, 0x258f, THEME_HIST_BAR);   /* rare, not absent */
			canvas_printf(cv, q0 + 26, yy, 8, role, " %6.2f%%", 100 * k->prevalence);
			if (i == rv.csel)
				canvas_set_role(cv, q0, yy, 26, THEME_SELECTED);
			continue;
		}
		canvas_printf(cv, q0, yy, 34, role, "%6s %6s %6s %6s %6s", skim_fmt(b[3], 24, k->p0, 6),
		    skim_fmt(b[4], 24, k->p25, 6), skim_fmt(b[5], 24, k->p50, 6), skim_fmt(b[6], 24, k->p75, 6),
		    skim_fmt(b[7], 24, k->p100, 6));
		canvas_text(cv, q0 + 35, yy, SKIM_SPARK, i == rv.csel ? role : THEME_HIST_BAR,
		    skim_spark_text(k->spark, k->nspark, cv->ascii, sp, sizeof sp));
	}
	canvas_printf(cv, x, y + h - 1, w, THEME_DIM, "%d-%d of %d  sort: %s%s (s, S reverses)  "
	    "Enter: the column", rv.ncols ? rv.ctop + 1 : 0, SH_MIN(rv.ctop + rows, rv.ncols), rv.ncols,
	    sort_names[rv.sort], rv.rev ? ", reversed" : "");
}

/* The selected column: its statistics, and histograms before and after the rules. */
static void
draw_view(struct app *a, struct canvas *cv, int x, int y, int w, int h, int c)
{
	const struct cohort *co = a->cohort;
	const struct column *col = &co->cols[c];
	const struct skim_col *k = &rv.sk.cols[c];
	char b[9][32], line[256];
	int i, n = 0, yy = y;

	canvas_printf(cv, x, yy++, w, THEME_TITLE, "%s  (%s %s, %zu/%zu missing (%.1f%%), complete %s)",
	    col->name, cohort_role_name(col->role), cohort_kind_name(col->kind), k->nmissing, co->nrows,
	    co->nrows ? 100.0 * k->nmissing / co->nrows : 0, fmt_complete(b[0], sizeof b[0], k->complete));
	if (k->type == SKIM_TEXT || !(k->stats || k->type == SKIM_CATEGORICAL)) {
		canvas_text(cv, x, yy + 1, w, THEME_DIM, k->type == SKIM_TEXT ? "identifiers: no statistics" :
		    "no observed values");
		return;
	}
	if (k->type == SKIM_CATEGORICAL) {
		for (i = 0; i < col->nlevels && yy < y + h; i++, yy++) {
			size_t cnt = 0, r;

			for (r = 0; r < co->nrows; r++)
				cnt += !cohort_is_missing(col, r) && col->cat[r] == i;
			canvas_printf(cv, x, yy, 24, THEME_NORMAL, "%-15.15s %6.1f%%", col->levels[i],
			    k->n ? 100.0 * cnt / k->n : 0);
			canvas_bar(cv, x + 24, yy, w - 34, k->n ? (double)cnt / k->n : 0, THEME_HIST_BAR);
			canvas_printf(cv, x + w - 9, yy, 9, THEME_DIM, "%9zu", cnt);
		}
		return;
	}
	canvas_printf(cv, x, yy++, w, THEME_NORMAL, "mean %s  sd %s  n %zu", fmt_stat(b[0], 32, k->mean),
	    fmt_stat(b[1], 32, k->sd), k->n);
	if (k->type == SKIM_BINARY) {
		canvas_printf(cv, x, yy, w, THEME_NORMAL, "prevalence %.2f%% (%.0f of %zu)", 100 * k->prevalence,
		    k->prevalence * k->n, k->n);
		canvas_bar(cv, x, yy + 1, w - 2, k->prevalence, THEME_HIST_BAR);
		return;
	}
	canvas_printf(cv, x, yy++, w, THEME_NORMAL, "p0 %s  p1 %s  p25 %s  p50 %s  p75 %s  p99 %s  p100 %s",
	    fmt_stat(b[0], 32, k->p0), fmt_stat(b[1], 32, k->p1), fmt_stat(b[2], 32, k->p25),
	    fmt_stat(b[3], 32, k->p50), fmt_stat(b[4], 32, k->p75), fmt_stat(b[5], 32, k->p99),
	    fmt_stat(b[6], 32, k->p100));
	canvas_printf(cv, x, yy++, w, THEME_DIM, "%s", rv.zoom ? "zoom: p1-p99 (z: the full range)" :
	    k->stretched ? "full range; outliers stretch it: z zooms to p1-p99" : "full range (z: zoom to p1-p99)");
	/* the enabled rules on this column */
	n = snprintf(line, sizeof line, "rules:");
	for (i = 0; i < rv.plan.nrules; i++) {
		char d[128];

		if (!rv.plan.rules[i].enabled || !rule_on(&rv.plan.rules[i], col->name))
			continue;
		describe(&rv.plan.rules[i], d, sizeof d);
		if (n < (int)sizeof line - 8)
			n += snprintf(line + n, sizeof line - n, "%s %s (%zu)", n > 6 ? ";" : "", d,
			    rv.cnt_ok[i] ? rv.cnt[i].affected : 0);
	}
	if (n == 6)
		snprintf(line + n, sizeof line - n, " none enabled (o: the rules, n: a new one)");
	canvas_text(cv, x, yy++, w, THEME_NORMAL, line);
	if (y + h - yy >= 6)
		draw_before_after(a, cv, x, yy, w, y + h - yy, c, -1);
}

static void
draw_columns(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	if (rv.ncols == 0) {
		canvas_text(cv, x + 1, y + 1, w - 2, THEME_DIM, "The cohort has no columns.");
		return;
	}
	if (rv.csel >= rv.ncols) rv.csel = rv.ncols - 1;
	if (rv.csel < 0) rv.csel = 0;
	if (rv.view)
		draw_view(a, cv, x + 1, y, w - 2, h, rv.order[rv.csel]);
	else
		draw_table(a, cv, x, y, w, h);
}

static const char *const field_names[] = { "min", "max", "action", "on" };

static void
draw_outliers(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	int i, yy, list = SH_MIN(rv.plan.nrules, 6), top = 0, c, dw = SH_MAX(w - 30, 20);
	char desc[160];

	if (rv.plan.nrules == 0) {
		canvas_text(cv, x + 1, y + 1, w - 2, THEME_DIM,
		    "No outlier rules.  n adds a range rule on the column selected in pane c.");
		if (rv.nundo > 0)
			canvas_text(cv, x + 1, y + 2, w - 2, THEME_DIM, "u restores the rule deleted last.");
		return;
	}
	if (rv.rsel >= rv.plan.nrules) rv.rsel = rv.plan.nrules - 1;
	if (rv.rsel < 0) rv.rsel = 0;
	if (rv.rsel >= list) top = rv.rsel - list + 1;
	canvas_printf(cv, x + 1, y, w - 2, THEME_DIM, "%-3s %-*s %10s %8s", "on", dw - 4, "rule", "patients", "%");
	for (i = top, yy = y + 1; i < rv.plan.nrules && yy < y + 1 + list; i++, yy++) {
		const struct prep_rule *r = &rv.plan.rules[i];
		int role = i == rv.rsel ? THEME_SELECTED : r->enabled ? THEME_NORMAL : THEME_DIM;

		describe(r, desc, sizeof desc);
		canvas_fill(cv, x, yy, w, 1, ' ', role);
		canvas_printf(cv, x + 1, yy, dw, role, "%-3s %-*.*s", r->enabled ? "[x]" : "[ ]", dw - 4, dw - 4, desc);
		if (rv.cnt_ok[i])
			canvas_printf(cv, x + 1 + dw, yy, w - dw - 2, role, " %10zu %7.2f%%", rv.cnt[i].affected,
			    a->cohort->nrows ? 100.0 * rv.cnt[i].affected / a->cohort->nrows : 0);
		else
			canvas_text(cv, x + 1 + dw, yy, w - dw - 2, THEME_ERROR, "  (column missing)");
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
		if (c >= 0 && rv.sk.cols[c].type == SKIM_NUMERIC && rv.sk.cols[c].stats && h - (by + 2 - y) >= 6)
			draw_before_after(a, cv, x + 1, by + 2, w - 2, h - (by + 2 - y), c, rv.rsel);
	}
}

/* Column name's per-column method index in the plan, or -1. */
static int
imp_index(const char *name)
{
	int k;

	for (k = 0; k < rv.plan.nimp; k++)
		if (strcmp(rv.plan.imp_col[k], name) == 0)
			return k;
	return -1;
}

static void
draw_missing(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	int i, yy, rows = h - 3, lw = 44 + SH_MAX(0, (w - 80) / 2), nw = lw - 30, bw = 10, cell;
	size_t nrows = a->cohort->nrows;

	/* the patterns matrix: 4 cells a column, else 2 with a letter per column */
	cell = 7 + 4 * rv.nm <= w - lw - 2 ? 4 : 2;

	canvas_printf(cv, x + 1, y, w - 2, THEME_NORMAL,
	    "drop columns missing more than %.0f%%  ([ ])     default imputation: %s  (d)",
	    100 * rv.plan.drop_above, prep_impute_name(rv.plan.impute));
	if (rv.nm == 0) {
		canvas_text(cv, x + 1, y + 2, w - 2, THEME_GOOD, "No column has missing values.");
		return;
	}
	canvas_printf(cv, x + 1, y + 1, lw - 2, THEME_DIM, "%-*s %6s %-*s %s", nw, "column", "miss", bw, "",
	    "method");
	if (rv.msel >= rv.nm) rv.msel = rv.nm - 1;
	if (rv.msel < 0) rv.msel = 0;
	if (rv.msel < rv.mtop) rv.mtop = rv.msel;
	if (rv.msel >= rv.mtop + rows) rv.mtop = rv.msel - rows + 1;
	for (i = rv.mtop, yy = y + 2; i < rv.nm && yy < y + 2 + rows; i++, yy++) {
		const struct column *col = &a->cohort->cols[rv.mcols[i]];
		double frac = nrows ? (double)col->nmissing / nrows : 0;
		int role = i == rv.msel ? THEME_SELECTED : THEME_NORMAL, k = imp_index(col->name);
		int dropped = frac > rv.plan.drop_above;

		canvas_fill(cv, x, yy, lw - 1, 1, ' ', role);
		if (cell == 2 && i < 26)
			canvas_printf(cv, x + 1, yy, nw + 7, role, "%c %-*.*s %5.1f%%", 'a' + i, nw - 2, nw - 2, col->name,
			    100 * frac);
		else
			canvas_printf(cv, x + 1, yy, nw + 7, role, "%-*.*s %5.1f%%", nw, nw, col->name, 100 * frac);
		canvas_text(cv, x + nw + 9, yy, bw, THEME_DIM, cv->ascii ? ".........." :
		    "\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7");
		canvas_bar(cv, x + nw + 9, yy, bw, frac, dropped ? THEME_BAD : THEME_HIST_BAR);
		canvas_printf(cv, x + nw + 10 + bw, yy, lw - nw - bw - 11, dropped && i != rv.msel ? THEME_BAD : role,
		    "%s", dropped ? "dropped" : k >= 0 ? prep_impute_name(rv.plan.imp_method[k]) : "(default)");
	}
	if (rv.mtop + rows < rv.nm || rv.mtop > 0)
		canvas_printf(cv, x + 1, y + h - 1, lw - 2, THEME_DIM, "%d-%d of %d columns with missing values",
		    rv.mtop + 1, SH_MIN(rv.mtop + rows, rv.nm), rv.nm);
	else
		canvas_printf(cv, x + 1, y + h - 1, lw - 2, THEME_DIM, "%d of %d columns have missing values",
		    rv.nm, rv.ncols);
	/* co-missingness of the selected column */
	{
		int c = rv.mcols[rv.msel], cx = x + lw + 1, cw = w - lw - 2, p, cnw = SH_MAX(cw - 22, 8), npat, maxp;
		const struct column *col = &a->cohort->cols[c];

		canvas_fill(cv, x + lw - 1, y + 1, 1, h - 1, cv->ascii ? '|' : 0x2502, THEME_BORDER);
		if (rv.pcol != c) {
			free(rv.pairs);
			rv.npairs = skim_comissing(a->cohort, c, &rv.pairs);
			rv.pcol = c;
		}
		canvas_printf(cv, cx, y + 1, cw, THEME_TITLE, "missing together with %s", col->name);
		canvas_printf(cv, cx, y + 2, cw, THEME_DIM, "%-*s %6s %5s", cnw, "column", "rows", "both");
		/* the pairs, then the patterns below when there is room */
		npat = 0;
		for (p = 0; p < rv.npats; p++)
			npat += rv.pats[p].mask != 0;
		maxp = npat > 0 ? SH_MAX((h - 6) / 2, 3) : h - 4;
		for (p = 0, yy = y + 3; p < rv.npairs && p < maxp && yy < y + h - 1; p++, yy++) {
			const struct skim_pair *q = &rv.pairs[p];
			int bx = cx + cnw + 14;

			canvas_printf(cv, cx, yy, cw, THEME_NORMAL, "%-*.*s %6zu %4.0f%%", cnw, cnw,
			    a->cohort->cols[q->col].name, q->both, 100 * q->jaccard);
			canvas_bar(cv, bx, yy, cx + cw - bx, q->jaccard, q->jaccard >= 0.5 ? THEME_KEY : THEME_HIST_BAR);
		}
		if (rv.npairs == 0)
			canvas_text(cv, cx, y + 3, cw, THEME_DIM, "no other column has missing values");
		if (rv.npairs > maxp)
			canvas_printf(cv, cx, yy++, cw, THEME_DIM, "... %d more", rv.npairs - maxp);
		if (npat > 0 && yy + 3 < y + h - 1 && 7 + cell * rv.nm <= cw) {
			/* a matrix: a column per column with missing values, x where
			 * missing; headed by 3 letters of the name, or by the letter
			 * the list shows before it when only 2 cells fit */
			int q;

			canvas_text(cv, cx, ++yy, cw, THEME_TITLE, "patterns (x: missing)");
			canvas_text(cv, cx, ++yy, 6, THEME_DIM, "  rows");
			for (q = 0; q < rv.nm; q++)
				if (cell == 4)
					canvas_printf(cv, cx + 7 + 4 * q, yy, 3, q == rv.msel ? THEME_KEY : THEME_DIM, "%.3s",
					    a->cohort->cols[rv.mcols[q]].name);
				else
					canvas_put(cv, cx + 8 + 2 * q, yy, 'a' + q, q == rv.msel ? THEME_KEY : THEME_DIM);
			for (p = 0, yy++; p < rv.npats && yy < y + h - 1; p++) {
				if (rv.pats[p].mask == 0)
					continue;
				canvas_printf(cv, cx, yy, 6, THEME_NORMAL, "%6zu", rv.pats[p].rows);
				for (q = 0; q < rv.nm; q++) {
					int on = (int)(rv.pats[p].mask >> q & 1);

					canvas_put(cv, cx + 8 + cell * q, yy, on ? 'x' : cv->ascii ? '.' : 0x00b7,
					    on ? (q == rv.msel ? THEME_KEY : THEME_BAD) : THEME_DIM);
				}
				yy++;
			}
		} else if (npat > 0 && yy + 2 < y + h - 1) {
			canvas_text(cv, cx, ++yy, cw, THEME_TITLE, "patterns: rows missing exactly");
			for (p = 0, yy++; p < rv.npats && yy < y + h - 1; p++) {
				char names[256];
				int off = 0, q;

				if (rv.pats[p].mask == 0)
					continue;
				names[0] = '\0';
				for (q = 0; q < 64 && q < rv.nm && off < (int)sizeof names - 2; q++)
					if (rv.pats[p].mask >> q & 1)
						off += snprintf(names + off, sizeof names - off, "%s%s", off ? " " : "",
						    a->cohort->cols[rv.mcols[q]].name);
				canvas_printf(cv, cx, yy++, cw, rv.pats[p].mask >> (rv.msel < 64 ? rv.msel : 63) & 1 ?
				    THEME_NORMAL : THEME_DIM, "%6zu %s", rv.pats[p].rows, names);
			}
		}
		canvas_text(cv, cx, y + h - 1, cw, THEME_DIM, "both = both missing / either");
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
	canvas_printf(cv, px + 1, y, x + w - px - 2, THEME_DIM, "%zu patients, %d columns, %d rule%s%s",
	    a->cohort->nrows, a->cohort->ncols, rv.plan.nrules, rv.plan.nrules == 1 ? "" : "s",
	    rv.zoom ? ", zoom" : "");
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
		if (*line == '\0' && r->type == PREP_RULE_RANGE) {
			if (isnan(rv.field == 0 ? r->max : r->min)) {
				app_error(a, xstrdup("a range rule keeps at least one bound (D deletes the rule)"));
				free(line);
				return;
			}
			*p = NAN;
		} else if (util_parse_double(line, strlen(line), &d) != 0 || !isfinite(d)) {
			app_error(a, xsprintf("'%s' is not a number", line));
			free(line);
			return;
		} else
			*p = d;
		save_plan(a);
	}
	free(line);
}

/* 4 significant digits: what the rule list shows is what applies. */
static double
round4(double v)
{
	char b[32];

	snprintf(b, sizeof b, "%.4g", v);
	return strtod(b, NULL);
}

static void
new_rule(struct app *a)
{
	struct prep_rule nr;
	const struct prep_clinical *cl;
	const struct skim_col *k;
	int c = rv.ncols > 0 ? rv.order[rv.csel] : -1;
	char d[160];

	if (c < 0 || a->cohort->cols[c].kind != KIND_NUMERIC || a->cohort->cols[c].role != ROLE_CONTINUOUS) {
		app_error(a, xstrdup("select a continuous column in pane c first"));
		return;
	}
	k = &rv.sk.cols[c];
	if (!k->stats) {
		app_error(a, xsprintf("%s has no observed values", a->cohort->cols[c].name));
		return;
	}
	memset(&nr, 0, sizeof nr);
	nr.type = PREP_RULE_RANGE;
	nr.column = a->cohort->cols[c].name;
	/* a sensible start: the clinical range when the column is a known
	 * measurement, else the 1st and 99th percentiles; never NaN */
	cl = prep_clinical_find(nr.column);
	if (cl != NULL && (isnan(cl->min) && isnan(cl->max)))
		cl = NULL;
	nr.min = cl != NULL ? cl->min : round4(k->p1);
	nr.max = cl != NULL ? cl->max : round4(k->p99);
	nr.action = PREP_ACTION_DROP;
	nr.enabled = 1;
	prep_plan_add_rule(&rv.plan, &nr);
	rv.rsel = rv.plan.nrules - 1;
	rv.field = 0;
	save_plan(a);
	describe(&rv.plan.rules[rv.rsel], d, sizeof d);
	app_status(a, "new rule %s (%s); Enter types a bound", d, cl != NULL ? "the clinical range" : "p1-p99");
}

static void
delete_yes(struct app *a)
{
	int i;
	char d[160];

	if (!rv.loaded || rv.rsel < 0 || rv.rsel >= rv.plan.nrules)
		return;
	describe(&rv.plan.rules[rv.rsel], d, sizeof d);
	if (rv.nundo == UNDO_MAX) {
		prep_rule_done(&rv.undo[0].r);
		memmove(&rv.undo[0], &rv.undo[1], (UNDO_MAX - 1) * sizeof rv.undo[0]);
		rv.nundo--;
	}
	rv.undo[rv.nundo].r = rv.plan.rules[rv.rsel];   /* the rule's strings move to the undo stack */
	rv.undo[rv.nundo].at = rv.rsel;
	rv.nundo++;
	for (i = rv.rsel; i + 1 < rv.plan.nrules; i++)
		rv.plan.rules[i] = rv.plan.rules[i + 1];
	rv.plan.nrules--;
	save_plan(a);
	app_status(a, "deleted %s (u undoes)", d);
}

static void
undo_delete(struct app *a)
{
	struct prep_rule r;
	int at, i;
	char d[160];

	if (rv.nundo == 0) {
		app_status(a, "nothing to undo");
		return;
	}
	rv.nundo--;
	r = rv.undo[rv.nundo].r;
	at = SH_MIN(rv.undo[rv.nundo].at, rv.plan.nrules);
	prep_plan_add_rule(&rv.plan, &r);   /* copies the strings, appends */
	prep_rule_done(&r);
	r = rv.plan.rules[rv.plan.nrules - 1];
	for (i = rv.plan.nrules - 1; i > at; i--)
		rv.plan.rules[i] = rv.plan.rules[i - 1];
	rv.plan.rules[at] = r;
	rv.rsel = at;
	save_plan(a);
	describe(&rv.plan.rules[at], d, sizeof d);
	app_status(a, "restored %s", d);
}

static int
outliers_key(struct app *a, int key)
{
	struct prep_rule *r = rv.plan.nrules > 0 ? &rv.plan.rules[rv.rsel] : NULL;
	double *p;

	switch (key) {
	case TKEY_UP: case 'k': rv.rsel--; return TUI_REDRAW;
	case TKEY_DOWN: case 'j': rv.rsel++; return TUI_REDRAW;
	case TKEY_HOME: case TKEY_PGUP: rv.rsel = 0; return TUI_REDRAW;
	case TKEY_END: case TKEY_PGDN: rv.rsel = rv.plan.nrules - 1; return TUI_REDRAW;
	case TKEY_LEFT: case 'h': rv.field = (rv.field + 3) % 4; return TUI_REDRAW;
	case TKEY_RIGHT: case 'l': rv.field = (rv.field + 1) % 4; return TUI_REDRAW;
	case 'n':
		new_rule(a);
		return TUI_REDRAW;
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
				double e = c >= 0 && rv.sk.cols[c].stats ? (rv.field == 0 ? rv.sk.cols[c].p0 :
				    rv.sk.cols[c].p100) : NAN;

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
		char d[160], q[224];

		describe(r, d, sizeof d);
		snprintf(q, sizeof q, "Delete the rule %s (u undoes)?", d);
		app_confirm(a, q, delete_yes);
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
	case TKEY_PGUP: rv.msel -= 10; return TUI_REDRAW;
	case TKEY_PGDN: rv.msel += 10; return TUI_REDRAW;
	case TKEY_HOME: rv.msel = 0; return TUI_REDRAW;
	case TKEY_END: rv.msel = rv.nm - 1; return TUI_REDRAW;
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
		int k, j;

		if (rv.nm == 0)
			return TUI_REDRAW;
		if (rv.msel >= rv.nm) rv.msel = rv.nm - 1;
		if (rv.msel < 0) rv.msel = 0;
		name = a->cohort->cols[rv.mcols[rv.msel]].name;
		/* (default) → sample → median → mean → drop → (default) */
		if ((k = imp_index(name)) < 0) {
			k = rv.plan.nimp;
			rv.plan.imp_col = xreallocarray(rv.plan.imp_col, k + 1, sizeof *rv.plan.imp_col);
			rv.plan.imp_method = xreallocarray(rv.plan.imp_method, k + 1, sizeof *rv.plan.imp_method);
			rv.plan.imp_col[k] = xstrdup(name);
			rv.plan.imp_method[k] = 0;
			rv.plan.nimp++;
		} else if (rv.plan.imp_method[k] + 1 >= PREP_IMPUTE_COUNT) {
			free(rv.plan.imp_col[k]);
			for (j = k; j + 1 < rv.plan.nimp; j++) {
				rv.plan.imp_col[j] = rv.plan.imp_col[j + 1];
				rv.plan.imp_method[j] = rv.plan.imp_method[j + 1];
			}
			rv.plan.nimp--;
		} else
			rv.plan.imp_method[k] = rv.plan.imp_method[k] + 1;
		save_plan(a);
		return TUI_REDRAW;
	}
	}
	return TUI_UNHANDLED;
}

static int
review_key(struct app *a, int key)
{
	int page;

	if (a->cohort == NULL || ensure(a) != 0)
		return TUI_UNHANDLED;
	switch (key) {
	case 'c':
		if (rv.pane == PANE_COLUMNS)
			rv.view = 0;
		rv.pane = PANE_COLUMNS;
		return TUI_REDRAW;
	case 'o': rv.pane = PANE_OUTLIERS; return TUI_REDRAW;
	case 'm': rv.pane = PANE_MISSING; return TUI_REDRAW;
	case 'z':
		rv.zoom = !rv.zoom;
		app_status(a, rv.zoom ? "histograms zoomed to p1-p99 (z: the full range)" : "histograms on the full range");
		return TUI_REDRAW;
	case 'u':
		undo_delete(a);
		return TUI_REDRAW;
	}
	if (rv.pane == PANE_OUTLIERS)
		return outliers_key(a, key);
	if (rv.pane == PANE_MISSING)
		return missing_key(a, key);
	page = rv.view ? 1 : SH_MAX(rv.crows - 1, 1);
	switch (key) {
	case TKEY_UP: case 'k': rv.csel--; return TUI_REDRAW;
	case TKEY_DOWN: case 'j': rv.csel++; return TUI_REDRAW;
	case TKEY_PGUP: rv.csel -= page; rv.ctop -= page; return TUI_REDRAW;
	case TKEY_PGDN: rv.csel += page; rv.ctop += page; return TUI_REDRAW;
	case TKEY_HOME: rv.csel = 0; return TUI_REDRAW;
	case TKEY_END: rv.csel = rv.ncols - 1; return TUI_REDRAW;
	case TKEY_ENTER:
		rv.view = !rv.view;
		return TUI_REDRAW;
	case TKEY_ESC: case TKEY_BACKSPACE:
		if (!rv.view)
			return TUI_UNHANDLED;
		rv.view = 0;
		return TUI_REDRAW;
	case 's':
		rv.sort = (rv.sort + 1) % SORT_COUNT;
		resort(a);
		app_status(a, "sorted by %s%s", sort_names[rv.sort], rv.rev ? ", reversed" : "");
		return TUI_REDRAW;
	case 'S':
		rv.rev = !rv.rev;
		resort(a);
		app_status(a, "sorted by %s%s", sort_names[rv.sort], rv.rev ? ", reversed" : "");
		return TUI_REDRAW;
	case 'n':
		rv.pane = PANE_OUTLIERS;
		return outliers_key(a, 'n');
	}
	return TUI_UNHANDLED;
}

/* ':column NAME': show a column's view. */
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
			rv.view = 1;
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
