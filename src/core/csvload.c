/* synthehr — GPL-3.0-or-later.
 * Loading a whole cohort from CSV/CSV.gz with per-column type inference,
 * and writing a cohort back with its original names and level labels.
 *
 * One pass over the file.  Each column starts "empty" and moves up a
 * ladder as values arrive: 0/1 bytes → doubles → text levels (a dictionary
 * of distinct strings, cells hold the level index).  Values are stored in
 * blocks of LD_BLOCK rows, so the row count need not be known in advance and
 * at most one block per column is wasted; at the end each column is copied
 * into one exact array (freeing its blocks as it goes) and classified:
 *
 *   0/1 numbers                      binary
 *   two distinct numbers             binary, levels "lo"/"hi", 1 = the larger
 *   integers, 3..max_int_cat levels  categorical (levels sorted numerically)
 *   other numbers                    continuous
 *   two text levels                  binary, levels kept (see pick_one())
 *   text, ≤ max_cat_levels levels    categorical (levels sorted)
 *   text unique per row, or a name   id
 *     like *_id with unique values
 *   other text                       ignore (kept, not modelled)
 *   nothing but missing              ignore
 *
 * Roles by name: sex/gender → sex (1 = female); a phecode or ICD-looking
 * name (401, 401.1, E11.9) that is binary → concept; one binary column named
 * like DIE_1y/death/mortality/outcome/label/target → label (only if exactly
 * one matches).  Overrides from the study replace all of this. */
#include "config.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "synthehr/csvio.h"
#include "synthehr/util.h"

#define LD_BLOCK 16384          /* rows per storage block */
#define LD_NDIST 32             /* distinct numeric values tracked per column */
#define LD_PREVIEW_ROWS 1000
#define LD_MAX_COLS 50000       /* columns a cohort may have (the tutorial's has ~1,100) */
#define LD_MAX_FIELD (1 << 20)  /* bytes in one cell */

enum ld_state { LS_EMPTY, LS_BIN01, LS_NUM, LS_TEXT };

/* Distinct strings → level index (open addressing, FNV-1a). */
struct ld_dict {
	char **s;                /* [n] level strings */
	size_t n, cap;
	uint32_t *ht;            /* [htcap] index + 1, 0 = empty */
	size_t htcap;
};

struct ld_col {
	char *name;
	enum ld_state state;
	int force;               /* overriding role, or -1 */
	int keep_text;           /* id-like name or id override: store as text */
	void **blk;              /* [nblk] value blocks; NULL = all zero */
	uint8_t **mblk;          /* [nblk] missing blocks; NULL = none missing */
	size_t nmiss;
	double dist[LD_NDIST];   /* distinct numeric values seen (if ndist <= LD_NDIST) */
	int ndist;               /* LD_NDIST + 1 = more */
	int all_int;
	struct ld_dict dict;
	/* cells of a numeric column that are not numbers, held as missing until
	 * the end decides (resolve_strays): the column stays numeric, or they
	 * are put back and the column becomes text */
	struct ld_stray *stray;
	size_t nstray, straycap, nother;
	int nother_dist;         /* distinct ST_OTHER strings */
};

enum { ST_TOKEN, ST_COMMA, ST_OTHER };

struct ld_stray {
	size_t row, line;
	int32_t idx;             /* string in the column's dict */
	int what;                /* ST_* */
};

#define LD_STRAY_EARLY 64       /* more other strays than this and 10% of the rows: text now */

struct ld {
	const char *path;
	const struct csv_options *opt;
	const char *const *miss;
	int nmiss_tok;
	struct ld_col *cols;
	int ncols;
	size_t nrows;
	size_t nblk, blkcap;
};

static const char *const default_missing[] = {
	"", "NA", "NaN", "null", "N/A", "NULL", "nan", ".", NULL
};

/* Dictionary */

static uint64_t
dict_hash(const char *s, size_t n)
{
	return util_hash64(s, n, 1469598103934665603ULL);
}

static void
dict_rehash(struct ld_dict *d)
{
	size_t i, cap = d->htcap ? d->htcap * 2 : 64;

	free(d->ht);
	d->htcap = cap;
	d->ht = xcalloc(cap, sizeof *d->ht);
	for (i = 0; i < d->n; i++) {
		size_t h = dict_hash(d->s[i], strlen(d->s[i])) & (cap - 1);

		while (d->ht[h] != 0)
			h = (h + 1) & (cap - 1);
		d->ht[h] = (uint32_t)(i + 1);
	}
}

/* Index of s (added if new); *added set to 1 when new. */
static int32_t
dict_add(struct ld_dict *d, const char *s, size_t n, int *added)
{
	size_t h;

	if ((d->n + 1) * 2 > d->htcap)
		dict_rehash(d);
	h = dict_hash(s, n) & (d->htcap - 1);
	while (d->ht[h] != 0) {
		const char *t = d->s[d->ht[h] - 1];

		if (strncmp(t, s, n) == 0 && t[n] == '\0') {
			*added = 0;
			return (int32_t)(d->ht[h] - 1);
		}
		h = (h + 1) & (d->htcap - 1);
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->s = xreallocarray(d->s, d->cap, sizeof(char *));
	}
	d->s[d->n] = xstrndup(s, n);
	d->ht[h] = (uint32_t)(d->n + 1);
	*added = 1;
	return (int32_t)d->n++;
}

static void
dict_done(struct ld_dict *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->s[i]);
	free(d->s);
	free(d->ht);
	memset(d, 0, sizeof *d);
}

/* Names */

static int
name_is_sex(const char *s)
{
	size_t n = strlen(s);

	return strcasecmp(s, "sex") == 0 || strcasecmp(s, "gender") == 0 ||
	    (n > 4 && strcasecmp(s + n - 4, "_sex") == 0) ||
	    (n > 7 && strcasecmp(s + n - 7, "_gender") == 0) ||
	    strncasecmp(s, "sex_", 4) == 0 || strncasecmp(s, "gender_", 7) == 0;
}

static int
name_is_id(const char *s)
{
	size_t n = strlen(s);

	if (strcasecmp(s, "id") == 0)
		return 1;
	if (n > 3 && s[n - 3] != '\0' && strchr("_.- ", s[n - 3]) != NULL &&
	    strcasecmp(s + n - 2, "id") == 0)
		return 1;
	/* PatientID, patientId */
	return n > 2 && islower((unsigned char)s[n - 3]) && s[n - 2] == 'I' &&
	    (s[n - 1] == 'D' || s[n - 1] == 'd');
}

/* 401, 401.1, 008.52 (phecodes); E11, E11.9, I10 (ICD-10); 250.00. */
static int
name_is_code(const char *s)
{
	const char *p = s;
	int i;

	if (isupper((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
	    isalnum((unsigned char)p[2]))
		p += 3;
	else {
		for (i = 0; i < 3; i++)
			if (!isdigit((unsigned char)p[i]))
				return 0;
		p += 3;
	}
	if (*p == '\0')
		return 1;
	if (*p != '.' || p[1] == '\0')
		return 0;
	for (p++; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p))
			return 0;
	return 1;
}

/* Words of a name: split at _ . - and space. */
static int
name_has_word(const char *s, const char *const *words)
{
	char w[64];
	size_t n;

	while (*s != '\0') {
		n = strcspn(s, "_.- ");
		if (n > 0 && n < sizeof w) {
			int i;

			memcpy(w, s, n);
			w[n] = '\0';
			for (i = 0; words[i] != NULL; i++)
				if (strcasecmp(w, words[i]) == 0)
					return 1;
		}
		s += n;
		if (*s != '\0')
			s++;
	}
	return 0;
}

/* An outcome by name: a word of it is die, death, mortality, readmit, ...
 * (DIE_1y, in_hospital_death, readmit_lt30_first, hospital_expire_flag). */
static int
name_is_label(const char *s)
{
	static const char *const stems[] = {
		"die", "died", "death", "dead", "deceased", "mortality", "outcome", "label", "target",
		"readmit", "readmitted", "readmission", "expire", "expired", NULL
	};

	return name_has_word(s, stems);
}

static int
ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n > m && strcasecmp(s + n - m, suf) == 0;
}

