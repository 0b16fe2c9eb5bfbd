/* synthehr — GPL-3.0-or-later.
 * The study directory: study.json (every setting of every stage, as JSON
 * sections) plus prep/, runs/run-N/ and eval/.  Directories 0700, files
 * 0600, every write atomic.  This is the façade the front ends call. */
#ifndef SYNTHEHR_STUDY_H
#define SYNTHEHR_STUDY_H

#include <jansson.h>

#include "synthehr/json.h"

struct study {
	char *dir;        /* study directory path */
	json_t *cfg;      /* study.json */
};

/* Create DIR (0700, must not exist or be empty) with a fresh study.json. */
int study_create(const char *dir, struct study **out, char **cause);
int study_open(const char *dir, struct study **out, char **cause);
void study_free(struct study *s);
/* Atomically rewrite study.json. */
int study_save(struct study *s, char **cause);
/* The object at cfg[name], created empty if absent. */
json_t *study_section(struct study *s, const char *name);
/* Caller-freed DIR/rel. */
char *study_path(const struct study *s, const char *rel);
/* mkdir -p DIR/rel with 0700. */
int study_mkdir(const struct study *s, const char *rel, char **cause);

/* Creating a study from a cohort (study_init.c). */
struct cohort;
struct study_role {
	const char *column;
	int role;                 /* enum col_role */
};
struct study_init_opts {
	const char *data;         /* cohort CSV/CSV.gz; NULL with demo */
	int demo;                 /* the built-in demo cohort, written to STUDY/source/demo.csv.gz */
	size_t demo_rows;         /* 0: demo default */
	int demo_concepts;        /* 0: demo default */
	unsigned long long demo_seed;
	int demo_no_extract;      /* 1: without the extract's columns (--full, --no-extract) */
	const char *label;        /* --label COL */
	const char *sex;          /* --sex COL */
	const struct study_role *roles;   /* --role COL=ROLE, applied last */
	int nroles;
	void (*note)(void *ctx, const char *msg);   /* inference notes (csv_options.note) */
	void *note_ctx;
};
/* Validate and load the cohort (the FILE.schema.json sidecar's roles, then
 * --label/--sex/--role), and only then create DIR with study.json: "source"
 * (path, sha256, size, rows, cols), "schema" ("roles" for every column,
 * "sex_female", "columns": name/role/kind/missing/levels) and the
 * sidecar's "prep".  On error nothing is written.  *out may be NULL. */
int study_init(const char *dir, const struct study_init_opts *o, struct study **out, char **cause);
/* Several columns that look like the outcome and no label chosen (by
 * --label, a role or the sidecar): study_init refuses with a message
 * listing them.  This lists them from a preview of FILE (its first 1,000
 * rows) with o's roles, so a front end can ask first: *names (caller
 * frees each and the array) and the count; 0 when there is nothing to ask. */
int study_label_candidates(const char *file, const struct study_init_opts *o, char ***names, int *n,
    char **cause);
/* Re-read the study's source cohort applying the stored schema (roles, the
 * female level, level order).  Refuses a source whose size changed. */
int study_load_cohort(struct study *s, struct cohort **out, char **cause);
/* Caller-freed absolute (or study-relative resolved) path of the source. */
char *study_source_path(const struct study *s);
/* Recompute the source's SHA-256 and compare with study.json. */
int study_check_source(struct study *s, char **cause);
/* The schema object for a cohort: {"roles", "sex_female"?, "columns"}. */
json_t *study_schema_from_cohort(const struct cohort *c, const char *sex_female);

/* Identity of the study's source for caches: sha256 of the source file (or
 * of the source settings for built-in cohorts) and the schema. */
int study_source_key(const struct study *s, char out[65], char **cause);

/* SHA-256 (hex) of the study's file REL ("prep/train.mtx"): 0, or -1 with
 * *cause naming the file. */
int study_sha256(const struct study *s, const char *rel, char out[65], char **cause);

#endif
