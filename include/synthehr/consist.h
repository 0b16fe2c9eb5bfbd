/* synthehr — GPL-3.0-or-later.
 * Cross-file consistency of a study: layout <-> matrices <-> checkpoints
 * <-> synthetic sets <-> metrics, from the provenance each file records. */
#ifndef SYNTHEHR_CONSIST_H
#define SYNTHEHR_CONSIST_H

#include "synthehr/study.h"

/* stale = 0: files that do not belong together (a problem); 1: a result
 * made from older inputs (re-run the stage the message names). */
typedef void (*consist_cb)(int stale, const char *path, const char *msg, void *arg);
/* Walk the study; calls cb for each finding and returns their number. */
int study_consistency(const struct study *s, consist_cb cb, void *arg);
/* The number of stale results (0 when everything is current). */
int study_metrics_stale(const struct study *s);

#endif
