/* synthehr — GPL-3.0-or-later.
 * Dimension-wise distance parts (binary prevalence sum, Wasserstein-1 per
 * continuous column, the tutorial's run-relative DWD and an absolute
 * variant), medical concept abundance and clinical knowledge violation
 * (SPEC §4.1, 4.4, 4.5).  Byte columns are read straight from the compact
 * row store; continuous columns are read one column at a time and unscaled
 * on the fly when the matrix holds [0,1] values, so memory stays flat. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/csvio.h"
#include "synthehr/eval_utility.h"
#include "synthehr/util.h"

/* Column sums of every byte column: cnt[D] (0 for float columns). */
static void
eu_byte_sums(const struct mtx *m, uint64_t *cnt)
{
	uint64_t *acc = xcalloc(m->nb ? m->nb : 1, sizeof *acc);
	size_t r;
	int j;

	for (r = 0; r < m->n; r++) {
		const uint8_t *b = m->b + r * (size_t)m->nb;

		for (j = 0; j < m->nb; j++)
			acc[j] += b[j];
	}
	for (j = 0; j < m->D; j++)
		cnt[j] = m->is_float[j] ? 0 : acc[m->slot[j]];
	free(acc);
}

void
eval_prevalence(const struct layout *l, const struct mtx *m, double *p)
{
	uint64_t *cnt = xcalloc((size_t)l->D, sizeof *cnt);
	int j;

	eu_byte_sums(m, cnt);
	for (j = 0; j < l->D; j++)
		p[j] = l->kind[j] == MCOL_CONT || m->n == 0 ? NAN : (double)cnt[j] / (double)m->n;
	free(cnt);
}

double
eval_sd2d(const struct layout *l, const struct mtx *R, const struct mtx *S)
{
	double *pr = xmalloc((size_t)l->D * sizeof *pr);
	double *ps = xmalloc((size_t)l->D * sizeof *ps);
	double sum = 0;
	int j;

	eval_prevalence(l, R, pr);
	eval_prevalence(l, S, ps);
	for (j = 0; j < l->D; j++) {
		if (l->kind[j] == MCOL_CONT || j == l->label)
			continue;
		sum += fabs(ps[j] - pr[j]);
	}
	free(pr);
	free(ps);
	return sum;
}

/* Column j in cohort units into out[n]. */
static void
eu_col(const struct layout *l, const struct mtx *m, int j, double *out)
{
	size_t r;

	mtx_get_col(m, j, out);
	if (m->scaled && l->kind[j] == MCOL_CONT)
		for (r = 0; r < m->n; r++)
			out[r] = (1.0 - out[r]) * l->lo[j] + out[r] * l->hi[j];
}

double
eval_wasserstein1(const double *a, size_t na, const double *b, size_t nb)
{
	double *sa = xmalloc((na ? na : 1) * sizeof *sa);
	double *sb = xmalloc((nb ? nb : 1) * sizeof *sb);
	double w;

	memcpy(sa, a, na * sizeof *sa);
	memcpy(sb, b, nb * sizeof *sb);
	qsort(sa, na, sizeof *sa, util_cmp_double);
	qsort(sb, nb, sizeof *sb, util_cmp_double);
	w = util_w1_sorted(sa, na, sb, nb);
	free(sa);
	free(sb);
	return w;
}

void
eval_wd(const struct layout *l, const struct mtx *R, const struct mtx *S, double *wd)
{
	double *a = xmalloc((R->n ? R->n : 1) * sizeof *a);  /* [|R|] one column */
	double *b = xmalloc((S->n ? S->n : 1) * sizeof *b);  /* [|S|] */
	int j, c = 0;

	for (j = 0; j < l->D; j++) {
		if (l->kind[j] != MCOL_CONT)
			continue;
		eu_col(l, R, j, a);
		eu_col(l, S, j, b);
		qsort(a, R->n, sizeof *a, util_cmp_double);
		qsort(b, S->n, sizeof *b, util_cmp_double);
		wd[c++] = util_w1_sorted(a, R->n, b, S->n);
	}
	free(a);
	free(b);
}