static int
starts_with(const char *s, const char *pre)
{
	size_t m = strlen(pre);

	return strlen(s) > m && strncasecmp(s, pre, m) == 0;
}

/* Integer codes by name: admission_type_id, admission_source_id,
 * discharge_disposition_id, *_code, *_cd, *_type, *_class, *_category. */
static int
name_is_code_col(const char *s)
{
	static const char *const suf[] = {
		"_type_id", "_source_id", "_disposition_id", "_code", "_cd", "_type", "_class",
		"_category", NULL
	};
	static const char *const whole[] = { "code", "type", "class", "category", NULL };
	int i;

	for (i = 0; suf[i] != NULL; i++)
		if (ends_with(s, suf[i]))
			return 1;
	for (i = 0; whole[i] != NULL; i++)
		if (strcasecmp(s, whole[i]) == 0)
			return 1;
	return 0;
}

/* A name that marks a record or patient identifier: id, *_id, PatientID,
 * *_nbr, *_mrn, *_key, *_number, mrn, subject, pid, seqno, ...  Code
 * columns (*_type_id, *_source_id) are not ids. */
static int
name_hints_id(const char *s)
{
	static const char *const whole[] = {
		"mrn", "subject", "pid", "seqno", "seq_no", "patient", "patnr", "encounter", "hadm",
		"record", "nbr", NULL
	};
	static const char *const suf[] = { "_nbr", "_mrn", "_key", "_number", "_nr", NULL };
	int i;

	if (name_is_code_col(s))
		return 0;
	if (name_is_id(s))
		return 1;
	for (i = 0; whole[i] != NULL; i++)
		if (strcasecmp(s, whole[i]) == 0)
			return 1;
	for (i = 0; suf[i] != NULL; i++)
		if (ends_with(s, suf[i]))
			return 1;
	return 0;
}

/* A count by name: num_*, number_*, n_*, count_*, nb_*, *_count, *_cnt. */
static int
name_is_count(const char *s)
{
	static const char *const pre[] = { "num_", "number_", "n_", "count_", "nb_", "no_of_", NULL };
	static const char *const suf[] = { "_count", "_cnt", "_counts", NULL };
	int i;

	for (i = 0; pre[i] != NULL; i++)
		if (starts_with(s, pre[i]))
			return 1;
	for (i = 0; suf[i] != NULL; i++)
		if (ends_with(s, suf[i]))
			return 1;
	return strcasecmp(s, "count") == 0;
}

/* A concept by name: a phecode/ICD-like name (401.1, E11.9) or one of the
 * prefixes that extracts put before codes (phe_250.2, dx_E11, icd_401,
 * ccs_49). */
static int
name_is_concept(const char *s)
{
	static const char *const pre[] = {
		"phe_", "phecode_", "phe.", "dx_", "icd_", "icd9_", "icd10_", "icd9cm_", "icd10cm_",
		"ccs_", "ccsr_", "diag_", NULL
	};
	int i;

	if (name_is_code(s))
		return 1;
	for (i = 0; pre[i] != NULL; i++)
		if (starts_with(s, pre[i]))
			return 1;
	return 0;
}

/* The role a 0/1 column gets by its name. */
static int
binary_role_by_name(const char *s)
{
	return name_is_sex(s) ? ROLE_SEX : name_is_concept(s) ? ROLE_CONCEPT : ROLE_BINARY;
}

static int
word_in(const char *s, const char *const *words)
{
	int i;

	for (i = 0; words[i] != NULL; i++)
		if (strcasecmp(s, words[i]) == 0)
			return 1;
	return 0;
}

static const char *const female_words[] = { "f", "female", "woman", "women", "w", "girl", NULL };
static const char *const male_words[] = { "m", "male", "man", "men", "boy", NULL };
static const char *const pos_words[] = {
	"1", "yes", "y", "true", "t", "pos", "positive", "present", "case", "abnormal", "died", "dead",
	"deceased", "event", NULL
};
static const char *const neg_words[] = {
	"0", "no", "n", "false", "neg", "negative", "absent", "control", "normal", "alive", "none",
	"censored", NULL
};

/* Which of two text levels is coded 1: 1 for b, 0 for a.  sex: whether the
 * column is (or looks like) sex, where female is 1. */
static int
pick_one(const char *a, const char *b, int sex, const char *female)
{
	if (female != NULL) {
		if (strcmp(b, female) == 0)
			return 1;
		if (strcmp(a, female) == 0)
			return 0;
	}
	if (sex) {
		if (word_in(b, female_words) || word_in(a, male_words))
			return 1;
		if (word_in(a, female_words) || word_in(b, male_words))
			return 0;
	}
	if (word_in(b, pos_words) || word_in(a, neg_words))
		return 1;
	if (word_in(a, pos_words) || word_in(b, neg_words))
		return 0;
	return strcmp(b, a) > 0;
}

static int
levels_look_sex(const char *a, const char *b)
{
	return (word_in(a, female_words) && word_in(b, male_words)) ||
	    (word_in(b, female_words) && word_in(a, male_words));
}

/* Storage */

static size_t
state_size(enum ld_state st)
{
	switch (st) {
	case LS_BIN01:
		return 1;
	case LS_NUM:
		return sizeof(double);
	case LS_TEXT:
		return sizeof(int32_t);
	default:
		return 0;
	}
}

static void *
blk_get(struct ld_col *k, size_t b)
{
	/* not zeroed: every cell is written, or missing (zeroed in gather()) */
	if (k->blk[b] == NULL)
		k->blk[b] = xmalloc(LD_BLOCK * state_size(k->state));
	return k->blk[b];
}

static int
is_missing(struct ld *L, const char *s, size_t len)
{
	int i;

	if (len == 0)
		return 1;
	if (len > 4)
		return 0;
	for (i = 0; i < L->nmiss_tok; i++)
		if (strcmp(s, L->miss[i]) == 0)
			return 1;
	return 0;
}

static int
cell_missing(const struct ld_col *k, size_t r)
{
	const uint8_t *m = k->mblk[r / LD_BLOCK];

	return m != NULL && m[r % LD_BLOCK];
}

/* Value of row r of a LS_BIN01/LS_NUM column as a double. */
static double
num_at(const struct ld_col *k, size_t r)
{
	const void *b = k->blk[r / LD_BLOCK];

	if (b == NULL)
		return 0;
	if (k->state == LS_BIN01)
		return ((const uint8_t *)b)[r % LD_BLOCK];
	return ((const double *)b)[r % LD_BLOCK];
}

/* Re-store a column's rows 0..nrows-1 in state `to`. */
static void dist_note(struct ld_col *k, double v);

static void
convert(struct ld *L, struct ld_col *k, enum ld_state to)
{
	size_t b, i, r;
	enum ld_state from = k->state;
	int seen = 0;   /* 0/1 values of a 0/1 column (bit v) */

	for (b = 0; b < L->nblk; b++) {
		void *old = k->blk[b];
		void *nw;

		if (old == NULL && to != LS_TEXT)
			continue;
		nw = xcalloc(LD_BLOCK, state_size(to));
		for (i = 0; i < LD_BLOCK; i++) {
			r = b * LD_BLOCK + i;
			if (r >= L->nrows)
				break;
			if (to == LS_NUM) {
				((double *)nw)[i] = ((uint8_t *)old)[i];
				if (from == LS_BIN01 && !cell_missing(k, r) && ((uint8_t *)old)[i] <= 1)
					seen |= 1 << ((uint8_t *)old)[i];
			} else if (to == LS_TEXT && !cell_missing(k, r) && from != LS_EMPTY) {
				char buf[64];
				int added;

				util_format_double(buf, sizeof buf, num_at(k, r));
				((int32_t *)nw)[i] = dict_add(&k->dict, buf, strlen(buf), &added);
			}
		}
		free(old);
		k->blk[b] = nw;
	}
	k->state = to;
	if (seen & 1)
		dist_note(k, 0);
	if (seen & 2)
		dist_note(k, 1);
}

