/* synthehr — GPL-3.0-or-later.
 * Screen 5, Evaluate: runs the evaluation ('synthehr evaluate' as a child
 * job, its progress lines shown live) and shows eval/metrics.json as
 * side-by-side panels, one per metric: a bar per run and baseline, the
 * direction (↓ lower is better, ↑ higher), the best set highlighted.  f
 * shows the paper's Figure 4 for the selected set: real versus synthetic
 * prevalence of every concept as a text scatter (from prep/train.mtx and
 * the set's synthetic.mtx); Enter drills into one set's metrics. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/consist.h"
#include "synthehr/eval.h"
#include "synthehr/mtx.h"
#include "synthehr/phecode.h"
#include "synthehr/plot.h"
#include "synthehr/prep.h"
#include "synthehr/rank.h"
#include "synthehr/util.h"
#include "synthehr/study_read.h"
#include "tui/tui.h"

/* The evaluation table (eval/metrics.json) is the workbench's, in
 * results.c: Rank reads it too.  This screen's own state: */
static struct {
	int sel;               /* selected set */
	int page;
	int view;              /* 0 panels, 1 figure 4, 2 drill-down */
	double *px, *py;       /* figure 4 points: real, synthetic prevalence */
	char **pname;          /* [npts] each point's concept column */
	int top[5], ntop;      /* the points farthest from the diagonal, farthest first */
	struct phecode_info phe;   /* descriptions (report.phecodes / $SYNTHEHR_PHECODES) */
	int phe_state;         /* 0 not read, 1 read, -1 none */
	int npts, pts_set;     /* for which set */
	char *pts_err;
} ev = { .pts_set = -1 };   /* no set's points read yet */

static const char *const eval_keys[] = {
	"e\trun the evaluation (every run and baseline)",
	"Up/Down\tselect a run or baseline (in the details and Figure 4 too)",
	"Home/End\tthe first / last set (PgUp/PgDn: 5 sets)",
	"Left/Right\tpage through the metric panels",
	"f\tFigure 4: real vs synthetic prevalence, the 5 largest gaps named",
	"Enter\tdrill down: every metric of the selected set",
	"Esc\tback to the panels",
	":export F\twrite F (Markdown) and eval/report.html (charts)",
	NULL,
};

static void
free_points(void)
{
	int i;

	for (i = 0; ev.pname != NULL && i < ev.npts; i++)
		free(ev.pname[i]);
	free(ev.pname);
	free(ev.px);
	free(ev.py);
	free(ev.pts_err);
	ev.pname = NULL;
	ev.px = ev.py = NULL;
	ev.pts_err = NULL;
	ev.npts = ev.ntop = 0;
}

static void
eval_reset(struct app *a)
{
	(void)a;
	free_points();
	if (ev.phe_state == 1)
		phecode_info_done(&ev.phe);
	ev.phe_state = 0;
	ev.npts = 0;
	ev.pts_set = -1;
	tui_results_reset();
}

static void
eval_load(struct app *a)
{
	eval_reset(a);
	tui_results_load(a);
}

static void
eval_enter(struct app *a)
{
	eval_load(a);
}

/* Concept prevalences of prep/train.mtx and the set's synthetic.mtx. */
static void
load_points(struct app *a, int set)
{
	struct layout *l = NULL;
	struct mtx *r = NULL, *s = NULL;
	char *cause = NULL, *rel, *p;
	int j, n = 0;

	free_points();
	ev.pts_set = set;
	if (prep_load_layout(a->st, &l, &cause) != 0)
		goto fail;
	p = app_path(a, "prep/train.mtx");
	if (mtx_read(p, l, &r, &cause) != 0) {
		free(p);
		goto fail;
	}
	free(p);
	rel = xsprintf("runs/%s/synthetic.mtx", tui_res.names[set]);
	p = app_path(a, rel);
	free(rel);
	if (!util_file_exists(p)) {
		free(p);
		rel = xsprintf("eval/external/%s/synthetic.mtx", tui_res.names[set]);
		p = app_path(a, rel);
		free(rel);
	}
	if (mtx_read(p, l, &s, &cause) != 0) {
		free(p);
		goto fail;
	}
	free(p);
	ev.px = xcalloc(l->D + 1, sizeof *ev.px);
	ev.py = xcalloc(l->D + 1, sizeof *ev.py);
	ev.pname = xcalloc(l->D + 1, sizeof *ev.pname);
	for (j = 0; j < l->D; j++) {
		double sr = 0, ss = 0;
		size_t i;

		if (!l->concept[j])
			continue;
		for (i = 0; i < r->n; i++)
			sr += mtx_get(r, i, j) >= 0.5f;
		for (i = 0; i < s->n; i++)
			ss += mtx_get(s, i, j) >= 0.5f;
		ev.px[n] = r->n ? sr / r->n : 0;
		ev.py[n] = s->n ? ss / s->n : 0;
		ev.pname[n] = xstrdup(l->name[j]);
		n++;
	}
	ev.npts = n;
	/* the five concepts farthest from the diagonal (|synthetic - real|;
	 * ties: the first column) */
	for (ev.ntop = 0; ev.ntop < 5 && ev.ntop < n; ev.ntop++) {
		int i, k, best = -1;

		for (i = 0; i < n; i++) {
			for (k = 0; k < ev.ntop && ev.top[k] != i; k++)
				;
			if (k == ev.ntop && (best < 0 || fabs(ev.py[i] - ev.px[i]) > fabs(ev.py[best] - ev.px[best])))
				best = i;
		}
		ev.top[ev.ntop] = best;
	}
	mtx_free(r);
	mtx_free(s);
	layout_free(l);
	return;
fail:
	ev.pts_err = cause;
	mtx_free(r);
	mtx_free(s);
	layout_free(l);
}

