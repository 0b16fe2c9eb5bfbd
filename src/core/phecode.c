/* synthehr — GPL-3.0-or-later.
 * ICD → phecode mapping with the PheWAS phecode map 1.2 files.
 *
 * Loading reads the two ICD-CM maps (vocabulary_id, code, phecode; dotted
 * codes, some codes on several rows, ICD-10 chapter ranges like A00-A09),
 * the roll-up table (code → itself and each ancestor) and, if present,
 * phecode_info.csv.  Phecodes are interned to dense ids; each map code
 * keeps its list of direct phecode ids, each phecode its list of ancestors.
 *
 * A lookup normalises the code (blanks and dots dropped, upper case), puts
 * the dot back (ICD-9 after 3 characters, after 4 for E codes; ICD-10
 * after 3) and tries, in order:
 *   1. the dotted code itself;
 *   2. truncation retry: the undotted code shortened by 1, then 2 (ICD-9)
 *      or 1, 2, then 3 (ICD-10) trailing characters, never below 3
 *      characters, each re-dotted; the first prefix that is a map row wins;
 *   3. with ranges on (ICD-10 only): every range row whose ends enclose
 *      the code's 3-character category.
 * The direct phecodes of the matching row(s) are then rolled up (each
 * replaced by itself and its ancestors), sorted and de-duplicated.  The
 * result is cached per distinct code, which also gives the per-vocabulary
 * statistics of matched and unmatched codes. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/csvio.h"
#include "synthehr/phecode.h"
#include "synthehr/util.h"

/* String table */

struct phecode_strtab {
	char **names;       /* [n] NUL-terminated copies */
	uint32_t *lens;     /* [n] */
	uint64_t *hashes;   /* [n] */
	uint32_t n, ncap;
	uint32_t *slots;    /* [cap] id + 1, 0 = empty */
	uint32_t cap;       /* power of two */
};

static uint64_t
str_hash(const char *s, size_t len)
{
	return util_hash64(s, len, 0xcbf29ce484222325ULL);
}

struct phecode_strtab *
phecode_strtab_new(void)
{
	struct phecode_strtab *t = xcalloc(1, sizeof *t);

	t->cap = 1024;
	t->slots = xcalloc(t->cap, sizeof *t->slots);
	return t;
}

void
phecode_strtab_free(struct phecode_strtab *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	free(t->lens);
	free(t->hashes);
	free(t->slots);
	free(t);
}

static void
strtab_grow(struct phecode_strtab *t)
{
	uint32_t i, mask;

	free(t->slots);
	t->cap *= 2;
	mask = t->cap - 1;
	t->slots = xcalloc(t->cap, sizeof *t->slots);
	for (i = 0; i < t->n; i++) {
		uint32_t h = (uint32_t)t->hashes[i] & mask;

		while (t->slots[h] != 0)
			h = (h + 1) & mask;
		t->slots[h] = i + 1;
	}
}

static uint32_t *
strtab_slot(const struct phecode_strtab *t, const char *s, size_t len, uint64_t hash)
{
	uint32_t mask = t->cap - 1, h = (uint32_t)hash & mask;

	for (;;) {
		uint32_t id = t->slots[h];

		if (id == 0)
			return &t->slots[h];
		id--;
		if (t->hashes[id] == hash && t->lens[id] == len && memcmp(t->names[id], s, len) == 0)
			return &t->slots[h];
		h = (h + 1) & mask;
	}
}

