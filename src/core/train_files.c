/* synthehr — GPL-3.0-or-later.
 * The files of a training run that other stages read too (train.h): the
 * run directory, state.json, the loss history in loss.csv, and the prep
 * data a run learns from.  The worker that writes them is train.c. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/prep.h"
#include "synthehr/train.h"
#include "synthehr/util.h"
#include "train_int.h"

/* ---- Run directory files */

char *
train_run_dir(int run)
{
	return xsprintf("runs/run-%d", run);
}

int
train_read_state(struct study *s, int run, json_t **out, char **cause)
{
	char *rel = xsprintf("runs/run-%d/state.json", run), *path = study_path(s, rel);
	int rc;

	free(rel);
	if (!util_file_exists(path)) {
		rc = util_fail(cause, "%s: not found (run %d has not been trained)", path, run);
		free(path);
		return rc;
	}
	rc = js_read_file(path, out, cause);
	free(path);
	return rc;
}

void
hist_push(struct run_hist *h, const struct wgan_stats *st, double seconds, int epoch)
{
	int f;

	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 256;
		for (f = 0; f < HIST_FIELDS; f++)
			h->v[f] = xreallocarray(h->v[f], (size_t)h->cap, sizeof(double));
	}
	h->v[0][h->n] = st->disc_loss;
	h->v[1][h->n] = st->w_distance;
	h->v[2][h->n] = st->gp;
	h->v[3][h->n] = st->gen_loss;
	h->v[4][h->n] = st->d_real;
	h->v[5][h->n] = st->d_fake;
	h->v[6][h->n] = seconds;
	h->v[7][h->n] = epoch;
	h->n++;
}

void
hist_free(struct run_hist *h)
{
	int f;

	for (f = 0; f < HIST_FIELDS; f++)
		free(h->v[f]);
	memset(h, 0, sizeof *h);
}

static const char loss_header[] = "epoch,disc_loss,w_distance,gp,gen_loss,d_real,d_fake,seconds\n";

/* Rewrite loss.csv atomically with rows of epochs <= upto. */
int
loss_write(const char *path, const struct run_hist *h, int upto, char **cause)
{
	struct atomic_file af;
	char buf[64];
	int i, f;
	static const int order[7] = { 0, 1, 2, 3, 4, 5, 6 };

	if (atomic_open(&af, path, cause) != 0)
		return -1;
	fputs(loss_header, af.fp);
	for (i = 0; i < h->n && h->v[7][i] <= upto; i++) {
		fprintf(af.fp, "%d", (int)h->v[7][i]);
		for (f = 0; f < 7; f++) {
			util_format_double(buf, sizeof buf, h->v[order[f]][i]);
			fprintf(af.fp, ",%s", buf);
		}
		fputc('\n', af.fp);
	}
	if (ferror(af.fp)) {
		atomic_abort(&af);
		return util_fail_errno(cause, path);
	}
	return atomic_commit(&af, cause);
}

/* Read loss.csv rows with epoch <= upto into h (h empty).  A missing file
 * gives an empty history; a malformed row is an error naming its line. */
int
loss_read(const char *path, struct run_hist *h, int upto, char **cause)
{
	char *data, *p, *line, *end;
	size_t len;
	int lineno = 0;

	if (!util_file_exists(path))
		return 0;
	if (util_read_file(path, &data, &len, cause) != 0)
		return -1;
	for (p = data; *p != '\0'; p = end) {
		double v[8];
		int k = 0;
		char *tok, *q;

		line = p;
		end = strchr(p, '\n');
		if (end == NULL)
			end = p + strlen(p);
		else
			*end++ = '\0';
		lineno++;
		if (lineno == 1 || *line == '\0')
			continue;
		for (tok = line; k < 8; tok = q + 1) {
			q = strchr(tok, ',');
			if (q == NULL)
				q = tok + strlen(tok);
			if (util_parse_double(tok, (size_t)(q - tok), &v[k]) != 0)
				break;
			k++;
			if (*q == '\0')
				break;
		}
		if (k != 8) {
			free(data);
			return util_fail(cause, "%s:%d: expected 8 numbers (%s)", path, lineno,
			    "epoch,disc_loss,w_distance,gp,gen_loss,d_real,d_fake,seconds");
		}
		if (v[0] > upto)
			break;
		{
			struct wgan_stats st = { v[1], v[2], v[3], v[4], v[5], v[6] };

			hist_push(h, &st, v[7], (int)v[0]);
		}
	}
	free(data);
	return 0;
}

/* Load prep/layout.json and prep/train.mtx of a study. */
int
train_load_data(struct study *s, struct layout **lo, struct mtx **tr, char **cause)
{
	char *lp = study_path(s, "prep/layout.json"), *tp = study_path(s, "prep/train.mtx");
	json_t *lj = NULL;
	int rc = -1;

	*lo = NULL;
	*tr = NULL;
	if (!util_file_exists(lp) || !util_file_exists(tp)) {
		util_fail(cause, "%s: not found; run \"synthehr prep %s\" first",
		    util_file_exists(lp) ? tp : lp, s->dir);
		goto out;
	}
	if (js_read_file(lp, &lj, cause) != 0 || layout_from_json(lj, lo, cause) != 0)
		goto out;
	if (mtx_read(tp, *lo, tr, cause) != 0 || prep_load_encoding(s, *lo, cause) != 0)
		goto out;
	{
		char key[65];

		if (mtx_expect(*tr, tp, MTX_ROLE_TRAIN, NULL, cause) != 0 ||
		    (study_source_key(s, key, NULL) == 0 && util_hex64(key) != (*tr)->prov.source &&
		    util_fail(cause, "%s: made from another cohort or schema than this study's; re-run "
		    "'synthehr prep %s'", tp, s->dir) != 0)) {
			mtx_free(*tr);
			*tr = NULL;
			goto out;
		}
	}
	if (!(*tr)->scaled)
		mtx_scale(*tr, *lo);
	rc = 0;
out:
	if (rc != 0 && *lo != NULL) {
		layout_free(*lo);
		*lo = NULL;
	}
	if (lj != NULL)
		json_decref(lj);
	free(lp);
	free(tp);
	return rc;
}

int
train_read_loss(struct study *s, int run, double *cols[8], int *n, char **cause)
{
	struct run_hist h;
	char *dir = train_run_dir(run), *rel = xsprintf("%s/loss.csv", dir), *p = study_path(s, rel);
	int rc, f;

	free(dir);
	free(rel);
	memset(&h, 0, sizeof h);
	rc = loss_read(p, &h, INT_MAX, cause);
	free(p);
	*n = rc == 0 ? h.n : 0;
	/* Hand back in file order: epoch first, then the seven numbers. */
	cols[0] = h.v[7];
	for (f = 0; f < 7; f++)
		cols[f + 1] = h.v[f];
	if (rc != 0) {
		for (f = 0; f < 8; f++) {
			free(cols[f]);
			cols[f] = NULL;
		}
	}
	return rc;
}
