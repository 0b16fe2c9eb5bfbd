/* synthehr — GPL-3.0-or-later.
 * MIMIC-IV importer: the tutorial's cohort (SPEC §2.1) from the hosp
 * tables patients, admissions, diagnoses_icd and omr (.csv.gz or .csv).
 *
 * One pass over each table, in this order, with one fixed-size record per
 * patient (struct mpat, about 80 bytes):
 *   patients       subject → record (open-addressing hash on subject_id);
 *   admissions     the admission with the latest dischtime (a later row
 *                  wins a tie) gives deathtime-null, race and discharge
 *                  year; patients without admissions are left out;
 *   (kept patients are numbered in subject_id order: the output order)
 *   diagnoses_icd  ICD → phecodes (phecode.c) OR-ed into a bitset per kept
 *                  patient over all known phecodes (~1,900 bits);
 *   omr            the latest 'BMI (kg/m2)' and 'Blood Pressure' by
 *                  chartdate (then seq_num, then the later row).
 * Then the phecodes present in the cohort, sorted as strings, become the
 * concept columns and the cohort is written row by row.  Memory is about
 * 64 bytes per patient plus 240 bytes per kept patient: ~100 MB for full
 * MIMIC-IV.  Errors in any table stop the import before anything is
 * written. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synthehr/csvio.h"
#include "synthehr/mimic.h"
#include "synthehr/prep.h"
#include "synthehr/study.h"
#include "synthehr/util.h"

#define PROGRESS_EVERY (1u << 20)

static const char *const race_names[MIMIC_RACE_COUNT] = {
	"WHITE", "BLACK", "ASIAN", "HISPANIC", "UN", "OTHER"
};

const char *
mimic_race_name(int race)
{
	return race >= 0 && race < MIMIC_RACE_COUNT ? race_names[race] : "OTHER";
}

int
mimic_race_group(const char *s, size_t len)
{
	int i;

	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	for (i = 0; i < MIMIC_RACE_OTHER; i++) {
		size_t n = strlen(race_names[i]), j;

		if (len < n)
			continue;
		for (j = 0; j < n; j++)
			if (toupper((unsigned char)s[j]) != race_names[i][j])
				break;
		if (j == n)
			return i;
	}
	return MIMIC_RACE_OTHER;
}

int
mimic_column(char **f, int nf, const char *name)
{
	int j;

	for (j = 0; j < nf; j++)
		if (strcmp(f[j], name) == 0)
			return j;
	return -1;
}

/* Read the header of r and find every name in names; -1 naming the first
 * missing one. */
static int
header_columns(struct csv_reader *r, const char *const *names, int n, int *idx, int *ncols, char **cause)
{
	char **f;
	size_t *l;
	int nf, i, rc = csvr_next(r, &f, &l, &nf, cause);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return util_fail(cause, "%s:1: empty file (expected a header line)", csvr_path(r));
	for (i = 0; i < n; i++) {
		if (names[i] == NULL) {
			idx[i] = -1;
			continue;
		}
		idx[i] = mimic_column(f, nf, names[i]);
		if (idx[i] < 0)
			return util_fail(cause, "%s:1: no column \"%s\" in the header (expected MIMIC-IV's %s)",
			    csvr_path(r), names[i], names[i]);
	}
	*ncols = nf;
	return 0;
}

/* Date or date-time "YYYY-MM-DD[ HH:MM[:SS[.fff]]]" (also 'T') as the
 * comparable integer YYYYMMDDhhmmss; -1 if malformed. */
static int64_t
parse_datetime(const char *s, size_t len)
{
	int v[6] = { 0, 0, 0, 0, 0, 0 };
	static const int width[6] = { 4, 2, 2, 2, 2, 2 };
	static const char sep[6] = { 0, '-', '-', ' ', ':', ':' };
	size_t p = 0;
	int i, k;

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	while (p < len && isspace((unsigned char)s[p]))
		p++;
	for (i = 0; i < 6; i++) {
		if (i > 0) {
			if (p == len && i >= 3)
				break;
			if (p >= len)
				return -1;
			if (s[p] != sep[i] && !(i == 3 && s[p] == 'T'))
				return -1;
			p++;
		}
		for (k = 0; k < width[i]; k++, p++) {
			if (p >= len || !isdigit((unsigned char)s[p]))
				return -1;
			v[i] = v[i] * 10 + (s[p] - '0');
		}
		if (i == 4 && p == len)
			break;
	}
	if (p < len && s[p] == '.') {
		for (p++; p < len && isdigit((unsigned char)s[p]); p++)
			;
	}
	if (p != len)
		return -1;
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
		return -1;
	return ((((int64_t)v[0] * 100 + v[1]) * 100 + v[2]) * 100 + v[3]) * 10000 + (int64_t)v[4] * 100 + v[5];
}

