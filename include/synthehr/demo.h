/* synthehr — GPL-3.0-or-later.
 * The built-in demo cohort: a seeded simulator shaped like the tutorial's
 * MIMIC-IV cohort (label DIE_1y, AGE, GENDER, RACE, BMI, DIASTOLIC,
 * SYSTOLIC and phecode-named concept columns).  Same options, same seed:
 * the same cohort, byte for byte once written. */
#ifndef SYNTHEHR_DEMO_H
#define SYNTHEHR_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "synthehr/cohort.h"

#define DEMO_QUICK_ROWS 5000
#define DEMO_QUICK_CONCEPTS 300
#define DEMO_FULL_ROWS 181294
#define DEMO_FULL_CONCEPTS 1588     /* every phecode the demo knows */

struct demo_opts {
	size_t rows;        /* patients (0: DEMO_QUICK_ROWS) */
	int concepts;       /* phecode columns, 0..DEMO_FULL_CONCEPTS (0: DEMO_QUICK_CONCEPTS) */
	uint64_t seed;      /* simulator seed */
	int extract;        /* add a hospital extract's columns (demo_opts_init: 1, full: 0) */
};

/* The extract's columns, appended after the concepts (demo.c explains them). */
#define DEMO_EXTRACT_COLS 7

/* Quick defaults: 5,000 patients, 300 concepts, seed 1, with the extract's
 * columns (ED_VISITS, ADMISSIONS, N_MEDS, CREATININE, ADMISSION_TYPE,
 * HEART_RATE, RESP_RATE). */
void demo_opts_init(struct demo_opts *o);
/* The tutorial's size and shape: 181,294 patients, 1,588 concepts, no
 * extract columns (SPEC §2's model matrix). */
void demo_opts_full(struct demo_opts *o);
int demo_generate(const struct demo_opts *o, struct cohort **out, char **cause);
/* The schema sidecar for a demo cohort (roles, female level, RACE level
 * order and the tutorial's outlier rules as "prep"); caller decrefs. */
json_t *demo_schema(void);
/* The same for a cohort generated with o (NULL: demo_opts_init). */
json_t *demo_schema_for(const struct demo_opts *o);
/* Generate and write PATH (.csv or .csv.gz) and PATH.schema.json, both
 * atomically; nothing is left behind on failure. */
int demo_write(const struct demo_opts *o, const char *path, char **cause);
/* The i-th phecode the demo knows, in column order (NULL past the end). */
const char *demo_code_name(int i);
/* The demo's phecodes with their descriptions (phecode_info_done frees). */
struct phecode_info;
void demo_phecode_info(struct phecode_info *pi);

#endif