void
eval_dwd_runs(int D, int nruns, int ncont, const double *sd2d, const double *wd,
    double *dwd, double *cont)
{
	int r, c;

	for (r = 0; r < nruns; r++) {
		double s = 0;

		for (c = 0; c < ncont; c++) {
			double lo = INFINITY, hi = -INFINITY, v = wd[(size_t)r * ncont + c];
			int q;

			for (q = 0; q < nruns; q++) {
				double w = wd[(size_t)q * ncont + c];

				lo = w < lo ? w : lo;
				hi = w > hi ? w : hi;
			}
			if (hi > lo)
				s += (v - lo) / (hi - lo) / 10.0;
		}
		if (cont)
			cont[r] = s;
		dwd[r] = (sd2d[r] + s) / (D - 1) * 1000.0;
	}
}

double
eval_dwd_abs(const struct layout *l, double sd2d, const double *wd)
{
	double s = 0;
	int j, c = 0;

	for (j = 0; j < l->D; j++) {
		if (l->kind[j] != MCOL_CONT)
			continue;
		if (l->hi[j] > l->lo[j])
			s += wd[c] / (l->hi[j] - l->lo[j]);
		c++;
	}
	return (sd2d + s) / (l->D - 1) * 1000.0;
}

/* Per-row concept counts n[m->n]. */
static void
eu_concept_counts(const struct layout *l, const struct mtx *m, int *n)
{
	int *slots = xmalloc(((size_t)l->D + 1) * sizeof *slots), ns = 0, j;
	size_t r;

	for (j = 0; j < l->D; j++)
		if (l->concept[j] && !m->is_float[j])
			slots[ns++] = m->slot[j];
	for (r = 0; r < m->n; r++) {
		const uint8_t *b = m->b + r * (size_t)m->nb;
		int s = 0;

		for (j = 0; j < ns; j++)
			s += b[slots[j]];
		n[r] = s;
	}
	free(slots);
}

double
eval_mca(const struct layout *l, const struct mtx *R, const struct mtx *S)
{
	int *nr = xmalloc((R->n ? R->n : 1) * sizeof *nr);
	int *ns = xmalloc((S->n ? S->n : 1) * sizeof *ns);
	double hr[20] = { 0 }, hs[20] = { 0 }, edge[21], lo, hi, w, tv = 0;
	size_t r;
	int b;

	if (R->n == 0 || S->n == 0) {
		free(nr);
		free(ns);
		return NAN;
	}
	eu_concept_counts(l, R, nr);
	eu_concept_counts(l, S, ns);
	lo = hi = nr[0];
	for (r = 1; r < R->n; r++) {
		lo = nr[r] < lo ? nr[r] : lo;
		hi = nr[r] > hi ? nr[r] : hi;
	}
	if (hi == lo) {       /* numpy: a zero-width range becomes ±0.5 */
		lo -= 0.5;
		hi += 0.5;
	}
	/* numpy.histogram(bins=20): edges = linspace(lo, hi, 21); a value equal
	 * to the last edge goes into the last bin. */
	for (b = 0; b <= 20; b++)
		edge[b] = lo + b * ((hi - lo) / 20.0);
	edge[20] = hi;
	for (r = 0; r < R->n; r++) {
		double x = nr[r];

		b = (int)((x - lo) / (hi - lo) * 20.0);
		if (b > 19)
			b = 19;
		if (b < 0)
			b = 0;
		if (x < edge[b] && b > 0)
			b--;
		else if (b < 19 && x >= edge[b + 1])
			b++;
		hr[b] += 1;
	}
	/* The tutorial's synthetic rule: bin = int(n / w), w = bins[1] − bins[0],
	 * clipped to the last bin; it assumes the real histogram starts at 0. */
	w = edge[1] - edge[0];
	for (r = 0; r < S->n; r++) {
		double q = floor(ns[r] / w);

		b = q >= 19 ? 19 : (q < 0 ? 0 : (int)q);
		hs[b] += 1;
	}
	for (b = 0; b < 20; b++)
		tv += fabs(hs[b] / (double)S->n - hr[b] / (double)R->n);
	free(nr);
	free(ns);
	return 0.5 * tv;
}