/* "value±se", the standard error to two significant digits (the digits
 * past them are noise), or the value alone when the metric has no SE or
 * with_se is 0. */
static const char *
fmt_se(struct canvas *cv, char *buf, size_t size, int s, int m, int with_se)
{
	char v[32], e[32];
	double se = tui_res.se != NULL && with_se ? tui_res.se[(size_t)s * RANK_COUNT + m] : NAN;

	tui_fmt(v, sizeof v, tui_res.values[(size_t)s * RANK_COUNT + m]);
	if (se == se && isfinite(se)) {
		int d = se > 0 ? 1 - (int)floor(log10(se)) : 0;

		if (d >= 0 && d <= 6)
			snprintf(e, sizeof e, "%.*f", d, se);
		else
			tui_fmt(e, sizeof e, se);
		snprintf(buf, size, "%s%s%s", v, cv->ascii ? "+-" : "\u00b1", e);
	} else
		snprintf(buf, size, "%s", v);
	return buf;
}

/* The panels' name column: the longest name, at most 11 (longer names are
 * shortened with '~' and spelled out in the key). */
static int
panel_name_width(void)
{
	char lb[64];
	int s, nw = 5;

	for (s = 0; s < tui_res.nsets; s++)
		nw = SH_MAX(nw, (int)strlen(tui_set_label(tui_res.names[s], lb, sizeof lb, NULL)));
	return SH_MIN(nw, 11);
}

/* The value column of metric m's panel: its widest value (with_se: its
 * widest value±se) and a space, at least 8. */
static int
panel_value_width(struct canvas *cv, int m, int with_se)
{
	char b[80];
	int s, cw = 8;

	for (s = 0; s < tui_res.nsets; s++)
		cw = SH_MAX(cw, canvas_strwidth(fmt_se(cv, b, sizeof b, s, m, with_se)) + 1);
	return SH_MIN(cw, 18);
}

/* A panel's bar keeps at least this many cells: the standard errors go
 * to the details view (Enter) when value±se would leave less. */
#define PANEL_MIN_BAR 16

/* The place of every set on metric m, as the Rank screen and 'synthehr
 * rank' count it (the tutorial's average ranks, truncated): tied sets
 * share a place.  Returns the best place (0 when no set has a value). */
static int
metric_places(int m, double *place)
{
	double *col = xcalloc(tui_res.nsets + 1, sizeof *col);
	int s, best = 0;

	for (s = 0; s < tui_res.nsets; s++)
		col[s] = tui_res.values[(size_t)s * RANK_COUNT + m];
	rank_metric_ranks(col, tui_res.nsets, rank_metrics[m].higher_better, 0, place);
	for (s = 0; s < tui_res.nsets; s++)
		if (col[s] == col[s] && (best == 0 || place[s] < best))
			best = (int)place[s];
	free(col);
	return best;
}

/* How many sets share place p on a metric. */
static int
count_place(const double *place, int p, int m)
{
	int s, n = 0;

	for (s = 0; s < tui_res.nsets; s++)
		n += (int)place[s] == p && tui_res.values[(size_t)s * RANK_COUNT + m] == tui_res.values[(size_t)s * RANK_COUNT + m];
	return n;
}

/* A set's name in at most w columns: whole when it fits, else shortened
 * with a '~' and spelled out in the key below the panels (names are
 * never cut without saying what they are). */
static const char *
short_label(int s, int w, char *buf, size_t size, int *cut)
{
	char lb[64];
	const char *l = tui_set_label(tui_res.names[s], lb, sizeof lb, NULL);

	*cut = (int)strlen(l) > w;
	if (!*cut)
		snprintf(buf, size, "%s", l);
	else
		snprintf(buf, size, "%.*s~", w - 1, l);
	return buf;
}

