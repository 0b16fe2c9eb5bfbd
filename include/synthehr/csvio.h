/* synthehr — GPL-3.0-or-later.
 * CSV and CSV.gz reading and writing on libcsv and zlib.  Reading streams
 * rows; errors name the file, line and column and what was expected. */
#ifndef SYNTHEHR_CSVIO_H
#define SYNTHEHR_CSVIO_H

#include <stddef.h>
#include "synthehr/cohort.h"

/* Streaming reader: .gz is detected from the gzip magic, not the name.
 * A UTF-8 BOM is skipped; CRLF and RFC 4180 quoting are handled. */
struct csv_reader;
struct csv_reader *csvr_open(const char *path, char **cause);
/* Next record: returns 1 with fields, lens and nfields valid until the next
 * call, 0 at end of file, -1 on error (unterminated quote, read error,
 * NUL byte) with *cause set. */
int csvr_next(struct csv_reader *r, char ***fields, size_t **lens, int *nfields, char **cause);
/* 1-based physical line on which the last returned record started. */
size_t csvr_line(const struct csv_reader *r);
const char *csvr_path(const struct csv_reader *r);
/* Bytes of input consumed so far (uncompressed), for progress. */
size_t csvr_bytes(const struct csv_reader *r);
void csvr_close(struct csv_reader *r);

/* Streaming writer; atomic (temporary file + rename on commit).  A name
 * ending in ".gz" is compressed. */
struct csv_writer;
struct csv_writer *csvw_open(const char *path, char **cause);
void csvw_field(struct csv_writer *w, const char *s);      /* quoted as needed */
void csvw_field_num(struct csv_writer *w, double v);       /* shortest round-trip; NaN → empty */
/* A field written as is, without quoting (caller guarantees no , " CR LF). */
void csvw_field_raw(struct csv_writer *w, const char *s, size_t n);
void csvw_end_row(struct csv_writer *w);
int csvw_commit(struct csv_writer *w, char **cause);       /* frees w */
void csvw_abort(struct csv_writer *w);                     /* frees w, removes temp */

/* A role fixed by the user (study.json) for a named column. */
struct csv_override {
	const char *name;
	int role;              /* enum col_role */
};

struct csv_options {
	const char *const *missing_tokens;  /* NULL: "", NA, NaN, null, N/A, NULL, nan, . */
	int max_cat_levels;                 /* text columns with at most this many levels become
	                                       categorical (default 20) */
	const struct csv_override *overrides;
	int noverrides;
	int header_only;                    /* preview: stop after the header and the first
	                                       1000 data rows (the cohort holds those rows) */
	int max_int_cat_levels;             /* integer-coded numeric columns with 3..this many
	                                       distinct values become categorical (default 5;
	                                       negative: never) */
	const char *sex_female;             /* label of the sex column's female level (e.g. "1",
	                                       "F"); NULL: f/female/woman, or the larger of two
	                                       numeric codes (0/1: 1 = female) */
	int no_auto_label;                  /* do not pick a label column by name */
	/* Notes for the user about what inference did (missing-value tokens,
	 * stray cells read as missing, thousands separators, decimal commas);
	 * never a cell's value.  NULL: silent. */
	void (*note)(void *ctx, const char *msg);
	void *note_ctx;
};

/* Columns whose names and values make them look like the outcome (0/1,
 * both classes, a name like death, DIE_1y, readmit_30d, mortality, ...)
 * and that no override fixes: their indices in out[0..max), the count as
 * the result.  When there are several, csv_read_cohort picks none. */
int csv_label_candidates(const struct cohort *c, const struct csv_options *opt, int *out, int max);

/* Load a whole cohort with type inference (see csvload.c for the rules). */
int csv_read_cohort(const char *path, const struct csv_options *opt, struct cohort **out, char **cause);
/* Write a cohort back with original names, units and category labels. */
int csv_write_cohort(const char *path, const struct cohort *c, char **cause);

#endif
