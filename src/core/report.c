/* synthehr — GPL-3.0-or-later.
 * Ranking and report outputs (report.h).  The ranking is a pure function of
 * eval/metrics.json and a weight profile (rank.c); this file shapes it into
 * eval/ranking.json, an 80-column table and the Markdown report.  Text is
 * written into memory streams and handed back; nothing is printed here. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/eval.h"
#include "synthehr/report.h"
#include "synthehr/util.h"

/* Overall scores of every built-in and saved profile. */
static json_t *
all_profiles(const double *values, int n, const char **names, json_t *rank_cfg, int fractional)
{
	json_t *o = json_object(), *saved = rank_cfg ? json_object_get(rank_cfg, "profiles") : NULL, *v;
	double *overall = xmalloc(((size_t)n + 1) * sizeof *overall);
	struct rank_profile p;
	const char *key;
	int i, k;
	const char *builtin[2] = { "A", "B" };

	for (k = 0; k < 2 + (int)json_object_size(saved); k++) {
		const char *nm = NULL;
		json_t *a;
		int best;

		if (k < 2) {
			rank_profile_builtin(builtin[k], &p);
			nm = builtin[k];
		} else {
			int q = 0;

			json_object_foreach(saved, key, v) {
				if (q++ == k - 2) {
					nm = key;
					break;
				}
			}
			if (nm == NULL || rank_profile_from_json(v, nm, &p, NULL) != 0)
				continue;
		}
		best = rank_compute(values, n, &p, fractional, NULL, overall);
		a = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(a, js_real_or_null(overall[i]));
		json_object_set_new(o, nm, json_pack("{s:o,s:s?,s:o}", "overall", a, "best",
		    best >= 0 ? names[best] : NULL, "weights", rank_profile_to_json(&p)));
	}
	free(overall);
	return o;
}

json_t *
report_ranking(json_t *metrics, json_t *rank_cfg, const struct rank_profile *p, int fractional, char **cause)
{
	double *values, *ranks, *overall, *bvals, *se = NULL;
	const char **names;
	int n, i, k, best, B, nse = 0;
	json_t *r, *jm, *a, *ties;

	if (eval_metrics_table(metrics, &values, &names, &n, cause) != 0)
		return NULL;
	if (n == 0) {
		free(values);
		free(names);
		util_fail(cause, "metrics.json holds no synthetic sets to rank");
		return NULL;
	}
	eval_metrics_se(metrics, &se, &nse);
	ranks = xmalloc((size_t)n * RANK_COUNT * sizeof *ranks);
	overall = xmalloc((size_t)n * sizeof *overall);
	best = rank_compute(values, n, p, fractional, ranks, overall);
	r = json_object();
	json_object_set_new(r, "synthehr_ranking", json_integer(1));
	json_object_set_new(r, "profile", json_pack("{s:s,s:o}", "name", p->name, "weights", rank_profile_to_json(p)));
	json_object_set_new(r, "fractional_ties", json_boolean(fractional));
	json_object_set_new(r, "tie_rule", json_string(fractional ? "average rank (scipy rankdata 'average')" :
	    "average rank truncated to an integer (the tutorial's rankdata(...).astype(int)); "
	    "higher-is-better metrics rank (n+1) - int(rank)"));
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(names[i]));
	json_object_set_new(r, "sets", a);
	jm = json_array();
	for (k = 0; k < RANK_COUNT; k++) {
		json_t *vv = json_array(), *rr = json_array(), *ee = json_array();

		for (i = 0; i < n; i++) {
			json_array_append_new(vv, js_real_or_null(values[(size_t)i * RANK_COUNT + k]));
			json_array_append_new(rr, js_real_or_null(ranks[(size_t)i * RANK_COUNT + k]));
			json_array_append_new(ee, js_real_or_null(nse == n ? se[(size_t)i * RANK_COUNT + k] : NAN));
		}
		json_array_append_new(jm, json_pack("{s:s,s:s,s:s,s:s,s:s,s:f,s:o,s:o,s:o}", "key", rank_metrics[k].key,
		    "label", rank_metrics[k].label,
		    "direction", rank_metrics[k].higher_better ? "higher" : "lower", "arrow", rank_arrow(k),
		    "range", rank_metrics[k].range, "weight", p->w[k], "values", vv, "ranks", rr, "se", ee));
	}
	json_object_set_new(r, "metrics", jm);
	/* Ties within the uncertainty (one SE of the difference), per metric. */
	ties = json_array();
	{
		int *grp = xmalloc((size_t)n * sizeof *grp), g, ng;

		for (k = 0; k < RANK_COUNT; k++) {
			ng = rank_ties(values, nse == n ? se : NULL, n, k, grp);
			for (g = 0; g < ng; g++) {
				json_t *ts = json_array();

				for (i = 0; i < n; i++)
					if (grp[i] == g)
						json_array_append_new(ts, json_string(names[i]));
				json_array_append_new(ties, json_pack("{s:s,s:s,s:f,s:o}", "metric", rank_metrics[k].key,
				    "label", rank_metrics[k].label, "weight", p->w[k], "sets", ts));
			}
		}
		free(grp);
	}
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, js_real_or_null(overall[i]));
	json_object_set_new(r, "overall", a);
	json_object_set_new(r, "best", json_string(names[best]));
	if (eval_metrics_boot(metrics, n, &bvals, &B) == 0 && B > 0) {
		int *cnt = xmalloc((size_t)n * sizeof *cnt);
		json_t *c = json_object();

		rank_stability(bvals, B, n, p, fractional, cnt);
		for (i = 0; i < n; i++)
			json_object_set_new(c, names[i], json_integer(cnt[i]));
		json_object_set_new(r, "stability", json_pack("{s:i,s:o,s:O,s:O}", "resamples", B, "best_count", c,
		    "resampled", json_object_get(json_object_get(metrics, "bootstrap"), "resampled"), "ties", ties));
		free(cnt);
		free(bvals);
	} else
		json_object_set_new(r, "stability", json_pack("{s:i,s:o,s:O}", "resamples", 0, "best_count",
		    json_object(), "ties", ties));
	json_decref(ties);
	free(se);
	json_object_set_new(r, "profiles", all_profiles(values, n, names, rank_cfg, fractional));
	free(values);
	free(names);
	free(ranks);
	free(overall);
	return r;
}