uint32_t
phecode_strtab_add(struct phecode_strtab *t, const char *s, size_t len, int *added)
{
	uint64_t hash = str_hash(s, len);
	uint32_t *slot = strtab_slot(t, s, len, hash), id;

	if (*slot != 0) {
		if (added != NULL)
			*added = 0;
		return *slot - 1;
	}
	if (t->n == t->ncap) {
		t->ncap = t->ncap ? t->ncap * 2 : 256;
		t->names = xreallocarray(t->names, t->ncap, sizeof *t->names);
		t->lens = xreallocarray(t->lens, t->ncap, sizeof *t->lens);
		t->hashes = xreallocarray(t->hashes, t->ncap, sizeof *t->hashes);
	}
	id = t->n++;
	t->names[id] = xstrndup(s, len);
	t->lens[id] = (uint32_t)len;
	t->hashes[id] = hash;
	*slot = id + 1;
	if ((uint64_t)t->n * 2 > t->cap)
		strtab_grow(t);
	if (added != NULL)
		*added = 1;
	return id;
}

int64_t
phecode_strtab_find(const struct phecode_strtab *t, const char *s, size_t len)
{
	uint32_t *slot = strtab_slot(t, s, len, str_hash(s, len));

	return *slot == 0 ? -1 : (int64_t)*slot - 1;
}

const char *
phecode_strtab_name(const struct phecode_strtab *t, uint32_t id)
{
	return id < t->n ? t->names[id] : NULL;
}

uint32_t
phecode_strtab_count(const struct phecode_strtab *t)
{
	return t->n;
}

/* A growable list of (key, value) pairs, turned into CSR lists per key. */
struct pairs {
	uint32_t *k, *v;
	size_t n, cap;
};

static void
pairs_add(struct pairs *p, uint32_t k, uint32_t v)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 4096;
		p->k = xreallocarray(p->k, p->cap, sizeof *p->k);
		p->v = xreallocarray(p->v, p->cap, sizeof *p->v);
	}
	p->k[p->n] = k;
	p->v[p->n] = v;
	p->n++;
}

/* CSR: list of key i is val[off[i] .. off[i+1]). */
struct csr {
	uint32_t *off;   /* [nkeys + 1] */
	uint32_t *val;   /* [off[nkeys]] */
};

static void
pairs_to_csr(const struct pairs *p, uint32_t nkeys, struct csr *c)
{
	size_t i;
	uint32_t *fill;

	c->off = xcalloc((size_t)nkeys + 1, sizeof *c->off);
	c->val = xmalloc((p->n ? p->n : 1) * sizeof *c->val);
	for (i = 0; i < p->n; i++)
		c->off[p->k[i] + 1]++;
	for (i = 0; i < nkeys; i++)
		c->off[i + 1] += c->off[i];
	fill = xmalloc(((size_t)nkeys + 1) * sizeof *fill);
	memcpy(fill, c->off, ((size_t)nkeys + 1) * sizeof *fill);
	for (i = 0; i < p->n; i++)
		c->val[fill[p->k[i]]++] = p->v[i];
	free(fill);
}

static void
pairs_free(struct pairs *p)
{
	free(p->k);
	free(p->v);
	memset(p, 0, sizeof *p);
}

/* The map */

struct phecode_range {
	char lo[4], hi[4];   /* 3-character categories, inclusive */
	uint32_t phecode;
};

/* One cached lookup result per distinct normalised code. */
struct phecode_cached {
	uint32_t *ids;       /* [nids] sorted unique phecode ids */
	int nids;
	enum phecode_how how;
	size_t count;        /* lookups of this code */
};

struct phecode_vmap {
	struct phecode_strtab *codes;   /* dotted map code → entry */
	struct pairs direct_pairs;      /* entry → direct phecode (while loading) */
	struct csr direct;
	struct phecode_range *ranges;
	size_t nranges, rcap;
	struct phecode_strtab *cache_keys;   /* normalised input code → cache entry */
	struct phecode_cached *cache;
	size_t ccap;
};

struct phecode_map {
	struct phecode_strtab *ph;      /* phecode string → id */
	char **desc;                    /* [ndesc] descriptions by id, or NULL */
	uint32_t ndesc;
	struct pairs anc_pairs;         /* phecode → ancestor (while loading) */
	struct csr anc;                 /* ancestors incl. itself */
	struct phecode_vmap v[PHECODE_VOCAB_COUNT];
	int rollup, ranges;
	uint32_t *scratch;              /* lookup work space */
	size_t scap;
};