static int
parse_int(const char *s, size_t len, long long *out)
{
	char *end;

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0)
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && end == s + len ? 0 : -1;
}

static int
is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/* One patient. */
struct mpat {
	int64_t subject;
	int64_t disch;        /* latest dischtime, YYYYMMDDhhmmss; 0 = no admission */
	int64_t bmi_date;     /* YYYYMMDD000000 of the BMI kept; 0 = none */
	int64_t bp_date;
	double bmi;           /* kg/m2 */
	double sys, dia;      /* mmHg */
	int32_t bmi_seq, bp_seq;
	uint32_t row;         /* output row among kept patients, UINT32_MAX if not kept */
	int16_t anchor_age, anchor_year;
	uint8_t female, dod, died, race;
};

/* subject_id → patient index. */
struct subj_hash {
	uint32_t *slots;      /* [cap] index + 1, 0 = empty */
	uint32_t cap;
};

static uint32_t
subj_slot(const struct subj_hash *h, const struct mpat *p, int64_t subject)
{
	uint64_t x = (uint64_t)subject * 0x9E3779B97F4A7C15ULL;
	uint32_t mask = h->cap - 1, i = (uint32_t)(x >> 32) & mask;

	while (h->slots[i] != 0 && p[h->slots[i] - 1].subject != subject)
		i = (i + 1) & mask;
	return i;
}

static int64_t
subj_find(const struct subj_hash *h, const struct mpat *p, int64_t subject)
{
	uint32_t i = subj_slot(h, p, subject);

	return h->slots[i] == 0 ? -1 : (int64_t)h->slots[i] - 1;
}

struct mimic_state {
	const struct mimic_options *o;
	struct mimic_summary *s;
	struct mpat *p;           /* [np] */
	size_t np, pcap;
	struct subj_hash h;
	uint32_t *order;          /* [nkept] patient index by output row */
	size_t nkept;
	uint64_t *bits;           /* [nkept × words] phecode bitsets */
	uint32_t words;
	struct phecode_map *map;
};

static void
progress(struct mimic_state *st, const char *stage, size_t rows, int done)
{
	if (st->o->progress != NULL)
		st->o->progress(stage, rows, done, st->o->progress_arg);
}

/* Path of a hosp table: DIR/hosp/NAME.csv.gz, DIR/hosp/NAME.csv,
 * DIR/NAME.csv.gz or DIR/NAME.csv. */
static char *
table_path(const char *dir, const char *name, char **cause)
{
	static const char *const sub[] = { "/hosp/", "/hosp/", "/", "/" };
	static const char *const ext[] = { ".csv.gz", ".csv", ".csv.gz", ".csv" };
	size_t i;

	for (i = 0; i < SH_NELEM(sub); i++) {
		char *p = xsprintf("%s%s%s%s", dir, sub[i], name, ext[i]);

		if (util_file_exists(p))
			return p;
		free(p);
	}
	util_fail(cause, "%s: no hosp/%s.csv.gz (expected MIMIC-IV's hosp tables under this directory)",
	    dir, name);
	return NULL;
}

static struct csv_reader *
open_table(struct mimic_state *st, const char *name, char **cause)
{
	char *path = table_path(st->o->mimic_dir, name, cause);
	struct csv_reader *r;

	if (path == NULL)
		return NULL;
	r = csvr_open(path, cause);
	free(path);
	return r;
}

static int
field_error(struct csv_reader *r, int col, const char *what, char **cause)
{
	return util_fail(cause, "%s:%zu:%d: expected %s", csvr_path(r), csvr_line(r), col + 1, what);
}

static int
check_fields(struct csv_reader *r, int nf, int ncols, char **cause)
{
	if (nf != ncols)
		return util_fail(cause, "%s:%zu: %d fields (expected %d, as in the header)",
		    csvr_path(r), csvr_line(r), nf, ncols);
	return 0;
}