/* Counts of positives per byte column by sex: cnt[2 × D] (0 male, 1 female). */
static void
eu_sex_counts(const struct layout *l, const struct mtx *m, uint64_t *cnt)
{
	uint64_t *acc = xcalloc(2 * (size_t)(m->nb ? m->nb : 1), sizeof *acc);
	int sslot = m->slot[l->sex], j;
	size_t r;

	for (r = 0; r < m->n; r++) {
		const uint8_t *b = m->b + r * (size_t)m->nb;
		uint64_t *a = acc + (b[sslot] ? m->nb : 0);

		for (j = 0; j < m->nb; j++)
			a[j] += b[j];
	}
	for (j = 0; j < l->D; j++) {
		cnt[j] = m->is_float[j] ? 0 : acc[m->slot[j]];
		cnt[l->D + j] = m->is_float[j] ? 0 : acc[m->nb + m->slot[j]];
	}
	free(acc);
}

/* Phecode of a concept column name: the name without a leading non-digit
 * prefix ("phe_600" → "600").  NULL if it does not start with a digit then. */
static const char *
eu_phecode(const char *name)
{
	while (*name && !isdigit((unsigned char)*name))
		name++;
	return *name ? name : NULL;
}

static int
eu_same_code(const char *a, const char *b)
{
	char *ea, *eb;
	double x, y;

	if (strcmp(a, b) == 0)
		return 1;
	x = strtod(a, &ea);
	y = strtod(b, &eb);
	return *ea == '\0' && *eb == '\0' && x == y;
}

/* Share of S's positives of column j that are of the wrong sex (wrong = 1
 * female, 0 male).  A code S never produces gets the worst value, 1 (the
 * tutorial divides by 0 and gets NaN; counting it 0 ranked collapsed
 * generators first, issue 13). */
static double
eu_wrong_share(const uint64_t *cs, int D, int j, int wrong_female)
{
	uint64_t m = cs[j], f = cs[D + j];

	if (m + f == 0)
		return 1;
	return (double)(wrong_female ? f : m) / (double)(m + f);
}

static int
eu_absent(const uint64_t *cs, int D, int j)
{
	return cs[j] + cs[D + j] == 0;
}

