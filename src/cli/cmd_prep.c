/* synthehr — GPL-3.0-or-later.
 * `synthehr review STUDY [COLUMN...]`: the cohort's profile in 80 columns
 * (a table of every column, outlier flags, and named columns in detail with
 * their histograms).  `synthehr prep STUDY`: apply the preprocessing plan
 * and print a before/after table shaped like the tutorial's Table 1. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "synthehr/cohort.h"
#include "synthehr/hist.h"
#include "synthehr/prep.h"
#include "synthehr/profile.h"
#include "synthehr/study.h"
#include "synthehr/util.h"

static const char review_usage[] =
    "usage: synthehr review [--ascii] [--width N] [--all] [--refresh] STUDY [COLUMN...]\n"
    "  Profile the study's cohort: one table row per column (concept columns are\n"
    "  summarised unless --all), outlier flags, and each named COLUMN in detail\n"
    "  with its histogram.  The profile is cached in STUDY/prep/profile.json.\n"
    "  --ascii      ASCII histograms (default: UTF-8 block characters)\n"
    "  --width N    output width (default 80, at least 60)\n"
    "  --all        list every concept column in the table\n"
    "  --refresh    recompute the profile even when the cache is current\n";

static const char prep_usage[] =
    "usage: synthehr prep [--quiet] [--encode [COL=]KIND]... STUDY\n"
    "  Apply the preprocessing plan in study.json \"prep\" (see doc/prep.md) and\n"
    "  write STUDY/prep/: layout.json, train.mtx, test.mtx, train.csv, test.csv,\n"
    "  log.json.  Prints a before/after table shaped like the tutorial's Table 1.\n"
    "  --quiet      print nothing but errors\n"
    "  --encode [COL=]KIND   generator encoding of a continuous column (or, without\n"
    "               COL=, the default): auto, minmax, quantile, gmm, zero, onehot;\n"
    "               saved in study.json prep.encoding when prep succeeds\n";

static void
fmt_num(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else if (fabs(v) >= 1e8 || (v != 0 && fabs(v) < 1e-3))
		snprintf(buf, size, "%.2e", v);
	else if (v == floor(v) || fabs(v) >= 1000)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.4g", v);
}

/* 181294 → "181,294" */
static const char *
fmt_count(char *buf, size_t size, size_t n)
{
	char t[32];
	int len, i, o = 0;

	len = snprintf(t, sizeof t, "%zu", n);
	for (i = 0; i < len && o + 2 < (int)size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = t[i];
	}
	buf[o] = '\0';
	return buf;
}

/* Names longer than w are cut with '~'. */
static void
print_name(const char *s, int w)
{
	if ((int)strlen(s) <= w)
		printf("%-*s", w, s);
	else
		printf("%.*s~", w - 1, s);
}

static int
load_cohort_for(struct study *s, struct cohort **c, char **cause)
{
	return study_load_cohort(s, c, cause);
}

static void
print_flags(const struct col_profile *cp, int width)
{
	int i;
	char b[32], a[32];

	for (i = 0; i < cp->nflags; i++) {
		const struct profile_flag *f = &cp->flags[i];
		const char *st = f->enabled ? "on" : strcmp(f->origin, "plan") == 0 ? "off" :
		    strcmp(f->origin, "builtin") == 0 ? "suggested" : "info";

		printf("  %-*.*s %9s", width - 43 > 20 ? width - 43 : 20, width - 43 > 20 ? width - 43 : 20, f->rule,
		    fmt_count(b, sizeof b, f->affected));
		if (strncmp(f->rule, "not ", 4) == 0)   /* cross rule: no sides */
			printf(" [%s]\n", st);
		else
			printf(" (%s below, %s above) [%s]\n", fmt_count(a, sizeof a, f->below),
			    fmt_count(b, sizeof b, f->above), st);
	}
}