/* Find the named columns in a header; -1 with cause for a missing one. */
static int
find_columns(struct csv_reader *r, const char *const *names, int n, int *idx, char **cause)
{
	char **f;
	size_t *l;
	int nf, i, j, rc = csvr_next(r, &f, &l, &nf, cause);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return util_fail(cause, "%s:1: empty file (expected a header line)", csvr_path(r));
	for (i = 0; i < n; i++) {
		idx[i] = -1;
		for (j = 0; j < nf; j++)
			if (strcmp(f[j], names[i]) == 0) {
				idx[i] = j;
				break;
			}
		if (idx[i] < 0)
			return util_fail(cause, "%s:1: no column \"%s\" in the header", csvr_path(r), names[i]);
	}
	return 0;
}

static uint32_t
intern_phecode(struct phecode_map *m, const char *s, size_t len)
{
	return phecode_strtab_add(m->ph, s, len, NULL);
}

static int
load_rollup(struct phecode_map *m, const char *path, char **cause)
{
	static const char *const names[] = { "code", "phecode_unrolled" };
	struct csv_reader *r = csvr_open(path, cause);
	int idx[2], nf, rc;
	char **f;
	size_t *l;

	if (r == NULL)
		return -1;
	if (find_columns(r, names, 2, idx, cause) != 0)
		goto fail;
	while ((rc = csvr_next(r, &f, &l, &nf, cause)) == 1) {
		uint32_t a, b;

		if (nf <= idx[0] || nf <= idx[1] || l[idx[0]] == 0 || l[idx[1]] == 0) {
			util_fail(cause, "%s:%zu: expected a phecode in columns code and phecode_unrolled",
			    path, csvr_line(r));
			goto fail;
		}
		a = intern_phecode(m, f[idx[0]], l[idx[0]]);
		b = intern_phecode(m, f[idx[1]], l[idx[1]]);
		pairs_add(&m->anc_pairs, a, b);
	}
	if (rc < 0)
		goto fail;
	csvr_close(r);
	return 0;
fail:
	csvr_close(r);
	return -1;
}

/* A range row "A00-A09": both ends a 3-character category. */
static int
parse_range(const char *s, size_t len, char lo[4], char hi[4])
{
	if (len != 7 || s[3] != '-')
		return 0;
	memcpy(lo, s, 3);
	lo[3] = '\0';
	memcpy(hi, s + 4, 3);
	hi[3] = '\0';
	return 1;
}

static int
load_icd(struct phecode_map *m, int vocab, const char *path, char **cause)
{
	static const char *const names[] = { "code", "phecode" };
	struct phecode_vmap *v = &m->v[vocab];
	struct csv_reader *r = csvr_open(path, cause);
	int idx[2], nf, rc;
	char **f;
	size_t *l;

	if (r == NULL)
		return -1;
	if (find_columns(r, names, 2, idx, cause) != 0)
		goto fail;
	while ((rc = csvr_next(r, &f, &l, &nf, cause)) == 1) {
		char lo[4], hi[4], key[32];
		const char *code;
		size_t clen;
		uint32_t ph;

		if (nf <= idx[0] || nf <= idx[1] || l[idx[0]] == 0 || l[idx[1]] == 0) {
			util_fail(cause, "%s:%zu: expected a code and a phecode", path, csvr_line(r));
			goto fail;
		}
		code = f[idx[0]];
		clen = l[idx[0]];
		ph = intern_phecode(m, f[idx[1]], l[idx[1]]);
		if (parse_range(code, clen, lo, hi)) {
			if (v->nranges == v->rcap) {
				v->rcap = v->rcap ? v->rcap * 2 : 64;
				v->ranges = xreallocarray(v->ranges, v->rcap, sizeof *v->ranges);
			}
			memcpy(v->ranges[v->nranges].lo, lo, 4);
			memcpy(v->ranges[v->nranges].hi, hi, 4);
			v->ranges[v->nranges].phecode = ph;
			v->nranges++;
			continue;
		}
		/* Normalise map codes the same way as input codes. */
		clen = phecode_dot(vocab, code, clen, key, sizeof key);
		if (clen == 0) {
			util_fail(cause, "%s:%zu:%d: expected an ICD code", path, csvr_line(r), idx[0] + 1);
			goto fail;
		}
		pairs_add(&v->direct_pairs, phecode_strtab_add(v->codes, key, clen, NULL), ph);
	}
	if (rc < 0)
		goto fail;
	csvr_close(r);
	return 0;
fail:
	csvr_close(r);
	return -1;
}

