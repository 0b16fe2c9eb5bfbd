/* synthehr — GPL-3.0-or-later.
 * Screen 6, Rank: the weight profile as an editable list (arrows, + and -,
 * typed values; the sum shown and normalisation offered), switching between
 * the tutorial's profiles A (ML development) and B (education) and a custom
 * one, the ranking table recomputed on every keystroke (rank_compute is a
 * pure function of the metrics table and the weights) and, beside it, the
 * rank stability: how often each set came out best over the bootstrap
 * resamples in eval/metrics.json.  S saves the custom profile in
 * study.json "rank". */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/eval.h"
#include "synthehr/rank.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"
#include "tui/tui.h"


static struct {
	struct rank_profile prof;
	int have;
	int sel;
	int dirty;        /* weights edited since loaded or saved */
	int view;         /* 0 the runs x metrics table, 1 the ranking with its stability */
	char pending[16]; /* the profile to load once the user agrees to drop edits */
} rk;

static const char *const rank_keys[] = {
	"Up/Down\tselect a metric's weight (PgUp/PgDn, Home/End)",
	"+ / -\traise / lower the weight by 0.05",
	"Enter\ttype a weight",
	"0\tset the weight to 0",
	"a / b\tload profile A (ML development) / B (education)",
	"c\tload the saved custom profile",
	"n\tnormalise the weights to sum to 1",
	"S\tsave the weights as the custom profile (study.json)",
	"v\tthe runs x metrics table / the ranking with its stability",
	":export F\twrite F (Markdown) and eval/report.html (charts)",
	NULL,
};

static void
rank_reset(struct app *a)
{
	(void)a;
	rk.have = 0;
}

static void
load_profile(struct app *a, const char *name)
{
	char *cause = NULL;
	json_t *cfg = a->st != NULL ? json_object_get(a->st->cfg, "rank") : NULL;

	if (rank_profile_resolve(name, cfg, &rk.prof, &cause) != 0) {
		app_error(a, cause);
		rank_profile_builtin("A", &rk.prof);
	}
	rk.have = 1;
	rk.dirty = 0;
}

static void
rank_enter(struct app *a)
{
	if (!rk.have) {
		json_t *cfg = a->st != NULL ? json_object_get(a->st->cfg, "rank") : NULL;

		load_profile(a, js_str(cfg, "profile", "A"));
	}
}

/* Rank stability without bootstrap values: how often each set is best when
 * every weight is scaled by a seeded uniform factor in [0.8, 1.2]. */
#define JITTER_DRAWS 200
static int
jitter_stability(const double *values, int nsets, const struct rank_profile *p, int *best)
{
	struct rank_profile q = *p;
	struct rng r;
	double *ranks = xcalloc((size_t)nsets * RANK_COUNT, sizeof *ranks);
	double *overall = xcalloc(nsets, sizeof *overall);
	int d, m, b;

	rng_seed(&r, 1);
	memset(best, 0, nsets * sizeof *best);
	for (d = 0; d < JITTER_DRAWS; d++) {
		for (m = 0; m < RANK_COUNT; m++)
			q.w[m] = p->w[m] * (0.8 + 0.4 * rng_uniform(&r));
		b = rank_compute(values, nsets, &q, 0, ranks, overall);
		if (b >= 0)
			best[b]++;
	}
	free(ranks);
	free(overall);
	return JITTER_DRAWS;
}

/* Sort indices by overall score (ascending; ties by index). */
static const double *sort_overall;
static int
cmp_overall(const void *pa, const void *pb)
{
	int x = *(const int *)pa, y = *(const int *)pb;

	/* sums of weights x ranks: equal up to rounding counts as a tie */
	if (fabs(sort_overall[x] - sort_overall[y]) > 1e-9)
		return sort_overall[x] < sort_overall[y] ? -1 : 1;
	return x - y;
}

/* A set's name in at most w columns: whole when it fits, else shortened
 * with '~' (the key line spells it out). */
static const char *
short_name(const char *name, int w, char *buf, size_t size, int *cut)
{
	char lb[64];
	const char *l = screen_eval_label(name, lb, sizeof lb, NULL);

	*cut = (int)strlen(l) > w;
	if (!*cut)
		snprintf(buf, size, "%s", l);
	else if (strncmp(l, "peer:", 5) == 0 && (int)strlen(l) - 3 <= w)
		snprintf(buf, size, "p:%s", l + 5);   /* peer:cart -> p:cart, so peers stay apart */
	else if (strncmp(l, "peer:", 5) == 0)
		snprintf(buf, size, "p:%.*s~", w - 3, l + 5);
	else
		snprintf(buf, size, "%.*s~", w - 1, l);
	return buf;
}

