/* synthehr — GPL-3.0-or-later.
 * Rank aggregation against the tutorial: the per-run metric values of SPEC §5
 * must give PAPER Table 3's per-metric ranks and overall scores to the last
 * bit (profile A 2.3/1.8/3.2000000000000006/3.7/3.9999999999999996, profile B
 * 2.5/3.1999999999999997/2.4000000000000004/2.5000000000000004/4.4); scipy's
 * rankdata tie rule; fractional ties; profiles from JSON; stability counts. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/rank.h"
#include "synthehr/util.h"
#include "tap.h"

/* SPEC §5 values, runs 1..5. */
static const double spec_vals[RANK_COUNT - 2][5] = {
	[RANK_DWD] = { 1.024415873644543, 0.5235392767153383, 1.5588431385697294, 1.2745413222278763, 0.8537903943627151 },
	[RANK_CWC] = { 5.800565453515808, 5.4226583129816746, 5.9071028272186075, 6.3210266094586265, 6.315851456601387 },
	[RANK_LCA] = { -11.098742322050022, -15.663163969433555, -9.92536962270512, -8.358865094374572, -9.372114175598648 },
	[RANK_MCA] = { 0.046229114304231676, 0.026556646274956134, 0.06971910023553216, 0.05911224925309432, 0.022557341806168096 },
	[RANK_CKV] = { 0.0431216, 0.05790536, 0.04047659, 0.05680659, 0.06371215 },
	[RANK_TSTR] = { 0.9088399775509852, 0.9112225676327526, 0.9087195499710603, 0.9018799136073833, 0.9070287617218474 },
	[RANK_TRTS] = { 0.9024328980257994, 0.9030885875518126, 0.9013117821936679, 0.8738215730374622, 0.8949010115526643 },
	[RANK_FI] = { 0.7, 0.8, 0.65, 0.65, 0.65 },
	[RANK_MI] = { 0.2943, 0.3053, 0.2912, 0.2851, 0.2992 },
	[RANK_AI] = { 0.1430, 0.1419, 0.1431, 0.1284, 0.1448 },
};

/* PAPER Table 3 (metric × run). */
static const int table3[RANK_COUNT - 2][5] = {
	[RANK_DWD] = { 3, 1, 5, 4, 2 },
	[RANK_CWC] = { 2, 1, 3, 5, 4 },
	[RANK_LCA] = { 2, 1, 3, 5, 4 },
	[RANK_MCA] = { 3, 2, 5, 4, 1 },
	[RANK_CKV] = { 2, 4, 1, 3, 5 },
	[RANK_TSTR] = { 2, 1, 3, 5, 4 },
	[RANK_TRTS] = { 2, 1, 3, 5, 4 },
	[RANK_FI] = { 2, 1, 4, 4, 4 },
	[RANK_MI] = { 3, 5, 2, 1, 4 },
	[RANK_AI] = { 3, 2, 4, 1, 5 },
};

static const double want_a[5] = { 2.3, 1.8, 3.2000000000000006, 3.7, 3.9999999999999996 };
static const double want_b[5] = { 2.5, 3.1999999999999997, 2.4000000000000004, 2.5000000000000004, 4.4 };

static void
fill_spec(double *values)
{
	int s, m;

	for (s = 0; s < 5; s++)
		for (m = 0; m < RANK_COUNT; m++)
			values[s * RANK_COUNT + m] = m < RANK_COUNT - 2 ? spec_vals[m][s] : NAN;
}

static void
test_table3(void)
{
	double values[5 * RANK_COUNT], ranks[5 * RANK_COUNT], overall[5];
	struct rank_profile a, b;
	int s, m, best, all = 1;

	fill_spec(values);
	tap_ok(rank_profile_builtin("A", &a) == 0 && rank_profile_builtin("b", &b) == 0, "profiles A and B built in");
	best = rank_compute(values, 5, &a, 0, ranks, overall);
	for (m = 0; m < RANK_COUNT - 2; m++) {
		int okm = 1;

		for (s = 0; s < 5; s++)
			okm &= ranks[s * RANK_COUNT + m] == table3[m][s];
		if (!okm)
			all = 0;
		tap_ok(okm, "Table 3 ranks for %s", rank_metrics[m].key);
	}
	tap_ok(all, "every Table 3 rank reproduced");
	for (s = 0; s < 5; s++)
		tap_ok(overall[s] == want_a[s], "profile A run %d overall %.17g == %.17g", s + 1, overall[s], want_a[s]);
	tap_ok(best == 1, "profile A: run 2 is best (got run %d)", best + 1);
	best = rank_compute(values, 5, &b, 0, ranks, overall);
	for (s = 0; s < 5; s++)
		tap_ok(overall[s] == want_b[s], "profile B run %d overall %.17g == %.17g", s + 1, overall[s], want_b[s]);
	tap_ok(best == 2, "profile B: run 3 is best (got run %d)", best + 1);
}