int
eval_ckv(const struct layout *l, const struct mtx *R, const struct mtx *S,
    const char *sex_restriction_csv, struct eval_ckv *out, char **cause)
{
	uint64_t *cr, *cs;
	int pick[2][3], np[2] = { 0, 0 }, j, s, q;

	memset(out, 0, sizeof *out);
	out->broad_viol = NAN;
	if (l->sex < 0 || l->kind[l->sex] == MCOL_CONT)
		return util_fail(cause, "clinical knowledge violation: the study has no sex column");
	cr = xcalloc(2 * (size_t)l->D, sizeof *cr);
	cs = xcalloc(2 * (size_t)l->D, sizeof *cs);
	eu_sex_counts(l, R, cr);
	eu_sex_counts(l, S, cs);

	/* Top 3 male-only (s = 0) and female-only (s = 1) codes by count in R;
	 * codes with no positives at all are not sex-exclusive. */
	for (s = 0; s < 2; s++) {
		for (;;) {
			int best = -1;

			for (j = 0; j < l->D; j++) {
				uint64_t own = cr[(size_t)s * l->D + j], other = cr[(size_t)(1 - s) * l->D + j];
				int taken = 0;

				if (!l->concept[j] || l->kind[j] == MCOL_CONT || own == 0 || other != 0)
					continue;
				for (q = 0; q < np[s]; q++)
					taken |= pick[s][q] == j;
				if (taken)
					continue;
				if (best < 0 || own > cr[(size_t)s * l->D + best])
					best = j;
			}
			if (best < 0 || np[s] == 3)
				break;
			pick[s][np[s]++] = best;
		}
	}
	out->nmale = np[0];
	out->nfemale = np[1];
	for (s = 0; s < 2; s++) {
		double sum = 0;

		for (q = 0; q < np[s]; q++) {
			snprintf(s ? out->female_codes[q] : out->male_codes[q], 32, "%s", l->name[pick[s][q]]);
			sum += eu_wrong_share(cs, l->D, pick[s][q], s == 0);
			out->nmissing += eu_absent(cs, l->D, pick[s][q]);
		}
		if (s == 0)
			out->male_viol = np[0] ? sum / np[0] : 0;
		else
			out->female_viol = np[1] ? sum / np[1] : 0;
	}
	out->ckv = out->male_viol + out->female_viol;

	if (sex_restriction_csv) {
		struct csv_reader *rd = csvr_open(sex_restriction_csv, cause);
		char **f;
		size_t *len;
		int nf, rc, header = 1;
		double sum = 0;
		uint8_t *seen = xcalloc((size_t)l->D, 1);

		if (rd == NULL) {
			free(seen);
			free(cr);
			free(cs);
			return -1;
		}
		while ((rc = csvr_next(rd, &f, &len, &nf, cause)) == 1) {
			int male_only, female_only;

			if (header) {
				header = 0;
				if (nf < 3 || strcmp(f[0], "phecode") != 0) {
					util_fail(cause, "%s:%zu:1: expected the header phecode,male_only,female_only",
					    sex_restriction_csv, csvr_line(rd));
					rc = -1;
					break;
				}
				continue;
			}
			if (nf < 3) {
				util_fail(cause, "%s:%zu:%d: expected 3 fields (phecode,male_only,female_only)",
				    sex_restriction_csv, csvr_line(rd), nf + 1);
				rc = -1;
				break;
			}
			male_only = strcmp(f[1], "1") == 0;
			female_only = strcmp(f[2], "1") == 0;
			if (!male_only && !female_only)
				continue;
			for (j = 0; j < l->D; j++) {
				const char *code;

				if (!l->concept[j] || l->kind[j] == MCOL_CONT || seen[j])
					continue;
				code = eu_phecode(l->name[j]);
				if (code == NULL || !eu_same_code(code, f[0]))
					continue;
				seen[j] = 1;
				if (eu_absent(cs, l->D, j)) {
					out->broad_missing++;   /* not in the mean: rare codes */
					continue;
				}
				out->broad_ncodes++;
				sum += eu_wrong_share(cs, l->D, j, male_only);
			}
		}
		csvr_close(rd);
		free(seen);
		if (rc < 0) {
			free(cr);
			free(cs);
			return -1;
		}
		if (out->broad_ncodes)
			out->broad_viol = sum / out->broad_ncodes;
	}
	free(cr);
	free(cs);
	return 0;
}

int
eval_ckv_with(const struct layout *l, const struct mtx *S, const int *male_cols, int nmale,
    const int *female_cols, int nfemale, struct eval_ckv *out, char **cause)
{
	uint64_t *cs;
	int s, q;

	memset(out, 0, sizeof *out);
	out->broad_viol = NAN;
	if (l->sex < 0 || l->kind[l->sex] == MCOL_CONT)
		return util_fail(cause, "clinical knowledge violation: the study has no sex column");
	for (s = 0; s < 2; s++) {
		const int *cols = s ? female_cols : male_cols;
		int nc = s ? nfemale : nmale;

		for (q = 0; q < nc; q++)
			if (cols[q] < 0 || cols[q] >= l->D || l->kind[cols[q]] == MCOL_CONT)
				return util_fail(cause, "clinical knowledge violation: column %d is not a binary "
				    "model column", cols[q]);
	}
	cs = xcalloc(2 * (size_t)l->D, sizeof *cs);
	eu_sex_counts(l, S, cs);
	for (s = 0; s < 2; s++) {
		const int *cols = s ? female_cols : male_cols;
		int nc = s ? nfemale : nmale;
		double sum = 0;

		for (q = 0; q < nc; q++) {
			if (q < 3)
				snprintf(s ? out->female_codes[q] : out->male_codes[q], 32, "%s", l->name[cols[q]]);
			sum += eu_wrong_share(cs, l->D, cols[q], s == 0);
			out->nmissing += eu_absent(cs, l->D, cols[q]);
		}
		if (s == 0) {
			out->nmale = nc;
			out->male_viol = nc ? sum / nc : 0;
		} else {
			out->nfemale = nc;
			out->female_viol = nc ? sum / nc : 0;
		}
	}
	out->ckv = out->male_viol + out->female_viol;
	free(cs);
	return 0;
}
