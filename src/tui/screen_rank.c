/* synthehr — GPL-3.0-or-later.
 * Screen 6, Rank: the weight profile as an editable list (arrows, + and -,
 * typed values; the sum shown and normalisation offered), switching between
 * the tutorial's profiles A (ML development) and B (education) and the
 * named ones saved in study.json "rank"."profiles" (S saves as..., p picks,
 * loads and deletes), the ranking table recomputed on every keystroke
 * (rank_compute is a pure function of the metrics table and the weights)
 * and, beside it, the rank stability: how often each set came out best over
 * the bootstrap resamples in eval/metrics.json.  The command line reads the
 * same profiles (synthehr rank STUDY --profile NAME). */
#include "config.h"

#include <ctype.h>
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
	char pending[64]; /* the profile to load, replace or delete once the user agrees */
	int picking;      /* the profile picker (p) is shown */
	int pick;         /* its selection */
	int col;          /* the selected set: a column of the table (0 = the best) */
} rk;

static const char *const rank_keys[] = {
	"Up/Down j/k\tselect a metric's weight (PgUp/PgDn, Home/End)",
	"+ / - Right/Left\traise / lower the weight by 0.05",
	"Enter\ttype a weight",
	"0\tset the weight to 0",
	"a / b\tload profile A (ML development) / B (education), the tutorial's",
	"p c\tthe profiles: A, B and those saved in study.json; Enter loads, D deletes (asks first)",
	"n\tnormalise the weights to sum to 1",
	"S\tsave the weights as a named profile (study.json \"rank\"; synthehr rank --profile NAME)",
	"< >\tselect a set (a column): the metrics that carry it and sink it (weight x place against the mean place)",
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
		if (b >= 0)   /* sets tied for best count each */
			rank_count_best(overall, nsets, best);
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
	if (fabs(sort_overall[x] - sort_overall[y]) > RANK_TIE_EPS)
		return sort_overall[x] < sort_overall[y] ? -1 : 1;
	return x - y;
}

/* A set's name in at most w columns: whole when it fits, else shortened
 * with '~' (the key line spells it out). */
