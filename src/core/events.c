/* synthehr — GPL-3.0-or-later.
 * Generic long-format importer: a patient table (an id column plus any
 * attributes) and an events table (patient id, code, optional vocabulary)
 * become one cohort row per patient: the patient's columns copied through
 * as they are, then one 0/1 concept column per code (or per phecode when a
 * phecode map is given), sorted as strings.  This is the shape of OMOP's
 * condition_occurrence and of most warehouse extracts.
 *
 * Three streaming passes: the patient table's ids (interned to dense
 * indices), the events (each one a packed (patient, concept) pair, 8
 * bytes, sorted and de-duplicated at the end), and the patient table again
 * while writing.  Memory is the id table plus 8 bytes per distinct
 * (patient, concept) pair. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synthehr/csvio.h"
#include "synthehr/mimic.h"
#include "synthehr/util.h"

#define PROGRESS_EVERY (1u << 20)

/* Blank-trimmed view of a field. */
static const char *
trim(const char *s, size_t len, size_t *out)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	*out = len;
	return s;
}

/* The first of names present in the header, or -1. */
static int
pick_column(char **f, int nf, const char *want, const char *const *names, const char **used)
{
	int i, c;

	if (want != NULL) {
		c = mimic_column(f, nf, want);
		*used = want;
		return c;
	}
	for (i = 0; names[i] != NULL; i++)
		if ((c = mimic_column(f, nf, names[i])) >= 0) {
			*used = names[i];
			return c;
		}
	return -1;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct ev_state {
	const struct events_options *o;
	struct events_summary *s;
	struct phecode_strtab *ids;       /* patient id → row */
	struct phecode_strtab *concepts;  /* raw concept name → id (no map) */
	struct phecode_map *map;
	char **pcols;                     /* patient table header */
	const char *idname;               /* the id column's name */
	int npcols, idcol;
	uint64_t *pairs;                  /* (patient << 32 | concept) */
	size_t npairs, cap;
};

static void
ev_progress(struct ev_state *st, const char *stage, size_t rows, int done)
{
	if (st->o->progress != NULL)
		st->o->progress(stage, rows, done, st->o->progress_arg);
}

static void
add_pair(struct ev_state *st, uint32_t patient, uint32_t concept)
{
	uint64_t x = (uint64_t)patient << 32 | concept;

	/* Repeats of the same pair in a row are common (one patient's rows
	 * come together); drop them early. */
	if (st->npairs > 0 && st->pairs[st->npairs - 1] == x)
		return;
	if (st->npairs == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 1 << 16;
		st->pairs = xreallocarray(st->pairs, st->cap, sizeof *st->pairs);
	}
	st->pairs[st->npairs++] = x;
}

/* Pass 1: ids of the patient table. */
static int
read_ids(struct ev_state *st, char **cause)
{
	static const char *const id_names[] = { "subject_id", "person_id", "patient_id", "id", NULL };
	struct csv_reader *r = csvr_open(st->o->patients, cause);
	char **f;
	size_t *l, len;
	int nf, rc, i, added;
	const char *s;

	if (r == NULL)
		return -1;
	rc = csvr_next(r, &f, &l, &nf, cause);
	if (rc <= 0) {
		if (rc == 0)
			util_fail(cause, "%s:1: empty file (expected a header line)", st->o->patients);
		goto fail;
	}
	st->npcols = nf;
	st->pcols = xcalloc((size_t)nf, sizeof *st->pcols);
	for (i = 0; i < nf; i++)
		st->pcols[i] = xstrdup(f[i]);
	st->idcol = pick_column(f, nf, st->o->id_col, id_names, &st->idname);
	if (st->idcol < 0) {
		if (st->o->id_col != NULL) {
			util_fail(cause, "%s:1: no column \"%s\" in the header (expected the patient id column)",
			    st->o->patients, st->o->id_col);
			goto fail;
		}
		st->idcol = 0;
	}
	st->idname = st->pcols[st->idcol];
	snprintf(st->s->id_col, sizeof st->s->id_col, "%s", st->idname);
	while ((rc = csvr_next(r, &f, &l, &nf, cause)) == 1) {
		if (nf != st->npcols) {
			util_fail(cause, "%s:%zu: %d fields (expected %d, as in the header)", st->o->patients,
			    csvr_line(r), nf, st->npcols);
			goto fail;
		}
		s = trim(f[st->idcol], l[st->idcol], &len);
		if (len == 0) {
			util_fail(cause, "%s:%zu:%d: empty patient id (expected an id in every row)",
			    st->o->patients, csvr_line(r), st->idcol + 1);
			goto fail;
		}
		phecode_strtab_add(st->ids, s, len, &added);
		if (!added) {
			util_fail(cause, "%s:%zu:%d: patient id appears twice (expected one row per patient)",
			    st->o->patients, csvr_line(r), st->idcol + 1);
			goto fail;
		}
		if (phecode_strtab_count(st->ids) % PROGRESS_EVERY == 0)
			ev_progress(st, "patients", phecode_strtab_count(st->ids), 0);
	}
	if (rc < 0)
		goto fail;
	csvr_close(r);
	st->s->patients = phecode_strtab_count(st->ids);
	ev_progress(st, "patients", st->s->patients, 1);
	return 0;
fail:
	csvr_close(r);
	return -1;
}

/* Pass 2: the events. */
static int
read_events(struct ev_state *st, char **cause)
{
	static const char *const code_names[] = { "icd_code", "code", "condition_source_value",
		"condition_concept_id", "concept_id", NULL };
	static const char *const vocab_names[] = { "icd_version", "vocabulary_id", "vocabulary", "vocab", NULL };
	const struct events_options *o = st->o;
	struct csv_reader *r = csvr_open(o->events, cause);
	char **f;
	size_t *l, n = 0, len, clen;
	int nf, rc, ncols, cid, ccode, cvoc = -1;
	const char *used = NULL, *s, *code;
	char *buf = NULL;
	size_t bcap = 0;

	if (r == NULL)
		return -1;
	rc = csvr_next(r, &f, &l, &nf, cause);
	if (rc <= 0) {
		if (rc == 0)
			util_fail(cause, "%s:1: empty file (expected a header line)", o->events);
		goto fail;
	}
	ncols = nf;
	cid = mimic_column(f, nf, st->idname);
	if (cid < 0) {
		util_fail(cause, "%s:1: no column \"%s\" in the header (expected the patient id, as in %s)",
		    o->events, st->idname, o->patients);
		goto fail;
	}
	ccode = pick_column(f, nf, o->code_col, code_names, &used);
	if (ccode < 0) {
		if (o->code_col != NULL)
			util_fail(cause, "%s:1: no column \"%s\" in the header (expected the code column)",
			    o->events, o->code_col);
		else
			util_fail(cause, "%s:1: no code column (expected icd_code, code or "
			    "condition_source_value; name it with --code)", o->events);
		goto fail;
	}
	snprintf(st->s->code_col, sizeof st->s->code_col, "%s", used);
	if (!o->no_vocab) {
		cvoc = pick_column(f, nf, o->vocab_col, vocab_names, &used);
		if (cvoc < 0 && o->vocab_col != NULL) {
			util_fail(cause, "%s:1: no column \"%s\" in the header (expected the vocabulary column)",
			    o->events, o->vocab_col);
			goto fail;
		}
		if (cvoc >= 0)
			snprintf(st->s->vocab_col, sizeof st->s->vocab_col, "%s", used);
	}
	if (st->map != NULL && cvoc < 0 && o->icd == 0) {
		util_fail(cause, "%s:1: no vocabulary column (mapping to phecodes needs icd_version or "
		    "vocabulary_id; name it with --vocab, or give --icd 9|10 for all codes)", o->events);
		goto fail;
	}
	while ((rc = csvr_next(r, &f, &l, &nf, cause)) == 1) {
		int64_t pi;

		if (nf != ncols) {
			util_fail(cause, "%s:%zu: %d fields (expected %d, as in the header)", o->events,
			    csvr_line(r), nf, ncols);
			goto fail;
		}
		if (++n % PROGRESS_EVERY == 0) {
			ev_progress(st, "events", n, 0);
			if (util_interrupted) {
				util_fail(cause, "interrupted");
				goto fail;
			}
		}
		s = trim(f[cid], l[cid], &len);
		pi = phecode_strtab_find(st->ids, s, len);
		if (pi < 0) {
			st->s->unknown_patient++;
			continue;
		}
		code = trim(f[ccode], l[ccode], &clen);
		if (clen == 0) {
			st->s->empty_code++;
			continue;
		}
		if (st->map != NULL) {
			int vocab = o->icd == 9 ? PHECODE_ICD9 : PHECODE_ICD10, k, nids;
			const uint32_t *ids;

			if (cvoc >= 0) {
				vocab = phecode_vocab_parse(f[cvoc], l[cvoc]);
				if (vocab < 0) {
					st->s->other_vocab++;
					continue;
				}
			}
			nids = phecode_lookup(st->map, vocab, code, clen, &ids, NULL);
			if (nids == 0)
				st->s->unmatched++;
			for (k = 0; k < nids; k++)
				add_pair(st, (uint32_t)pi, ids[k]);
		} else {
			const char *v = cvoc >= 0 ? trim(f[cvoc], l[cvoc], &len) : NULL;
			size_t need = clen + (v != NULL ? len + 1 : 0);

			if (need + 1 > bcap) {
				bcap = need + 64;
				buf = xrealloc(buf, bcap);
			}
			/* With a vocabulary column, concepts are VOCAB:CODE. */
			if (v != NULL && len > 0) {
				memcpy(buf, v, len);
				buf[len] = ':';
				memcpy(buf + len + 1, code, clen);
				need = len + 1 + clen;
			} else {
				memcpy(buf, code, clen);
				need = clen;
			}
			add_pair(st, (uint32_t)pi, phecode_strtab_add(st->concepts, buf, need, NULL));
		}
	}
	if (rc < 0)
		goto fail;
	free(buf);
	csvr_close(r);
	st->s->events = n;
	ev_progress(st, "events", n, 1);
	return 0;
fail:
	free(buf);
	csvr_close(r);
	return -1;
}

static const char *
concept_name(const struct ev_state *st, uint32_t id)
{
	return st->map != NULL ? phecode_name(st->map, id) : phecode_strtab_name(st->concepts, id);
}

static const struct ev_state *sort_state;

static int
cmp_concept(const void *a, const void *b)
{
	return strcmp(concept_name(sort_state, *(const uint32_t *)a),
	    concept_name(sort_state, *(const uint32_t *)b));
}

/* Pass 3: the patient table again, with the concept columns. */
static int
write_cohort(struct ev_state *st, char **cause)
{
	const struct events_options *o = st->o;
	uint32_t nall = st->map != NULL ? phecode_count(st->map) : phecode_strtab_count(st->concepts);
	uint32_t *colpos = xmalloc(((size_t)nall + 1) * sizeof *colpos), *used, nused = 0, j;
	uint8_t *isused = xcalloc((size_t)nall + 1, 1);
	size_t i, k, row = 0, seglen = 0, *l;
	struct csv_writer *w = NULL;
	struct csv_reader *r = NULL;
	const char **names = NULL, **roles = NULL;
	char **f, *seg = NULL;
	int nf, rc, c, nroles = 0;
	int64_t last = -1;

	/* Sort the pairs: patient-major, so each row's concepts are together. */
	qsort(st->pairs, st->npairs, sizeof *st->pairs, cmp_u64);
	for (i = 0, k = 0; i < st->npairs; i++)
		if (k == 0 || st->pairs[i] != st->pairs[k - 1])
			st->pairs[k++] = st->pairs[i];
	st->npairs = k;
	for (i = 0; i < st->npairs; i++) {
		isused[(uint32_t)st->pairs[i]] = 1;
		if ((int64_t)(st->pairs[i] >> 32) != last) {
			last = (int64_t)(st->pairs[i] >> 32);
			st->s->with_concept++;
		}
	}
	used = xmalloc(((size_t)nall + 1) * sizeof *used);
	for (j = 0; j < nall; j++)
		if (isused[j])
			used[nused++] = j;
	sort_state = st;
	qsort(used, nused, sizeof *used, cmp_concept);
	for (j = 0; j < nused; j++)
		colpos[used[j]] = j;
	st->s->nconcepts = nused;
	for (j = 0; j < nused; j++)
		for (c = 0; c < st->npcols; c++)
			if (strcmp(concept_name(st, used[j]), st->pcols[c]) == 0) {
				util_fail(cause, "%s: concept \"%s\" has the name of a patient column "
				    "(expected distinct names; rename the column)", o->events, st->pcols[c]);
				goto fail;
			}

	r = csvr_open(o->patients, cause);
	if (r == NULL)
		goto fail;
	if (csvr_next(r, &f, &l, &nf, cause) != 1) {
		util_fail(cause, "%s: changed while importing", o->patients);
		goto fail;
	}
	w = csvw_open(o->out, cause);
	if (w == NULL)
		goto fail;
	for (c = 0; c < st->npcols; c++)
		csvw_field(w, st->pcols[c]);
	for (j = 0; j < nused; j++)
		csvw_field(w, concept_name(st, used[j]));
	csvw_end_row(w);
	if (nused > 0) {
		seglen = 2 * (size_t)nused - 1;
		seg = xmalloc(seglen + 1);
		for (i = 0; i < seglen; i++)
			seg[i] = (i & 1) ? ',' : '0';
	}
	k = 0;
	while ((rc = csvr_next(r, &f, &l, &nf, cause)) == 1) {
		size_t k0;

		if (nf != st->npcols || row >= st->s->patients) {
			util_fail(cause, "%s:%zu: changed while importing", o->patients, csvr_line(r));
			goto fail;
		}
		for (c = 0; c < nf; c++)
			csvw_field(w, f[c]);
		/* Rows are read in the order their ids were numbered. */
		for (k0 = k; k < st->npairs && (st->pairs[k] >> 32) == row; k++)
			seg[2 * colpos[(uint32_t)st->pairs[k]]] = '1';
		if (nused > 0) {
			csvw_field_raw(w, seg, seglen);
			for (i = k0; i < k; i++)
				seg[2 * colpos[(uint32_t)st->pairs[i]]] = '0';
		}
		csvw_end_row(w);
		row++;
		if (row % (PROGRESS_EVERY / 16) == 0)
			ev_progress(st, "writing", row, 0);
	}
	if (rc < 0)
		goto fail;
	if (row != st->s->patients) {
		util_fail(cause, "%s: changed while importing", o->patients);
		goto fail;
	}
	csvr_close(r);
	r = NULL;
	rc = csvw_commit(w, cause);
	w = NULL;
	if (rc != 0)
		goto fail;
	ev_progress(st, "writing", row, 1);

	/* Roles: id, label, sex and every concept; other columns inferred. */
	names = xcalloc((size_t)nused + 3, sizeof *names);
	roles = xcalloc((size_t)nused + 3, sizeof *roles);
	names[nroles] = st->idname;
	roles[nroles++] = "id";
	if (o->label_col != NULL) {
		names[nroles] = o->label_col;
		roles[nroles++] = "label";
	}
	if (o->sex_col != NULL) {
		names[nroles] = o->sex_col;
		roles[nroles++] = "sex";
	}
	for (j = 0; j < nused; j++) {
		names[nroles] = concept_name(st, used[j]);
		roles[nroles++] = "concept";
	}
	if (mimic_write_schema(o->out, names, roles, nroles, NULL, o->sex_female, 0, "import-events",
	    cause) != 0) {
		unlink(o->out);
		goto fail;
	}
	free(names);
	free(roles);
	free(seg);
	free(used);
	free(isused);
	free(colpos);
	return 0;
fail:
	if (w != NULL)
		csvw_abort(w);
	csvr_close(r);
	free(names);
	free(roles);
	free(seg);
	free(used);
	free(isused);
	free(colpos);
	return -1;
}

/* The patient table must have the label and sex columns it is told of. */
static int
check_roles(struct ev_state *st, char **cause)
{
	const char *want[2] = { st->o->label_col, st->o->sex_col };
	int i, c;

	for (i = 0; i < 2; i++) {
		if (want[i] == NULL)
			continue;
		for (c = 0; c < st->npcols; c++)
			if (strcmp(st->pcols[c], want[i]) == 0)
				break;
		if (c == st->npcols)
			return util_fail(cause, "%s:1: no column \"%s\" in the header (expected the %s column)",
			    st->o->patients, want[i], i == 0 ? "label" : "sex");
	}
	return 0;
}

int
events_import(const struct events_options *o, struct events_summary *s, char **cause)
{
	struct ev_state st;
	double t0 = util_now();
	int rc = -1, c;

	memset(s, 0, sizeof *s);
	memset(&st, 0, sizeof st);
	st.o = o;
	st.s = s;
	if (o->icd != 0 && o->icd != 9 && o->icd != 10)
		return util_fail(cause, "--icd %d: expected 9 or 10", o->icd);
	if (o->map_dir != NULL) {
		st.map = phecode_map_load(o->map_dir, !o->no_rollup, o->ranges, cause);
		if (st.map == NULL)
			return -1;
		s->mapped = 1;
	} else
		st.concepts = phecode_strtab_new();
	st.ids = phecode_strtab_new();
	if (read_ids(&st, cause) != 0 || check_roles(&st, cause) != 0)
		goto done;
	if (read_events(&st, cause) != 0)
		goto done;
	if (st.map != NULL)
		phecode_get_stats(st.map, &s->map);
	if (write_cohort(&st, cause) != 0)
		goto done;
	rc = 0;
done:
	for (c = 0; c < st.npcols; c++)
		free(st.pcols[c]);
	free(st.pcols);
	phecode_strtab_free(st.ids);
	phecode_strtab_free(st.concepts);
	phecode_map_free(st.map);
	free(st.pairs);
	s->seconds = util_now() - t0;
	return rc;
}
