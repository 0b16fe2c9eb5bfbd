/* synthehr — GPL-3.0-or-later.
 * Training settings (train.h): the presets, study.json "train" through the
 * settings table (settings.c), the hashes that say whether a run can be
 * resumed, the model configuration of a layout, and the metric rule's
 * quick fidelity score.  The runs themselves are in train.c. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/encode.h"
#include "synthehr/settings.h"
#include "synthehr/train.h"
#include "synthehr/util.h"

int
train_settings_preset(const char *name, struct train_settings *ts, char **cause)
{
	memset(ts, 0, sizeof *ts);
	/* Shared by both presets. */
	ts->runs = 5;
	ts->drop_remainder = 1;
	ts->gp_lambda = 10;
	ts->adam_b1 = 0.9;
	ts->adam_b2 = 0.999;
	ts->seed = 1;
	ts->ckpt_keep = 5;
	ts->threads = 0;
	ts->minutes = 0;
	ts->lr_schedule = TRAIN_LR_CONSTANT;
	ts->lr_floor = 0.1;
	ts->parallel = 0;
	if (strcmp(name, "tutorial") == 0) {
		/* SPEC §1.1–1.5 exactly. */
		ts->epochs = 15000;
		ts->batch = 4096;
		ts->zdim = 128;
		ts->width = 384;
		ts->depth = 5;
		ts->lr_g = 1e-5;
		ts->lr_d = 2e-5;
		ts->optimizer = WGAN_OPT_RMSPROP;
		ts->ckpt_every = 50;
		ts->ckpt_after = 100;
		ts->rule = TRAIN_RULE_TUTORIAL;
		ts->metric_rows = 0;
		ts->parallel = 1;   /* a large model: one run at a time on every core */
		ts->encode = 0;   /* min–max, the tutorial's */
	} else if (strcmp(name, "quick") == 0) {
		/* Sized by equal-CPU trials on the demo (5k, 50k rows) and real
		 * cohorts (bench/quick_preset.sh, doc/train.md): a smaller, faster
		 * model sees several times more rows per CPU-second and scored
		 * better on every cohort than the earlier 256/128/3/64 at 2e-4. */
		ts->epochs = 1000;
		ts->batch = 128;
		ts->zdim = 32;
		ts->width = 64;
		ts->depth = 2;
		ts->lr_g = 5e-4;
		ts->lr_d = 5e-4;
		ts->lr_schedule = TRAIN_LR_COSINE;   /* constant 5e-4 scored far worse late in a run */
		ts->optimizer = WGAN_OPT_ADAM;
		ts->adam_b1 = 0.5;
		ts->adam_b2 = 0.9;
		ts->ckpt_every = 25;
		ts->ckpt_after = 50;
		ts->rule = TRAIN_RULE_METRIC;
		ts->metric_rows = 0;
		ts->encode = 1;   /* prep's per-column encodings */
	} else
		return util_fail(cause, "unknown training preset \"%s\" (expected quick or tutorial)", name);
	snprintf(ts->preset, sizeof ts->preset, "%s", name);
	return 0;
}

const char *
train_rule_name(int rule)
{
	return rule == TRAIN_RULE_METRIC ? "metric" : "tutorial";
}

static const char *const lr_schedule_names[TRAIN_LR_COUNT] = { "constant", "cosine", "step" };

const char *
train_lr_schedule_name(int schedule)
{
	return schedule >= 0 && schedule < TRAIN_LR_COUNT ? lr_schedule_names[schedule] : "constant";
}

double
train_lr_factor(int schedule, double floor_, double p)
{
	if (!(p > 0))
		p = 0;
	if (p > 1)
		p = 1;
	switch (schedule) {
	case TRAIN_LR_COSINE:
		return floor_ + (1 - floor_) * 0.5 * (1 + cos(3.14159265358979323846 * p));
	case TRAIN_LR_STEP:
		return ldexp(1.0, -SH_MIN(3, (int)floor(4 * p)));
	default:
		return 1;
	}
}

int
train_parallel(const struct train_settings *ts, int nruns)
{
	int p = ts->parallel;

	/* Auto: all at once, one BLAS thread each (measured in bench/train_run.sh:
	 * less CPU time than one after another with two threads, and bit-identical
	 * results), unless train.threads asks for several threads per run. */
	if (p <= 0)
		p = ts->threads > 1 ? 1 : nruns;
	return SH_MAX(1, SH_MIN(p, nruns));
}