static int
interrupted(char **cause)
{
	return util_interrupted ? util_fail(cause, "interrupted") : 0;
}

static int
read_patients(struct mimic_state *st, char **cause)
{
	enum { C_SUBJ, C_GENDER, C_AGE, C_YEAR, C_DOD, C_N };
	static const char *const names[C_N] = { "subject_id", "gender", "anchor_age", "anchor_year", "dod" };
	struct csv_reader *r = open_table(st, "patients", cause);
	int idx[C_N], ncols, nf, rc;
	char **f;
	size_t *l;

	if (r == NULL)
		return -1;
	if (header_columns(r, names, C_N, idx, &ncols, cause) != 0)
		goto fail;
	while ((rc = csvr_next(r, &f, &l, &nf, cause)) == 1) {
		struct mpat *p;
		long long subj, age, year;
		uint32_t slot;

		if (check_fields(r, nf, ncols, cause) != 0)
			goto fail;
		if (parse_int(f[idx[C_SUBJ]], l[idx[C_SUBJ]], &subj) != 0) {
			field_error(r, idx[C_SUBJ], "an integer subject_id", cause);
			goto fail;
		}
		if (parse_int(f[idx[C_AGE]], l[idx[C_AGE]], &age) != 0 || age < 0 || age > 150) {
			field_error(r, idx[C_AGE], "an integer anchor_age in 0..150", cause);
			goto fail;
		}
		if (parse_int(f[idx[C_YEAR]], l[idx[C_YEAR]], &year) != 0 || year < 1000 || year > 9999) {
			field_error(r, idx[C_YEAR], "a four-digit anchor_year", cause);
			goto fail;
		}
		if (!is_blank(f[idx[C_DOD]], l[idx[C_DOD]]) &&
		    parse_datetime(f[idx[C_DOD]], l[idx[C_DOD]]) < 0) {
			field_error(r, idx[C_DOD], "a date YYYY-MM-DD or an empty dod", cause);
			goto fail;
		}
		if (st->np == st->pcap) {
			st->pcap = st->pcap ? st->pcap * 2 : 4096;
			st->p = xreallocarray(st->p, st->pcap, sizeof *st->p);
		}
		if ((uint64_t)(st->np + 1) * 2 > st->h.cap) {
			uint32_t i;

			free(st->h.slots);
			st->h.cap = st->h.cap ? st->h.cap * 2 : 8192;
			st->h.slots = xcalloc(st->h.cap, sizeof *st->h.slots);
			for (i = 0; i < st->np; i++)
				st->h.slots[subj_slot(&st->h, st->p, st->p[i].subject)] = i + 1;
		}
		slot = subj_slot(&st->h, st->p, subj);
		if (st->h.slots[slot] != 0) {
			util_fail(cause, "%s:%zu:%d: subject_id appears twice (expected one row per patient)",
			    csvr_path(r), csvr_line(r), idx[C_SUBJ] + 1);
			goto fail;
		}
		p = &st->p[st->np];
		memset(p, 0, sizeof *p);
		p->subject = subj;
		p->anchor_age = (int16_t)age;
		p->anchor_year = (int16_t)year;
		p->female = l[idx[C_GENDER]] >= 1 && toupper((unsigned char)f[idx[C_GENDER]][0]) == 'F';
		p->dod = !is_blank(f[idx[C_DOD]], l[idx[C_DOD]]);
		p->row = UINT32_MAX;
		st->h.slots[slot] = (uint32_t)++st->np;
		if (st->np % PROGRESS_EVERY == 0)
			progress(st, "patients", st->np, 0);
	}
	if (rc < 0)
		goto fail;
	csvr_close(r);
	st->s->patients = st->np;
	progress(st, "patients", st->np, 1);
	return 0;
fail:
	csvr_close(r);
	return -1;
}