static const char *
short_name(const char *name, int w, char *buf, size_t size, int *cut)
{
	char lb[64];
	const char *l = tui_set_label(name, lb, sizeof lb, NULL);

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

		tui_set_label(names[order[c]], b, sizeof b, &peer);
		short_name(names[order[c]], cw - 1, b, sizeof b, &cut);
		canvas_text_right(cv, x + lw + c * cw, y + 1, cw, c == rk.col ? THEME_SELECTED : c == 0 ? THEME_BEST :
		    peer ? THEME_DIM : THEME_TITLE, b);
		if (cut && off < (int)sizeof key - 80) {
			char lb[64];

			off += snprintf(key + off, sizeof key - off, "%s%s %s", off ? "  " : "", b,
			    tui_set_label(names[order[c]], lb, sizeof lb, NULL));
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
		/* equal overall scores share a place */
		snprintf(b, sizeof b, "%d", rank_overall_place(overall, nsets, order[c]));
		canvas_text_right(cv, x + lw + c * cw, yy, cw, c == 0 ? THEME_BEST : THEME_NORMAL, b);
	}
	yy++;
	/* why the best beats the second: the metrics where their weighted
	 * places differ most, for and against */
	if (nsets >= 2) {
		int a0 = order[0], a1 = order[1], used[RANK_COUNT] = { 0 }, k, o;
		char why[400], lb0[64], lb1[64];
		const char *n0, *n1;

		n0 = tui_set_label(names[a0], lb0, sizeof lb0, NULL);
		n1 = tui_set_label(names[a1], lb1, sizeof lb1, NULL);
		if (yy < y + h && rank_overall_place(overall, nsets, a1) == 1)   /* the same place */
			canvas_printf(cv, x + 1, yy++, w - 2, THEME_NORMAL, "%s and %s tie (%.2f each); %s against %s:",
			    n0, n1, overall[a0], n0, n1);
		else if (yy < y + h)
			canvas_printf(cv, x + 1, yy++, w - 2, THEME_NORMAL, "why %s is before %s (%.2f against %.2f):",
			    n0, n1, overall[a0], overall[a1]);
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
	/* the selected set: the metrics that carry it and those that sink it,
	 * each by its weighted place against the sets' mean place */
	if (rk.col >= ncol)
		rk.col = ncol - 1;
	if (rk.col >= 0 && yy < y + h) {
		int k0 = order[rk.col], used[RANK_COUNT] = { 0 }, side, k, o;
		char line[400], lb0[64];

		for (side = 0; side < 2; side++) {
			int any = 0;

			if (side == 0)
				o = snprintf(line, sizeof line, "%s (< >): carried by",
				    tui_set_label(names[k0], lb0, sizeof lb0, NULL));
			else
				o = snprintf(line, sizeof line, "  sunk by");
			for (k = 0; k < 3; k++) {
				int bm = -1;
				double bd = 0;

				for (m = 0; m < RANK_COUNT; m++) {
					double mean = 0, d;
					int t;

					if (used[m] || rk.prof.w[m] <= 0)
						continue;
					for (t = 0; t < nsets; t++)
						mean += ranks[(size_t)t * RANK_COUNT + m];
					mean /= nsets;
					d = rk.prof.w[m] * (ranks[(size_t)k0 * RANK_COUNT + m] - mean);
					if ((side == 0 && d < bd - 1e-12) || (side == 1 && d > bd + 1e-12)) {
						bd = d;
						bm = m;
					}
				}
				if (bm < 0)
					break;
				used[bm] = 1;
				any = 1;
				o += snprintf(line + o, sizeof line - o, "%s %s %+.2f", k ? "," : "", rank_metrics[bm].label, bd);
			}
			if (!any)
				o += snprintf(line + o, sizeof line - o, " none");
			if (side == 1)
				snprintf(line + o, sizeof line - o, " (w x place - mean)");
			if (yy < y + h)
				canvas_text(cv, x + 1, yy++, w - 2, THEME_NORMAL, line);
		}
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
rank_draw_body(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	const double *values;
	const char *const *names;
	json_t *metrics;
	int nsets, m, s, lw = 36, yy, place;
	double sum = 0, *ranks, *overall, *boot = NULL;
	int *order, *bestc = NULL, nboot = 0, bootn;
	char b[32], lb[64];

	if (a->st == NULL) {
		canvas_text(cv, x + 2, y + 1, w - 4, THEME_DIM, "No study open: start on screen 1 (Load).");
		return;
	}
	if (!rk.have)
		rank_enter(a);
	nsets = tui_results_table(a, &values, &names, &metrics);
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
	canvas_text(cv, x + 1, yy + 1, lw - 1, THEME_DIM, "a/b A/B  p profiles  S save as");
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
		const char *lbl = tui_set_label(names[k], lb, sizeof lb, &peer);

		/* Classical peers rank with the runs, dimmed apart from them. */
		role = peer ? THEME_DIM : THEME_NORMAL;
		/* the place as on the table: sets with the same overall share it */
		place = rank_overall_place(overall, nsets, k);
		if (place == 1)
			role = THEME_BEST;
		canvas_printf(cv, x + lw + 2, y + 2 + s, w - lw - 4, role, "%-3d %-18.18s %7s", place, lbl,
		    tui_fmt(b, sizeof b, overall[k]));
		canvas_printf(cv, x + lw + 33, y + 2 + s, 5, THEME_NORMAL, "%3.0f%%", 100 * f);
		canvas_bar(cv, x + lw + 38, y + 2 + s, w - lw - 39, f, THEME_HIST_BAR);
	}
	canvas_printf(cv, x + lw + 2, y + h - 2, w - lw - 4, THEME_DIM, bootn > 0 ?
	    "best in: %d bootstrap resamples" : "best in: %d weight jitters of +-20%%",
	    nboot);
out:
	free(ranks);
	free(overall);
	free(order);
	free(bestc);
	free(boot);
}

/* A weight changed: the profile keeps its name, marked edited. */
static void
edited(void)
{
	rk.dirty = 1;
}

static void
got_weight(struct app *a, char *line)
{
	double d;

	if (line == NULL)
		return;
	if (util_parse_double(line, strlen(line), &d) != 0 || d < 0 || !isfinite(d))
		app_error(a, xsprintf("weight of %s: expected a number >= 0, got '%s'", rank_metrics[rk.sel].key,
		    line));
	else {
		rk.prof.w[rk.sel] = d;
		edited();
	}
	free(line);
}

/* study.json "rank"."profiles" (created when make is set). */
static json_t *
saved_profiles(struct app *a, int make)
{
	json_t *sec, *profs;

	if (a->st == NULL)
		return NULL;
	sec = make ? study_section(a->st, "rank") : json_object_get(a->st->cfg, "rank");
	profs = json_object_get(sec, "profiles");
	if (!json_is_object(profs) && make) {
		profs = json_object();
		json_object_set_new(sec, "profiles", profs);
	}
	return json_is_object(profs) ? profs : NULL;
}

static int
is_builtin(const char *name)
{
	struct rank_profile p;

	return rank_profile_builtin(name, &p) == 0;
}

/* A profile name: a word the command line takes as it is (letters, digits,
 * '.', '-', '_'), not A or B. */
static int
check_name(const char *name, char **cause)
{
	const char *c;

	if (*name == '\0' || strlen(name) > 40)
		return util_fail(cause, "a profile name is 1 to 40 characters");
	for (c = name; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-' && *c != '_')
			return util_fail(cause, "profile name '%s': use letters, digits, '.', '-' and '_' only "
			    "(it is typed after synthehr rank --profile)", name);
	if (is_builtin(name))
		return util_fail(cause, "profiles A and B are the tutorial's and stay as they are: "
		    "save under another name");
	return 0;
}

static void
save_as(struct app *a, const char *name)
{
	json_t *profs;

	app_study_reload(a);
	profs = saved_profiles(a, 1);
	json_object_set_new(profs, name, rank_profile_to_json(&rk.prof));
	json_object_set_new(study_section(a->st, "rank"), "profile", json_string(name));
	if (app_study_save(a) == 0) {
		snprintf(rk.prof.name, sizeof rk.prof.name, "%s", name);
		rk.dirty = 0;
		app_status(a, "saved as profile '%s' in study.json (synthehr rank STUDY --profile %s)", name, name);
	}
}

static void
replace_yes(struct app *a)
{
	save_as(a, rk.pending);
}

static void
got_name(struct app *a, char *line)
{
	char *cause = NULL;

	if (line == NULL)
		return;
	if (check_name(line, &cause) != 0)
		app_error(a, cause);
	else if (json_object_get(saved_profiles(a, 0), line) != NULL && strcmp(line, rk.prof.name) != 0) {
		char q[128];

		snprintf(rk.pending, sizeof rk.pending, "%s", line);
		snprintf(q, sizeof q, "Profile %s is saved already; replace its weights?", line);
		app_confirm(a, q, replace_yes);
	} else
		save_as(a, line);
	free(line);
}

/* S: save as... (the loaded profile's name is offered unless it is A or B) */
static void
ask_save(struct app *a)
{
	cmdline_open(a, "Save the weights as profile: ", CMDLINE_VALUE,
	    is_builtin(rk.prof.name) ? "custom" : rk.prof.name, got_name);
}

static void
load_yes(struct app *a)
{
	load_profile(a, rk.pending);
	if (rk.have)
		app_status(a, "profile %s loaded", rk.prof.name);
}

/* Load a profile; edited weights are dropped only when the user agrees. */
static int
ask_load(struct app *a, const char *name)
{
	char q[160];

	if (!is_builtin(name) && json_object_get(saved_profiles(a, 0), name) == NULL) {
		app_error(a, xsprintf("no profile '%s' in this study: A, B%s (p lists them; S saves one)", name,
		    saved_profiles(a, 0) != NULL && json_object_size(saved_profiles(a, 0)) > 0 ?
		    " or a saved one" : ""));
		return -1;
	}
	snprintf(rk.pending, sizeof rk.pending, "%s", name);
	if (!rk.dirty) {
		load_yes(a);
		return 0;
	}
	snprintf(q, sizeof q, "The edited weights are not saved (S saves). Load profile %s?", name);
	app_confirm(a, q, load_yes);
	return 0;
}

int
screen_rank_profile(struct app *a, const char *name)
{
	if (a->st == NULL) {
		app_error(a, xstrdup(":profile: no study is open (screen 1)"));
		return -1;
	}
	app_switch(a, SCREEN_RANK);
	if (!rk.have)
		rank_enter(a);
	return ask_load(a, name);
}

int
screen_rank_unsaved(const struct app *a)
{
	return a->st != NULL && rk.have && rk.dirty;
}

void
screen_rank_discard(struct app *a)
{
	(void)a;
	rk.dirty = 0;
}

/* ---- the profile picker (p): A, B and the saved profiles */

static int
picker_names(struct app *a, const char **names, int max)
{
	json_t *profs = saved_profiles(a, 0), *v;
	const char *k;
	int n = 0, i, j;

	names[n++] = "A";
	names[n++] = "B";
	json_object_foreach(profs, k, v) {
		if (n == max)
			break;
		if (!is_builtin(k))
			names[n++] = k;
	}
	for (i = 3; i < n; i++)   /* saved ones in name order */
		for (j = i; j > 2 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	return n;
}

#define PICK_MAX 200
static void
draw_picker(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	const char *names[PICK_MAX];
	int n = picker_names(a, names, PICK_MAX), bw = SH_MIN(w - 4, 60), bh, bx, by, rowsv, i, top, m;
	struct rank_profile p;
	char line[256];
	int off;

	rowsv = SH_MAX(1, SH_MIN(n, h - 7));
	bh = rowsv + 5;
	bx = x + (w - bw) / 2;
	by = y + 1;
	if (rk.pick >= n)
		rk.pick = n - 1;
	top = SH_MAX(0, SH_MIN(rk.pick - rowsv / 2, n - rowsv));
	canvas_fill(cv, bx, by, bw, bh, ' ', THEME_NORMAL);
	canvas_box(cv, bx, by, bw, bh, THEME_BORDER, "Weight profiles");
	for (i = 0; i < rowsv && top + i < n; i++) {
		const char *nm = names[top + i];
		int sel = top + i == rk.pick, role = sel ? THEME_SELECTED : THEME_NORMAL;

		canvas_fill(cv, bx + 1, by + 1 + i, bw - 2, 1, ' ', role);
		canvas_printf(cv, bx + 2, by + 1 + i, bw - 4, role, "%s%s", nm,
		    strcmp(nm, "A") == 0 ? "  (ML development, the tutorial's; kept)" :
		    strcmp(nm, "B") == 0 ? "  (education, the tutorial's; kept)" :
		    strcmp(nm, rk.prof.name) == 0 ? "  (loaded)" : "");
	}
	/* the selected profile's weights, so a choice is made knowingly */
	if (rank_profile_resolve(names[rk.pick], a->st != NULL ? json_object_get(a->st->cfg, "rank") : NULL,
	    &p, NULL) == 0) {
		off = snprintf(line, sizeof line, "weights:");
		for (m = 0; m < RANK_COUNT && off < (int)sizeof line; m++)
			if (p.w[m] != 0)
				off += snprintf(line + off, sizeof line - off, " %s %.2f", rank_metrics[m].label, p.w[m]);
		/* two rows, broken at a space */
		if (canvas_strwidth(line) > bw - 4) {
			int cut = bw - 4;

			while (cut > 0 && line[cut] != ' ')
				cut--;
			canvas_printf(cv, bx + 2, by + bh - 4, bw - 4, THEME_DIM, "%.*s", cut, line);
			canvas_text(cv, bx + 2, by + bh - 3, bw - 4, THEME_DIM, line + cut + 1);
		} else
			canvas_text(cv, bx + 2, by + bh - 4, bw - 4, THEME_DIM, line);
	}
	canvas_text(cv, bx + 2, by + bh - 2, bw - 4, THEME_KEY, "Enter loads  D deletes  Esc closes");
}

static void
delete_yes(struct app *a)
{
	json_t *profs;
	const char *cur;

	app_study_reload(a);
	profs = saved_profiles(a, 0);
	if (profs == NULL || json_object_del(profs, rk.pending) != 0) {
		app_error(a, xsprintf("no profile '%s' in study.json", rk.pending));
		return;
	}
	cur = js_str(json_object_get(a->st->cfg, "rank"), "profile", NULL);
	if (cur != NULL && strcmp(cur, rk.pending) == 0)
		json_object_set_new(study_section(a->st, "rank"), "profile", json_string("A"));
	if (app_study_save(a) != 0)
		return;
	/* the weights on screen stay, now unsaved */
	if (strcmp(rk.prof.name, rk.pending) == 0)
		rk.dirty = 1;
	app_status(a, "profile %s deleted from study.json", rk.pending);
}

static int
picker_key(struct app *a, int key)
{
	const char *names[PICK_MAX];
	int n = picker_names(a, names, PICK_MAX), s;

	if ((s = tui_list_key(key, rk.pick, n, 5)) >= 0) {
		rk.pick = s;
		return TUI_REDRAW;
	}
	switch (key) {
	case 'j': rk.pick = SH_MIN(n - 1, rk.pick + 1); break;
	case 'k': rk.pick = SH_MAX(0, rk.pick - 1); break;
	case TKEY_ESC: case 'p': case 'q':
		rk.picking = 0;
		break;
	case TKEY_ENTER:
		rk.picking = 0;
		ask_load(a, names[rk.pick]);
		break;
	case 'D': case TKEY_DEL:
		if (is_builtin(names[rk.pick]))
			app_warn(a, "profile %s is the tutorial's and cannot be deleted", names[rk.pick]);
		else {
			char q[128];

			snprintf(rk.pending, sizeof rk.pending, "%s", names[rk.pick]);
			snprintf(q, sizeof q, "Delete profile %s from study.json?", names[rk.pick]);
			app_confirm(a, q, delete_yes);
		}
		break;
	}
	return TUI_REDRAW;
}

static int
rank_key(struct app *a, int key)
{
	double sum = 0;
	int m, s;

	if (a->st == NULL)
		return TUI_UNHANDLED;
	if (!rk.have)
		rank_enter(a);
	if (rk.picking)
		return picker_key(a, key);
	if ((s = tui_list_key(key, rk.sel, RANK_COUNT, 5)) >= 0 && key != TKEY_UP && key != TKEY_DOWN) {
		rk.sel = s;
		return TUI_REDRAW;
	}
	switch (key) {
	case 'v': rk.view = !rk.view; return TUI_REDRAW;
	case '<': case ',': rk.col = SH_MAX(0, rk.col - 1); return TUI_REDRAW;
	case '>': case '.': rk.col++; return TUI_REDRAW;   /* the draw keeps it in the table */
	case TKEY_UP: case 'k': rk.sel = (rk.sel + RANK_COUNT - 1) % RANK_COUNT; return TUI_REDRAW;
	case TKEY_DOWN: case 'j': rk.sel = (rk.sel + 1) % RANK_COUNT; return TUI_REDRAW;
	case '+': case '=': case TKEY_RIGHT:
		rk.prof.w[rk.sel] = floor((rk.prof.w[rk.sel] + 0.05) * 100 + 0.5) / 100;
		edited();
		return TUI_REDRAW;
	case '-': case '_': case TKEY_LEFT:
		rk.prof.w[rk.sel] = SH_MAX(0, floor((rk.prof.w[rk.sel] - 0.05) * 100 + 0.5) / 100);
		edited();
		return TUI_REDRAW;
	case '0':
		rk.prof.w[rk.sel] = 0;
		edited();
		return TUI_REDRAW;
	case TKEY_ENTER: {
		char b[32], q[96];

		snprintf(b, sizeof b, "%g", rk.prof.w[rk.sel]);
		snprintf(q, sizeof q, "Weight of %s (%s; 0 or more): ", rank_metrics[rk.sel].label,
		    rank_metrics[rk.sel].higher_better ? "higher is better" : "lower is better");
		cmdline_open(a, q, CMDLINE_VALUE, b, got_weight);
		return TUI_REDRAW;
	}
	case 'a': ask_load(a, "A"); return TUI_REDRAW;
	case 'b': ask_load(a, "B"); return TUI_REDRAW;
	case 'p': case 'c':
		rk.picking = 1;
		rk.pick = 0;
		return TUI_REDRAW;
	case 'n':
		for (m = 0; m < RANK_COUNT; m++)
			sum += rk.prof.w[m];
		if (sum > 0)
			for (m = 0; m < RANK_COUNT; m++)
				rk.prof.w[m] /= sum;
		edited();
		return TUI_REDRAW;
	case 'S': ask_save(a); return TUI_REDRAW;
	}
	return TUI_UNHANDLED;
}

static void
rank_draw(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	rank_draw_body(a, cv, x, y, w, h);
	if (rk.picking && a->st != NULL)
		draw_picker(a, cv, x, y, w, h);
}

const struct screen screen_rank = {
	.name = "Rank",
	.keys = rank_keys,
	.enter = rank_enter,
	.draw = rank_draw,
	.key = rank_key,
	.reset = rank_reset,
};
