/* synthehr — GPL-3.0-or-later.
 * Cohort importers.  mimic_import builds the tutorial's cohort from
 * MIMIC-IV's hosp tables (patients, admissions, diagnoses_icd, omr) as
 * PhysioNet ships them; events_import builds a cohort from a patient table
 * plus a long-format events table (patient id, code, optional vocabulary).
 * Both stream their inputs, keep one compact record per patient, write the
 * cohort CSV(.gz) row by row and a schema sidecar OUT.schema.json with the
 * roles preset (doc/internals.md).  Nothing is written when an input is
 * malformed. */
#ifndef SYNTHEHR_MIMIC_H
#define SYNTHEHR_MIMIC_H

#include <stddef.h>
#include "synthehr/phecode.h"

/* Progress: stage name, rows read so far in it, done = 1 at its end. */
typedef void mimic_progress_fn(const char *stage, size_t rows, int done, void *arg);

struct mimic_options {
	const char *mimic_dir;    /* MIMIC-IV root (with hosp/) or the hosp directory */
	const char *map_dir;      /* phecode map directory */
	const char *out;          /* cohort .csv or .csv.gz */
	int no_rollup;            /* keep direct phecodes only */
	int ranges;               /* match ICD-10 range rows as a last fallback */
	mimic_progress_fn *progress;
	void *progress_arg;
};

/* Race groups of the tutorial, in its column order. */
enum mimic_race {
	MIMIC_RACE_WHITE,
	MIMIC_RACE_BLACK,
	MIMIC_RACE_ASIAN,
	MIMIC_RACE_HISPANIC,
	MIMIC_RACE_UN,
	MIMIC_RACE_OTHER,
	MIMIC_RACE_COUNT
};
const char *mimic_race_name(int race);
/* The tutorial's grouping of a MIMIC race string (prefix match). */
int mimic_race_group(const char *s, size_t len);

struct mimic_summary {
	size_t patients;             /* rows of patients */
	size_t admissions;           /* rows of admissions */
	size_t adm_unknown_patient;  /* admissions of subjects not in patients */
	size_t adm_no_dischtime;     /* admissions without a dischtime (skipped) */
	size_t with_admission;       /* patients with ≥ 1 admission */
	size_t died_in_hospital;     /* last admission has a deathtime */
	size_t kept;                 /* cohort rows */
	size_t label1, label0;       /* DIE_1y among kept */
	size_t female;
	size_t race[MIMIC_RACE_COUNT];
	size_t diag_rows, diag_kept_rows, diag_unknown_patient;
	size_t omr_rows, omr_bad_values;
	size_t with_bmi, with_bp;    /* kept patients with a value */
	size_t bp_nonpositive;       /* latest BP had sys ≤ 0 and dia ≤ 0: set missing */
	size_t nphecodes;            /* phecode columns written */
	size_t nconcept_cells;       /* ones in the phecode columns */
	struct phecode_stats map;
	const char *top_unmatched[PHECODE_VOCAB_COUNT][10];   /* valid until mimic_summary_done */
	size_t top_unmatched_n[PHECODE_VOCAB_COUNT][10];
	int ntop_unmatched[PHECODE_VOCAB_COUNT];
	double seconds;
	struct phecode_map *map_;    /* owned; keeps top_unmatched alive */
};

int mimic_import(const struct mimic_options *o, struct mimic_summary *s, char **cause);
void mimic_summary_done(struct mimic_summary *s);

struct events_options {
	const char *patients;     /* patient table: id + attributes */
	const char *events;       /* events table: id, code[, vocabulary] */
	const char *out;
	const char *id_col;       /* NULL: subject_id, person_id, patient_id, id, else the first column */
	const char *code_col;     /* NULL: icd_code, code, condition_source_value, concept_id */
	const char *vocab_col;    /* NULL: icd_version, vocabulary_id, vocabulary, vocab if present */
	int no_vocab;             /* ignore any vocabulary column */
	int icd;                  /* 9 or 10: vocabulary of every code when there is no column; 0 none */
	const char *map_dir;      /* NULL: codes used as they are */
	int no_rollup, ranges;
	const char *label_col;    /* patient column with role label, or NULL */
	const char *sex_col;      /* patient column with role sex, or NULL */
	const char *sex_female;   /* the sex column's female value, or NULL */
	mimic_progress_fn *progress;
	void *progress_arg;
};

struct events_summary {
	size_t patients, events;
	size_t unknown_patient;      /* events whose id is not in the patient table */
	size_t empty_code;           /* events with an empty code */
	size_t other_vocab;          /* events whose vocabulary is not ICD-9/10 (with a map) */
	size_t unmatched;            /* events whose code maps to no phecode */
	size_t nconcepts;            /* concept columns written */
	size_t with_concept;         /* patients with at least one concept */
	char id_col[128], code_col[128], vocab_col[128];   /* the columns used ("" = none) */
	struct phecode_stats map;
	int mapped;                  /* 1 when a phecode map was used */
	double seconds;
};

int events_import(const struct events_options *o, struct events_summary *s, char **cause);

/* Shared by the importers (mimic.c). */
/* Write OUT.schema.json: roles as (name, role) pairs; default_role and
 * sex_female may be NULL; with_prep adds the tutorial's outlier rules. */
int mimic_write_schema(const char *out, const char *const *names, const char *const *roles, int n,
    const char *default_role, const char *sex_female, int with_prep, const char *importer,
    char **cause);
/* Column index of name in a header, or -1. */
int mimic_column(char **f, int nf, const char *name);

#endif
