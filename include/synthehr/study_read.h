/* synthehr — GPL-3.0-or-later.
 * Readers of the study layout for front ends (the workbench's screens, a
 * CLI following a study): a run's loss history, the prep log, the metrics,
 * and which results are stale.  They read what the stages write; nothing
 * here writes. */
#ifndef SYNTHEHR_STUDY_READ_H
#define SYNTHEHR_STUDY_READ_H

#include <jansson.h>

#include "synthehr/study.h"

/* A CSV of numbers with a header row, by column. */
struct study_table {
	int nrows, ncols;
	char **names;
	double **cols;            /* cols[c][row]; NAN where a cell is not a number */
};

/* Read a numeric CSV (path relative to the study, or absolute with s NULL):
 * 0, or -1 when absent or unreadable. */
int study_read_table(const struct study *s, const char *rel, struct study_table *t);
/* runs/run-N/loss.csv: epoch, disc_loss, w_distance, gp, gen_loss, ... per
 * epoch, written at every checkpoint. */
int study_read_loss(const struct study *s, int run, struct study_table *t);
/* A column by name, or NULL. */
const double *study_table_col(const struct study_table *t, const char *name);
void study_table_free(struct study_table *t);

/* prep/log.json and eval/metrics.json: 0 with *out; -1 when absent (*cause
 * NULL) or unreadable (*cause says why). */
int study_read_prep_log(const struct study *s, json_t **out, char **cause);
int study_read_metrics(const struct study *s, json_t **out, char **cause);

/* Results older than what they were made from (bits):
 * PREP: prep/ was written from another plan than study.json's "prep"
 *       (plan_json: the current plan as prep_plan_to_json gives it; NULL
 *       skips this check);
 * RUNS: a run's state.json is older than prep/train.mtx;
 * EVAL: eval/metrics.json is older than a synthetic set. */
enum { STUDY_STALE_PREP = 1, STUDY_STALE_RUNS = 2, STUDY_STALE_EVAL = 4 };
int study_stale(const struct study *s, json_t *plan_json);

#endif