static int
load_info(struct phecode_map *m, const char *path, char **cause)
{
	static const char *const names[] = { "phecode", "description" };
	struct csv_reader *r = csvr_open(path, cause);
	int idx[2], nf, rc;
	char **f;
	size_t *l;

	if (r == NULL)
		return -1;
	if (find_columns(r, names, 2, idx, cause) != 0)
		goto fail;
	while ((rc = csvr_next(r, &f, &l, &nf, cause)) == 1) {
		uint32_t id;

		if (nf <= idx[0] || nf <= idx[1] || l[idx[0]] == 0)
			continue;
		id = intern_phecode(m, f[idx[0]], l[idx[0]]);
		if (id >= m->ndesc) {
			uint32_t n = id + 256;

			m->desc = xreallocarray(m->desc, n, sizeof *m->desc);
			memset(m->desc + m->ndesc, 0, (n - m->ndesc) * sizeof *m->desc);
			m->ndesc = n;
		}
		free(m->desc[id]);
		m->desc[id] = xstrndup(f[idx[1]], l[idx[1]]);
	}
	if (rc < 0)
		goto fail;
	csvr_close(r);
	return 0;
fail:
	csvr_close(r);
	return -1;
}

struct phecode_map *
phecode_map_load(const char *dir, int rollup, int ranges, char **cause)
{
	static const char *const icd_files[PHECODE_VOCAB_COUNT] = {
		"phecode_map_icd9cm.csv", "phecode_map_icd10cm.csv"
	};
	struct phecode_map *m = xcalloc(1, sizeof *m);
	char *p;
	int vocab, rc;
	uint32_t i, n;

	if (!util_dir_exists(dir)) {
		util_fail(cause, "%s: not a directory (expected the phecode map directory)", dir);
		free(m);
		return NULL;
	}
	m->ph = phecode_strtab_new();
	m->rollup = rollup;
	m->ranges = ranges;
	for (vocab = 0; vocab < PHECODE_VOCAB_COUNT; vocab++) {
		m->v[vocab].codes = phecode_strtab_new();
		m->v[vocab].cache_keys = phecode_strtab_new();
	}
	p = util_path_join(dir, "phecode_rollup_map.csv");
	rc = load_rollup(m, p, cause);
	free(p);
	if (rc != 0)
		goto fail;
	for (vocab = 0; vocab < PHECODE_VOCAB_COUNT; vocab++) {
		p = util_path_join(dir, icd_files[vocab]);
		rc = load_icd(m, vocab, p, cause);
		free(p);
		if (rc != 0)
			goto fail;
	}
	p = util_path_join(dir, "phecode_info.csv");
	rc = util_file_exists(p) ? load_info(m, p, cause) : 0;
	free(p);
	if (rc != 0)
		goto fail;

	/* Every phecode is its own ancestor, also when the roll-up table
	 * does not list it. */
	n = phecode_strtab_count(m->ph);
	for (i = 0; i < n; i++)
		pairs_add(&m->anc_pairs, i, i);
	pairs_to_csr(&m->anc_pairs, n, &m->anc);
	pairs_free(&m->anc_pairs);
	for (vocab = 0; vocab < PHECODE_VOCAB_COUNT; vocab++) {
		struct phecode_vmap *v = &m->v[vocab];

		pairs_to_csr(&v->direct_pairs, phecode_strtab_count(v->codes), &v->direct);
		pairs_free(&v->direct_pairs);
	}
	return m;
fail:
	phecode_map_free(m);
	return NULL;
}