/* The runs x metrics table: for every metric (a row, its weight editable)
 * each set's place on it and the place x weight it adds to the overall
 * score; the overall score and place below; then why the best set beats
 * the second.  Recomputed on every key. */
static void
draw_table(struct canvas *cv, int x, int y, int w, int h, const double *values, const char *const *names,
    int nsets, const double *ranks, const double *overall, const int *order)
{
	int cw = 7, lw = 17, ncol = SH_MIN(nsets, (w - lw - 1) / cw), m, c, yy, sum_ok;
	double sum = 0;
	char b[64], key[512];
	int off;

	(void)values;
	for (m = 0; m < RANK_COUNT; m++)
		sum += rk.prof.w[m];
	sum_ok = fabs(sum - 1) < 1e-9;
	{
		int tx = x + 1;

		tx += canvas_printf(cv, tx, y, w - 2, THEME_TITLE, "Weights: profile %s%s", rk.prof.name,
		    rk.dirty ? " (edited, S saves)" : "");
		canvas_printf(cv, tx, y, x + w - 1 - tx, sum_ok ? THEME_GOOD : THEME_BAD, "   sum %.2f%s",
		    sum, sum_ok ? "" : "  (n normalises)");
	}
	canvas_printf(cv, x + 1, y + 1, lw - 1, THEME_DIM, "metric   weight");
	off = 0;
	key[0] = '\0';
	for (c = 0; c < ncol; c++) {
		int cut, peer;

		screen_eval_label(names[order[c]], b, sizeof b, &peer);
		short_name(names[order[c]], cw - 1, b, sizeof b, &cut);
		canvas_text_right(cv, x + lw + c * cw, y + 1, cw, c == 0 ? THEME_BEST : peer ? THEME_DIM : THEME_TITLE, b);
		if (cut && off < (int)sizeof key - 80) {
			char lb[64];

			off += snprintf(key + off, sizeof key - off, "%s%s %s", off ? "  " : "", b,
			    screen_eval_label(names[order[c]], lb, sizeof lb, NULL));
		}
	}
	for (m = 0, yy = y + 2; m < RANK_COUNT && yy < y + h - 4; m++, yy++) {
		int role = m == rk.sel ? THEME_SELECTED : rk.prof.w[m] > 0 ? THEME_NORMAL : THEME_DIM;

		canvas_fill(cv, x, yy, w, 1, ' ', m == rk.sel ? THEME_SELECTED : THEME_NORMAL);
		canvas_printf(cv, x + 1, yy, lw - 1, role, "%-7s %s %5.2f", rank_metrics[m].label,
		    cv->ascii ? (rank_metrics[m].higher_better ? "^" : "v") : rank_arrow(m), rk.prof.w[m]);
		for (c = 0; c < ncol; c++) {
			double r = ranks[(size_t)order[c] * RANK_COUNT + m];

			if (rk.prof.w[m] > 0)
				snprintf(b, sizeof b, "%d %4.2f", (int)r, rk.prof.w[m] * r);
			else
				snprintf(b, sizeof b, "%d    -", (int)r);
			canvas_text_right(cv, x + lw + c * cw, yy, cw, m == rk.sel ? THEME_SELECTED :
			    rk.prof.w[m] > 0 ? THEME_NORMAL : THEME_DIM, b);
		}
	}
	canvas_text(cv, x + 1, yy, lw - 1, THEME_TITLE, "overall");
	for (c = 0; c < ncol; c++) {
		snprintf(b, sizeof b, "%.2f", overall[order[c]]);
		canvas_text_right(cv, x + lw + c * cw, yy, cw, c == 0 ? THEME_BEST : THEME_NORMAL, b);
	}
	yy++;
	canvas_text(cv, x + 1, yy, lw - 1, THEME_TITLE, "place");
	for (c = 0; c < ncol; c++) {
		int p = 1, k;

		/* equal overall scores share a place */
		for (k = 0; k < nsets; k++)
			if (overall[k] < overall[order[c]] - 1e-9)
				p++;
		snprintf(b, sizeof b, "%d", p);
		canvas_text_right(cv, x + lw + c * cw, yy, cw, c == 0 ? THEME_BEST : THEME_NORMAL, b);
	}
	yy++;
	/* why the best beats the second: the metrics where their weighted
	 * places differ most, for and against */
	if (nsets >= 2) {
		int a0 = order[0], a1 = order[1], used[RANK_COUNT] = { 0 }, k, o;
		char why[400], lb0[64], lb1[64];

		if (yy < y + h)
			canvas_printf(cv, x + 1, yy++, w - 2, THEME_NORMAL, "why %s is before %s (%.2f against %.2f):",
			    screen_eval_label(names[a0], lb0, sizeof lb0, NULL),
			    screen_eval_label(names[a1], lb1, sizeof lb1, NULL), overall[a0], overall[a1]);
		o = snprintf(why, sizeof why, "  gains");
		for (k = 0; k < 4; k++) {   /* the largest gains, then the largest loss */
			int bm = -1;
			double bd = 0;

			for (m = 0; m < RANK_COUNT; m++) {
				double d = rk.prof.w[m] * (ranks[(size_t)a1 * RANK_COUNT + m] - ranks[(size_t)a0 * RANK_COUNT + m]);

				if (!used[m] && d > bd + 1e-12) {
					bd = d;
					bm = m;
				}
			}
			if (bm < 0)
				break;
			used[bm] = 1;
			o += snprintf(why + o, sizeof why - o, "%s %s %.2f", k ? "," : "", rank_metrics[bm].label, bd);
		}
		if (k == 0)
			o += snprintf(why + o, sizeof why - o, " none");
		{
			int bm = -1;
			double bd = 0;

			for (m = 0; m < RANK_COUNT; m++) {
				double d = rk.prof.w[m] * (ranks[(size_t)a1 * RANK_COUNT + m] - ranks[(size_t)a0 * RANK_COUNT + m]);

				if (d < bd - 1e-12) {
					bd = d;
					bm = m;
				}
			}
			if (bm >= 0)
				snprintf(why + o, sizeof why - o, "; loses most on %s %.2f", rank_metrics[bm].label, -bd);
		}
		if (yy < y + h)
			canvas_text(cv, x + 1, yy++, w - 2, THEME_NORMAL, why);
	}
	if (yy < y + h)
		canvas_text(cv, x + 1, yy++, w - 2, THEME_DIM, "cells: place on the metric, weight x place; "
		    "overall = their sum, lower wins");
	if (ncol < nsets && yy < y + h)
		canvas_printf(cv, x + 1, yy++, w - 2, THEME_DIM, "%d of %d sets shown (the best); v: the ranking of all",
		    ncol, nsets);
	if (key[0] != '\0' && yy < y + h)
		canvas_text(cv, x + 1, yy++, w - 2, THEME_DIM, key);
}