static void
fmt_val(char *buf, size_t size, json_t *v)
{
	if (!json_is_number(v))
		snprintf(buf, size, "-");
	else {
		double x = json_number_value(v);

		if (x != 0 && (fabs(x) < 1e-3 || fabs(x) >= 1e5))
			snprintf(buf, size, "%.2e", x);
		else
			snprintf(buf, size, "%.4g", x);
	}
}

static void
fmt_rank(char *buf, size_t size, json_t *v)
{
	double x = json_number_value(v);

	if (!json_is_number(v))
		snprintf(buf, size, "-");
	else if (x == floor(x))
		snprintf(buf, size, "%d", (int)x);
	else
		snprintf(buf, size, "%.1f", x);
}

/* "Ties within ±1 SE: TSTR run-1 = run-2; MI run-1 = run-3" (wrapped). */
static void
ties_text(FILE *fp, json_t *ties)
{
	size_t i, j, col;

	size_t nshow = 0, shown = 0;

	for (i = 0; i < json_array_size(ties); i++)
		nshow += json_number_value(json_object_get(json_array_get(ties, i), "weight")) != 0;
	if (nshow == 0)
		return;
	fprintf(fp, "Ties within the uncertainty (1 SE), weighted metrics:");
	col = 53;
	for (i = 0; i < json_array_size(ties); i++) {
		json_t *t = json_array_get(ties, i), *ss = json_object_get(t, "sets");
		char item[512];
		size_t len;

		if (json_number_value(json_object_get(t, "weight")) == 0)
			continue;

		len = (size_t)snprintf(item, sizeof item, " %s", js_str(t, "label", "?"));
		for (j = 0; j < json_array_size(ss) && len < sizeof item; j++)
			len += (size_t)snprintf(item + len, sizeof item - len, "%s%s", j ? " = " : " ",
			    json_string_value(json_array_get(ss, j)));
		if (col + strlen(item) + 1 > 78) {
			fprintf(fp, "\n ");
			col = 1;
		}
		fprintf(fp, "%s%s", item, ++shown < nshow ? ";" : "");
		col += strlen(item) + 1;
	}
	fprintf(fp, "\n");
}