static void
review_table(const struct profile *p, int all, int width)
{
	int j, nconcept = 0, nw = width >= 80 ? 15 : 12;
	size_t rare = 0;
	double pmin = INFINITY, pmax = -INFINITY;
	char b[7][32];

	printf("%-*s %-11s %6s %8s %8s %8s %8s %8s\n", nw, "column", "role", "miss%", "mean", "sd", "min",
	    "median", "max");
	for (j = 0; j < p->ncols; j++) {
		const struct col_profile *cp = &p->cols[j];

		if (cp->role == ROLE_CONCEPT && !all) {
			nconcept++;
			if (cp->binary) {
				pmin = SH_MIN(pmin, cp->prevalence);
				pmax = SH_MAX(pmax, cp->prevalence);
				rare += cp->prevalence < 5e-5;
			}
			continue;
		}
		print_name(cp->name, nw);
		printf(" %-11s %6.1f", cohort_role_name(cp->role), cp->pmissing);
		if (cp->kind == KIND_CATEGORICAL && !cp->binary) {
			int o = printf(" %d levels", cp->nlevels), room = width - nw - 20, l;

			for (l = 0; l < cp->nlevels; l++) {
				char t[64];
				int len = snprintf(t, sizeof t, " %s:%zu", cp->levels[l], cp->level_count[l]);

				if (o + len + (l + 1 < cp->nlevels ? 4 : 0) > room) {
					printf(" ...");
					break;
				}
				o += printf("%s", t);
			}
			printf("\n");
		} else if (cp->binary && cp->role != ROLE_CONTINUOUS) {
			printf(" %7.2f%% positive (%s)\n", 100 * cp->prevalence, fmt_count(b[0], 32, cp->npos));
		} else if (cp->numeric) {
			fmt_num(b[0], 32, cp->mean);
			fmt_num(b[1], 32, cp->sd);
			fmt_num(b[2], 32, cp->min);
			fmt_num(b[3], 32, cp->median);
			fmt_num(b[4], 32, cp->max);
			printf(" %8.8s %8.8s %8.8s %8.8s %8.8s\n", b[0], b[1], b[2], b[3], b[4]);
		} else
			printf(" %zu distinct\n", cp->distinct);
	}
	if (nconcept > 0)
		printf("%d concept columns: prevalence %.2g%% to %.2g%%; %zu below 5e-5 (--all lists them)\n",
		    nconcept, 100 * pmin, 100 * pmax, rare);
}