static int
set_u64(json_t *x, const char *key, uint64_t *v, char **cause)
{
	if (json_is_integer(x) && json_integer_value(x) >= 0) {
		*v = (uint64_t)json_integer_value(x);
		return 0;
	}
	return util_fail(cause, "study.json: train.%s: expected a non-negative integer seed", key);
}

int
train_settings_load(json_t *sec, struct train_settings *ts, char **cause)
{
	const char *preset = "quick";
	json_t *x;
	size_t i;

	if (sec != NULL && !json_is_object(sec))
		return util_fail(cause, "study.json: train: expected an object");
	x = sec ? json_object_get(sec, "preset") : NULL;
	if (x != NULL && !json_is_string(x))
		return util_fail(cause, "study.json: train.preset: expected \"quick\" or \"tutorial\"");
	if (x != NULL)
		preset = json_string_value(x);
	if (train_settings_preset(preset, ts, cause) != 0) {
		char *c = cause ? *cause : NULL;

		if (cause != NULL) {
			*cause = xsprintf("study.json: train.preset: %s", c);
			free(c);
		}
		return -1;
	}
	if (sec == NULL)
		return 0;
	/* every key's type and range: the settings table (settings.c) */
	if (settings_apply("train", sec, ts, cause) != 0)
		return -1;
	if ((x = json_object_get(sec, "seeds")) != NULL && !json_is_null(x)) {
		if (!json_is_array(x) || json_array_size(x) > TRAIN_MAX_RUNS)
			return util_fail(cause, "study.json: train.seeds: expected a list of at most %d seeds",
			    TRAIN_MAX_RUNS);
		ts->nseeds = (int)json_array_size(x);
		for (i = 0; i < json_array_size(x); i++) {
			char key[32];

			snprintf(key, sizeof key, "seeds[%zu]", i);
			if (set_u64(json_array_get(x, i), key, &ts->seeds[i], cause) != 0)
				return -1;
		}
	}
	return 0;
}

json_t *
train_settings_to_json(const struct train_settings *ts)
{
	json_t *j = json_object(), *a;
	int i;

	json_object_set_new(j, "preset", json_string(ts->preset));
	json_object_set_new(j, "runs", json_integer(ts->runs));
	json_object_set_new(j, "epochs", json_integer(ts->epochs));
	json_object_set_new(j, "batch", json_integer(ts->batch));
	json_object_set_new(j, "drop_remainder", json_boolean(ts->drop_remainder));
	json_object_set_new(j, "zdim", json_integer(ts->zdim));
	json_object_set_new(j, "width", json_integer(ts->width));
	json_object_set_new(j, "depth", json_integer(ts->depth));
	json_object_set_new(j, "lr_g", json_real(ts->lr_g));
	json_object_set_new(j, "lr_d", json_real(ts->lr_d));
	json_object_set_new(j, "gp_lambda", json_real(ts->gp_lambda));
	json_object_set_new(j, "optimizer", json_string(ts->optimizer == WGAN_OPT_ADAM ? "adam" : "rmsprop"));
	json_object_set_new(j, "adam_b1", json_real(ts->adam_b1));
	json_object_set_new(j, "adam_b2", json_real(ts->adam_b2));
	json_object_set_new(j, "seed", json_integer((json_int_t)ts->seed));
	if (ts->nseeds > 0) {
		a = json_array();
		for (i = 0; i < ts->nseeds; i++)
			json_array_append_new(a, json_integer((json_int_t)ts->seeds[i]));
		json_object_set_new(j, "seeds", a);
	}
	json_object_set_new(j, "ckpt_every", json_integer(ts->ckpt_every));
	json_object_set_new(j, "ckpt_after", json_integer(ts->ckpt_after));
	json_object_set_new(j, "ckpt_keep", json_integer(ts->ckpt_keep));
	json_object_set_new(j, "ckpt_rule", json_string(train_rule_name(ts->rule)));
	json_object_set_new(j, "metric_rows", json_integer(ts->metric_rows));
	json_object_set_new(j, "threads", json_integer(ts->threads));
	json_object_set_new(j, "minutes", json_real(ts->minutes));
	json_object_set_new(j, "lr_schedule", json_string(train_lr_schedule_name(ts->lr_schedule)));
	json_object_set_new(j, "lr_floor", json_real(ts->lr_floor));
	json_object_set_new(j, "parallel", json_integer(ts->parallel));
	json_object_set_new(j, "encoding", json_string(ts->encode ? "prep" : "minmax"));
	return j;
}

uint64_t
train_run_seed(const struct train_settings *ts, int run)
{
	if (run >= 1 && run <= ts->nseeds)
		return ts->seeds[run - 1];
	return ts->seed + (uint64_t)(run - 1);
}