char *
report_ranking_text(json_t *rk)
{
	enum { PER = 5, CW = 11 };
	json_t *sets = json_object_get(rk, "sets"), *mets = json_object_get(rk, "metrics");
	json_t *overall = json_object_get(rk, "overall"), *st = json_object_get(rk, "stability");
	char *buf = NULL, cell[80], v[32], r[32];
	size_t len = 0, n = json_array_size(sets), s0, i, k;
	FILE *fp = open_memstream(&buf, &len);

	fprintf(fp, "Ranking, profile %s, %s ties (rank 1 = best; overall: lower is better)\n",
	    js_str(json_object_get(rk, "profile"), "name", "?"),
	    json_is_true(json_object_get(rk, "fractional_ties")) ? "fractional" : "truncated");
	for (s0 = 0; s0 < n; s0 += PER) {
		size_t s1 = SH_MIN(n, s0 + PER);

		fprintf(fp, "\n%-12s %-3s %5s", "metric", "dir", "w");
		for (i = s0; i < s1; i++)
			fprintf(fp, " %*.*s", CW, CW, json_string_value(json_array_get(sets, i)));
		fprintf(fp, "\n");
		for (k = 0; k < json_array_size(mets); k++) {
			json_t *m = json_array_get(mets, k);

			fprintf(fp, "%-12.12s %-3s %5.2f", js_str(m, "label", "?"), js_str(m, "arrow", "?"),
			    json_number_value(json_object_get(m, "weight")));
			for (i = s0; i < s1; i++) {
				json_t *jv = json_array_get(json_object_get(m, "values"), i);
				int prec;

				fmt_rank(r, sizeof r, json_array_get(json_object_get(m, "ranks"), i));
				fmt_val(v, sizeof v, jv);
				for (prec = 3; prec >= 1 && strlen(v) + strlen(r) + 3 > CW && json_is_number(jv); prec--)
					snprintf(v, sizeof v, "%.*g", prec, json_number_value(jv));
				snprintf(cell, sizeof cell, "%s (%s)", v, r);
				fprintf(fp, " %*s", CW, cell);
			}
			fprintf(fp, "\n");
		}
		fprintf(fp, "%-12s %-3s %5s", "overall", "↓", "");
		for (i = s0; i < s1; i++) {
			fmt_val(v, sizeof v, json_array_get(overall, i));
			fprintf(fp, " %*s", CW, v);
		}
		fprintf(fp, "\n");
	}
	fprintf(fp, "\nBest: %s", js_str(rk, "best", "?"));
	if (st != NULL && json_integer_value(json_object_get(st, "resamples")) > 0) {
		const char *best = js_str(rk, "best", "");

		fprintf(fp, " (best in %lld of %lld bootstrap resamples)",
		    (long long)json_integer_value(json_object_get(json_object_get(st, "best_count"), best)),
		    (long long)json_integer_value(json_object_get(st, "resamples")));
	}
	fprintf(fp, "\n");
	ties_text(fp, json_object_get(st, "ties"));
	fprintf(fp, "↓ lower is better, ↑ higher is better. Ranges:\n");
	for (k = 0; k < json_array_size(mets); k++) {
		json_t *m = json_array_get(mets, k);
		char item[64];

		snprintf(item, sizeof item, "%s %s %s", js_str(m, "key", "?"), js_str(m, "arrow", ""), js_str(m, "range", ""));
		fprintf(fp, "  %-36s%s", item, k % 2 == 1 ? "\n" : "");
	}
	if (json_array_size(mets) % 2 == 1)
		fprintf(fp, "\n");
	fclose(fp);
	return buf;
}