static void
dist_note(struct ld_col *k, double v)
{
	int i;

	if (v != floor(v))
		k->all_int = 0;
	if (k->ndist > LD_NDIST)
		return;
	for (i = 0; i < k->ndist; i++)
		if (k->dist[i] == v)
			return;
	if (k->ndist < LD_NDIST)
		k->dist[k->ndist] = v;
	k->ndist++;
}

static int
role_is_binary(int role)
{
	return role == ROLE_BINARY || role == ROLE_LABEL || role == ROLE_SEX || role == ROLE_CONCEPT;
}

/* A number written out in full that does not fit a double (1e999). */
static int
number_overflows(const char *s, size_t len)
{
	char buf[64], *end;
	double v;

	if (len == 0 || len >= sizeof buf)
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strpbrk(buf, "iInNxX") != NULL)
		return 0;   /* "inf", "nan", hex and words are text, not overflows */
	v = strtod(buf, &end);
	return *end == '\0' && end != buf && isinf(v);
}

/* Stray tokens in numeric columns */

/* Tokens that mean "no value" in a numeric column (any case), besides the
 * missing tokens that hold everywhere; with the default tokens only. */
static const char *const na_words[] = {
	"?", "??", "none", "-", "--", "na", "n/a", "n.a.", "nan", "null", "missing", "unknown",
	"unk", "#n/a", "nd", "not available", "not done", "*", ".", NULL
};

static int
is_na_word(const struct ld *L, const char *s, size_t len)
{
	int i;

	if (L->opt->missing_tokens != NULL)
		return 0;   /* the caller's own list only */
	for (i = 0; na_words[i] != NULL; i++)
		if (strlen(na_words[i]) == len && strncasecmp(s, na_words[i], len) == 0)
			return 1;
	return 0;
}

/* A number with commas: bit 1 thousands form (1,103; -12,345.6), bit 2
 * decimal-comma form (27,8); 1,103 is both. */
static int
comma_form(const char *s, size_t len)
{
	size_t i = 0, d, commas = 0, lead;
	int thou = 1, dec;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	for (lead = 0; i < len && isdigit((unsigned char)s[i]); i++)
		lead++;
	if (lead == 0 || i == len || s[i] != ',')
		return 0;
	dec = 1;
	if (lead > 3)
		thou = 0;
	while (i < len && s[i] == ',') {
		i++;
		commas++;
		for (d = 0; i < len && isdigit((unsigned char)s[i]); i++)
			d++;
		if (d == 0)
			return 0;
		if (d != 3)
			thou = 0;
	}
	if (commas != 1 || i < len)
		dec = 0;
	if (i < len && s[i] == '.') {
		for (i++, d = 0; i < len && isdigit((unsigned char)s[i]); i++)
			d++;
		if (d == 0)
			thou = 0;
	}
	if (i < len)
		return 0;
	return (thou ? 1 : 0) | (dec ? 2 : 0);
}

/* The value of a comma number: mode 1 drops the separators, 2 reads the
 * comma as the decimal point. */
static int
comma_value(const char *s, int mode, double *v)
{
	char buf[128];
	size_t i, o = 0;

	for (i = 0; s[i] != '\0' && o + 1 < sizeof buf; i++) {
		if (s[i] == ',') {
			if (mode == 2)
				buf[o++] = '.';
		} else
			buf[o++] = s[i];
	}
	buf[o] = '\0';
	return util_parse_double(buf, o, v);
}

static void
mark_missing(struct ld_col *k, size_t r, int on)
{
	size_t b = r / LD_BLOCK;

	if (k->mblk[b] == NULL) {
		if (!on)
			return;
		k->mblk[b] = xcalloc(LD_BLOCK, 1);
	}
	if (k->mblk[b][r % LD_BLOCK] != on) {
		k->mblk[b][r % LD_BLOCK] = (uint8_t)on;
		if (on)
			k->nmiss++;
		else
			k->nmiss--;
	}
}

/* The strays go back into the column as text cells. */
static void
strays_to_text(struct ld *L, struct ld_col *k)
{
	size_t i;

	convert(L, k, LS_TEXT);
	for (i = 0; i < k->nstray; i++) {
		const struct ld_stray *t = &k->stray[i];

		((int32_t *)blk_get(k, t->row / LD_BLOCK))[t->row % LD_BLOCK] = t->idx;
		mark_missing(k, t->row, 0);
	}
	free(k->stray);
	k->stray = NULL;
	k->nstray = k->straycap = k->nother = 0;
}

/* A cell that is not a number in a column that has been numeric so far. */
static int
stray_add(struct ld *L, struct ld_col *k, int j, size_t line, const char *s, size_t len, char **cause)
{
	struct ld_stray *t;
	int added, what = is_na_word(L, s, len) ? ST_TOKEN : comma_form(s, len) ? ST_COMMA : ST_OTHER;
	int32_t idx;

	idx = dict_add(&k->dict, s, len, &added);
	if (what == ST_OTHER && added) {
		k->nother_dist++;
		if (k->force >= 0 && role_is_binary(k->force) &&
		    k->nother_dist + SH_MIN(k->ndist, LD_NDIST) > 2)
			return util_fail(cause, "%s:%zu:%d: column '%s' is set as %s but has a third distinct "
			    "value (expected at most two)", L->path, line, j + 1, k->name,
			    cohort_role_name(k->force));
	}
	if (k->nstray == k->straycap) {
		k->straycap = k->straycap ? k->straycap * 2 : 16;
		k->stray = xreallocarray(k->stray, k->straycap, sizeof *k->stray);
	}
	t = &k->stray[k->nstray++];
	t->row = L->nrows;
	t->line = line;
	t->idx = idx;
	t->what = what;
	k->nother += what == ST_OTHER;
	mark_missing(k, L->nrows, 1);
	if (what == ST_OTHER && k->nother > LD_STRAY_EARLY && k->nother * 10 > L->nrows + 1) {
		/* text, not a few stray cells */
		if (k->force == ROLE_CONTINUOUS)
			return util_fail(cause, "%s:%zu:%d: column '%s' is set as continuous: expected a "
			    "number, found text", L->path, k->stray[0].line, j + 1, k->name);
		strays_to_text(L, k);
	}
	return 0;
}

/* At the end of the file: keep a numeric column numeric when its strays
 * are missing-value tokens, numbers with commas of one consistent form, and
 * at most 1% other cells (one in a column of 20 to 199 numbers) none of
 * which reads as a code (V57, E11.9: a column of diagnosis codes), with a
 * note for each; otherwise the strays go back and the column is text. */