/* The column of a bar area (x, w cells) where a bar of goodness g ends. */
static int
bar_end(int x, int w, double g)
{
	int c = (int)ceil(g * w - 1e-9) - 1;

	return x + (c < 0 ? 0 : c >= w ? w - 1 : c);
}

/* One metric's panel: a bar per set in goodness space, the real-data
 * reference (when there is one) as a marked column through every bar and
 * a row of its own, the best set starred. */
static void
draw_panel(struct canvas *cv, int x, int y, int w, int h, int m, int with_se)
{
	char title[48], b[80], lb[64];
	int s, nw = panel_name_width(), cw = panel_value_width(cv, m, with_se), peer, bestp, nbest, cut;
	int hb = rank_metrics[m].higher_better, hasref = tui_res.nref > 0, rows = h - 2 - hasref, bx, bw;
	double *place = xcalloc(tui_res.nsets + 1, sizeof *place), vbest = NAN, vworst = NAN, ref = tui_res.ref[m];
	uint32_t vbar = cv->ascii ? '|' : 0x2502;

	bx = x + 3 + nw;
	bw = w - nw - 4 - cw;

	snprintf(title, sizeof title, "%s %s", rank_metrics[m].label, cv->ascii ?
	    (rank_metrics[m].higher_better ? "(higher)" : "(lower)") : rank_arrow(m));
	canvas_box(cv, x, y, w, h, THEME_BORDER, title);
	bestp = metric_places(m, place);
	nbest = count_place(place, bestp, m);
	/* the bars' scale spans the sets and the reference */
	for (s = 0; s <= tui_res.nsets; s++) {
		double v = s < tui_res.nsets ? tui_res.values[(size_t)s * RANK_COUNT + m] : ref;

		if (v != v)
			continue;
		if (vbest != vbest || (hb ? v > vbest : v < vbest))
			vbest = v;
		if (vworst != vworst || (hb ? v < vworst : v > vworst))
			vworst = v;
	}
	for (s = 0; s < tui_res.nsets && s < rows; s++) {
		double v = tui_res.values[(size_t)s * RANK_COUNT + m];
		int best = v == v && (int)place[s] == bestp;
		int role = best ? THEME_BEST : THEME_NORMAL;

		tui_set_label(tui_res.names[s], lb, sizeof lb, &peer);
		/* '*' marks the best set, '=' each of sets tied for best, so
		 * that it shows without colour too */
		canvas_put(cv, x + 1, y + 1 + s, !best ? ' ' : nbest > 1 ? '=' : '*', THEME_BEST);
		/* Peers (classical synthesizers) are dimmed, apart from the
		 * EMR-WGAN runs. */
		canvas_printf(cv, x + 2, y + 1 + s, nw, s == ev.sel ? THEME_SELECTED : peer ? THEME_DIM :
		    THEME_NORMAL, "%-*s", nw, short_label(s, nw, b, sizeof b, &cut));
		if (v == v && bw > 0)
			canvas_bar(cv, bx, y + 1 + s, bw, plot_goodness(hb, v, vbest, vworst), best ? THEME_GOOD :
			    peer ? THEME_DIM : THEME_HIST_BAR);
		/* the reference's column: a notch in a longer bar, a line past
		 * a shorter one */
		if (ref == ref && bw > 0)
			canvas_put(cv, bar_end(bx, bw, plot_goodness(hb, ref, vbest, vworst)), y + 1 + s, vbar, THEME_KEY);
		canvas_text_right(cv, x + w - 1 - cw, y + 1 + s, cw, role, fmt_se(cv, b, sizeof b, s, m, with_se));
	}
	if (hasref && rows >= 0 && bw > 0) {
		int ry = y + 1 + SH_MIN(tui_res.nsets, rows);

		canvas_printf(cv, x + 2, ry, nw, THEME_KEY, "%-*s", nw, "real");
		if (ref == ref) {
			double g = plot_goodness(hb, ref, vbest, vworst);
			int i, end = bar_end(bx, bw, g);

			for (i = bx; i < end; i++)
				canvas_put(cv, i, ry, cv->ascii ? '-' : 0x2500, THEME_DIM);
			canvas_put(cv, end, ry, vbar, THEME_KEY);
			canvas_text_right(cv, x + w - 1 - cw, ry, cw, THEME_KEY, tui_fmt(b, sizeof b, ref));
		} else
			canvas_text(cv, bx, ry, bw + cw, THEME_DIM, "no reference");
	}
	free(place);
}

/* A concept's phecode description, from the map that study.json
 * report.phecodes or $SYNTHEHR_PHECODES names, or a demo study's built-in
 * names (phecode_names_read, as the reports and the Load screen); NULL
 * without one. */