static void
rank_draw(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	const double *values;
	const char *const *names;
	json_t *metrics;
	int nsets, m, s, lw = 36, yy;
	double sum = 0, *ranks, *overall, *boot = NULL;
	int *order, *bestc = NULL, nboot = 0, bootn;
	char b[32], lb[64];

	if (a->st == NULL) {
		canvas_text(cv, x + 2, y + 1, w - 4, THEME_DIM, "No study open: start on screen 1 (Load).");
		return;
	}
	if (!rk.have)
		rank_enter(a);
	nsets = screen_eval_table(a, &values, &names, &metrics);
	if (rk.view == 0 && nsets > 0)
		goto compute;
	canvas_printf(cv, x + 1, y, lw, THEME_TITLE, "Weights: profile %s", rk.prof.name);
	for (m = 0; m < RANK_COUNT; m++) {
		int role = m == rk.sel ? THEME_SELECTED : rk.prof.w[m] > 0 ? THEME_NORMAL : THEME_DIM;

		sum += rk.prof.w[m];
		canvas_fill(cv, x, y + 1 + m, lw, 1, ' ', role);
		canvas_printf(cv, x + 1, y + 1 + m, lw - 1, role, "%-7s %s %5.2f ", rank_metrics[m].label,
		    cv->ascii ? (rank_metrics[m].higher_better ? "^" : "v") : rank_arrow(m), rk.prof.w[m]);
		canvas_bar(cv, x + 17, y + 1 + m, lw - 18, rk.prof.w[m], role == THEME_SELECTED ?
		    THEME_SELECTED : THEME_HIST_BAR);
	}
	yy = y + 2 + RANK_COUNT;
	canvas_printf(cv, x + 1, yy, lw - 1, fabs(sum - 1) < 1e-9 ? THEME_GOOD : THEME_BAD, "sum %.2f%s", sum,
	    fabs(sum - 1) < 1e-9 ? "" : "  (n normalises)");
	canvas_text(cv, x + 1, yy + 1, lw - 1, THEME_DIM, "a/b/c profiles  S save");
	canvas_box(cv, x + lw, y, w - lw, h, THEME_BORDER, "Ranking (lower overall is better)");
	if (nsets == 0) {
		canvas_text(cv, x + lw + 2, y + 2, w - lw - 4, THEME_DIM, "No metrics yet: evaluate on screen 5.");
		return;
	}
compute:
	ranks = xcalloc((size_t)nsets * RANK_COUNT, sizeof *ranks);
	overall = xcalloc(nsets, sizeof *overall);
	order = xcalloc(nsets, sizeof *order);
	rank_compute(values, nsets, &rk.prof, 0, ranks, overall);
	bestc = xcalloc(nsets, sizeof *bestc);
	if (rk.view == 1) {
		eval_metrics_boot(metrics, nsets, &boot, &nboot);
		if (nboot > 0)
			rank_stability(boot, nboot, nsets, &rk.prof, 0, bestc);
	}
	bootn = nboot;
	if (nboot == 0 && rk.view == 1)
		nboot = jitter_stability(values, nsets, &rk.prof, bestc);
	for (s = 0; s < nsets; s++)
		order[s] = s;
	sort_overall = overall;
	qsort(order, nsets, sizeof *order, cmp_overall);
	if (rk.view == 0) {
		draw_table(cv, x, y, w, h, values, names, nsets, ranks, overall, order);
		goto out;
	}
	canvas_printf(cv, x + lw + 2, y + 1, w - lw - 4, THEME_DIM, "%-3s %-18s %7s  %s", "#", "set", "overall",
	    "best in");
	for (s = 0; s < nsets && y + 2 + s < y + h - 3; s++) {
		int k = order[s], peer, role;
		double f = nboot > 0 ? (double)bestc[k] / nboot : 0;
		const char *lbl = screen_eval_label(names[k], lb, sizeof lb, &peer);

		/* Classical peers rank with the runs, dimmed apart from them. */
		role = s == 0 ? THEME_BEST : peer ? THEME_DIM : THEME_NORMAL;
		canvas_printf(cv, x + lw + 2, y + 2 + s, w - lw - 4, role, "%-3d %-18.18s %7s", s + 1, lbl,
		    tui_fmt(b, sizeof b, overall[k]));
		canvas_printf(cv, x + lw + 33, y + 2 + s, 5, THEME_NORMAL, "%3.0f%%", 100 * f);
		canvas_bar(cv, x + lw + 38, y + 2 + s, w - lw - 39, f, THEME_HIST_BAR);
	}
	canvas_printf(cv, x + lw + 2, y + h - 2, w - lw - 4, THEME_DIM, bootn > 0 ?
	    "best in: share of %d bootstrap resamples" : "best in: share of %d weight jitters (+-20%%)",
	    nboot);
out:
	free(ranks);
	free(overall);
	free(order);
	free(bestc);
	free(boot);
}