static int
resolve_strays(struct ld *L, struct ld_col *k, int j, char **cause)
{
	size_t i, ntok = 0, ncomma = 0, nnum, nother = 0, first_tok = 0, first_comma = 0, first_other = 0;
	int mode = 3, ntoks = 0, nd, codes = 0;
	const char *toks[4];
	char *msg;

	if (k->nstray == 0 || k->state == LS_TEXT)
		return 0;
	for (i = 0; i < k->nstray; i++)
		if (k->stray[i].what == ST_COMMA)
			mode &= comma_form(k->dict.s[k->stray[i].idx], strlen(k->dict.s[k->stray[i].idx]));
	mode = mode & 1 ? 1 : mode & 2 ? 2 : 0;
	for (i = 0; i < k->nstray; i++) {
		const struct ld_stray *t = &k->stray[i];

		if (t->what == ST_TOKEN) {
			if (ntok++ == 0)
				first_tok = t->line;
		} else if (t->what == ST_COMMA && mode != 0) {
			if (ncomma++ == 0)
				first_comma = t->line;
		} else {
			if (nother++ == 0)
				first_other = t->line;
			/* V57, E909: codes, not strays (ICD-9 diagnoses are mostly numbers) */
			codes |= name_is_code(k->dict.s[t->idx]);
		}
	}
	nnum = L->nrows - k->nmiss + ncomma;
	nd = k->ndist;
	if (ncomma > 0 && nd <= 2)
		nd = 3;   /* comma numbers are rarely 0 or 1: judged as numbers */
	if (nother > 0 && (codes || nd <= 2 || nnum < 20 || nother > SH_MAX((size_t)1, nnum / 100))) {
		if (k->force == ROLE_CONTINUOUS)
			return util_fail(cause, "%s:%zu:%d: column '%s' is set as continuous: expected a "
			    "number, found text", L->path, first_other, j + 1, k->name);
		strays_to_text(L, k);
		return 0;
	}
	/* numeric: comma numbers read, the rest missing */
	for (i = 0; i < k->nstray; i++) {
		const struct ld_stray *t = &k->stray[i];
		double v;

		if (t->what == ST_TOKEN) {
			int q, seen = 0;

			for (q = 0; q < ntoks; q++)
				seen |= strcasecmp(toks[q], k->dict.s[t->idx]) == 0;
			if (!seen && ntoks < 4)
				toks[ntoks++] = k->dict.s[t->idx];
		}
		if (t->what != ST_COMMA || mode == 0 || comma_value(k->dict.s[t->idx], mode, &v) != 0)
			continue;
		if (k->state == LS_EMPTY)
			k->state = v == 0 || v == 1 ? LS_BIN01 : LS_NUM;
		else if (k->state == LS_BIN01 && v != 0 && v != 1)
			convert(L, k, LS_NUM);
		dist_note(k, v);
		if (k->state == LS_BIN01)
			((uint8_t *)blk_get(k, t->row / LD_BLOCK))[t->row % LD_BLOCK] = (uint8_t)v;
		else
			((double *)blk_get(k, t->row / LD_BLOCK))[t->row % LD_BLOCK] = v;
		mark_missing(k, t->row, 0);
	}
	if (L->opt->note != NULL) {
		if (ntok > 0) {
			char list[64] = "";
			int q;

			for (q = 0; q < ntoks; q++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s'%s'", q ? ", " : "",
				    toks[q]);
			msg = xsprintf("%s:%zu: column '%s': %zu cell%s with a missing-value token (%s%s), "
			    "read as missing", L->path, first_tok, k->name, ntok, ntok == 1 ? "" : "s", list,
			    ntoks == 4 ? ", ..." : "");
			L->opt->note(L->opt->note_ctx, msg);
			free(msg);
		}
		if (ncomma > 0) {
			msg = xsprintf("%s:%zu: column '%s': %zu number%s written with %s, read as %s",
			    L->path, first_comma, k->name, ncomma, ncomma == 1 ? "" : "s",
			    mode == 1 ? "a thousands separator (like 1,103)" : "a decimal comma (like 27,8)",
			    mode == 1 ? "whole numbers (1103)" : "decimals (27.8)");
			L->opt->note(L->opt->note_ctx, msg);
			free(msg);
		}
		if (nother > 0) {
			msg = xsprintf("%s:%zu: column '%s': warning: %zu cell%s not a number (the first on this "
			    "line), read as missing; the column stays numeric", L->path, first_other, k->name,
			    nother, nother == 1 ? " is" : "s are");
			L->opt->note(L->opt->note_ctx, msg);
			free(msg);
		}
	}
	free(k->stray);
	k->stray = NULL;
	k->nstray = k->straycap = k->nother = 0;
	return 0;
}

/* Store field j of the current row into column k. */
static int
put(struct ld *L, struct ld_col *k, int j, size_t line, const char *s, size_t len, char **cause)
{
	size_t r = L->nrows, b = r / LD_BLOCK, i = r % LD_BLOCK;
	double v;
	int added;

	if (k->state == LS_BIN01 && len == 1 && (s[0] == '0' || s[0] == '1')) {
		((uint8_t *)blk_get(k, b))[i] = (uint8_t)(s[0] - '0');
		if (k->ndist < 2)
			dist_note(k, s[0] - '0');
		return 0;
	}
	if (is_missing(L, s, len)) {
		if (k->mblk[b] == NULL)
			k->mblk[b] = xcalloc(LD_BLOCK, 1);
		k->mblk[b][i] = 1;
		k->nmiss++;
		return 0;
	}
	if (k->state == LS_TEXT) {
		int32_t x = dict_add(&k->dict, s, len, &added);

		if (added && k->force >= 0 && role_is_binary(k->force) && k->dict.n > 2)
			return util_fail(cause, "%s:%zu:%d: column '%s' is set as %s but has a third distinct "
			    "value (expected at most two)", L->path, line, j + 1, k->name,
			    cohort_role_name(k->force));
		((int32_t *)blk_get(k, b))[i] = x;
		return 0;
	}
	if (util_parse_double(s, len, &v) == 0) {
		int was = k->ndist;

		/* The model matrix holds float32: a value beyond its range would
		 * become infinity there and poison training and evaluation. */
		if (fabs(v) > FLT_MAX)
			return util_fail(cause, "%s:%zu:%d: column '%s': number out of range (expected a "
			    "finite number between -3.4e38 and 3.4e38)", L->path, line, j + 1, k->name);

		/* 0/1 columns note their values lazily (the hot path skips
		 * dist_note): convert() notes them before this value is counted */
		if (k->state == LS_BIN01 && v != 0 && v != 1)
			convert(L, k, LS_NUM);
		was = k->ndist;
		dist_note(k, v);
		if (k->ndist > was && k->ndist + k->nother_dist > 2 && k->force >= 0 &&
		    role_is_binary(k->force))
			return util_fail(cause, "%s:%zu:%d: column '%s' is set as %s but has a third distinct "
			    "value (expected at most two)", L->path, line, j + 1, k->name,
			    cohort_role_name(k->force));
		if (k->state == LS_EMPTY)
			k->state = (v == 0 || v == 1) ? LS_BIN01 : LS_NUM;
		if (k->state == LS_BIN01)
			((uint8_t *)blk_get(k, b))[i] = (uint8_t)v;
		else
			((double *)blk_get(k, b))[i] = v;
		return 0;
	}
	if (number_overflows(s, len))
		return util_fail(cause, "%s:%zu:%d: column '%s': number out of range (expected a finite "
		    "number)", L->path, line, j + 1, k->name);
	return stray_add(L, k, j, line, s, len, cause);
}

/* Finishing: one exact array per column, then classification. */

/* The column's values as one array of nrows; missing cells are zero. */
static void *
gather(struct ld *L, struct ld_col *k, size_t size, const uint8_t *miss)
{
	uint8_t *out = xmalloc((L->nrows ? L->nrows : 1) * size);
	size_t b, n, r;

	for (b = 0; b < L->nblk; b++) {
		n = SH_MIN((size_t)LD_BLOCK, L->nrows - b * LD_BLOCK);
		if (k->blk[b] != NULL)
			memcpy(out + b * LD_BLOCK * size, k->blk[b], n * size);
		else
			memset(out + b * LD_BLOCK * size, 0, n * size);
		free(k->blk[b]);
		k->blk[b] = NULL;
	}
	for (r = 0; miss != NULL && r < L->nrows; r++)
		if (miss[r])
			memset(out + r * size, 0, size);
	return out;
}

