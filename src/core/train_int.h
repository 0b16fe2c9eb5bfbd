/* synthehr — GPL-3.0-or-later.
 * The loss history of a run in memory and in loss.csv (train_files.c),
 * shared by the worker (train.c); not part of the public API. */
#ifndef SYNTHEHR_TRAIN_INT_H
#define SYNTHEHR_TRAIN_INT_H

#include "synthehr/wgan.h"

#define HIST_FIELDS 8   /* disc_loss, w_distance, gp, gen_loss, d_real, d_fake, seconds, epoch */

struct run_hist {
	int n, cap;
	double *v[HIST_FIELDS];   /* [cap] each */
};

void hist_push(struct run_hist *h, const struct wgan_stats *st, double seconds, int epoch);
void hist_free(struct run_hist *h);
/* Rewrite loss.csv atomically with rows of epochs <= upto. */
int loss_write(const char *path, const struct run_hist *h, int upto, char **cause);
/* Read loss.csv rows with epoch <= upto into h (h empty).  A missing file
 * gives an empty history; a malformed row is an error naming its line. */
int loss_read(const char *path, struct run_hist *h, int upto, char **cause);

#endif