static const char *
concept_description(struct app *a, const char *name)
{
	if (ev.phe_state == 0) {
		char *cause = NULL;

		ev.phe_state = phecode_names_read(a->st->cfg, &ev.phe, NULL, &cause) == 0 ? 1 : -1;
		free(cause);
	}
	return ev.phe_state == 1 ? phecode_info_find(&ev.phe, name) : NULL;
}

/* Figure 4: every concept's real (x) against synthetic (y) prevalence,
 * the diagonal y = x drawn as a line of its own glyph under the points,
 * the five points farthest from it numbered and listed below with their
 * phecode descriptions. */
static void
draw_fig4(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	double mx = 0;
	int i, k, pw, ph, px0, nl;
	char title[96], b[32];

	if (ev.pts_set != ev.sel)
		load_points(a, ev.sel);
	snprintf(title, sizeof title, "Figure 4: concept prevalence, real (x) vs %s (y)", tui_res.names[ev.sel]);
	canvas_box(cv, x, y, w, h, THEME_BORDER, title);
	if (ev.pts_err != NULL) {
		canvas_text(cv, x + 2, y + 2, w - 4, THEME_ERROR, ev.pts_err);
		return;
	}
	for (i = 0; i < ev.npts; i++)
		mx = SH_MAX(mx, SH_MAX(ev.px[i], ev.py[i]));
	if (mx <= 0)
		mx = 1;
	nl = h >= 14 ? ev.ntop : 0;   /* the list of the largest gaps, when there is room */
	px0 = x + 9;
	pw = w - 11;
	ph = h - 3 - nl;
	if (pw < 2 || ph < 2)
		return;
	canvas_scatter(cv, px0, y + 1, pw, ph, ev.px, ev.py, ev.npts, 0, mx, 0, mx, THEME_PLOT_1);
	/* the five largest gaps: their number instead of the dot */
	for (k = 0; k < nl; k++) {
		int j = ev.top[k];
		int cx = (int)(ev.px[j] / mx * (pw - 1) + 0.5), cy = (int)((mx - ev.py[j]) / mx * (ph - 1) + 0.5);

		canvas_put(cv, px0 + cx, y + 1 + cy, (uint32_t)('1' + k), THEME_BAD);
	}
	/* the diagonal y = x in the cells the points leave free: a line
	 * glyph of its own, dimmed, never mistaken for a point */
	for (i = 0; i <= 4 * pw; i++) {
		double t = (double)i / (4 * pw);
		int cx = (int)(t * (pw - 1) + 0.5), cy = (int)((1 - t) * (ph - 1) + 0.5);
		struct canvas_cell *c;

		if (px0 + cx >= cv->w || y + 1 + cy >= cv->h || px0 + cx < 0 || y + 1 + cy < 0)
			continue;
		c = &cv->cells[(size_t)(y + 1 + cy) * cv->w + px0 + cx];
		if (c->ch == ' ')
			canvas_put(cv, px0 + cx, y + 1 + cy, cv->ascii ? '/' : 0x2571, THEME_DIM);
	}
	canvas_text_right(cv, x + 1, y + 1, 7, THEME_DIM, tui_fmt(b, sizeof b, mx));
	canvas_text_right(cv, x + 1, y + ph, 7, THEME_DIM, "0");
	canvas_printf(cv, px0, y + ph + 1, pw, THEME_DIM, "0   %d concepts; %s y = x: same prevalence; "
	    "1-5 largest gaps", ev.npts, cv->ascii ? "/" : "\u2571");
	canvas_text_right(cv, px0, y + ph + 1, pw, THEME_DIM, tui_fmt(b, sizeof b, mx));
	for (k = 0; k < nl; k++) {
		int j = ev.top[k];
		const char *d = concept_description(a, ev.pname[j]);

		int n = canvas_printf(cv, x + 2, y + ph + 2 + k, w - 4, THEME_NORMAL, "%d %-7s %5.1f%% %s %5.1f%% "
		    "(%+.1f)  ", k + 1, ev.pname[j], 100 * ev.px[j], cv->ascii ? "->" : "\u2192", 100 * ev.py[j],
		    100 * (ev.py[j] - ev.px[j]));
		int dw = w - 4 - n;

		if (d == NULL)
			d = ev.phe_state == 1 ? "(not in the phecode map)" : "(no phecode map: report.phecodes)";
		/* a description longer than the row keeps its start and says so */
		if (dw > 1 && canvas_strwidth(d) > dw) {
			canvas_text(cv, x + 2 + n, y + ph + 2 + k, dw - 1, THEME_NORMAL, d);
			canvas_put(cv, x + 2 + n + dw - 1, y + ph + 2 + k, '~', THEME_DIM);
		} else
			canvas_text(cv, x + 2 + n, y + ph + 2 + k, dw, THEME_NORMAL, d);
		canvas_put(cv, x + 2, y + ph + 2 + k, (uint32_t)('1' + k), THEME_BAD);
	}
}

