/* synthehr — GPL-3.0-or-later.
 * Generation (SPEC §3): sample a trained run's chosen checkpoint with the
 * generator's BatchNorm in inference mode, turn each categorical group into
 * a one-hot by argmax, threshold binary columns at 0.5 (or draw them as
 * Bernoulli), inverse-scale continuous columns with the layout's ranges
 * (clipped to them), and optionally keep the real training label counts by
 * rejection sampling.  Output: runs/run-K/synthetic.mtx (cohort units) and
 * synthetic.csv decoded to cohort units with the original column names. */
#ifndef SYNTHEHR_GENERATE_H
#define SYNTHEHR_GENERATE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "synthehr/mtx.h"
#include "synthehr/study.h"
#include "synthehr/wgan.h"

struct gen_opts {
	size_t rows;          /* rows to generate; 0: as many as the training rows */
	int stratify;         /* 1: same label proportion as the training rows (default) */
	int sample;           /* 1: binary columns drawn as Bernoulli(p), else p >= 0.5 */
	uint64_t seed;        /* generation seed; run K draws from stream K */
	int ckpt_epoch;       /* 0: the run's chosen checkpoint; E > 0: ckpt-E.bin; -1: ckpt-last.bin */
	double max_draw_factor; /* stratified: after this × rows drawn, the rest unstratified (default 50) */
	/* optional: rows written so far of total (generate streams its rows),
	 * and a warning (the unstratified remainder); cb_arg is passed back */
	void (*progress)(void *cb_arg, size_t done, size_t total);
	void (*warn)(void *cb_arg, const char *msg);
	void *cb_arg;
};

/* Defaults (rows 0, stratify 1, sample 0, seed 1, chosen checkpoint) then
 * study.json "generate" keys: rows, stratify, sample, seed, max_draw_factor. */
int gen_opts_load(json_t *section, struct gen_opts *o, char **cause);
/* Positive label rows of a matrix (0 when the layout has no label). */
size_t gen_label_count(const struct mtx *m, const struct layout *l);
/* Target positives for `rows` rows in the training proportion (rounded). */
size_t gen_label_target(const struct mtx *train, const struct layout *l, size_t rows);

/* Draw rows from a model as an unscaled matrix (cohort units).  When
 * l->enc_on the model's network columns are decoded through l->enc
 * (continuous values of the column's type and range; zero indicators and
 * binary columns thresholded at 0.5, or Bernoulli with o->sample).  With
 * o->stratify and a label column, exactly npos rows have label 1 unless the
 * generator hardly ever produces one class: after o->max_draw_factor × rows
 * draws the remaining rows are taken as drawn. */
int gen_sample(struct wgan *w, const struct layout *l, const struct gen_opts *o, size_t rows,
    size_t npos, struct rng *r, struct mtx **out, char **cause);
/* The same; *unstrat gets the rows taken without the quota (0: none). */
int gen_sample_ex(struct wgan *w, const struct layout *l, const struct gen_opts *o, size_t rows,
    size_t npos, struct rng *r, struct mtx **out, size_t *unstrat, char **cause);
/* Draws allowed beyond max_draw_factor × rows before stratification stops
 * (100,000; tests lower it). */
extern size_t gen_draw_floor;
/* Build run K's model from its state.json settings and load a checkpoint
 * (ckpt_epoch as in gen_opts); *epoch gets the checkpoint's epoch.  Sets
 * l->enc_on as the run was trained (prep's encodings or min–max).  -2: a
 * damaged checkpoint or one of another model, layout or training rows;
 * -1: any other failure. */
int gen_load_model(struct study *s, int run, int ckpt_epoch, struct layout *l,
    struct wgan **out, int *epoch, char **cause);
/* Generate run K and write its synthetic.mtx and synthetic.csv, streamed
 * in chunks of rows into a staging directory and switched in together.
 * -2: damaged or foreign training rows or checkpoint, or a run trained on
 * other training rows; -1: any other failure; nothing is written on
 * failure. */
int gen_run(struct study *s, int run, const struct gen_opts *o, size_t *rows_out, char **cause);
/* Write the set REL/synthetic.mtx and REL/synthetic.csv (rel is relative
 * to the study) through the set switch (set_switch.h): the previous set or
 * this one, never a mix. */
int gen_write_set(struct study *s, const char *rel, const struct layout *l, const struct mtx *m,
    char **cause);
/* Write synthetic.csv and synthetic.mtx (naming the CSV) into DIR, a
 * set's staging directory. */
int gen_write_files(const char *dir, const struct layout *l, const struct mtx *m, char **cause);

#endif