static int
read_admissions(struct mimic_state *st, char **cause)
{
	enum { C_SUBJ, C_DISCH, C_DEATH, C_RACE, C_N };
	static const char *const names[C_N] = { "subject_id", "dischtime", "deathtime", "race" };
	struct csv_reader *r = open_table(st, "admissions", cause);
	int idx[C_N], ncols, nf, rc;
	char **f;
	size_t *l, n = 0;

	if (r == NULL)
		return -1;
	if (header_columns(r, names, C_N, idx, &ncols, cause) != 0)
		goto fail;
	while ((rc = csvr_next(r, &f, &l, &nf, cause)) == 1) {
		long long subj;
		int64_t pi, disch;
		struct mpat *p;

		if (check_fields(r, nf, ncols, cause) != 0)
			goto fail;
		if (++n % PROGRESS_EVERY == 0) {
			progress(st, "admissions", n, 0);
			if (interrupted(cause) != 0)
				goto fail;
		}
		if (parse_int(f[idx[C_SUBJ]], l[idx[C_SUBJ]], &subj) != 0) {
			field_error(r, idx[C_SUBJ], "an integer subject_id", cause);
			goto fail;
		}
		if (is_blank(f[idx[C_DISCH]], l[idx[C_DISCH]])) {
			st->s->adm_no_dischtime++;
			continue;
		}
		disch = parse_datetime(f[idx[C_DISCH]], l[idx[C_DISCH]]);
		if (disch < 0) {
			field_error(r, idx[C_DISCH], "a dischtime YYYY-MM-DD HH:MM:SS", cause);
			goto fail;
		}
		if (!is_blank(f[idx[C_DEATH]], l[idx[C_DEATH]]) &&
		    parse_datetime(f[idx[C_DEATH]], l[idx[C_DEATH]]) < 0) {
			field_error(r, idx[C_DEATH], "a deathtime YYYY-MM-DD HH:MM:SS or an empty field", cause);
			goto fail;
		}
		pi = subj_find(&st->h, st->p, subj);
		if (pi < 0) {
			st->s->adm_unknown_patient++;
			continue;
		}
		p = &st->p[pi];
		if (disch >= p->disch) {
			p->disch = disch;
			p->died = !is_blank(f[idx[C_DEATH]], l[idx[C_DEATH]]);
			p->race = (uint8_t)mimic_race_group(f[idx[C_RACE]], l[idx[C_RACE]]);
		}
	}
	if (rc < 0)
		goto fail;
	csvr_close(r);
	st->s->admissions = n;
	progress(st, "admissions", n, 1);
	return 0;
fail:
	csvr_close(r);
	return -1;
}

static int
cmp_subject(const void *a, const void *b, void *arg)
{
	const struct mpat *p = arg;
	int64_t x = p[*(const uint32_t *)a].subject, y = p[*(const uint32_t *)b].subject;

	return x < y ? -1 : x > y;
}

/* Number the kept patients in subject_id order and count the labels. */
static void
select_cohort(struct mimic_state *st)
{
	struct mimic_summary *s = st->s;
	size_t i;

	st->order = xmalloc((st->np ? st->np : 1) * sizeof *st->order);
	for (i = 0; i < st->np; i++) {
		struct mpat *p = &st->p[i];

		if (p->disch == 0)
			continue;
		s->with_admission++;
		if (p->died) {
			s->died_in_hospital++;
			continue;
		}
		st->order[st->nkept++] = (uint32_t)i;
	}
	qsort_r(st->order, st->nkept, sizeof *st->order, cmp_subject, st->p);
	for (i = 0; i < st->nkept; i++) {
		struct mpat *p = &st->p[st->order[i]];

		p->row = (uint32_t)i;
		if (p->dod)
			s->label1++;
		else
			s->label0++;
		s->female += p->female;
		s->race[p->race]++;
	}
	s->kept = st->nkept;
}