static uint8_t *
gather_missing(struct ld *L, struct ld_col *k)
{
	uint8_t *out;
	size_t b, n;

	if (k->nmiss == 0)
		return NULL;
	out = xcalloc(L->nrows, 1);
	for (b = 0; b < L->nblk; b++) {
		n = SH_MIN((size_t)LD_BLOCK, L->nrows - b * LD_BLOCK);
		if (k->mblk[b] != NULL)
			memcpy(out + b * LD_BLOCK, k->mblk[b], n);
		free(k->mblk[b]);
		k->mblk[b] = NULL;
	}
	return out;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Facts about a numeric column's non-missing values for role inference. */
struct numstat {
	size_t nonmiss, zeros;
	double min, max;
	size_t ndistinct;        /* exact, when counted (all_int and more than LD_NDIST) */
	int increasing;          /* strictly increasing in file order */
};

static void
num_stats(const struct ld_col *k, const double *num, const uint8_t *miss, size_t n, int exact,
    struct numstat *st)
{
	size_t r, m = 0;
	double prev = 0, *v;

	memset(st, 0, sizeof *st);
	st->increasing = 1;
	for (r = 0; r < n; r++) {
		if (miss && miss[r])
			continue;
		if (st->nonmiss == 0 || num[r] < st->min)
			st->min = num[r];
		if (st->nonmiss == 0 || num[r] > st->max)
			st->max = num[r];
		if (st->nonmiss > 0 && num[r] <= prev)
			st->increasing = 0;
		prev = num[r];
		st->zeros += num[r] == 0;
		st->nonmiss++;
	}
	st->ndistinct = (size_t)k->ndist;
	if (!exact || k->ndist <= LD_NDIST || st->nonmiss == 0)
		return;
	v = xmalloc(st->nonmiss * sizeof(double));
	for (r = 0; r < n; r++)
		if (!(miss && miss[r]))
			v[m++] = num[r];
	qsort(v, m, sizeof(double), util_cmp_double);
	st->ndistinct = 1;
	for (r = 1; r < m; r++)
		st->ndistinct += v[r] != v[r - 1];
	free(v);
}

/* Unique (or nearly) per row, like a record number: at least 99% distinct
 * and either increasing in file order or packed in a range at most twice
 * the row count (a measurement is neither). */
static int
looks_like_row_id(const struct numstat *st)
{
	return st->nonmiss >= 50 && st->ndistinct * 100 >= st->nonmiss * 99 &&
	    (st->increasing || st->max - st->min + 1 <= 2.0 * (double)st->nonmiss);
}

/* Whole numbers >= 0 that count something: a count-like name and at least
 * three values, or more values than integer codes have (max_int) with at
 * least 10% zeros. */
static int
looks_like_count(const struct ld_col *k, const struct numstat *st, int nd, int max_int)
{
	if (!k->all_int || st->nonmiss == 0 || st->min < 0)
		return 0;
	if (name_is_count(k->name) && nd >= 3)
		return 1;
	return nd > max_int && st->zeros * 10 >= st->nonmiss;
}

/* Integer levels d[0..nd) (sorted) with no meaningful order: at least two
 * separate frequent levels (>= 5% of the cells, >= 1.5 times each
 * neighbouring value's count), as codes like 1, 7, 17 have; a count or a
 * measurement has one mode. */
static int
levels_unordered(const double *d, int nd, const double *num, const uint8_t *miss, size_t n,
    size_t nonmiss)
{
	size_t f[LD_NDIST], r;
	int i, j, peaks = 0;

	memset(f, 0, sizeof f);
	for (r = 0; r < n; r++) {
		if (miss && miss[r])
			continue;
		for (j = 0; j < nd && d[j] != num[r]; j++)
			;
		if (j < nd)
			f[j]++;
	}
	for (i = 0; i < nd; i++) {
		size_t left = i > 0 && d[i - 1] == d[i] - 1 ? f[i - 1] : 0;
		size_t right = i + 1 < nd && d[i + 1] == d[i] + 1 ? f[i + 1] : 0;

		if (f[i] * 20 >= nonmiss && 2 * f[i] >= 3 * left && 2 * f[i] >= 3 * right)
			peaks++;
	}
	return peaks >= 2;
}

/* A numeric column as an id: its values as text. */
static void
numeric_as_id(struct ld *L, struct ld_col *k, struct cohort *c, double *num, uint8_t *miss)
{
	char **text = xcalloc(L->nrows ? L->nrows : 1, sizeof(char *));
	size_t r;

	for (r = 0; r < L->nrows; r++)
		if (!(miss && miss[r])) {
			char buf[64];

			util_format_double(buf, sizeof buf, num[r]);
			text[r] = xstrdup(buf);
		}
	free(num);
	cohort_adopt_column(c, k->name, ROLE_ID, KIND_TEXT, text, miss);
}

#define LD_CODE_LEVELS 30      /* integer codes: at most this many levels */

/* Numeric column (values in num[n]) to its cohort column.
 *
 * Unforced, after 0/1 and two-value columns (binary): an id-like name
 * (k->keep_text) with more than LD_CODE_LEVELS values, or values that look
 * like a row number, → id; a code name (*_type_id, *_code) or an id-like
 * name with at most LD_CODE_LEVELS integer values → categorical (more: ignore);
 * a count (looks_like_count) → continuous with is_count; 3..max_int
 * integer values → categorical; up to LD_CODE_LEVELS integer values with no
 * meaningful order (levels_unordered) in at least 10 cells a level →
 * categorical; else continuous. */
static void
finish_numeric(struct ld *L, struct ld_col *k, struct cohort *c, double *num, uint8_t *miss)
{
	size_t n = L->nrows, r;
	int force = k->force, nd = k->ndist, i, j, col;
	int max_int = L->opt->max_int_cat_levels ? L->opt->max_int_cat_levels : 5;
	int id_name = k->keep_text && force < 0, code_name = force < 0 && name_is_code_col(k->name);
	int never = max_int < 0;   /* no integer codes */
	double d[LD_NDIST];
	struct numstat st;

	if (never) {
		max_int = 2;
		id_name = code_name = 0;
	}
	num_stats(k, num, miss, n, force < 0 && k->all_int && !id_name && !code_name, &st);
	if (force == ROLE_CATEGORICAL && nd > LD_NDIST)
		force = -1;   /* too many numbers to be levels: stays continuous */
	if (force < 0 && nd > 2 && k->all_int) {
		if ((id_name && nd > LD_CODE_LEVELS) || (!id_name && !code_name && looks_like_row_id(&st))) {
			numeric_as_id(L, k, c, num, miss);
			return;
		}
		if (code_name && nd > LD_CODE_LEVELS) {
			cohort_adopt_column(c, k->name, ROLE_IGNORE, KIND_NUMERIC, num, miss);
			return;
		}
		if (!id_name && !code_name && looks_like_count(k, &st, nd, max_int)) {
			col = cohort_adopt_column(c, k->name, ROLE_CONTINUOUS, KIND_NUMERIC, num, miss);
			c->cols[col].is_count = 1;
			return;
		}
	}
	if (force == ROLE_CONTINUOUS || force == ROLE_ID || force == ROLE_IGNORE ||
	    (force < 0 && nd == 1 && k->dist[0] != 0 && k->dist[0] != 1) ||
	    (force < 0 && (nd > LD_NDIST || (nd > 2 && !k->all_int)))) {
		int role = force >= 0 && force != ROLE_ID ? force : ROLE_CONTINUOUS;

		if (force < 0 && nd == 0)
			role = ROLE_IGNORE;
		col = cohort_adopt_column(c, k->name, role, KIND_NUMERIC, num, miss);
		c->cols[col].is_count = role == ROLE_CONTINUOUS && nd > 2 && !name_hints_id(k->name) &&
		    !name_is_code_col(k->name) && looks_like_count(k, &st, nd, max_int);
		return;
	}
	memcpy(d, k->dist, sizeof(double) * SH_MIN(nd, LD_NDIST));
	qsort(d, nd, sizeof(double), util_cmp_double);
	if (force < 0 && nd > max_int && !id_name && !code_name &&
	    (never || nd > LD_CODE_LEVELS || st.nonmiss < (size_t)nd * 10 ||
	    !levels_unordered(d, nd, num, miss, n, st.nonmiss))) {
		cohort_adopt_column(c, k->name, ROLE_CONTINUOUS, KIND_NUMERIC, num, miss);
		return;
	}
	memcpy(d, k->dist, sizeof(double) * SH_MIN(nd, LD_NDIST));
	qsort(d, nd, sizeof(double), util_cmp_double);
	if (nd <= 2 && force != ROLE_CATEGORICAL) {
		uint8_t *bin = xcalloc(n ? n : 1, 1);
		int role = force >= 0 ? force : ROLE_BINARY, col, flip = 0;
		double one = nd == 2 ? d[1] : 1;

		if (force < 0)
			role = binary_role_by_name(k->name);
		if (role == ROLE_SEX && L->opt->sex_female != NULL && nd == 2) {
			double f;

			if (util_parse_double(L->opt->sex_female, strlen(L->opt->sex_female), &f) == 0 &&
			    f == d[0])
				flip = 1;
		}
		if (nd < 2 && one == 0)
			one = 1;
		for (r = 0; r < n; r++)
			bin[r] = (uint8_t)((num[r] == one) ^ flip) && !(miss && miss[r]);
		free(num);
		col = cohort_adopt_column(c, k->name, role, KIND_BINARY, bin, miss);
		if (flip || (nd == 2 && !(d[0] == 0 && d[1] == 1)) || (nd == 1 && d[0] != 0 && d[0] != 1)) {
			char a[64], b[64];
			const char *names[2];

			util_format_double(a, sizeof a, nd == 2 ? d[0] : 0);
			util_format_double(b, sizeof b, one);
			names[0] = flip ? b : a;
			names[1] = flip ? a : b;
			cohort_set_levels(c, col, 2, names);
		}
		return;
	}
	/* integer codes → categorical, levels in numeric order */
	{
		int32_t *cat = xcalloc(n ? n : 1, sizeof(int32_t));
		char **names = xcalloc(nd, sizeof(char *));

		for (r = 0; r < n; r++) {
			if (miss && miss[r])
				continue;
			for (j = 0; j < nd && d[j] != num[r]; j++)
				;
			cat[r] = j;
		}
		free(num);
		col = cohort_adopt_column(c, k->name, force >= 0 ? force : ROLE_CATEGORICAL,
		    KIND_CATEGORICAL, cat, miss);
		for (i = 0; i < nd; i++) {
			char buf[64];

			util_format_double(buf, sizeof buf, d[i]);
			names[i] = xstrdup(buf);
		}
		cohort_set_levels(c, col, nd, (const char *const *)names);
		for (i = 0; i < nd; i++)
			free(names[i]);
		free(names);
	}
}

/* Text column (level indices idx[n] into k->dict) to its cohort column. */
static void
finish_text(struct ld *L, struct ld_col *k, struct cohort *c, int32_t *idx, uint8_t *miss)
{
	size_t n = L->nrows, r, nl = k->dict.n, nonmiss = n - k->nmiss, i;
	int force = k->force, maxcat = L->opt->max_cat_levels > 0 ? L->opt->max_cat_levels : 20;
	int32_t *map;
	char **sorted;
	int col;

	/* ids: unique or nearly (95%) with more values than categories have,
	 * or an id-like name with unique values or more than code levels */
	if (force == ROLE_ID || (force < 0 && nl * 20 >= nonmiss * 19 && nl > (size_t)maxcat) ||
	    (force < 0 && k->keep_text && ((nl == nonmiss && nl > 2) || nl > LD_CODE_LEVELS))) {
		char **text = xcalloc(n ? n : 1, sizeof(char *));

		for (r = 0; r < n; r++)
			if (!(miss && miss[r]))
				text[r] = xstrdup(k->dict.s[idx[r]]);
		free(idx);
		cohort_adopt_column(c, k->name, ROLE_ID, KIND_TEXT, text, miss);
		return;
	}
	if (k->keep_text && force < 0) {
		/* an id-like name that is not unique: numbers if every level is one */
		double *num = xcalloc(n ? n : 1, sizeof(double)), *lv = xcalloc(nl ? nl : 1, sizeof(double));
		int ok = 1;

		for (i = 0; i < nl && ok; i++)
			ok = util_parse_double(k->dict.s[i], strlen(k->dict.s[i]), &lv[i]) == 0;
		if (ok) {
			k->ndist = 0;
			k->all_int = 1;
			for (i = 0; i < nl; i++)
				dist_note(k, lv[i]);
			for (r = 0; r < n; r++)
				num[r] = miss && miss[r] ? 0 : lv[idx[r]];
			free(lv);
			free(idx);
			finish_numeric(L, k, c, num, miss);
			return;
		}
		free(num);
		free(lv);
	}
	/* levels sorted; cells remapped */
	sorted = xcalloc(nl ? nl : 1, sizeof(char *));
	memcpy(sorted, k->dict.s, nl * sizeof(char *));
	qsort(sorted, nl, sizeof(char *), cmp_str);
	map = xcalloc(nl ? nl : 1, sizeof(int32_t));
	for (i = 0; i < nl; i++) {
		int32_t x;
		int added;

		x = dict_add(&k->dict, sorted[i], strlen(sorted[i]), &added);
		map[x] = (int32_t)i;
	}
	for (r = 0; r < n; r++)
		idx[r] = miss && miss[r] ? 0 : map[idx[r]];
	free(map);
	if ((nl == 2 && force != ROLE_CATEGORICAL && force != ROLE_IGNORE) || (force >= 0 && role_is_binary(force))) {
		uint8_t *bin = xcalloc(n ? n : 1, 1);
		const char *a = sorted[0], *b = nl > 1 ? sorted[1] : sorted[0];
		int sex = force == ROLE_SEX || (force < 0 && (name_is_sex(k->name) || (nl == 2 && levels_look_sex(a, b))));
		int role = force >= 0 ? force : sex ? ROLE_SEX : ROLE_BINARY;
		int one = nl < 2 ? 1 : pick_one(a, b, sex, role == ROLE_SEX ? L->opt->sex_female : NULL);
		const char *names[2];

		if (nl < 2) {
			/* a single level: it is 1 unless it reads as a "no" */
			one = !(word_in(a, neg_words) || (sex && word_in(a, male_words)));
			names[one] = a;
			names[!one] = one ? "0" : "1";
		} else {
			names[0] = one ? a : b;
			names[1] = one ? b : a;
		}
		for (r = 0; r < n; r++)
			bin[r] = !(miss && miss[r]) && ((nl < 2 && one) || (nl >= 2 && idx[r] == one));
		free(idx);
		col = cohort_adopt_column(c, k->name, role, KIND_BINARY, bin, miss);
		cohort_set_levels(c, col, 2, names);
		free(sorted);
		return;
	}
	col = cohort_adopt_column(c, k->name,
	    force >= 0 ? force : nl <= (size_t)maxcat ? ROLE_CATEGORICAL : ROLE_IGNORE,
	    KIND_CATEGORICAL, idx, miss);
	cohort_set_levels(c, col, (int)nl, (const char *const *)sorted);
	free(sorted);
}

static void
finish_col(struct ld *L, struct ld_col *k, struct cohort *c)
{
	uint8_t *miss = gather_missing(L, k);

	switch (k->state) {
	case LS_EMPTY: {
		int role = k->force >= 0 ? k->force : ROLE_IGNORE;

		if (role_is_binary(role))
			cohort_adopt_column(c, k->name, role, KIND_BINARY, xcalloc(L->nrows + 1, 1), miss);
		else if (role == ROLE_ID)
			cohort_adopt_column(c, k->name, role, KIND_TEXT,
			    xcalloc(L->nrows + 1, sizeof(char *)), miss);
		else
			cohort_adopt_column(c, k->name, role, KIND_NUMERIC,
			    xcalloc(L->nrows + 1, sizeof(double)), miss);
		break;
	}
	case LS_BIN01:
		if (k->force < 0 || role_is_binary(k->force)) {
			uint8_t *bin = gather(L, k, 1, miss);
			int role = k->force;

			if (role < 0)
				role = binary_role_by_name(k->name);
			if (role == ROLE_SEX && L->opt->sex_female != NULL &&
			    strcmp(L->opt->sex_female, "0") == 0) {
				static const char *const names[2] = { "1", "0" };
				size_t r;
				int col;

				for (r = 0; r < L->nrows; r++)
					bin[r] = !bin[r] && !(miss && miss[r]);
				col = cohort_adopt_column(c, k->name, role, KIND_BINARY, bin, miss);
				cohort_set_levels(c, col, 2, names);
			} else
				cohort_adopt_column(c, k->name, role, KIND_BINARY, bin, miss);
		} else {
			uint8_t *bin = gather(L, k, 1, miss);
			double *num = xcalloc(L->nrows + 1, sizeof(double));
			size_t r;
			int has[2] = { 0, 0 };

			/* the hot path does not count distinct values: count them */
			for (r = 0; r < L->nrows; r++) {
				num[r] = bin[r];
				if (!(miss && miss[r]))
					has[bin[r]] = 1;
			}
			k->ndist = 0;
			if (has[0])
				k->dist[k->ndist++] = 0;
			if (has[1])
				k->dist[k->ndist++] = 1;
			free(bin);
			finish_numeric(L, k, c, num, miss);
		}
		break;
	case LS_NUM:
		finish_numeric(L, k, c, gather(L, k, sizeof(double), miss), miss);
		break;
	case LS_TEXT:
		finish_text(L, k, c, gather(L, k, sizeof(int32_t), miss), miss);
		break;
	}
}

static void
ld_free(struct ld *L)
{
	int j;
	size_t b;

	for (j = 0; j < L->ncols; j++) {
		struct ld_col *k = &L->cols[j];

		for (b = 0; b < L->nblk; b++) {
			free(k->blk[b]);
			free(k->mblk[b]);
		}
		free(k->blk);
		free(k->mblk);
		free(k->name);
		free(k->stray);
		dict_done(&k->dict);
	}
	free(L->cols);
}

/* Header: names, duplicates, overrides. */
/* 1 if s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
static int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n, k;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 3, cp = c & 0x07;
		else
			return 0;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return 0;
		i += n + 1;
	}
	return 1;
}

static const char *const *name_sort_base;
static int
cmp_name_idx(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b, c = strcmp(name_sort_base[x], name_sort_base[y]);

	return c != 0 ? c : (x > y) - (x < y);
}

static int
ld_header(struct ld *L, char **f, size_t *len, int nf, char **cause)
{
	const struct csv_options *o = L->opt;
	int j, i, nlabel = 0, nsex = 0, dup = -1, dup_of = -1;
	const char **names;
	int *idx;

	if (nf > LD_MAX_COLS)
		return util_fail(cause, "%s:1: %d columns (expected at most %d)", L->path, nf, LD_MAX_COLS);
	if (nf == 1 && (memchr(f[0], ';', len[0]) || memchr(f[0], '\t', len[0])))
		return util_fail(cause, "%s:1: one column whose name contains ';' or a tab (expected "
		    "comma-separated values; convert the file to CSV)", L->path);
	for (j = 0; j < nf; j++) {
		if (len[j] == 0 && nf > 1)
			return util_fail(cause, "%s:1:%d: empty column name (expected a name for every column)",
			    L->path, j + 1);
		if (!utf8_valid((const unsigned char *)f[j], len[j]))
			return util_fail(cause, "%s:1:%d: column name is not valid UTF-8 (expected UTF-8 text;"
			    " convert the file, e.g. with iconv)", L->path, j + 1);
	}
	L->ncols = nf;
	L->cols = xcalloc(nf, sizeof *L->cols);
	names = xcalloc(nf > 0 ? nf : 1, sizeof *names);
	idx = xcalloc(nf > 0 ? nf : 1, sizeof *idx);
	for (j = 0; j < nf; j++) {
		struct ld_col *k = &L->cols[j];
		char *name = xstrndup(f[j], len[j]);

		k->name = name;
		k->force = -1;
		k->all_int = 1;
		names[j] = name;
		idx[j] = j;
	}
	/* duplicates: sort the names (n log n: 100,000 columns stay fast), then
	 * report the first repeated column in file order */
	name_sort_base = names;
	qsort(idx, nf, sizeof *idx, cmp_name_idx);
	for (i = 1; i < nf; i++)
		if (strcmp(names[idx[i]], names[idx[i - 1]]) == 0 && (dup < 0 || idx[i] < dup)) {
			int first = i - 1;

			while (first > 0 && strcmp(names[idx[first - 1]], names[idx[i]]) == 0)
				first--;
			dup = idx[i];
			dup_of = idx[first];
		}
	free(idx);
	free(names);
	if (dup >= 0)
		return util_fail(cause, "%s:1:%d: duplicate column name '%s' (also column %d; "
		    "expected unique names)", L->path, dup + 1, L->cols[dup].name, dup_of + 1);
	for (i = 0; i < o->noverrides; i++) {
		const struct csv_override *ov = &o->overrides[i];

		for (j = 0; j < nf && strcmp(L->cols[j].name, ov->name) != 0; j++)
			;
		if (j == nf)
			return util_fail(cause, "%s:1: no column named '%s' (set with a role override)",
			    L->path, ov->name);
		if (ov->role < 0 || ov->role >= ROLE_COUNT)
			return util_fail(cause, "%s: bad role %d for column '%s'", L->path, ov->role, ov->name);
		L->cols[j].force = ov->role;
	}
	for (j = 0; j < nf; j++) {
		struct ld_col *k = &L->cols[j];

		nlabel += k->force == ROLE_LABEL;
		nsex += k->force == ROLE_SEX;
		k->keep_text = k->force == ROLE_ID || (k->force < 0 && name_hints_id(k->name));
		if (k->keep_text)
			k->state = LS_TEXT;
	}
	if (nlabel > 1)
		return util_fail(cause, "%s: %d columns are set as the label (expected one)", L->path, nlabel);
	if (nsex > 1)
		return util_fail(cause, "%s: %d columns are set as sex (expected one)", L->path, nsex);
	return 0;
}