static void
review_detail(const struct profile *p, int j, int ascii, int width)
{
	const struct col_profile *cp = &p->cols[j];
	char b[9][32];
	int i;

	printf("\n== %s (%s, %s) ==\n", cp->name, cohort_role_name(cp->role), cohort_kind_name(cp->kind));
	printf("n %s   missing %s (%.1f%%)   distinct %zu\n", fmt_count(b[0], 32, cp->n),
	    fmt_count(b[1], 32, cp->nmissing), cp->pmissing, cp->distinct);
	if (cp->numeric) {
		fmt_num(b[0], 32, cp->mean); fmt_num(b[1], 32, cp->sd);
		printf("mean %s   sd %s\n", b[0], b[1]);
		fmt_num(b[0], 32, cp->min); fmt_num(b[1], 32, cp->p1); fmt_num(b[2], 32, cp->p5);
		fmt_num(b[3], 32, cp->median); fmt_num(b[4], 32, cp->p95); fmt_num(b[5], 32, cp->p99);
		fmt_num(b[6], 32, cp->max);
		printf("min %s  p1 %s  p5 %s  median %s  p95 %s  p99 %s  max %s\n",
		    b[0], b[1], b[2], b[3], b[4], b[5], b[6]);
	}
	if (cp->binary)
		printf("prevalence %.4f%% (%s positive)\n", 100 * cp->prevalence, fmt_count(b[0], 32, cp->npos));
	if (cp->nlevels > 0) {
		struct hist h;
		struct hist_style st = { .width = width - 17, .ascii = ascii, .horizontal = 1, .height = 40 };
		struct hist_lines hl;

		/* a level histogram: one unit-wide integer bin per level */
		memset(&h, 0, sizeof h);
		h.nbins = SH_MIN(cp->nlevels, 30);   /* one line per level, at most 30 */
		st.height = h.nbins;
		h.lo = -0.5;
		h.width = 1;
		h.integer = 1;
		h.count = cp->level_count;
		for (i = 0; i < h.nbins; i++)
			h.total += cp->level_count[i];
		hist_render(&h, &st, &hl);
		for (i = 0; i < hl.n && i < h.nbins; i++) {
			/* replace the integer labels with the level names */
			printf("  %-14.14s %s\n", cp->levels[i], hl.text[i] + strspn(hl.text[i], " 0123456789"));
		}
		if (cp->nlevels > h.nbins)
			printf("  ... and %d more levels\n", cp->nlevels - h.nbins);
		hist_lines_free(&hl);
	}
	if (cp->has_hist) {
		uint8_t *out = xcalloc(cp->hist.nbins, 1);
		struct hist_style st = { .width = width, .height = 8, .ascii = ascii, .bin_out = out };
		struct hist_lines hl;
		int k;

		for (k = 0; k < cp->nflags; k++) {
			const struct profile_flag *f = &cp->flags[k];

			if (!f->enabled)
				continue;
			for (i = 0; i < cp->hist.nbins; i++)
				if (cp->hist.count[i] > 0)
					out[i] |= (f->below && hist_edge(&cp->hist, i) < f->lo) ||
					    (f->above && hist_edge(&cp->hist, i + 1) > f->hi);
		}
		st.mark_row = memchr(out, 1, cp->hist.nbins) != NULL;
		fmt_num(b[0], 32, cp->hist.width);
		printf("histogram: %d bins of width %s%s\n", cp->hist.nbins, b[0],
		    memchr(out, 1, cp->hist.nbins) ? "; ^ marks bins touched by enabled rules" : "");
		hist_render(&cp->hist, &st, &hl);
		for (i = 0; i < hl.n; i++)
			printf("%s\n", hl.text[i]);
		hist_lines_free(&hl);
		free(out);
	}
	if (cp->has_core) {
		struct hist_style st = { .width = width, .height = 6, .ascii = ascii };
		struct hist_lines hl;
		char lo[32], hi[32];

		fmt_num(lo, sizeof lo, cp->p1);
		fmt_num(hi, sizeof hi, cp->p99);
		fmt_num(b[0], 32, cp->core.width);
		printf("zoom on p1-p99 [%s, %s] (%zu values; bins of width %s):\n", lo, hi, cp->core.total, b[0]);
		hist_render(&cp->core, &st, &hl);
		for (i = 0; i < hl.n; i++)
			printf("%s\n", hl.text[i]);
		hist_lines_free(&hl);
	}
	if (cp->nflags > 0) {
		printf("outlier flags (patients affected):\n");
		print_flags(cp, width);
	}
}

