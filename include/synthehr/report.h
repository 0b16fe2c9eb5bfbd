/* synthehr — GPL-3.0-or-later.
 * Outputs of the evaluation: the ranking (eval/ranking.json) under a weight
 * profile, its 80-column text table (every metric with its direction and
 * range), and the Markdown study report (cohort summary, prep log, metric
 * table, ranks, best set per profile, rank stability).  Text is built into
 * caller-freed strings; the front ends print it. */
#ifndef SYNTHEHR_REPORT_H
#define SYNTHEHR_REPORT_H

#include <jansson.h>

#include "synthehr/rank.h"
#include "synthehr/study.h"

/* Ranking of metrics.json under p: sets, per-metric values/ranks/weights,
 * overall, best, bootstrap stability, and the overall score under every
 * built-in and study profile.  NULL with *cause when there is nothing to
 * rank. */
json_t *report_ranking(json_t *metrics, json_t *rank_cfg, const struct rank_profile *p, int fractional,
    char **cause);
/* The ranking as an 80-column text table (caller frees). */
char *report_ranking_text(json_t *ranking);
/* Read eval/metrics.json, rank, write eval/ranking.json; *out (optional)
 * gets the ranking.  Returns 1 with *cause set (and *out filled) when only
 * saving ranking.json failed, e.g. on a read-only study. */
int report_rank_study(struct study *s, const char *profile, int fractional, json_t **out, char **cause);
/* Markdown report of the study into path (atomic). */
int report_markdown(struct study *s, const char *profile, int fractional, const char *path, char **cause);


/* The HTML report (report_html.c): one self-contained file with charts. */
#define REPORT_MIN_CELL 10
struct report_html_opts {
	const char *profile;      /* NULL: the study's profile */
	int fractional;
	int min_cell;             /* 0: study.json report.min_cell, else REPORT_MIN_CELL */
	const char *phecodes;     /* phecode map directory for concept names, or NULL */
};
int report_html(struct study *s, const struct report_html_opts *o, const char *path, char **cause);

#endif