static void
ld_grow_blocks(struct ld *L)
{
	int j;

	if (L->nblk == L->blkcap) {
		L->blkcap = L->blkcap ? L->blkcap * 2 : 16;
		for (j = 0; j < L->ncols; j++) {
			L->cols[j].blk = xreallocarray(L->cols[j].blk, L->blkcap, sizeof(void *));
			L->cols[j].mblk = xreallocarray(L->cols[j].mblk, L->blkcap, sizeof(uint8_t *));
		}
	}
	for (j = 0; j < L->ncols; j++) {
		L->cols[j].blk[L->nblk] = NULL;
		L->cols[j].mblk[L->nblk] = NULL;
	}
	L->nblk++;
}

/* A unique label candidate by name among binary columns. */
/* 0/1 values present in a binary column (bit 0: a 0, bit 1: a 1). */
static int
bin_classes(const struct column *col, size_t n)
{
	size_t r;
	int has = 0;

	if (col->kind != KIND_BINARY)
		return 3;
	for (r = 0; r < n && has != 3; r++)
		if (!cohort_is_missing(col, r))
			has |= 1 << col->bin[r];
	return has;
}

static int
overridden(const struct csv_options *opt, const char *name)
{
	int i;

	for (i = 0; opt != NULL && i < opt->noverrides; i++)
		if (strcmp(opt->overrides[i].name, name) == 0)
			return 1;
	return 0;
}