int
cmd_review(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ascii", no_argument, NULL, 'a' },
		{ "width", required_argument, NULL, 'w' },
		{ "all", no_argument, NULL, 'A' },
		{ "refresh", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct study *s = NULL;
	struct profile *p = NULL;
	struct cohort *c = NULL;
	char *cause = NULL, key[65];
	int ch, ascii = 0, width = 80, all = 0, refresh = 0, i, rc = EXIT_OK, any;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "aw:Ar", opts, NULL)) != -1) {
		switch (ch) {
		case 'a': ascii = 1; break;
		case 'A': all = 1; break;
		case 'r': refresh = 1; break;
		case 'w':
			width = atoi(optarg);
			if (width < 60 || width > 400) {
				fprintf(stderr, "synthehr review: --width must be from 60 to 400\n");
				return EXIT_USAGE;
			}
			break;
		default:
			fputs(review_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(review_usage, stderr);
		return EXIT_USAGE;
	}
	if (study_open(argv[optind], &s, &cause) != 0)
		return cli_fail("review", cause, EXIT_USAGE);
	if (profile_study_key(s, key, &cause) != 0) {
		study_free(s);
		return cli_fail("review", cause, EXIT_FAIL);
	}
	if (!refresh && profile_load_cached(s, key, &p, &cause) < 0) {
		fprintf(stderr, "synthehr review: ignoring the cached profile: %s\n", cause);
		free(cause);
		cause = NULL;
	}
	if (p == NULL) {
		struct prep_plan plan;

		if (load_cohort_for(s, &c, &cause) != 0) {
			study_free(s);
			return cli_fail("review", cause, EXIT_FAIL);
		}
		if (prep_plan_load(s, c, &plan, &cause) != 0) {
			cohort_free(c);
			study_free(s);
			return cli_fail("review", cause, EXIT_USAGE);
		}
		p = profile_compute(c, &plan);
		memcpy(p->key, key, sizeof p->key);
		prep_plan_done(&plan);
		cohort_free(c);
		if (profile_save(s, p, &cause) != 0) {
			fprintf(stderr, "synthehr review: cannot cache the profile: %s\n", cause);
			free(cause);
			cause = NULL;
		}
	}
	{
		char b[32];

		printf("%s: %s patients, %d columns\n\n", s->dir, fmt_count(b, sizeof b, p->nrows), p->ncols);
	}
	review_table(p, all, width);
	any = 0;
	for (i = 0; i < p->ncols; i++)
		if (p->cols[i].nflags > 0) {
			int k, shown = 0;

			for (k = 0; k < p->cols[i].nflags; k++)
				shown += p->cols[i].flags[k].affected > 0 || p->cols[i].flags[k].enabled;
			if (!shown)
				continue;
			if (!any)
				printf("\noutlier flags (patients affected; [on] = applied by 'synthehr prep'):\n");
			any = 1;
			print_flags(&p->cols[i], width);
		}
	for (i = optind + 1; i < argc; i++) {
		int j = profile_find(p, argv[i]);

		if (j < 0) {
			fprintf(stderr, "synthehr review: no column \"%s\" in the cohort\n", argv[i]);
			rc = EXIT_USAGE;
			continue;
		}
		review_detail(p, j, ascii, width);
	}
	profile_free(p);
	study_free(s);
	return rc;
}

/* ---- prep ---- */

static void
row2(const char *label, const char *a, const char *b)
{
	printf("%-28.28s %-24s %s\n", label, a, b);
}

static void
mean_sd_text(char *buf, size_t size, double m, double sd)
{
	if (isnan(m))
		snprintf(buf, size, "-");
	else if (fabs(sd) >= 100)
		snprintf(buf, size, "%.1f (%.2f)", m, sd);
	else
		snprintf(buf, size, "%.1f (%.1f)", m, sd);
}

static void
print_table1(const struct prep_report *r)
{
	const struct prep_summary *a = &r->before, *b = &r->after;
	char x[64], y[64], c1[32], c2[32];
	int i, k;

	row2("", "before", "after");
	row2("patients", fmt_count(x, sizeof x, a->n), fmt_count(y, sizeof y, b->n));
	if (a->has_age) {
		mean_sd_text(x, sizeof x, a->age_mean, a->age_sd);
		mean_sd_text(y, sizeof y, b->age_mean, b->age_sd);
		row2("age, mean (SD)", x, y);
	}
	if (a->has_sex) {
		snprintf(x, sizeof x, "%.1f %%", a->female_pct);
		snprintf(y, sizeof y, "%.1f %%", b->female_pct);
		row2("female", x, y);
	}
	if (a->race_name) {
		printf("%s\n", a->race_name);
		for (i = 0; i < a->nrace; i++) {
			char lab[64];
			size_t after = 0;

			for (k = 0; k < b->nrace; k++)
				if (strcmp(b->race_level[k], a->race_level[i]) == 0)
					after = b->race_count[k];
			snprintf(lab, sizeof lab, "  %s", a->race_level[i]);
			snprintf(x, sizeof x, "%s (%.1f %%)", fmt_count(c1, sizeof c1, a->race_count[i]),
			    a->n ? 100.0 * a->race_count[i] / a->n : 0);
			snprintf(y, sizeof y, "%s (%.1f %%)", fmt_count(c2, sizeof c2, after),
			    b->n ? 100.0 * after / b->n : 0);
			row2(lab, x, y);
		}
	}
	if (a->label_name) {
		snprintf(x, sizeof x, "%s (%.1f %%)", fmt_count(c1, sizeof c1, a->label_count), a->label_pct);
		snprintf(y, sizeof y, "%s (%.1f %%)", fmt_count(c2, sizeof c2, b->label_count), b->label_pct);
		row2(a->label_name, x, y);
	}
	for (i = 0; i < a->ncont; i++) {
		char lab[64];

		snprintf(lab, sizeof lab, "%s, mean (SD)", a->cont_name[i]);
		mean_sd_text(x, sizeof x, a->cont_mean[i], a->cont_sd[i]);
		snprintf(y, sizeof y, "(dropped)");
		for (k = 0; k < b->ncont; k++)
			if (strcmp(b->cont_name[k], a->cont_name[i]) == 0)
				mean_sd_text(y, sizeof y, b->cont_mean[k], b->cont_sd[k]);
		if (a->cont_missing[i] > 0) {
			size_t l = strlen(x);

			snprintf(x + l, sizeof x - l, " %.1f%% miss", 100.0 * a->cont_missing[i] / a->n);
		}
		row2(lab, x, y);
	}
	if (b->ntop > 0) {
		printf("most prevalent concepts (after)\n");
		for (i = 0; i < b->ntop; i++) {
			char lab[64];

			snprintf(lab, sizeof lab, "  %s", b->top_name[i]);
			snprintf(x, sizeof x, "-");
			for (k = 0; k < a->ntop; k++)
				if (strcmp(a->top_name[k], b->top_name[i]) == 0)
					snprintf(x, sizeof x, "%.1f %%", 100 * a->top_prev[k]);
			snprintf(y, sizeof y, "%.1f %%", 100 * b->top_prev[i]);
			row2(lab, x, y);
		}
	}
	snprintf(x, sizeof x, "%d", a->ncols);
	snprintf(y, sizeof y, "%d", b->ncols);
	row2("columns", x, y);
}

static void
print_log(const struct prep_report *r)
{
	json_t *o, *e;
	size_t i;
	char b[32];

	o = json_object_get(r->log, "outliers");
	json_array_foreach(o, i, e) {
		int on = json_is_true(json_object_get(e, "enabled"));

		printf("rule %-40.40s %s %s\n", js_str(e, "description", "?"),
		    on ? (json_object_get(e, "clipped") ? "clipped" : "removed") : "off, would affect",
		    fmt_count(b, sizeof b, (size_t)js_int(e, on ? (json_object_get(e, "clipped") ? "clipped" :
		    "removed") : "affected", 0)));
	}
	o = json_object_get(r->log, "missing");
	json_array_foreach(json_object_get(o, "columns_dropped"), i, e)
		printf("dropped column %s: %.1f%% missing\n", js_str(e, "column", "?"), 100 * js_num(e, "fraction", 0));
	json_array_foreach(json_object_get(o, "imputed"), i, e)
		printf("imputed %s values of %s (%s)\n", fmt_count(b, sizeof b, (size_t)js_int(e, "count", 0)),
		    js_str(e, "column", "?"), js_str(e, "method", "?"));
	/* Generator encodings (used by the quick preset; the tutorial's keeps min–max). */
	json_array_foreach(json_object_get(r->log, "encodings"), i, e)
		if (strcmp(js_str(e, "encoding", "minmax"), "minmax") != 0)
			printf("encoding %s: %s (%s)\n", js_str(e, "column", "?"), js_str(e, "encoding", "?"),
			    js_str(e, "why", ""));
	o = json_object_get(r->log, "low_prevalence");
	if (js_int(o, "dropped_count", 0) > 0) {
		printf("dropped %lld low-prevalence column(s) (< %g):", js_int(o, "dropped_count", 0),
		    js_num(o, "threshold", 0));
		json_array_foreach(json_object_get(o, "dropped"), i, e) {
			if (i == 8) {
				printf(" ... (see prep/log.json)");
				break;
			}
			printf(" %s(%lld)", js_str(e, "column", "?"), js_int(e, "count", 0));
		}
		printf("\n");
	}
}

int
cmd_prep(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "encode", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	struct study *s = NULL;
	struct prep_report rep;
	struct stage_req q;
	char *cause = NULL, b1[32], b2[32], old_sum[65];
	const char *enc[64];
	int ch, quiet = 0, nenc = 0, i, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		if (ch == 'q')
			quiet = 1;
		else if (ch == 'e' && nenc < 64) {
			const char *eq = strrchr(optarg, '=');

			if (enc_kind_parse(eq ? eq + 1 : optarg) < -1 || (eq != NULL && eq == optarg)) {
				fprintf(stderr, "synthehr prep: --encode: expected [COL=]KIND with KIND one of auto,"
				    " minmax, quantile, gmm, zero, onehot; got \"%s\"\n", optarg);
				return EXIT_USAGE;
			}
			enc[nenc++] = optarg;
		} else {
			fputs(prep_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fputs(prep_usage, stderr);
		return EXIT_USAGE;
	}
	if (study_open(argv[optind], &s, &cause) != 0)
		return cli_fail("prep", cause, EXIT_USAGE);
	/* --encode edits study.json's plan in memory; it is saved only when
	 * prep accepts it (an unknown column is refused by the plan check). */
	for (i = 0; i < nenc; i++) {
		json_t *prep = json_object_get(s->cfg, "prep"), *e, *cols;
		const char *eq = strrchr(enc[i], '=');

		if (!json_is_object(prep)) {
			prep = json_object();
			json_object_set_new(s->cfg, "prep", prep);
		}
		e = json_object_get(prep, "encoding");
		if (!json_is_object(e)) {
			json_t *n = json_object();

			if (json_is_string(e))
				json_object_set(n, "default", e);
			json_object_set_new(prep, "encoding", n);
			e = n;
		}
		if (eq == NULL) {
			json_object_set_new(e, "default", json_string(enc[i]));
			continue;
		}
		cols = json_object_get(e, "columns");
		if (!json_is_object(cols)) {
			cols = json_object();
			json_object_set_new(e, "columns", cols);
		}
		{
			char *col = xstrndup(enc[i], (size_t)(eq - enc[i]));

			if (strcmp(eq + 1, "auto") == 0)
				json_object_del(cols, col);
			else
				json_object_set_new(cols, col, json_string(eq + 1));
			free(col);
		}
	}
	if (study_sha256(s, "prep/train.mtx", old_sum, NULL) != 0)
		old_sum[0] = '\0';
	memset(&q, 0, sizeof q);
	memset(&rep, 0, sizeof rep);
	q.stage = STAGE_PREP;
	q.study = argv[optind];
	q.open_study = s;   /* with --encode's plan, saved below when prep accepts it */
	q.result = &rep;
	if ((rc = stage_run(&q, cli_stage_event, "prep")) != EXIT_OK) {
		prep_report_done(&rep);
		study_free(s);
		return rc;
	}
	if (nenc > 0 && study_save(s, &cause) != 0) {
		prep_report_done(&rep);
		study_free(s);
		return rc;
	}
	if (!quiet) {
		print_log(&rep);
		printf("\n");
		print_table1(&rep);
		printf("\ntrain %s rows, test %s rows; wrote %s/prep/ in %.1f s\n",
		    fmt_count(b1, sizeof b1, rep.ntrain), fmt_count(b2, sizeof b2, rep.ntest), s->dir,
		    rep.seconds);
	}
	/* Runs record only the column layout; say so when the rows they were
	 * trained on have just changed under them. */
	{
		char *tp = study_path(s, "prep/train.mtx"), *rp = study_path(s, "runs/run-1/state.json");
		char new_sum[65];

		if (old_sum[0] != '\0' && util_file_exists(rp) &&
		    util_sha256_file(tp, new_sum, NULL) == 0 && strcmp(old_sum, new_sum) != 0)
			fprintf(stderr, "synthehr prep: the training rows changed; existing runs were trained on "
			    "the previous ones: retrain with 'synthehr train %s --restart'\n", s->dir);
		free(tp);
		free(rp);
	}
	prep_report_done(&rep);
	study_free(s);
	return EXIT_OK;
}