static void
test_ties(void)
{
	const double fi[5] = { 0.7, 0.8, 0.65, 0.65, 0.65 };
	const double v[6] = { 3, 1, 4, 1, 5, 9 };
	double r[6];

	rank_rankdata(fi, 5, r);
	tap_ok(r[0] == 4 && r[1] == 5 && r[2] == 2 && r[3] == 2 && r[4] == 2, "rankdata FI = [4,5,2,2,2]");
	rank_metric_ranks(fi, 5, 1, 0, r);
	tap_ok(r[0] == 2 && r[1] == 1 && r[2] == 4 && r[3] == 4 && r[4] == 4, "FI ranks truncated = [2,1,4,4,4]");
	rank_metric_ranks(fi, 5, 1, 1, r);
	tap_ok(r[0] == 2 && r[1] == 1 && r[2] == 4 && r[3] == 4 && r[4] == 4, "FI fractional ties: 6-2 = 4 exactly");
	rank_rankdata(v, 6, r);
	tap_ok(r[0] == 3 && r[1] == 1.5 && r[2] == 4 && r[3] == 1.5 && r[4] == 5 && r[5] == 6,
	    "rankdata [3,1,4,1,5,9] = [3,1.5,4,1.5,5,6]");
	rank_metric_ranks(v, 6, 0, 0, r);
	tap_ok(r[1] == 1 && r[3] == 1, "lower-is-better tie 1.5 truncates to 1");
	rank_metric_ranks(v, 6, 0, 1, r);
	tap_ok(r[1] == 1.5 && r[3] == 1.5, "fractional ties keep 1.5");
	rank_metric_ranks(v, 6, 1, 0, r);
	/* (6+1) - int(rankdata): 9 -> 1, 5 -> 2, 4 -> 3, 3 -> 4, 1 -> 7-1 = 6 */
	tap_ok(r[5] == 1 && r[4] == 2 && r[2] == 3 && r[0] == 4 && r[1] == 6 && r[3] == 6,
	    "higher-is-better (n+1)-int(rank) with ties");
	{
		const double w[4] = { 0.3, NAN, 0.1, 0.2 };

		rank_metric_ranks(w, 4, 0, 0, r);
		tap_ok(r[2] == 1 && r[3] == 2 && r[0] == 3 && r[1] == 4, "missing value ranks worst (lower-better)");
		rank_metric_ranks(w, 4, 1, 0, r);
		tap_ok(r[0] == 1 && r[3] == 2 && r[2] == 3 && r[1] == 4, "missing value ranks worst (higher-better)");
	}
}