uint64_t
train_settings_hash(const struct train_settings *ts, int run)
{
	char buf[640];
	int len;

	/* A printed canonical form, so the hash does not depend on struct padding. */
	len = snprintf(buf, sizeof buf, "v1 z%d w%d d%d b%d drop%d lrg%.17g lrd%.17g gp%.17g opt%d"
	    " b1%.17g b2%.17g rule%d seed%llu", ts->zdim, ts->width, ts->depth, ts->batch,
	    ts->drop_remainder, ts->lr_g, ts->lr_d, ts->gp_lambda, ts->optimizer,
	    ts->optimizer == WGAN_OPT_ADAM ? ts->adam_b1 : 0.0,
	    ts->optimizer == WGAN_OPT_ADAM ? ts->adam_b2 : 0.0, ts->rule,
	    (unsigned long long)train_run_seed(ts, run));
	/* A schedule changes the arithmetic; constant rates keep the old hashes. */
	if (ts->lr_schedule != TRAIN_LR_CONSTANT && len > 0 && (size_t)len < sizeof buf)
		len += snprintf(buf + len, sizeof buf - (size_t)len, " lrs%s lrf%.17g",
		    train_lr_schedule_name(ts->lr_schedule),
		    ts->lr_schedule == TRAIN_LR_COSINE ? ts->lr_floor : 0.0);
	if (ts->encode && len < (int)sizeof buf - 8)
		len += snprintf(buf + len, sizeof buf - (size_t)len, " enc1");
	return util_hash64(buf, (size_t)len, 0);
}

int
train_encoded(const struct train_settings *ts, const struct layout *l)
{
	return ts->encode && l->enc != NULL && !l->enc->identity && l->enc->D == l->D;
}

uint64_t
train_layout_hash(const struct train_settings *ts, const struct layout *l)
{
	uint64_t h = layout_hash(l);

	return train_encoded(ts, l) ? h ^ enc_hash(l->enc) : h;
}

void
train_wgan_config(const struct train_settings *ts, const struct layout *l, struct wgan_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->D = l->D;
	cfg->zdim = ts->zdim;
	cfg->width = ts->width;
	cfg->depth = ts->depth;
	cfg->ngroups = l->ngroups;
	cfg->group_start = l->group_start;
	cfg->group_width = l->group_width;
	if (train_encoded(ts, l)) {
		/* Network columns: softmax over the groups and one-hot parts,
		 * sigmoid on the [0,1] parts (on a stored normal score it acts as
		 * a tanh head). */
		cfg->D = l->enc->Dn;
		cfg->ngroups = l->enc->ngroups;
		cfg->group_start = l->enc->gs;
		cfg->group_width = l->enc->gw;
	}
	cfg->lr_g = ts->lr_g;
	cfg->lr_d = ts->lr_d;
	cfg->gp_lambda = ts->gp_lambda;
	cfg->optimizer = ts->optimizer;
	cfg->adam_b1 = ts->adam_b1;
	cfg->adam_b2 = ts->adam_b2;
}

/* ---- Fidelity score for the metric rule */

double
train_fidelity(const struct mtx *real, const struct layout *l, const float *synth, size_t n)
{
	double sum = 0, *col, *a, *b;   /* a, b: the values as float32 (the model's) */
	size_t r;
	int j;

	if (n == 0 || real->n == 0 || l->D < 2)
		return NAN;
	col = xmalloc(real->n * sizeof *col);
	a = xmalloc(real->n * sizeof *a);
	b = xmalloc(n * sizeof *b);
	for (j = 0; j < l->D; j++) {
		if (j == l->label)
			continue;
		mtx_get_col(real, j, col);
		if (l->kind[j] == MCOL_CONT) {
			for (r = 0; r < real->n; r++)
				a[r] = (float)col[r];   /* rounded as the training rows are */
			for (r = 0; r < n; r++)
				b[r] = synth[r * (size_t)l->D + j];
			qsort(a, real->n, sizeof *a, util_cmp_double);
			qsort(b, n, sizeof *b, util_cmp_double);
			sum += util_w1_sorted(a, real->n, b, n);
		} else {
			double pr = 0, ps = 0;

			for (r = 0; r < real->n; r++)
				pr += col[r] >= 0.5;
			for (r = 0; r < n; r++)
				ps += synth[r * (size_t)l->D + j] >= 0.5f;
			sum += fabs(ps / (double)n - pr / (double)real->n);
		}
	}
	free(col);
	free(a);
	free(b);
	return sum / (l->D - 1) * 1000;
}