/* The rows description d takes wrapped at spaces in dw columns (as
 * draw_drill wraps it). */
static int
wrap_rows(const char *d, int dw)
{
	int n = 1;

	while (dw > 8 && (int)strlen(d) > dw) {
		int cut = dw;

		while (cut > dw / 2 && d[cut] != ' ')
			cut--;
		d += cut + (d[cut] == ' ');
		n++;
	}
	return n;
}

/* What the real-data reference is, one line. */
static const char *
ref_meaning(void)
{
	return json_object_get(json_object_get(tui_res.metrics, "reference"), "values") != NULL ?
	    "real = the held-out test rows scored as a set (TSTR, TRTS: TRTR's AUROC)" :
	    "real = TRTR's AUROC (train real, test real); e evaluates the others";
}

/* The selected set's entry in metrics.json "sets" (the sets as listed,
 * the real rows left out), or NULL. */
static json_t *
selected_set(void)
{
	json_t *all = json_object_get(tui_res.metrics, "sets");
	size_t i;
	int k = -1;

	for (i = 0; i < json_array_size(all); i++)
		if (strcmp(js_str(json_array_get(all, i), "kind", ""), "real") != 0 && ++k == ev.sel)
			return json_array_get(all, i);
	return NULL;
}

static void
draw_drill(struct canvas *cv, int x, int y, int w, int h)
{
	int m, yy = y + 1, vw = 5, rw = 4, below, hasref = tui_res.nref > 0, wrap[RANK_COUNT];
	char b[80], title[64];
	double *place;

	snprintf(title, sizeof title, "%s: every metric", tui_res.names[ev.sel]);
	canvas_box(cv, x, y, w, h, THEME_BORDER, title);
	place = xcalloc(tui_res.nsets + 1, sizeof *place);
	for (m = 0; m < RANK_COUNT; m++) {
		vw = SH_MAX(vw, canvas_strwidth(fmt_se(cv, b, sizeof b, ev.sel, m, 1)));
		rw = SH_MAX(rw, (int)strlen(tui_fmt(b, sizeof b, tui_res.ref[m])));
	}
	/* rows the memorisation lines below will need */
	{
		json_t *st = selected_set(), *mm, *ck;

		mm = json_object_get(json_object_get(st, "details"), "memorisation");
		ck = json_object_get(json_object_get(st, "details"), "ckv");
		below = (mm != NULL ? 3 : 0) + (ck != NULL && json_integer_value(json_object_get(ck, "missing")) > 0) +
		    hasref;
	}
	/* which descriptions are wrapped whole: as many as the free rows
	 * allow, the shortest first */
	{
		int dw = w - 4 - (10 + vw + 2 + (hasref ? rw + 2 : 0) + 13), spare = h - 2 - RANK_COUNT - below - hasref;
		int extra[RANK_COUNT];

		for (m = 0; m < RANK_COUNT; m++) {
			extra[m] = wrap_rows(rank_metrics[m].title, dw) - 1;
			wrap[m] = extra[m] == 0;
		}
		for (;;) {
			int best = -1;

			for (m = 0; m < RANK_COUNT; m++)
				if (!wrap[m] && extra[m] <= spare && (best < 0 || extra[m] < extra[best]))
					best = m;
			if (best < 0)
				break;
			wrap[best] = 1;
			spare -= extra[best];
		}
	}
	/* the columns' heads, the real-data reference's among them */
	if (hasref) {
		canvas_printf(cv, x + 2, yy, w - 4, THEME_DIM, "%-9s %*s  %*s  %-11s  %s", "metric", vw, "value",
		    rw, "real", "place", "what it measures");
		yy++;
	}
	for (m = 0; m < RANK_COUNT && yy < y + h - 1; m++, yy++) {
		double v = tui_res.values[(size_t)ev.sel * RANK_COUNT + m];
		int bestp = metric_places(m, place), p = (int)place[ev.sel], tied = count_place(place, p, m);
		int dx, dw, len, role = v == v && p == bestp ? THEME_BEST : THEME_NORMAL;
		char pl[32], rv[32];
		const char *d = rank_metrics[m].title;

		/* the place the Rank screen gives it; sets on one value share it */
		if (v != v)
			pl[0] = '\0';
		else if (tied > 1)
			snprintf(pl, sizeof pl, "%d/%d, %d tied", p, tui_res.nsets, tied);
		else
			snprintf(pl, sizeof pl, "%d/%d%s", p, tui_res.nsets, p == bestp ? " best" : "");
		canvas_printf(cv, x + 2, yy, w - 4, role, "%-7s %s ", rank_metrics[m].label, cv->ascii ?
		    (rank_metrics[m].higher_better ? "^" : "v") : rank_arrow(m));
		/* right-aligned by display width ('\u00b1' is two bytes) */
		canvas_text_right(cv, x + 12, yy, vw, role, fmt_se(cv, b, sizeof b, ev.sel, m, 1));
		dx = x + 12 + vw + 2;
		if (hasref) {
			canvas_text_right(cv, dx, yy, rw, THEME_KEY, tui_res.ref[m] == tui_res.ref[m] ? tui_fmt(rv, sizeof rv,
			    tui_res.ref[m]) : "-");
			dx += rw + 2;
		}
		dx += canvas_printf(cv, dx, yy, x + w - 2 - dx, role, "%-11s  ", pl);
		/* the description whole, wrapped at spaces, where the rows
		 * allow it (wrap[m]); else cut at a space, marked */
		dw = x + w - 2 - dx;
		while (wrap[m] && dw > 8 && (len = (int)strlen(d)) > dw) {
			int cut = dw;

			while (cut > dw / 2 && d[cut] != ' ')
				cut--;
			canvas_printf(cv, dx, yy, cut, THEME_DIM, "%.*s", cut, d);
			d += cut + (d[cut] == ' ');
			yy++;
		}
		if (dw > 8 && (int)strlen(d) > dw) {
			int cut = dw - 2;

			while (cut > 0 && d[cut] != ' ')
				cut--;
			canvas_printf(cv, dx, yy, dw, THEME_DIM, "%.*s %s", cut, d, cv->ascii ? "~" : "\u2026");
		} else
			canvas_text(cv, dx, yy, dw, THEME_DIM, d);
	}
	free(place);
	/* Memorisation of the selected set, the real test rows as reference;
	 * CKV codes the set never produces. */
	{
		json_t *st = selected_set(), *mm, *ref, *ck;

		mm = json_object_get(json_object_get(st, "details"), "memorisation");
		ref = json_object_get(json_object_get(tui_res.metrics, "real"), "memorisation");
		ck = json_object_get(json_object_get(st, "details"), "ckv");
		if (mm != NULL && ++yy < y + h - 1)
			canvas_printf(cv, x + 2, yy++, w - 4, THEME_NORMAL,
			    "memorised: %.2f%% rows copy a training row, %.2f%% repeat a discrete profile",
			    100 * json_number_value(json_object_get(mm, "exact")),
			    100 * json_number_value(json_object_get(mm, "profile")));
		if (mm != NULL && ref != NULL && yy < y + h - 1)
			canvas_printf(cv, x + 2, yy++, w - 4, THEME_DIM,
			    "reference, real test rows: %.2f%% and %.2f%%",
			    100 * json_number_value(json_object_get(ref, "exact")),
			    100 * json_number_value(json_object_get(ref, "profile")));
		if (ck != NULL && json_integer_value(json_object_get(ck, "missing")) > 0 && yy < y + h - 1)
			canvas_printf(cv, x + 2, yy++, w - 4, THEME_BAD,
			    "CKV: %lld of %lld checked codes never produced (counted as violations)",
			    (long long)json_integer_value(json_object_get(ck, "missing")),
			    (long long)json_integer_value(json_object_get(ck, "checked")));
		if (hasref && yy < y + h - 1)
			canvas_text(cv, x + 2, yy++, w - 4, THEME_DIM, ref_meaning());
	}
}