void
phecode_map_free(struct phecode_map *m)
{
	int vocab;
	uint32_t i;

	if (m == NULL)
		return;
	for (vocab = 0; vocab < PHECODE_VOCAB_COUNT; vocab++) {
		struct phecode_vmap *v = &m->v[vocab];
		uint32_t nc = v->cache_keys ? phecode_strtab_count(v->cache_keys) : 0;

		for (i = 0; i < nc; i++)
			free(v->cache[i].ids);
		free(v->cache);
		phecode_strtab_free(v->cache_keys);
		phecode_strtab_free(v->codes);
		pairs_free(&v->direct_pairs);
		free(v->direct.off);
		free(v->direct.val);
		free(v->ranges);
	}
	for (i = 0; i < m->ndesc; i++)
		free(m->desc[i]);
	free(m->desc);
	pairs_free(&m->anc_pairs);
	free(m->anc.off);
	free(m->anc.val);
	phecode_strtab_free(m->ph);
	free(m->scratch);
	free(m);
}

uint32_t
phecode_count(const struct phecode_map *m)
{
	return phecode_strtab_count(m->ph);
}

const char *
phecode_name(const struct phecode_map *m, uint32_t id)
{
	return phecode_strtab_name(m->ph, id);
}

const char *
phecode_description(const struct phecode_map *m, uint32_t id)
{
	return id < m->ndesc ? m->desc[id] : NULL;
}

int64_t
phecode_find(const struct phecode_map *m, const char *phecode)
{
	return phecode_strtab_find(m->ph, phecode, strlen(phecode));
}

int
phecode_vocab_parse(const char *s, size_t len)
{
	char buf[16];
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isspace(c) || c == '-' || c == '_' || c == '.')
			continue;
		if (n + 1 >= sizeof buf)
			return -1;
		buf[n++] = (char)toupper(c);
	}
	buf[n] = '\0';
	if (strcmp(buf, "9") == 0 || strcmp(buf, "ICD9") == 0 || strcmp(buf, "ICD9CM") == 0)
		return PHECODE_ICD9;
	if (strcmp(buf, "10") == 0 || strcmp(buf, "ICD10") == 0 || strcmp(buf, "ICD10CM") == 0)
		return PHECODE_ICD10;
	return -1;
}

const char *
phecode_vocab_name(int vocab)
{
	return vocab == PHECODE_ICD9 ? "ICD-9-CM" : vocab == PHECODE_ICD10 ? "ICD-10-CM" : "?";
}

/* Put the dot into an undotted, normalised code u[0..n). */
static size_t
dot_undotted(int vocab, const char *u, size_t n, char *out, size_t size)
{
	size_t at = vocab == PHECODE_ICD9 && u[0] == 'E' ? 4 : 3;

	if (n == 0 || n + 2 > size)
		return 0;
	if (n <= at) {
		memcpy(out, u, n);
		out[n] = '\0';
		return n;
	}
	memcpy(out, u, at);
	out[at] = '.';
	memcpy(out + at + 1, u + at, n - at);
	out[n + 1] = '\0';
	return n + 1;
}

/* Blanks and dots removed, upper case; 0 if empty or too long. */
static size_t
undot(const char *code, size_t len, char *out, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)code[i];

		if (c == '.' || isspace(c))
			continue;
		if (n + 1 >= size)
			return 0;
		out[n++] = (char)toupper(c);
	}
	out[n] = '\0';
	return n;
}

size_t
phecode_dot(int vocab, const char *code, size_t len, char *out, size_t size)
{
	char u[32];
	size_t n = undot(code, len, u, sizeof u);

	return n == 0 ? 0 : dot_undotted(vocab, u, n, out, size);
}