static int
read_diagnoses(struct mimic_state *st, char **cause)
{
	enum { C_SUBJ, C_CODE, C_VER, C_N };
	static const char *const names[C_N] = { "subject_id", "icd_code", "icd_version" };
	struct csv_reader *r = open_table(st, "diagnoses_icd", cause);
	int idx[C_N], ncols, nf, rc;
	char **f;
	size_t *l, n = 0;
	int64_t last_subj = INT64_MIN, last_pi = -1;

	if (r == NULL)
		return -1;
	if (header_columns(r, names, C_N, idx, &ncols, cause) != 0)
		goto fail;
	st->words = (phecode_count(st->map) + 63) / 64;
	st->bits = xcalloc((st->nkept ? st->nkept : 1) * st->words, sizeof *st->bits);
	while ((rc = csvr_next(r, &f, &l, &nf, cause)) == 1) {
		long long subj, ver;
		int64_t pi;
		int vocab, k, nids;
		const uint32_t *ids;
		uint64_t *b;

		if (check_fields(r, nf, ncols, cause) != 0)
			goto fail;
		if (++n % PROGRESS_EVERY == 0) {
			progress(st, "diagnoses_icd", n, 0);
			if (interrupted(cause) != 0)
				goto fail;
		}
		if (parse_int(f[idx[C_SUBJ]], l[idx[C_SUBJ]], &subj) != 0) {
			field_error(r, idx[C_SUBJ], "an integer subject_id", cause);
			goto fail;
		}
		if (parse_int(f[idx[C_VER]], l[idx[C_VER]], &ver) != 0 || (ver != 9 && ver != 10)) {
			field_error(r, idx[C_VER], "icd_version 9 or 10", cause);
			goto fail;
		}
		/* Rows come grouped by subject: skip the hash for repeats. */
		if (subj != last_subj) {
			last_subj = subj;
			last_pi = subj_find(&st->h, st->p, subj);
		}
		pi = last_pi;
		if (pi < 0) {
			st->s->diag_unknown_patient++;
			continue;
		}
		if (st->p[pi].row == UINT32_MAX)
			continue;
		st->s->diag_kept_rows++;
		vocab = ver == 9 ? PHECODE_ICD9 : PHECODE_ICD10;
		nids = phecode_lookup(st->map, vocab, f[idx[C_CODE]], l[idx[C_CODE]], &ids, NULL);
		b = st->bits + (size_t)st->p[pi].row * st->words;
		for (k = 0; k < nids; k++)
			b[ids[k] >> 6] |= (uint64_t)1 << (ids[k] & 63);
	}
	if (rc < 0)
		goto fail;
	csvr_close(r);
	st->s->diag_rows = n;
	progress(st, "diagnoses_icd", n, 1);
	return 0;
fail:
	csvr_close(r);
	return -1;
}

/* "sys/dia" → both values; -1 if not two numbers. */
static int
parse_bp(const char *s, size_t len, double *sys, double *dia)
{
	const char *slash = memchr(s, '/', len);

	if (slash == NULL)
		return -1;
	if (util_parse_double(s, (size_t)(slash - s), sys) != 0 ||
	    util_parse_double(slash + 1, len - (size_t)(slash - s) - 1, dia) != 0)
		return -1;
	return isfinite(*sys) && isfinite(*dia) ? 0 : -1;
}

static int
read_omr(struct mimic_state *st, char **cause)
{
	enum { C_SUBJ, C_DATE, C_SEQ, C_NAME, C_VALUE, C_N };
	static const char *const names[C_N] = { "subject_id", "chartdate", "seq_num", "result_name",
		"result_value" };
	struct csv_reader *r = open_table(st, "omr", cause);
	int idx[C_N], ncols, nf, rc;
	char **f;
	size_t *l, n = 0;
	int64_t last_subj = INT64_MIN, last_pi = -1;

	if (r == NULL)
		return -1;
	if (header_columns(r, names, C_N, idx, &ncols, cause) != 0)
		goto fail;
	while ((rc = csvr_next(r, &f, &l, &nf, cause)) == 1) {
		long long subj, seq;
		int64_t pi, date;
		int is_bmi, is_bp;
		struct mpat *p;
		const char *name, *val;
		size_t vlen;
		double x, y;

		if (check_fields(r, nf, ncols, cause) != 0)
			goto fail;
		if (++n % PROGRESS_EVERY == 0) {
			progress(st, "omr", n, 0);
			if (interrupted(cause) != 0)
				goto fail;
		}
		name = f[idx[C_NAME]];
		is_bmi = strcmp(name, "BMI (kg/m2)") == 0;
		is_bp = !is_bmi && strcmp(name, "Blood Pressure") == 0;
		if (!is_bmi && !is_bp)
			continue;
		if (parse_int(f[idx[C_SUBJ]], l[idx[C_SUBJ]], &subj) != 0) {
			field_error(r, idx[C_SUBJ], "an integer subject_id", cause);
			goto fail;
		}
		if (subj != last_subj) {
			last_subj = subj;
			last_pi = subj_find(&st->h, st->p, subj);
		}
		pi = last_pi;
		if (pi < 0 || st->p[pi].row == UINT32_MAX)
			continue;
		date = parse_datetime(f[idx[C_DATE]], l[idx[C_DATE]]);
		if (date < 0) {
			field_error(r, idx[C_DATE], "a chartdate YYYY-MM-DD", cause);
			goto fail;
		}
		if (parse_int(f[idx[C_SEQ]], l[idx[C_SEQ]], &seq) != 0) {
			field_error(r, idx[C_SEQ], "an integer seq_num", cause);
			goto fail;
		}
		p = &st->p[pi];
		val = f[idx[C_VALUE]];
		vlen = l[idx[C_VALUE]];
		if (is_bmi) {
			if (date < p->bmi_date || (date == p->bmi_date && seq < p->bmi_seq))
				continue;
			if (util_parse_double(val, vlen, &x) != 0 || !isfinite(x)) {
				st->s->omr_bad_values++;
				continue;
			}
			p->bmi_date = date;
			p->bmi_seq = (int32_t)seq;
			p->bmi = x;
		} else {
			if (date < p->bp_date || (date == p->bp_date && seq < p->bp_seq))
				continue;
			if (parse_bp(val, vlen, &x, &y) != 0) {
				st->s->omr_bad_values++;
				continue;
			}
			p->bp_date = date;
			p->bp_seq = (int32_t)seq;
			p->sys = x;
			p->dia = y;
		}
	}
	if (rc < 0)
		goto fail;
	csvr_close(r);
	st->s->omr_rows = n;
	progress(st, "omr", n, 1);
	return 0;
fail:
	csvr_close(r);
	return -1;
}