static void
eval_draw(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	int shown[RANK_COUNT], nm = 0, m, pw, ph, per_row, per_page, i, with_se, se_hidden;

	if (!tui_res.loaded)
		eval_load(a);
	if (a->st == NULL) {
		canvas_text(cv, x + 2, y + 1, w - 4, THEME_DIM, "No study open: start on screen 1 (Load).");
		return;
	}
	if (job_is(a, STAGE_EVALUATE)) {
		const struct stage_event *e = &a->job.st.last;
		double frac = e->stage == STAGE_EVALUATE && e->total > 0 ? e->step / e->total : -1;

		canvas_printf(cv, x + 1, y, 40, THEME_KEY, "evaluating %s", e->stage == STAGE_EVALUATE &&
		    e->label[0] ? e->label : "...");
		if (frac >= 0) {
			canvas_progress(cv, x + 42, y, w - 50, frac, THEME_GOOD);
			canvas_printf(cv, x + w - 7, y, 6, THEME_NORMAL, "%3.0f%%", 100 * frac);
		}
		y++;
		h--;
	}
	if (tui_res.nsets > 0 && (a->stale & STUDY_STALE_EVAL))
		canvas_text_right(cv, x, y, w - 1, THEME_BAD, "stale: sets changed since: e again");
	if (tui_res.nsets == 0) {
		canvas_text(cv, x + 2, y + 1, w - 4, THEME_DIM, "No metrics yet: e evaluates every trained run "
		    "and the baselines.");
		return;
	}
	if (ev.sel >= tui_res.nsets) ev.sel = tui_res.nsets - 1;
	if (ev.sel < 0) ev.sel = 0;
	if (ev.view == 1) {
		draw_fig4(a, cv, x, y, w, h);
		return;
	}
	if (ev.view == 2) {
		draw_drill(cv, x, y, w, h);
		return;
	}
	for (m = 0; m < RANK_COUNT; m++) {
		int s, any = 0;

		for (s = 0; s < tui_res.nsets; s++)
			any |= tui_res.values[(size_t)s * RANK_COUNT + m] == tui_res.values[(size_t)s * RANK_COUNT + m];
		if (any)
			shown[nm++] = m;
	}
	ph = tui_res.nsets + 2 + (tui_res.nref > 0);
	/* a panel holds the whole name (or its key), the value and a bar of
	 * PANEL_MIN_BAR cells: fewer panels per row rather than names or
	 * values cut; value±se where that still leaves the bar its cells,
	 * else the standard errors are in the details (Enter) */
	{
		int nw = panel_name_width(), cwv = 8, cws = 8;

		for (m = 0; m < nm; m++) {
			cwv = SH_MAX(cwv, panel_value_width(cv, shown[m], 0));
			cws = SH_MAX(cws, panel_value_width(cv, shown[m], 1));
		}
		per_row = SH_MAX(1, w / SH_MAX(26, nw + cwv + 4 + PANEL_MIN_BAR));
		pw = w / per_row;
		with_se = tui_res.se != NULL && pw - nw - 4 - cws >= PANEL_MIN_BAR;
		se_hidden = tui_res.se != NULL && !with_se;
	}
	per_page = per_row * SH_MAX(1, (h - 2) / ph);
	if (ev.page * per_page >= nm) ev.page = 0;
	for (i = 0; i < per_page && ev.page * per_page + i < nm; i++)
		draw_panel(cv, x + (i % per_row) * pw, y + (i / per_row) * ph, pw, ph, shown[ev.page * per_page + i],
		    with_se);
	/* the rows the panels leave free (at 80x24 with eight sets, seven)
	 * say what each metric on the page measures, which way is better, its
	 * range and the real rows' value: a class reads the panels with it */
	{
		int yy = y + ((SH_MIN(per_page, nm - ev.page * per_page) + per_row - 1) / per_row) * ph;
		int last = y + h - 3 - (tui_res.nref > 0);

		for (i = 0; i < per_page && ev.page * per_page + i < nm && yy < last; i++) {
			const struct rank_metric_info *ri = &rank_metrics[shown[ev.page * per_page + i]];
			char line[256], rb[32];
			const char *t;
			int k = shown[ev.page * per_page + i], lw = w - 2, pass;

			snprintf(line, sizeof line, "%-6s %s %s; %s, range %s%s%s", ri->label,
			    cv->ascii ? (ri->higher_better ? "^" : "v") : rank_arrow(k), ri->title,
			    ri->higher_better ? "higher is better" : "lower is better", ri->range,
			    tui_res.ref[k] == tui_res.ref[k] ? "; real rows " : "",
			    tui_res.ref[k] == tui_res.ref[k] ? tui_fmt(rb, sizeof rb, tui_res.ref[k]) : "");
			/* wrapped at spaces, the continuation indented under the
			 * text; drawn only when every row of it fits (pass 0
			 * counts, pass 1 draws) */
			for (pass = 0; pass < 2; pass++) {
				int rows = 0;

				for (t = line; *t != '\0'; rows++) {
					int cut = (int)strlen(t), ind = t == line ? 0 : 7;

					if (canvas_strwidth(t) > lw - ind) {
						cut = lw - ind;
						while (cut > 0 && t[cut] != ' ')
							cut--;
						if (cut == 0)
							cut = lw - ind;
					}
					if (pass == 1)
						canvas_printf(cv, x + 1 + ind, yy + rows, lw - ind, THEME_DIM, "%.*s", cut, t);
					t += cut;
					while (*t == ' ')
						t++;
				}
				if (pass == 0 && yy + rows > last)
					break;
				if (pass == 1)
					yy += rows;
			}
			if (pass == 0)
				break;
		}
	}
	/* what the reference row is, on a row the panels leave free */
	if (tui_res.nref > 0 && y + (per_page / per_row) * ph <= y + h - 3)
		canvas_printf(cv, x + 1, y + h - 3, w - 2, THEME_DIM, "%s %s", cv->ascii ? "|" : "\u2502",
		    ref_meaning());
	/* the key: bars, marks, and every shortened name in full */
	{
		char key[512], sb[64], lb[64];
		int off, s, cut, nw;

		nw = panel_name_width();
		off = snprintf(key, sizeof key, "longer bar = better, * best, = tied");
		for (s = 0; s < tui_res.nsets && off < (int)sizeof key - 80; s++) {
			short_label(s, nw, sb, sizeof sb, &cut);
			if (cut)
				off += snprintf(key + off, sizeof key - off, "   %s %s", sb,
				    tui_set_label(tui_res.names[s], lb, sizeof lb, NULL));
		}
		canvas_text(cv, x + 1, y + h - 2, w - 2, THEME_DIM, key);
	}
	/* where the rest is; "selected: NAME" goes first when it does not fit
	 * (the highlighted row names it) */
	{
		char pos[64], sel[96], more[64];

		snprintf(pos, sizeof pos, "metrics %d-%d of %d (Left/Right)", ev.page * per_page + 1,
		    SH_MIN(nm, (ev.page + 1) * per_page), nm);
		snprintf(sel, sizeof sel, "   selected: %s", tui_res.names[ev.sel]);
		snprintf(more, sizeof more, "   f Figure 4   Enter details%s", !se_hidden ? "" :
		    cv->ascii ? " and +-SE" : " and \u00b1SE");
		if (canvas_strwidth(pos) + canvas_strwidth(sel) + canvas_strwidth(more) > w - 2)
			sel[0] = '\0';
		canvas_printf(cv, x + 1, y + h - 1, w - 2, THEME_DIM, "%s%s%s", pos, sel, more);
	}
}