static int
load_metrics(struct study *s, json_t **out, char **cause)
{
	char *p = study_path(s, "eval/metrics.json");
	int rc;

	if (!util_file_exists(p)) {
		util_fail(cause, "%s: not found; run `synthehr evaluate %s` first", p, s->dir);
		free(p);
		return -1;
	}
	rc = js_read_file(p, out, cause);
	free(p);
	return rc;
}

int
report_rank_study(struct study *s, const char *profile, int fractional, json_t **out, char **cause)
{
	struct rank_profile p;
	json_t *metrics, *rk, *cfg = study_section(s, "rank");
	char *path;
	int rc;

	if (profile == NULL)
		profile = js_str(cfg, "profile", "A");
	if (rank_profile_resolve(profile, cfg, &p, cause) != 0)
		return -1;
	if (load_metrics(s, &metrics, cause) != 0)
		return -1;
	rk = report_ranking(metrics, cfg, &p, fractional, cause);
	json_decref(metrics);
	if (rk == NULL)
		return -1;
	path = study_path(s, "eval/ranking.json");
	/* a study that cannot be written (read-only) still shows its ranking:
	 * the failed save is a warning (1), not an error */
	rc = js_write_file(path, rk, cause) != 0 ? 1 : 0;
	free(path);
	if (out != NULL)
		*out = rk;
	else
		json_decref(rk);
	return rc;
}

/* A patient count, or "<k" below the smallest count shown (as in the HTML report). */
static const char *
md_cnt(char *buf, size_t size, long long v, int k)
{
	if (v > 0 && v < k)
		snprintf(buf, size, "<%d", k);
	else
		snprintf(buf, size, "%lld", v);
	return buf;
}

static void
md_summary(FILE *fp, json_t *sum, int k)
{
	json_t *v, *a;
	size_t i;
	char c[32];

	if (sum == NULL)
		return;
	fprintf(fp, "| | |\n|---|---|\n");
	fprintf(fp, "| patients | %s |\n", md_cnt(c, sizeof c, js_int(sum, "patients", 0), k));
	if ((v = json_object_get(sum, "age")) != NULL)
		fprintf(fp, "| age, mean (SD) | %.1f (%.1f) |\n", json_number_value(json_object_get(v, "mean")),
		    json_number_value(json_object_get(v, "sd")));
	if ((v = json_object_get(sum, "female_pct")) != NULL)
		fprintf(fp, "| female | %.1f %% |\n", json_number_value(v));
	if ((v = json_object_get(sum, "label")) != NULL) {
		long long n = js_int(v, "count", 0);

		if (n > 0 && n < k)
			fprintf(fp, "| %s | <%d |\n", js_str(v, "name", "label"), k);
		else
			fprintf(fp, "| %s | %lld (%.1f %%) |\n", js_str(v, "name", "label"), n,
			    json_number_value(json_object_get(v, "pct")));
	}
	a = json_object_get(sum, "continuous");
	for (i = 0; i < json_array_size(a); i++) {
		v = json_array_get(a, i);
		fprintf(fp, "| %s, mean (SD) | %.1f (%.1f); %s missing |\n", js_str(v, "name", "?"),
		    json_number_value(json_object_get(v, "mean")), json_number_value(json_object_get(v, "sd")),
		    md_cnt(c, sizeof c, js_int(v, "missing", 0), k));
	}
	if ((v = json_object_get(sum, "columns")) != NULL)
		fprintf(fp, "| model columns | %lld |\n", (long long)json_integer_value(v));
	fprintf(fp, "\n");
}

/* Memorisation per set, with the real test rows as the reference, and the
 * CKV codes a set never produces. */
/* "12.34 % (56)", or "< 0.50 % (<5)" for a count under the smallest shown. */
static const char *
md_share(char *buf, size_t size, json_t *m, const char *share, const char *count, int k)
{
	long long c = js_int(m, count, 0), rows = js_int(m, "rows", 0);

	if (c > 0 && c < k)
		snprintf(buf, size, "< %.2f %% (<%d)", rows > 0 ? 100.0 * k / (double)rows : 0.0, k);
	else
		snprintf(buf, size, "%.2f %% (%lld)", 100 * json_number_value(json_object_get(m, share)), c);
	return buf;
}