static void
to_custom(void)
{
	rk.dirty = 1;
	if (strcmp(rk.prof.name, "custom") != 0)
		snprintf(rk.prof.name, sizeof rk.prof.name, "custom");
}

static void
got_weight(struct app *a, char *line)
{
	double d;

	if (line == NULL)
		return;
	if (util_parse_double(line, strlen(line), &d) != 0 || d < 0)
		app_error(a, xsprintf("'%s': expected a weight >= 0", line));
	else {
		rk.prof.w[rk.sel] = d;
		to_custom();
	}
	free(line);
}

static void
save_profile(struct app *a)
{
	json_t *sec, *profs;

	app_study_reload(a);
	sec = study_section(a->st, "rank");
	profs = json_object_get(sec, "profiles");
	if (!json_is_object(profs)) {
		profs = json_object();
		json_object_set_new(sec, "profiles", profs);
	}
	to_custom();
	json_object_set_new(profs, "custom", rank_profile_to_json(&rk.prof));
	json_object_set_new(sec, "profile", json_string("custom"));
	if (app_study_save(a) == 0) {
		rk.dirty = 0;
		app_status(a, "saved as profile 'custom' (synthehr rank STUDY --profile custom)");
	}
}

static void
quit_yes(struct app *a)
{
	rk.dirty = 0;
	app_key(a, 'q');   /* the usual quit (it asks about a running job) */
}