static void
eval_done(struct app *a, int rc)
{
	eval_load(a);
	if (rc == 0)
		app_status(a, "evaluation done: %d sets; 6 Rank weighs them", tui_res.nsets);
}

int
screen_eval_start(struct app *a)
{
	struct stage_req q;
	char *cause = NULL;
	const char *preset;

	if (a->st == NULL) {
		app_error(a, xstrdup("no study is open (screen 1)"));
		return -1;
	}
	preset = js_str(json_object_get(a->st->cfg, "eval"), "preset", "fast");
	memset(&q, 0, sizeof q);
	q.stage = STAGE_EVALUATE;
	q.study = a->st->dir;
	q.eval_preset = preset;
	if (job_submit(a, &q, eval_done, &cause) != 0) {
		app_error(a, cause);
		return -1;
	}
	if (a->job.st.busy && !job_is(a, STAGE_EVALUATE))
		app_status(a, "evaluation (preset %s) queued behind %s; x stops all", preset,
		    stage_name(a->job.st.stage));
	else
		app_status(a, "evaluating (preset %s) ...", preset);
	return 0;
}

static void
export_done(struct app *a, int rc)
{
	if (rc == 0)
		app_status(a, "report written; with charts: %s/eval/report.html", a->st ? a->st->dir : "STUDY");
}