/* Memorisation per set, with the real test rows as the reference, and the
 * CKV codes a set never produces; counts under k are suppressed. */
static void
md_memorisation(FILE *fp, json_t *metrics, int k)
{
	json_t *all = json_object_get(metrics, "sets"), *ref = json_object_get(json_object_get(metrics, "real"),
	    "memorisation"), *m;
	char a[64], b[64], c[32];
	size_t i;

	fprintf(fp, "## Memorisation\n\nShare of each set's rows that copy a training row exactly, and that repeat a "
	    "training patient's whole discrete profile (every group, binary and concept column).\n\n"
	    "| set | exact copies | discrete profile repeated | rows | CKV codes never produced |\n|---|---|---|---|---|\n");
	for (i = 0; i < json_array_size(all); i++) {
		json_t *st = json_array_get(all, i), *ck;

		if (strcmp(js_str(st, "kind", ""), "real") == 0)
			continue;
		m = json_object_get(json_object_get(st, "details"), "memorisation");
		ck = json_object_get(json_object_get(st, "details"), "ckv");
		if (m == NULL)
			continue;
		fprintf(fp, "| %s | %s | %s | %lld |", js_str(st, "name", "?"), md_share(a, sizeof a, m, "exact",
		    "exact_rows", k), md_share(b, sizeof b, m, "profile", "profile_rows", k), js_int(m, "rows", 0));
		if (ck != NULL && json_object_get(ck, "missing") != NULL)
			fprintf(fp, " %lld of %lld |\n", js_int(ck, "missing", 0), js_int(ck, "checked", 0));
		else
			fprintf(fp, " |\n");
	}
	if (ref != NULL)
		fprintf(fp, "| real test rows (reference) | %s | %s | %s | |\n", md_share(a, sizeof a, ref, "exact",
		    "exact_rows", k), md_share(b, sizeof b, ref, "profile", "profile_rows", k),
		    md_cnt(c, sizeof c, js_int(ref, "rows", 0), k));
	fprintf(fp, "\nA set well above the reference repeats training patients rather than the population.\n\n");
}