static void
load_yes(struct app *a)
{
	load_profile(a, rk.pending);
}

/* Load a profile; edited weights are dropped only when the user agrees. */
static void
ask_load(struct app *a, const char *name)
{
	json_t *cfg = a->st != NULL ? json_object_get(a->st->cfg, "rank") : NULL;

	if (strcmp(name, "custom") == 0 && json_object_get(json_object_get(cfg, "profiles"), "custom") == NULL) {
		app_status(a, "no custom profile saved yet: S saves the weights as one");
		return;
	}
	snprintf(rk.pending, sizeof rk.pending, "%s", name);
	if (!rk.dirty) {
		load_yes(a);
		return;
	}
	{
		char q[96];

		snprintf(q, sizeof q, "The edited weights are not saved (S saves). Load profile %s?", name);
		app_confirm(a, q, load_yes);
	}
}

static int
rank_key(struct app *a, int key)
{
	double sum = 0;
	int m;

	if (a->st == NULL)
		return TUI_UNHANDLED;
	if (!rk.have)
		rank_enter(a);
	switch (key) {
	case TKEY_HOME: rk.sel = 0; return TUI_REDRAW;
	case TKEY_END: rk.sel = RANK_COUNT - 1; return TUI_REDRAW;
	case TKEY_PGUP: rk.sel = SH_MAX(0, rk.sel - 5); return TUI_REDRAW;
	case TKEY_PGDN: rk.sel = SH_MIN(RANK_COUNT - 1, rk.sel + 5); return TUI_REDRAW;
	case 'v': rk.view = !rk.view; return TUI_REDRAW;
	case 'q':
		if (!rk.dirty)
			return TUI_UNHANDLED;
		app_confirm(a, "The edited weights are not saved (S saves). Quit anyway?", quit_yes);
		return TUI_REDRAW;
	case TKEY_UP: case 'k': rk.sel = (rk.sel + RANK_COUNT - 1) % RANK_COUNT; return TUI_REDRAW;
	case TKEY_DOWN: case 'j': rk.sel = (rk.sel + 1) % RANK_COUNT; return TUI_REDRAW;
	case '+': case '=': case TKEY_RIGHT:
		rk.prof.w[rk.sel] = floor((rk.prof.w[rk.sel] + 0.05) * 100 + 0.5) / 100;
		to_custom();
		return TUI_REDRAW;
	case '-': case '_': case TKEY_LEFT:
		rk.prof.w[rk.sel] = SH_MAX(0, floor((rk.prof.w[rk.sel] - 0.05) * 100 + 0.5) / 100);
		to_custom();
		return TUI_REDRAW;
	case '0':
		rk.prof.w[rk.sel] = 0;
		to_custom();
		return TUI_REDRAW;
	case TKEY_ENTER: {
		char b[32], q[64];

		snprintf(b, sizeof b, "%g", rk.prof.w[rk.sel]);
		snprintf(q, sizeof q, "Weight of %s (0 or more): ", rank_metrics[rk.sel].label);
		cmdline_open(a, q, CMDLINE_VALUE, b, got_weight);
		return TUI_REDRAW;
	}
	case 'a': ask_load(a, "A"); return TUI_REDRAW;
	case 'b': ask_load(a, "B"); return TUI_REDRAW;
	case 'c': ask_load(a, "custom"); return TUI_REDRAW;
	case 'n':
		for (m = 0; m < RANK_COUNT; m++)
			sum += rk.prof.w[m];
		if (sum > 0)
			for (m = 0; m < RANK_COUNT; m++)
				rk.prof.w[m] /= sum;
		to_custom();
		return TUI_REDRAW;
	case 'S': save_profile(a); return TUI_REDRAW;
	}
	return TUI_UNHANDLED;
}

const struct screen screen_rank = {
	.name = "Rank",
	.keys = rank_keys,
	.enter = rank_enter,
	.draw = rank_draw,
	.key = rank_key,
	.reset = rank_reset,
};