int
screen_eval_export(struct app *a, const char *path)
{
	struct stage_req q;
	char *cause = NULL;

	if (a->st == NULL) {
		app_error(a, xstrdup("no study is open (screen 1)"));
		return -1;
	}
	memset(&q, 0, sizeof q);
	q.stage = STAGE_REPORT;
	q.study = a->st->dir;
	q.out_path = path;
	if (job_submit(a, &q, export_done, &cause) != 0) {
		app_error(a, cause);
		return -1;
	}
	if (a->job.st.busy && !job_is(a, STAGE_REPORT))
		app_status(a, "report queued behind %s", stage_name(a->job.st.stage));
	return 0;
}

static int
eval_key(struct app *a, int key)
{
	int s;

	/* the set list, in the panels, Figure 4 and the details alike */
	if ((s = tui_list_key(key == 'k' ? TKEY_UP : key == 'j' ? TKEY_DOWN : key, ev.sel, tui_res.nsets, 5)) >= 0) {
		ev.sel = s;
		return TUI_REDRAW;
	}
	switch (key) {
	case 'e': screen_eval_start(a); return TUI_REDRAW;
	case TKEY_RIGHT: case 'l': ev.page++; return TUI_REDRAW;
	case TKEY_LEFT: case 'h': if (ev.page > 0) ev.page--; return TUI_REDRAW;
	case 'f': ev.view = ev.view == 1 ? 0 : 1; return TUI_REDRAW;
	case TKEY_ENTER: ev.view = ev.view == 2 ? 0 : 2; return TUI_REDRAW;
	case TKEY_ESC: case TKEY_BACKSPACE: ev.view = 0; return TUI_REDRAW;
	case 'r': eval_load(a); return TUI_REDRAW;
	}
	return TUI_UNHANDLED;
}

const struct screen screen_eval = {
	.name = "Evaluate",
	.abbr = "Eval",
	.keys = eval_keys,
	.enter = eval_enter,
	.draw = eval_draw,
	.key = eval_key,
	.reset = eval_reset,
};