static const struct phecode_map *sort_map;

static int
cmp_phecode_name(const void *a, const void *b)
{
	return strcmp(phecode_name(sort_map, *(const uint32_t *)a), phecode_name(sort_map, *(const uint32_t *)b));
}

int
mimic_write_schema(const char *out, const char *const *names, const char *const *roles, int n,
    const char *default_role, const char *sex_female, int with_prep, const char *importer,
    char **cause)
{
	json_t *j = json_object(), *r = json_object();
	char *path = xsprintf("%s.schema.json", out);
	int i, rc;

	json_object_set_new(j, "synthehr_schema", json_integer(1));
	for (i = 0; i < n; i++)
		json_object_set_new(r, names[i], json_string(roles[i]));
	json_object_set_new(j, "roles", r);
	if (default_role != NULL)
		json_object_set_new(j, "default_role", json_string(default_role));
	if (sex_female != NULL)
		json_object_set_new(j, "sex_female", json_string(sex_female));
	if (with_prep) {
		json_t *prep = json_object();

		json_object_set_new(prep, "outliers", prep_default_outliers());
		json_object_set_new(j, "prep", prep);
	}
	if (importer != NULL)
		json_object_set_new(j, "importer", json_string(importer));
	rc = js_write_file(path, j, cause);
	json_decref(j);
	free(path);
	return rc;
}