static void
scratch_add(struct phecode_map *m, size_t *n, uint32_t id)
{
	if (*n == m->scap) {
		m->scap = m->scap ? m->scap * 2 : 64;
		m->scratch = xreallocarray(m->scratch, m->scap, sizeof *m->scratch);
	}
	m->scratch[(*n)++] = id;
}

/* Add phecode ph (and its ancestors when rolling up) to the scratch list. */
static void
add_phecode(struct phecode_map *m, size_t *n, uint32_t ph)
{
	uint32_t j;

	if (!m->rollup) {
		scratch_add(m, n, ph);
		return;
	}
	for (j = m->anc.off[ph]; j < m->anc.off[ph + 1]; j++)
		scratch_add(m, n, m->anc.val[j]);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Map entry of the dotted u[0..n), or -1. */
static int64_t
find_entry(const struct phecode_vmap *v, int vocab, const char *u, size_t n)
{
	char d[40];
	size_t dl = dot_undotted(vocab, u, n, d, sizeof d);

	return dl == 0 ? -1 : phecode_strtab_find(v->codes, d, dl);
}

/* Resolve a normalised undotted code into the scratch list; returns how. */
static enum phecode_how
resolve(struct phecode_map *m, int vocab, const char *u, size_t n, size_t *nout)
{
	struct phecode_vmap *v = &m->v[vocab];
	int maxcut = vocab == PHECODE_ICD9 ? 2 : 3, cut;
	enum phecode_how how = PHECODE_EXACT;
	int64_t e = find_entry(v, vocab, u, n);
	uint32_t j;

	*nout = 0;
	for (cut = 1; e < 0 && cut <= maxcut && (size_t)cut + 3 <= n; cut++) {
		e = find_entry(v, vocab, u, n - (size_t)cut);
		how = PHECODE_TRUNCATED;
	}
	if (e >= 0) {
		for (j = v->direct.off[e]; j < v->direct.off[e + 1]; j++)
			add_phecode(m, nout, v->direct.val[j]);
		return how;
	}
	if (m->ranges && n >= 3) {
		char cat[4];
		size_t i;

		memcpy(cat, u, 3);
		cat[3] = '\0';
		for (i = 0; i < v->nranges; i++)
			if (strcmp(v->ranges[i].lo, cat) <= 0 && strcmp(cat, v->ranges[i].hi) <= 0)
				add_phecode(m, nout, v->ranges[i].phecode);
		if (*nout > 0)
			return PHECODE_RANGE;
	}
	return PHECODE_UNMATCHED;
}

int
phecode_lookup(struct phecode_map *m, int vocab, const char *code, size_t len,
    const uint32_t **ids, enum phecode_how *how)
{
	struct phecode_vmap *v;
	struct phecode_cached *c;
	char u[32], d[40];
	size_t n, dl, nout, i, k;
	int added;
	uint32_t id;

	*ids = NULL;
	if (how != NULL)
		*how = PHECODE_UNMATCHED;
	if (vocab < 0 || vocab >= PHECODE_VOCAB_COUNT)
		return 0;
	v = &m->v[vocab];
	n = undot(code, len, u, sizeof u);
	dl = n == 0 ? 0 : dot_undotted(vocab, u, n, d, sizeof d);
	if (dl == 0) {
		/* Empty or absurdly long: counted as unmatched under one key. */
		memcpy(d, "(invalid)", 10);
		dl = 9;
		n = 0;
	}
	id = phecode_strtab_add(v->cache_keys, d, dl, &added);
	if (added) {
		if (id >= v->ccap) {
			v->ccap = v->ccap ? v->ccap * 2 : 1024;
			v->cache = xreallocarray(v->cache, v->ccap, sizeof *v->cache);
		}
		c = &v->cache[id];
		memset(c, 0, sizeof *c);
		c->how = n == 0 ? PHECODE_UNMATCHED : resolve(m, vocab, u, n, &nout);
		if (c->how != PHECODE_UNMATCHED && nout > 0) {
			qsort(m->scratch, nout, sizeof *m->scratch, cmp_u32);
			for (i = 0, k = 0; i < nout; i++)
				if (k == 0 || m->scratch[i] != m->scratch[k - 1])
					m->scratch[k++] = m->scratch[i];
			c->ids = xmalloc(k * sizeof *c->ids);
			memcpy(c->ids, m->scratch, k * sizeof *c->ids);
			c->nids = (int)k;
		}
	}
	c = &v->cache[id];
	c->count++;
	*ids = c->ids;
	if (how != NULL)
		*how = c->how;
	return c->nids;
}

void
phecode_get_stats(const struct phecode_map *m, struct phecode_stats *st)
{
	int vocab;
	uint32_t i, n;

	memset(st, 0, sizeof *st);
	for (vocab = 0; vocab < PHECODE_VOCAB_COUNT; vocab++) {
		n = phecode_strtab_count(m->v[vocab].cache_keys);
		for (i = 0; i < n; i++) {
			const struct phecode_cached *c = &m->v[vocab].cache[i];

			st->rows[vocab][c->how] += c->count;
			st->distinct[vocab][c->how]++;
		}
	}
}

int
phecode_top_unmatched(const struct phecode_map *m, int vocab, int n, const char **codes, size_t *counts)
{
	const struct phecode_vmap *v = &m->v[vocab];
	uint32_t i, nc = phecode_strtab_count(v->cache_keys);
	int k = 0, j;

	/* Insertion into a small top-n list; ties by code for a stable report. */
	for (i = 0; i < nc; i++) {
		const struct phecode_cached *c = &v->cache[i];
		const char *name = phecode_strtab_name(v->cache_keys, i);

		if (c->how != PHECODE_UNMATCHED || c->count == 0)
			continue;
		for (j = k; j > 0; j--) {
			if (counts[j - 1] > c->count ||
			    (counts[j - 1] == c->count && strcmp(codes[j - 1], name) < 0))
				break;
			if (j < n) {
				codes[j] = codes[j - 1];
				counts[j] = counts[j - 1];
			}
		}
		if (j < n) {
			codes[j] = name;
			counts[j] = c->count;
			if (k < n)
				k++;
		}
	}
	return k;
}

int
phecode_info_read(const char *dir, struct phecode_info *pi, char **cause)
{
	char *p = util_path_join(dir, "phecode_info.csv"), **f;
	struct csv_reader *r = csvr_open(p, cause);
	size_t *lens;
	int nf, rc, cap = 0, line = 0;

	memset(pi, 0, sizeof *pi);
	free(p);
	if (r == NULL)
		return -1;
	while ((rc = csvr_next(r, &f, &lens, &nf, cause)) == 1) {
		if (line++ == 0 || nf < 2)   /* the header: phecode, description, ... */
			continue;
		if (pi->n == cap) {
			cap = cap ? 2 * cap : 256;
			pi->code = xreallocarray(pi->code, (size_t)cap, sizeof *pi->code);
			pi->desc = xreallocarray(pi->desc, (size_t)cap, sizeof *pi->desc);
		}
		pi->code[pi->n] = xstrndup(f[0], lens[0]);
		pi->desc[pi->n] = xstrndup(f[1], lens[1]);
		pi->n++;
	}
	csvr_close(r);
	if (rc < 0) {
		phecode_info_done(pi);
		return -1;
	}
	return 0;
}

const char *
phecode_info_find(const struct phecode_info *pi, const char *code)
{
	int i;

	for (i = 0; pi != NULL && i < pi->n; i++)
		if (strcmp(pi->code[i], code) == 0)
			return pi->desc[i];
	return NULL;
}

void
phecode_info_done(struct phecode_info *pi)
{
	int i;

	for (i = 0; i < pi->n; i++) {
		free(pi->code[i]);
		free(pi->desc[i]);
	}
	free(pi->code);
	free(pi->desc);
	memset(pi, 0, sizeof *pi);
}