int
csv_label_candidates(const struct cohort *c, const struct csv_options *opt, int *out, int max)
{
	int j, n = 0;

	for (j = 0; j < c->ncols; j++) {
		const struct column *k = &c->cols[j];

		if ((k->role == ROLE_BINARY || k->role == ROLE_LABEL) && !overridden(opt, k->name) &&
		    name_is_label(k->name) && bin_classes(k, c->nrows) == 3) {   /* one class is no label */
			if (n < max)
				out[n] = j;
			n++;
		}
	}
	return n;
}

/* The label by name when exactly one column looks like the outcome; with
 * several, none (init lists them and asks for --label). */
static void
auto_label(struct cohort *c, const struct csv_options *opt)
{
	int j, found = -1;

	for (j = 0; j < c->ncols; j++)
		if (c->cols[j].role == ROLE_LABEL)
			return;
	if (csv_label_candidates(c, opt, &found, 1) == 1)
		c->cols[found].role = ROLE_LABEL;
}

#define LD_CONCEPT_GROUP 5     /* 0/1 columns sharing a prefix before codes: concepts */

/* The part of a name after its first '_' when it reads as a code (250.2,
 * 250_2, E11.9); NULL otherwise. */
static const char *
code_after_prefix(const char *s)
{
	const char *u = strchr(s, '_');
	char buf[64];
	size_t i, n;

	if (u == NULL || u == s || (n = strlen(u + 1)) == 0 || n >= sizeof buf)
		return NULL;
	for (i = 0; i <= n; i++)
		buf[i] = u[1 + i] == '_' ? '.' : u[1 + i];
	return name_is_code(buf) ? u + 1 : NULL;
}