static void
test_profiles(void)
{
	struct rank_profile p;
	json_t *j, *cfg;
	char *cause = NULL;
	char path[] = "/tmp/synthehr-rank-XXXXXX";
	int fd;
	FILE *fp;

	j = json_pack("{s:f,s:f,s:f}", "DWD", 0.5, "TSTR", 0.25, "AI", 0.25);
	tap_ok(rank_profile_from_json(j, "mine", &p, &cause) == 0 && p.w[RANK_DWD] == 0.5 &&
	    p.w[RANK_TSTR] == 0.25 && p.w[RANK_AI] == 0.25 && p.w[RANK_CWC] == 0, "custom profile from JSON");
	json_decref(j);
	j = json_pack("{s:f}", "DWX", 0.5);
	tap_ok(rank_profile_from_json(j, "bad", &p, &cause) == -1 && cause != NULL && strstr(cause, "DWX") != NULL,
	    "unknown metric is an error naming it: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	json_decref(j);
	j = json_pack("{s:s}", "DWD", "x");
	tap_ok(rank_profile_from_json(j, "bad", &p, &cause) == -1, "non-numeric weight rejected");
	free(cause);
	cause = NULL;
	json_decref(j);
	cfg = json_pack("{s:{s:{s:f}}}", "profiles", "privacy", "MI", 1.0);
	tap_ok(rank_profile_resolve("privacy", cfg, &p, &cause) == 0 && p.w[RANK_MI] == 1.0 &&
	    strcmp(p.name, "privacy") == 0, "custom profile from the study's rank section");
	tap_ok(rank_profile_resolve("nonesuch", cfg, &p, &cause) == -1 && cause != NULL, "unknown profile: %s",
	    cause ? cause : "");
	free(cause);
	cause = NULL;
	json_decref(cfg);
	fd = mkstemp(path);
	fp = fdopen(fd, "w");
	fputs("{\"name\": \"filed\", \"weights\": {\"CKV\": 1}}", fp);
	fclose(fp);
	tap_ok(rank_profile_resolve(path, NULL, &p, &cause) == 0 && p.w[RANK_CKV] == 1 && strcmp(p.name, "filed") == 0,
	    "profile from a file");
	fp = fopen(path, "w");
	fputs("{\"CKV\": 1,", fp);
	fclose(fp);
	tap_ok(rank_profile_resolve(path, NULL, &p, &cause) == -1 && cause != NULL && strstr(cause, path) != NULL,
	    "broken profile file names file:line:col: %s", cause ? cause : "");
	free(cause);
	remove(path);
	tap_ok(rank_metric_find("Feature importance") == RANK_FI && rank_metric_find("tstr") == RANK_TSTR,
	    "metric aliases");
	tap_ok(strcmp(rank_arrow(RANK_TSTR), "↑") == 0 && strcmp(rank_arrow(RANK_MI), "↓") == 0, "direction arrows");
}

static void
test_stability(void)
{
	double values[3 * 5 * RANK_COUNT];
	struct rank_profile a;
	int counts[5], b;

	rank_profile_builtin("A", &a);
	for (b = 0; b < 3; b++)
		fill_spec(values + b * 5 * RANK_COUNT);
	/* In the third resample, run 4 wins every metric. */
	for (b = 0; b < RANK_COUNT - 2; b++)
		values[2 * 5 * RANK_COUNT + 3 * RANK_COUNT + b] = rank_metrics[b].higher_better ? 10 : -100;
	rank_stability(values, 3, 5, &a, 0, counts);
	tap_ok(counts[1] == 2 && counts[3] == 1 && counts[0] + counts[2] + counts[4] == 0,
	    "stability counts: run 2 best twice, run 4 once");
	/* In the first resample, run 5 equals run 2 on every metric: the two
	 * tie for best there and each is counted (not the first listed only). */
	memcpy(values + 4 * RANK_COUNT, values + 1 * RANK_COUNT, RANK_COUNT * sizeof *values);
	rank_stability(values, 3, 5, &a, 0, counts);
	tap_ok(counts[1] == 2 && counts[4] == 1 && counts[3] == 1 && counts[0] + counts[2] == 0,
	    "stability counts: a resample with two sets tied for best counts for both (%d %d %d %d %d)",
	    counts[0], counts[1], counts[2], counts[3], counts[4]);
}

/* Ties within the uncertainty: neighbours in value order whose difference
 * is at most sqrt(se_a² + se_b²), chained. */
static void
test_uncertain_ties(void)
{
	double v[5 * RANK_COUNT], se[5 * RANK_COUNT];
	int g[5], s, ng;
	/* TSTR: 0.80±0.01, 0.81±0.01 (diff 0.01 ≤ 0.0141: tie), 0.83±0.005
	 * (0.02 from 0.81 > 0.0112: no), 0.70 with no SE, 0.70 with no SE
	 * (equal: tie) */
	const double tv[5] = { 0.80, 0.81, 0.83, 0.70, 0.70 }, ts[5] = { 0.01, 0.01, 0.005, NAN, NAN };

	for (s = 0; s < 5 * RANK_COUNT; s++) {
		v[s] = NAN;
		se[s] = NAN;
	}
	for (s = 0; s < 5; s++) {
		v[s * RANK_COUNT + RANK_TSTR] = tv[s];
		se[s * RANK_COUNT + RANK_TSTR] = ts[s];
	}
	ng = rank_ties(v, se, 5, RANK_TSTR, g);
	tap_ok(ng == 2 && g[3] == g[4] && g[3] >= 0 && g[0] == g[1] && g[0] >= 0 && g[0] != g[3] && g[2] == -1,
	    "ties: 0.80 = 0.81 within their SEs, 0.83 apart, equal values tie (%d groups)", ng);
	se[2 * RANK_COUNT + RANK_TSTR] = 0.02;   /* now 0.83 ± 0.02 reaches 0.81 ± 0.01: the tie chains */
	ng = rank_ties(v, se, 5, RANK_TSTR, g);
	tap_ok(ng == 2 && g[0] == g[1] && g[1] == g[2], "ties chain in value order");
	ng = rank_ties(v, NULL, 5, RANK_TSTR, g);
	tap_ok(ng == 1 && g[3] == g[4] && g[0] == -1, "without SEs only equal values tie");
	ng = rank_ties(v, se, 5, RANK_MI, g);
	tap_ok(ng == 0 && g[0] == -1, "a metric with no values has no ties");
}

int
main(void)
{
	test_uncertain_ties();
	test_table3();
	test_ties();
	test_profiles();
	test_stability();
	return tap_done();
}