int
report_markdown(struct study *s, const char *profile, int fractional, const char *path, char **cause)
{
	json_t *metrics = NULL, *rk = NULL, *log = NULL, *mets, *sets, *a, *v, *refv;
	char *p, *buf = NULL, *text;
	size_t len = 0, i, k;
	FILE *fp;
	int rc, mc;

	if ((rc = report_rank_study(s, profile, fractional, &rk, cause)) < 0)
		return -1;
	if (rc > 0 && cause != NULL) {
		free(*cause);   /* the report itself is written below, or fails there */
		*cause = NULL;
	}
	if (load_metrics(s, &metrics, cause) != 0) {
		json_decref(rk);
		return -1;
	}
	p = study_path(s, "prep/log.json");
	if (js_read_file(p, &log, NULL) != 0)
		log = NULL;
	free(p);
	fp = open_memstream(&buf, &len);
	mc = (int)js_int(json_object_get(s->cfg, "report"), "min_cell", REPORT_MIN_CELL);
	if (mc < 1)
		mc = 1;
	fprintf(fp, "# synthehr report: %s\n\n", s->dir);
	fprintf(fp, "Generated by synthehr %s. Metrics: `eval/metrics.json`; ranking: `eval/ranking.json`.\n\n",
	    PACKAGE_VERSION);
	fprintf(fp, "The same study with its charts (loss curves, Figure 4, histograms, metric and ranking charts) "
	    "is in one self-contained file: [eval/report.html](report.html) (`synthehr report %s --html`).\n\n",
	    s->dir);
	fprintf(fp, "## Cohort\n\n");
	if (log != NULL) {
		fprintf(fp, "Before preprocessing:\n\n");
		md_summary(fp, json_object_get(log, "before"), mc);
		fprintf(fp, "After preprocessing:\n\n");
		md_summary(fp, json_object_get(log, "after"), mc);
		fprintf(fp, "## Preprocessing log\n\n");
		a = json_object_get(log, "outliers");
		for (i = 0; i < json_array_size(a); i++) {
			long long rm;
			char c[32];

			v = json_array_get(a, i);
			rm = js_int(v, "removed", 0);
			/* A small removal is suppressed, and so is the row count it would reveal. */
			fprintf(fp, "- %s%s: %s removed", js_str(v, "description", js_str(v, "column", js_str(v, "left", "?"))),
			    json_is_false(json_object_get(v, "enabled")) ? " (disabled)" : "", md_cnt(c, sizeof c, rm, mc));
			if (rm == 0 || rm >= mc)
				fprintf(fp, ", %lld rows after", js_int(v, "rows_after", 0));
			fprintf(fp, "\n");
		}
		if ((v = json_object_get(log, "low_prevalence")) != NULL)
			fprintf(fp, "- low prevalence (< %g): %lld columns dropped\n",
			    json_number_value(json_object_get(v, "threshold")),
			    (long long)json_integer_value(json_object_get(v, "dropped_count")));
		if ((v = json_object_get(log, "split")) != NULL)
			fprintf(fp, "- split: %lld train / %lld test (fraction %g, seed %lld)\n",
			    (long long)json_integer_value(json_object_get(v, "train")),
			    (long long)json_integer_value(json_object_get(v, "test")),
			    json_number_value(json_object_get(v, "train_fraction")),
			    (long long)json_integer_value(json_object_get(v, "seed")));
		if ((v = json_object_get(log, "columns_out")) != NULL)
			fprintf(fp, "- model columns: %lld\n", (long long)json_integer_value(v));
		fprintf(fp, "\n");
	} else
		fprintf(fp, "(no prep/log.json)\n\n");
	v = json_object_get(metrics, "real");
	fprintf(fp, "## Evaluation\n\nReal split: %lld training rows (R), %lld test rows (T), %lld columns. Preset: %s.",
	    (long long)json_integer_value(json_object_get(v, "train_rows")),
	    (long long)json_integer_value(json_object_get(v, "test_rows")),
	    (long long)json_integer_value(json_object_get(v, "columns")),
	    js_str(json_object_get(metrics, "settings"), "preset", "?"));
	if ((v = json_object_get(json_object_get(metrics, "real"), "values")) != NULL)
		fprintf(fp, " Real rows evaluated as %s.", json_string_value(v));
	if ((v = json_object_get(metrics, "trtr")) != NULL)
		fprintf(fp, " TRTR AUROC %.4f.", json_number_value(json_object_get(v, "auroc")));
	fprintf(fp, "\n\n");
	/* Metric table: rows = metrics, columns = sets (plus the real baseline). */
	mets = json_object_get(rk, "metrics");
	sets = json_object_get(rk, "sets");
	fprintf(fp, "| metric | direction | range |");
	for (i = 0; i < json_array_size(sets); i++)
		fprintf(fp, " %s |", json_string_value(json_array_get(sets, i)));
	refv = json_object_get(json_object_get(metrics, "reference"), "values");
	fprintf(fp, " real data |%s\n|---|---|---|", refv != NULL ? " real test rows |" : "");
	for (i = 0; i <= json_array_size(sets) + (refv != NULL); i++)
		fprintf(fp, "---|");
	fprintf(fp, "\n");
	{
		json_t *real = NULL, *all = json_object_get(metrics, "sets");

		for (i = 0; i < json_array_size(all); i++)
			if (strcmp(js_str(json_array_get(all, i), "kind", ""), "real") == 0)
				real = json_object_get(json_array_get(all, i), "values");
		for (k = 0; k < json_array_size(mets); k++) {
			json_t *m = json_array_get(mets, k), *rv;
			char val[32], rnk[32];

			fprintf(fp, "| %s | %s %s is better | %s |", js_str(m, "key", "?"), js_str(m, "arrow", ""),
			    js_str(m, "direction", ""), js_str(m, "range", ""));
			for (i = 0; i < json_array_size(sets); i++) {
				json_t *e = json_array_get(json_object_get(m, "se"), i);

				fmt_val(val, sizeof val, json_array_get(json_object_get(m, "values"), i));
				fmt_rank(rnk, sizeof rnk, json_array_get(json_object_get(m, "ranks"), i));
				if (json_is_number(e)) {
					char ev[32];

					fmt_val(ev, sizeof ev, e);
					fprintf(fp, " %s ± %s (%s) |", val, ev, rnk);
				} else
					fprintf(fp, " %s (%s) |", val, rnk);
			}
			rv = real ? json_object_get(real, js_str(m, "key", "")) : NULL;
			fmt_val(val, sizeof val, rv);
			fprintf(fp, " %s |", rv ? val : "");
			if (refv != NULL) {
				rv = json_object_get(refv, js_str(m, "key", ""));
				fmt_val(val, sizeof val, rv);
				fprintf(fp, " %s |", json_is_number(rv) ? val : "");
			}
			fprintf(fp, "\n");
		}
	}
	fprintf(fp, "\nValues ± their standard error (bootstrap or seeds; see `se` in metrics.json) with their rank "
	    "in brackets (1 = best). \"real data\" is the release-the-real-data privacy baseline (S := R), not "
	    "ranked.");
	if (refv != NULL)
		fprintf(fp, " \"real test rows\" is the real-data reference: the %lld held-out test rows scored as "
		    "if they were a synthetic set (MI and NNAA: half of them as the set, the other half as the "
		    "non-members; TSTR and TRTS: TRTR's AUROC; FI has none; metrics.json `reference`), not ranked: "
		    "a set that scores beyond it is usually noise, or memorisation on the privacy metrics.",
		    (long long)json_integer_value(json_object_get(json_object_get(metrics, "reference"), "rows")));
	for (i = 0; i < json_array_size(sets); i++)
		if (strncmp(json_string_value(json_array_get(sets, i)), "peer-", 5) == 0)
			break;
	if (i < json_array_size(sets))
		fprintf(fp, " Sets named peer-* are classical synthesizers fitted on the same training rows and"
		    " ranked with the EMR-WGAN runs: peer-cart is sequential CART (as R's synthpop),"
		    " peer-copula a Gaussian copula (as SDV's GaussianCopula); baseline-marginals draws"
		    " every column on its own.");
	fprintf(fp, "\n\n");
	md_memorisation(fp, metrics, mc);
	fprintf(fp, "## Ranking\n\n```\n");
	text = report_ranking_text(rk);
	fputs(text, fp);
	free(text);
	fprintf(fp, "```\n\n## Best set per profile\n\n| profile | best | overall scores |\n|---|---|---|\n");
	{
		const char *key;
		json_t *pv, *prof = json_object_get(rk, "profiles");

		json_object_foreach(prof, key, pv) {
			fprintf(fp, "| %s | %s |", key, js_str(pv, "best", "?"));
			a = json_object_get(pv, "overall");
			for (i = 0; i < json_array_size(a); i++)
				fprintf(fp, " %s %.2f", json_string_value(json_array_get(sets, i)),
				    json_number_value(json_array_get(a, i)));
			fprintf(fp, " |\n");
		}
	}
	if ((v = json_object_get(rk, "stability")) != NULL) {
		const char *key;
		json_t *cv;

		fprintf(fp, "\n## Rank stability\n\n");
		if (json_integer_value(json_object_get(v, "resamples")) > 0)
			fprintf(fp, "Best set under profile %s in %lld bootstrap resamples (resampled: %s):\n\n",
			    js_str(json_object_get(rk, "profile"), "name", "?"),
			    (long long)json_integer_value(json_object_get(v, "resamples")), js_str(v, "resampled", "?"));
		json_object_foreach(json_object_get(v, "best_count"), key, cv)
			fprintf(fp, "- %s: %lld\n", key, (long long)json_integer_value(cv));
		if (json_array_size(json_object_get(v, "ties")) > 0) {
			fprintf(fp, "\n");
			ties_text(fp, json_object_get(v, "ties"));
		}
	}
	fclose(fp);
	rc = util_write_file_atomic(path, buf, len, cause);
	free(buf);
	json_decref(metrics);
	json_decref(rk);
	json_decref(log);
	return rc;
}