/* Write the cohort: 8 fixed columns, then the phecodes present. */
static int
write_cohort(struct mimic_state *st, char **cause)
{
	static const char *const fixed[] = { "subject_id", "DIE_1y", "AGE", "GENDER", "RACE", "BMI",
		"DIASTOLIC", "SYSTOLIC" };
	static const char *const roles[] = { "id", "label", "continuous", "sex", "categorical",
		"continuous", "continuous", "continuous" };
	uint32_t nph = phecode_count(st->map), *used, nused = 0, *colpos, w, j;
	uint64_t *any = xcalloc(st->words ? st->words : 1, sizeof *any);
	struct csv_writer *wr;
	char *seg = NULL, num[32];
	size_t i, seglen = 0;

	for (i = 0; i < st->nkept; i++)
		for (w = 0; w < st->words; w++)
			any[w] |= st->bits[i * st->words + w];
	used = xmalloc((nph ? nph : 1) * sizeof *used);
	colpos = xmalloc((nph ? nph : 1) * sizeof *colpos);
	for (j = 0; j < nph; j++)
		if (any[j >> 6] >> (j & 63) & 1)
			used[nused++] = j;
	sort_map = st->map;
	qsort(used, nused, sizeof *used, cmp_phecode_name);
	for (j = 0; j < nused; j++)
		colpos[used[j]] = j;
	st->s->nphecodes = nused;

	wr = csvw_open(st->o->out, cause);
	if (wr == NULL) {
		free(any);
		free(used);
		free(colpos);
		return -1;
	}
	for (i = 0; i < SH_NELEM(fixed); i++)
		csvw_field(wr, fixed[i]);
	for (j = 0; j < nused; j++)
		csvw_field(wr, phecode_name(st->map, used[j]));
	csvw_end_row(wr);
	/* The phecode part of a row is one raw "0,0,1,..." segment. */
	if (nused > 0) {
		seglen = 2 * (size_t)nused - 1;
		seg = xmalloc(seglen + 1);
		for (i = 0; i < seglen; i++)
			seg[i] = (i & 1) ? ',' : '0';
	}
	for (i = 0; i < st->nkept; i++) {
		const struct mpat *p = &st->p[st->order[i]];
		const uint64_t *b = st->bits + i * st->words;
		int year = (int)(p->disch / 10000000000LL);
		int age = p->anchor_age + year - p->anchor_year;
		int bp = p->bp_date != 0 && !(p->sys <= 0 && p->dia <= 0);

		snprintf(num, sizeof num, "%lld", (long long)p->subject);
		csvw_field_raw(wr, num, strlen(num));
		csvw_field_raw(wr, p->dod ? "1" : "0", 1);
		csvw_field_num(wr, age > 91 ? 91 : age);
		csvw_field_raw(wr, p->female ? "1" : "0", 1);
		csvw_field(wr, mimic_race_name(p->race));
		csvw_field_num(wr, p->bmi_date != 0 ? p->bmi : NAN);
		csvw_field_num(wr, bp ? p->dia : NAN);
		csvw_field_num(wr, bp ? p->sys : NAN);
		st->s->with_bmi += p->bmi_date != 0;
		st->s->with_bp += bp;
		st->s->bp_nonpositive += p->bp_date != 0 && !bp;
		if (nused > 0) {
			for (w = 0; w < st->words; w++)
				for (uint64_t x = b[w]; x != 0; x &= x - 1)
					seg[2 * colpos[w * 64 + (uint32_t)__builtin_ctzll(x)]] = '1';
			csvw_field_raw(wr, seg, seglen);
			for (w = 0; w < st->words; w++)
				for (uint64_t x = b[w]; x != 0; x &= x - 1) {
					seg[2 * colpos[w * 64 + (uint32_t)__builtin_ctzll(x)]] = '0';
					st->s->nconcept_cells++;
				}
		}
		csvw_end_row(wr);
		if ((i + 1) % (PROGRESS_EVERY / 16) == 0)
			progress(st, "writing", i + 1, 0);
	}
	free(seg);
	free(any);
	free(used);
	free(colpos);
	if (csvw_commit(wr, cause) != 0)
		return -1;
	progress(st, "writing", st->nkept, 1);
	if (mimic_write_schema(st->o->out, fixed, roles, (int)SH_NELEM(fixed), "concept", "1", 1,
	    "import-mimic", cause) != 0) {
		unlink(st->o->out);
		return -1;
	}
	return 0;
}

int
mimic_import(const struct mimic_options *o, struct mimic_summary *s, char **cause)
{
	struct mimic_state st;
	double t0 = util_now();
	int rc = -1, v;

	memset(s, 0, sizeof *s);
	memset(&st, 0, sizeof st);
	st.o = o;
	st.s = s;
	if (!util_dir_exists(o->mimic_dir))
		return util_fail(cause, "%s: not a directory (expected the MIMIC-IV directory with hosp/)",
		    o->mimic_dir);
	st.map = phecode_map_load(o->map_dir, !o->no_rollup, o->ranges, cause);
	if (st.map == NULL)
		return -1;
	if (read_patients(&st, cause) != 0 || read_admissions(&st, cause) != 0)
		goto done;
	select_cohort(&st);
	if (read_diagnoses(&st, cause) != 0 || read_omr(&st, cause) != 0)
		goto done;
	if (write_cohort(&st, cause) != 0)
		goto done;
	phecode_get_stats(st.map, &s->map);
	for (v = 0; v < PHECODE_VOCAB_COUNT; v++)
		s->ntop_unmatched[v] = phecode_top_unmatched(st.map, v, 10, s->top_unmatched[v],
		    s->top_unmatched_n[v]);
	s->map_ = st.map;
	st.map = NULL;
	rc = 0;
done:
	phecode_map_free(st.map);
	free(st.p);
	free(st.h.slots);
	free(st.order);
	free(st.bits);
	s->seconds = util_now() - t0;
	return rc;
}

void
mimic_summary_done(struct mimic_summary *s)
{
	phecode_map_free(s->map_);
	s->map_ = NULL;
}