/* 0/1 columns that share a prefix before a code (cond_250.2, cond_401, ...,
 * at least LD_CONCEPT_GROUP of them) are concepts. */
static void
auto_concepts(struct cohort *c, const struct csv_options *opt)
{
	struct ld_dict d;
	int j, *count, *pre = xcalloc(c->ncols ? c->ncols : 1, sizeof(int));

	memset(&d, 0, sizeof d);
	for (j = 0; j < c->ncols; j++) {
		const struct column *k = &c->cols[j];
		const char *code;
		int added;

		pre[j] = -1;
		if (k->role != ROLE_BINARY || k->kind != KIND_BINARY || k->levels != NULL ||
		    overridden(opt, k->name) || (code = code_after_prefix(k->name)) == NULL)
			continue;
		pre[j] = dict_add(&d, k->name, (size_t)(code - k->name), &added);
	}
	count = xcalloc(d.n ? d.n : 1, sizeof(int));
	for (j = 0; j < c->ncols; j++)
		if (pre[j] >= 0)
			count[pre[j]]++;
	for (j = 0; j < c->ncols; j++)
		if (pre[j] >= 0 && count[pre[j]] >= LD_CONCEPT_GROUP)
			c->cols[j].role = ROLE_CONCEPT;
	free(count);
	free(pre);
	dict_done(&d);
}

int
csv_read_cohort(const char *path, const struct csv_options *opt, struct cohort **out, char **cause)
{
	static const struct csv_options dflt;
	struct csv_reader *r;
	struct ld L;
	struct cohort *c;
	char **f;
	size_t *len, i;
	int nf = 0, rc, j;   /* csvr_next leaves nf unset at the end of the file */
	uint8_t **hot = NULL;   /* [ncols] this block's 0/1 storage of a 0/1 column, else NULL */

	memset(&L, 0, sizeof L);
	L.path = path;
	L.opt = opt != NULL ? opt : &dflt;
	L.miss = L.opt->missing_tokens ? L.opt->missing_tokens : default_missing;
	while (L.miss[L.nmiss_tok] != NULL)
		L.nmiss_tok++;
	if ((r = csvr_open(path, cause)) == NULL)
		return -1;
	rc = csvr_next(r, &f, &len, &nf, cause);
	hot = xcalloc(nf > 0 ? nf : 1, sizeof(uint8_t *));
	if (rc <= 0) {
		csvr_close(r);
		free(hot);
		return rc < 0 ? -1 : util_fail(cause, "%s: empty file (expected a header row)", path);
	}
	if (ld_header(&L, f, len, nf, cause) != 0)
		goto fail;
	while ((rc = csvr_next(r, &f, &len, &nf, cause)) == 1) {
		size_t line = csvr_line(r);

		if (nf != L.ncols) {
			/* a lone empty field is a blank line only when there is one column */
			util_fail(cause, "%s:%zu: expected %d fields (as in the header), found %d",
			    path, line, L.ncols, nf);
			goto fail;
		}
		if (L.nrows % LD_BLOCK == 0) {
			ld_grow_blocks(&L);
			memset(hot, 0, sizeof(uint8_t *) * L.ncols);
		}
		i = L.nrows % LD_BLOCK;
		for (j = 0; j < nf; j++) {
			const char *s = f[j];
			struct ld_col *k;

			/* the hot path: a 0/1 cell of a 0/1 column */
			if (hot[j] != NULL && len[j] == 1 && (s[0] == '0' || s[0] == '1')) {
				hot[j][i] = (uint8_t)(s[0] - '0');
				continue;
			}
			k = &L.cols[j];
			if (len[j] > LD_MAX_FIELD) {
				util_fail(cause, "%s:%zu:%d: a cell of %zu bytes (expected at most %d; is this "
				    "a CSV file?)", path, line, j + 1, len[j], LD_MAX_FIELD);
				goto fail;
			}
			if (put(&L, k, j, line, s, len[j], cause) != 0)
				goto fail;
			/* a column forced to a two-valued role sees every cell, so a
			 * third value is caught on its own line */
			hot[j] = k->state == LS_BIN01 && !(k->force >= 0 && role_is_binary(k->force)) ?
			    k->blk[L.nblk - 1] : NULL;
		}
		L.nrows++;
		if (L.opt->header_only && L.nrows >= LD_PREVIEW_ROWS)
			break;
	}
	if (rc < 0)
		goto fail;
	csvr_close(r);
	r = NULL;
	free(hot);
	hot = NULL;
	if (L.nrows == 0) {
		util_fail(cause, "%s: no data rows after the header (expected at least one patient)", path);
		goto fail;
	}
	for (j = 0; j < L.ncols; j++)
		if (resolve_strays(&L, &L.cols[j], j, cause) != 0)
			goto fail;
	c = cohort_new(L.nrows);
	c->source = xstrdup(path);
	for (j = 0; j < L.ncols; j++)
		finish_col(&L, &L.cols[j], c);
	for (j = 0; j < L.ncols && !L.opt->header_only; j++) {
		if (L.cols[j].force == ROLE_LABEL && bin_classes(&c->cols[j], c->nrows) != 3) {
			util_fail(cause, "%s: column '%s' is set as label but has only one class in %zu "
			    "patient(s) (expected both 0 and 1: a model cannot learn one outcome)",
			    path, L.cols[j].name, c->nrows);
			cohort_free(c);
			goto fail;
		}
	}
	auto_concepts(c, L.opt);
	if (!L.opt->no_auto_label)
		auto_label(c, L.opt);
	ld_free(&L);
	*out = c;
	return 0;
fail:
	csvr_close(r);
	free(hot);
	ld_free(&L);
	return -1;
}

int
csv_write_cohort(const char *path, const struct cohort *c, char **cause)
{
	struct csv_writer *w;
	char buf[256];
	size_t r;
	int j;

	if ((w = csvw_open(path, cause)) == NULL)
		return -1;
	for (j = 0; j < c->ncols; j++)
		csvw_field(w, c->cols[j].name);
	csvw_end_row(w);
	for (r = 0; r < c->nrows; r++) {
		for (j = 0; j < c->ncols; j++) {
			const struct column *k = &c->cols[j];

			if (k->kind == KIND_BINARY && k->levels == NULL && !cohort_is_missing(k, r))
				csvw_field_raw(w, k->bin[r] ? "1" : "0", 1);
			else if (k->kind == KIND_TEXT && !cohort_is_missing(k, r))
				csvw_field(w, k->text[r] ? k->text[r] : "");
			else
				csvw_field(w, cohort_cell_text(c, j, r, buf, sizeof buf));
		}
		csvw_end_row(w);
	}
	return csvw_commit(w, cause);
}
