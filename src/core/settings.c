/* synthehr — GPL-3.0-or-later.
 * The settings table (settings.h): one row per key a user sets in
 * study.json, and the checks, parsing and formatting every front end and
 * the loaders share.  Preset defaults of the "train" rows come from
 * train_settings_preset (the one place they are written); rows of other
 * sections carry their default as text. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/eval.h"
#include "synthehr/settings.h"
#include "synthehr/train.h"
#include "synthehr/util.h"
#include "synthehr/wgan.h"

#define TS(f) offsetof(struct train_settings, f)
#define EO(f) offsetof(struct eval_opts, f)
#define NONE SETTING_NO_OFFSET

static const char *const train_presets[] = { "quick", "tutorial", NULL };
static const char *const eval_presets[] = { "fast", "tutorial", NULL };
static const char *const optimizers[] = { "rmsprop", "adam", NULL };
static const int optimizer_values[] = { WGAN_OPT_RMSPROP, WGAN_OPT_ADAM };
static const char *const rules[] = { "tutorial", "metric", NULL };            /* enum train_rule */
static const char *const lr_schedules[] = { "constant", "cosine", "step", NULL };   /* enum train_lr_schedule */
static const char *const encodings[] = { "minmax", "prep", NULL };           /* train_settings.encode */
static const char *const methods[] = { "emrwgan", "cart", "copula", "marginals", NULL };
static const char *const booleans[] = { "true", "false", NULL };
static const char *const lca_inits[] = { "pca-part", "kmeans++", NULL };

const struct setting settings_table[] = {
	/* ---- train: EMR-WGAN's runs (struct train_settings) */
	{ "train", "preset", SETTING_CHOICE, 0, 0, 0, train_presets, NULL, NONE, "quick",
	  "training preset: quick (minutes on 2 cores) or tutorial (the tutorial's settings)" },
	{ "train", "runs", SETTING_INT, 1, TRAIN_MAX_RUNS, 0, NULL, NULL, TS(runs), "",
	  "independent runs" },
	{ "train", "epochs", SETTING_INT, 1, 100000000, 0, NULL, NULL, TS(epochs), "",
	  "passes over the training rows" },
	{ "train", "batch", SETTING_INT, 1, 1 << 24, 0, NULL, NULL, TS(batch), "",
	  "rows per step" },
	{ "train", "drop_remainder", SETTING_BOOL, 0, 0, 0, NULL, NULL, TS(drop_remainder), "",
	  "drop the last short batch of an epoch" },
	{ "train", "zdim", SETTING_INT, 1, 1 << 16, 0, NULL, NULL, TS(zdim), "",
	  "noise size" },
	{ "train", "width", SETTING_INT, 1, 1 << 16, 0, NULL, NULL, TS(width), "",
	  "hidden width of generator and critic" },
	{ "train", "depth", SETTING_INT, 1, 256, 0, NULL, NULL, TS(depth), "",
	  "hidden layers of generator and critic" },
	{ "train", "lr_g", SETTING_NUM, 0, 10, 1, NULL, NULL, TS(lr_g), "",
	  "generator learning rate" },
	{ "train", "lr_d", SETTING_NUM, 0, 10, 1, NULL, NULL, TS(lr_d), "",
	  "critic learning rate" },
	{ "train", "gp_lambda", SETTING_NUM, 0, 1e6, 0, NULL, NULL, TS(gp_lambda), "",
	  "gradient-penalty weight" },
	{ "train", "optimizer", SETTING_CHOICE, 0, 0, 0, optimizers, optimizer_values, TS(optimizer), "",
	  "optimizer of both networks" },
	{ "train", "adam_b1", SETTING_NUM, 0, 0.999999, 0, NULL, NULL, TS(adam_b1), "",
	  "Adam's first-moment decay" },
	{ "train", "adam_b2", SETTING_NUM, 0, 0.999999, 0, NULL, NULL, TS(adam_b2), "",
	  "Adam's second-moment decay" },
	{ "train", "seed", SETTING_U64, 0, 0, 0, NULL, NULL, TS(seed), "",
	  "seed of run 1 (run K uses seed + K - 1)" },
	{ "train", "seeds", SETTING_SEEDS, 0, TRAIN_MAX_RUNS, 0, NULL, NULL, NONE, "",
	  "one seed per run, instead of seed + K - 1" },
	{ "train", "ckpt_every", SETTING_INT, 1, 100000000, 0, NULL, NULL, TS(ckpt_every), "",
	  "checkpoint period in epochs" },
	{ "train", "ckpt_after", SETTING_INT, 0, 100000000, 0, NULL, NULL, TS(ckpt_after), "",
	  "checkpoints become candidates after this epoch" },
	{ "train", "ckpt_keep", SETTING_INT, 0, 100000, 0, NULL, NULL, TS(ckpt_keep), "",
	  "candidate checkpoints kept besides the chosen one" },
	{ "train", "ckpt_rule", SETTING_CHOICE, 0, 0, 0, rules, NULL, TS(rule), "",
	  "how the checkpoint is chosen" },
	{ "train", "metric_rows", SETTING_INT, 0, 100000000, 0, NULL, NULL, TS(metric_rows), "",
	  "rows generated per metric-rule score (0: the training size, at most 20000)" },
	{ "train", "threads", SETTING_INT, 0, 1024, 0, NULL, NULL, TS(threads), "",
	  "OpenBLAS threads (0: its default)" },
	{ "train", "minutes", SETTING_NUM, 0, 1e6, 0, NULL, NULL, TS(minutes), "",
	  "time budget per run in minutes (0: train for epochs)" },
	{ "train", "lr_schedule", SETTING_CHOICE, 0, 0, 0, lr_schedules, NULL, TS(lr_schedule), "",
	  "learning-rate schedule" },
	{ "train", "lr_floor", SETTING_NUM, 0, 1, 0, NULL, NULL, TS(lr_floor), "",
	  "cosine schedule's final rate, as a fraction of the first" },
	{ "train", "parallel", SETTING_INT, 0, TRAIN_MAX_RUNS, 0, NULL, NULL, TS(parallel), "",
	  "runs trained at once (0: automatic)" },
	{ "train", "encoding", SETTING_CHOICE, 0, 0, 0, encodings, NULL, TS(encode), "",
	  "what the generator works on: prep's encodings or min-max (the tutorial's)" },
	/* train, read by synth.c (the peers) */
	{ "train", "method", SETTING_CHOICE, 0, 0, 0, methods, NULL, NONE, "emrwgan",
	  "what train fits: EMR-WGAN or a classical peer" },
	{ "train", "peers", SETTING_SEEDS, 0, 0, 0, NULL, NULL, NONE, "[\"cart\", \"copula\"]",
	  "peers 'synthehr run' fits beside the runs (a list)" },
	{ "train", "cart_min_leaf", SETTING_INT, 1, 1000000, 0, NULL, NULL, NONE, "5",
	  "CART's minimum leaf size" },
	{ "train", "cart_cp", SETTING_NUM, 0, 0.999999, 0, NULL, NULL, NONE, "1e-08",
	  "CART's complexity parameter" },
	{ "train", "cart_max_depth", SETTING_INT, 1, 60, 0, NULL, NULL, NONE, "30",
	  "CART's depth limit" },
	{ "train", "cart_bins", SETTING_INT, 2, 255, 0, NULL, NULL, NONE, "255",
	  "CART's candidate thresholds per continuous predictor" },
	/* ---- generate (generate.c) */
	{ "generate", "rows", SETTING_INT, 0, 1e15, 0, NULL, NULL, NONE, "0",
	  "rows per set (0: as many as the training rows)" },
	{ "generate", "stratify", SETTING_BOOL, 0, 0, 0, NULL, NULL, NONE, "true",
	  "match the training label proportion" },
	{ "generate", "sample", SETTING_BOOL, 0, 0, 0, NULL, NULL, NONE, "false",
	  "draw binary columns as Bernoulli(p)" },
	{ "generate", "seed", SETTING_U64, 0, 0, 0, NULL, NULL, NONE, "1",
	  "generation seed" },
	{ "generate", "max_draw_factor", SETTING_NUM, 1, 1e9, 0, NULL, NULL, NONE, "50",
	  "stratified sampling stops after this many times the rows (the rest unstratified)" },
	/* ---- eval (eval.c; the rows with an offset into struct eval_opts) */
	{ "eval", "preset", SETTING_CHOICE, 0, 0, 0, eval_presets, NULL, NONE, "fast",
	  "evaluation preset" },
	{ "eval", "boot", SETTING_INT, 0, 100000, 0, NULL, NULL, EO(boot), "",
	  "bootstrap resamples for rank stability (0: none)" },
	{ "eval", "seed", SETTING_U64, 0, 0, 0, NULL, NULL, NONE, "0",
	  "seed of the sampling and the models" },
	{ "eval", "ai_known", SETTING_NUM, 0, 1e9, 0, NULL, NULL, NONE, "auto",
	  "concepts the AI attacker knows (\"auto\", a count, or a share below 1)" },
	{ "eval", "min_child_weight", SETTING_NUM, 0, 1e9, 0, NULL, NULL, EO(pred.min_child_weight), "0.001",
	  "prediction models' minimum hessian sum in a leaf" },
	{ "eval", "lca_rows", SETTING_INT, 0, 1e12, 0, NULL, NULL, NONE, "",
	  "rows of each set LCA uses (0: every row)" },
	{ "eval", "lca_restarts", SETTING_INT, 1, 1000, 0, NULL, NULL, NONE, "",
	  "k-means restarts per LCA" },
	{ "eval", "lca_init", SETTING_CHOICE, 0, 0, 0, lca_inits, NULL, NONE, "",
	  "how LCA's k-means starts (fast: pca-part; tutorial: kmeans++)" },
	{ "eval", "lca_boot", SETTING_INT, 0, 64, 0, NULL, NULL, EO(lca_boot), "5",
	  "bootstrap resamples behind LCA's standard error" },
	{ "eval", "sex_restrictions", SETTING_PATH, 0, 0, 0, NULL, NULL, NONE, "",
	  "a sex-restriction CSV for the broad CKV check" },
	/* ---- report (report.c, report_html.c) */
	{ "report", "min_cell", SETTING_INT, 1, 1000000, 0, NULL, NULL, NONE, "10",
	  "smallest patient count the reports show (smaller ones print as <N)" },
	{ "report", "phecodes", SETTING_PATH, 0, 0, 0, NULL, NULL, NONE, "",
	  "a phecode map directory (phecode_info.csv) naming concepts in the HTML report" },
	/* ---- slurm (slurm.c: what --slurm submissions use) */
	{ "slurm", "partition", SETTING_TEXT, 0, 0, 0, NULL, NULL, NONE, "",
	  "sbatch --partition (absent: the cluster's default)" },
	{ "slurm", "time", SETTING_TEXT, 0, 0, 0, NULL, NULL, NONE, "",
	  "sbatch --time per task: HH:MM:SS, MM or D-HH:MM:SS" },
	{ "slurm", "cpus", SETTING_INT, 1, 4096, 0, NULL, NULL, NONE, "",
	  "sbatch --cpus-per-task; each task uses that many BLAS threads" },
	{ "slurm", "mem", SETTING_TEXT, 0, 0, 0, NULL, NULL, NONE, "",
	  "sbatch --mem per task, e.g. 8G" },
	{ "slurm", "sbatch_args", SETTING_SEEDS, 0, 32, 0, NULL, NULL, NONE, "",
	  "further sbatch arguments, one string each, e.g. [\"--account=NAME\"]" },
	{ "slurm", "bin", SETTING_PATH, 0, 0, 0, NULL, NULL, NONE, "",
	  "the synthehr binary the tasks run (absolute; default: the submitting one)" },
	/* ---- ui: the workbench's own (not in study.json) */
	{ "ui", "demo_rows", SETTING_INT, 10, 10000000, 0, NULL, NULL, NONE, "5000",
	  "patients of a new demo study" },
	{ "ui", "demo_concepts", SETTING_INT, 1, 1588, 0, NULL, NULL, NONE, "300",
	  "concept columns of a new demo study" },
	{ NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL, NULL }
};

const struct setting *
settings_find(const char *section, const char *key)
{
	static const char *const order[] = { "train", "generate", "eval", "report", "slurm", "ui" };
	const struct setting *s;
	size_t i;

	for (i = 0; i < SH_NELEM(order); i++) {
		if (section != NULL && strcmp(section, order[i]) != 0)
			continue;
		for (s = settings_table; s->key != NULL; s++)
			if (strcmp(s->section, order[i]) == 0 && strcmp(s->key, key) == 0)
				return s;
	}
	return NULL;
}

const char *
setting_set_name(const struct setting *s, char *buf, size_t size)
{
	if (strcmp(s->section, "train") == 0 || strcmp(s->section, "ui") == 0)
		snprintf(buf, size, "%s", s->key);
	else
		snprintf(buf, size, "%s_%s", s->section, s->key);
	return buf;
}

const struct setting *
settings_find_set_name(const char *name)
{
	const struct setting *s;
	char b[64];

	for (s = settings_table; s->key != NULL; s++)
		if (strcmp(setting_set_name(s, b, sizeof b), name) == 0)
			return s;
	return NULL;
}

const char *
setting_type_text(const struct setting *s, char *buf, size_t size)
{
	size_t off = 0;
	int i;

	switch (s->type) {
	case SETTING_INT:
		snprintf(buf, size, "integer %.0f-%.0f", s->lo, s->hi);
		break;
	case SETTING_NUM:
		snprintf(buf, size, "number %s %g, <= %g", s->open_lo ? ">" : ">=", s->lo, s->hi);
		break;
	case SETTING_U64:
		snprintf(buf, size, "integer >= 0");
		break;
	case SETTING_BOOL:
		snprintf(buf, size, "true|false");
		break;
	case SETTING_PATH:
		snprintf(buf, size, "file");
		break;
	case SETTING_TEXT:
		snprintf(buf, size, "text");
		break;
	case SETTING_CHOICE:
		buf[0] = '\0';
		for (i = 0; s->choices[i] != NULL && off < size; i++)
			off += snprintf(buf + off, size - off, "%s%s", i ? "|" : "", s->choices[i]);
		break;
	default:
		snprintf(buf, size, "list");
		break;
	}
	return buf;
}

static int
choice_index(const struct setting *s, const char *v)
{
	int i;

	for (i = 0; s->choices[i] != NULL; i++)
		if (strcmp(s->choices[i], v) == 0)
			return i;
	return -1;
}

static char *
choices_text(const struct setting *s)
{
	char *t = xstrdup(""), *n;
	int i;

	for (i = 0; s->choices[i] != NULL; i++) {
		n = xsprintf("%s%s\"%s\"", t, i == 0 ? "" : s->choices[i + 1] == NULL ? " or " : ", ",
		    s->choices[i]);
		free(t);
		t = n;
	}
	return t;
}

int
setting_check(const struct setting *s, json_t *x, char **cause)
{
	double d;
	char *t;
	int rc;

	if (x == NULL || json_is_null(x))
		return 0;
	switch (s->type) {
	case SETTING_INT:
		if (json_is_integer(x))
			d = (double)json_integer_value(x);
		else if (json_is_real(x) && json_real_value(x) == floor(json_real_value(x)))
			d = json_real_value(x);
		else
			return util_fail(cause, "study.json: %s.%s: expected an integer", s->section, s->key);
		if (d < s->lo || d > s->hi)
			return util_fail(cause, "study.json: %s.%s: %.0f is out of range (expected %.0f to %.0f)",
			    s->section, s->key, d, s->lo, s->hi);
		return 0;
	case SETTING_NUM:
		if (strcmp(s->key, "ai_known") == 0 && json_is_string(x) &&
		    strcmp(json_string_value(x), "auto") == 0)
			return 0;
		if (!json_is_number(x))
			return util_fail(cause, "study.json: %s.%s: expected a number", s->section, s->key);
		d = json_number_value(x);
		if (!(s->open_lo ? d > s->lo : d >= s->lo) || !(d <= s->hi) || !isfinite(d))
			return util_fail(cause, "study.json: %s.%s: %g is out of range (expected %s%g to %g)",
			    s->section, s->key, d, s->open_lo ? "more than " : "", s->lo, s->hi);
		return 0;
	case SETTING_U64:
		if (json_is_integer(x) && json_integer_value(x) >= 0)
			return 0;
		return util_fail(cause, "study.json: %s.%s: expected a non-negative integer%s", s->section,
		    s->key, strcmp(s->key, "seed") == 0 ? " seed" : "");
	case SETTING_BOOL:
		if (json_is_boolean(x))
			return 0;
		return util_fail(cause, "study.json: %s.%s: expected true or false", s->section, s->key);
	case SETTING_PATH:
		if (json_is_string(x) && json_string_value(x)[0] != '\0')
			return 0;
		return util_fail(cause, "study.json: %s.%s: expected a file name", s->section, s->key);
	case SETTING_TEXT:
		if (!json_is_string(x) || json_string_value(x)[0] == '\0')
			return util_fail(cause, "study.json: %s.%s: expected a string", s->section, s->key);
		if (strcmp(s->section, "slurm") == 0) {
			/* the same check as the command-line option */
			char *why = NULL;

			if (settings_slurm_word_check(s->key, json_string_value(x), &why) != 0) {
				util_fail(cause, "study.json: %s.%s: %s", s->section, s->key, why);
				free(why);
				return -1;
			}
		}
		return 0;
	case SETTING_CHOICE:
		if (json_is_string(x) && choice_index(s, json_string_value(x)) >= 0)
			return 0;
		t = choices_text(s);
		rc = util_fail(cause, "study.json: %s.%s: expected %s", s->section, s->key, t);
		free(t);
		return rc;
	default:
		if (json_is_array(x) && (s->hi <= 0 || json_array_size(x) <= (size_t)s->hi))
			return 0;
		return util_fail(cause, "study.json: %s.%s: expected a list", s->section, s->key);
	}
}

/* Slurm's time formats: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. */
static int
slurm_time_ok(const char *t)
{
	const char *p = t;
	int fields = 0, day = 0;

	if (*p == '\0' || strlen(t) > 20)
		return 0;
	if (strchr(t, '-') != NULL) {
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == t || *p != '-')
			return 0;
		p++;
		day = 1;
	}
	for (;;) {
		const char *q = p;

		while (*p >= '0' && *p <= '9')
			p++;
		if (p == q || p - q > 6)
			return 0;
		fields++;
		if (*p == '\0')
			break;
		if (*p != ':')
			return 0;
		p++;
	}
	return fields <= 3 && (day || fields >= 1);
}

/* A memory size as sbatch --mem takes it: digits with an optional K/M/G/T. */
static int
slurm_mem_ok(const char *m)
{
	const char *p = m;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == m)
		return 0;
	if (*p != '\0' && strchr("KMGTkmgt", *p) != NULL)
		p++;
	return *p == '\0';
}

int
settings_slurm_word_check(const char *key, const char *val, char **cause)
{
	if (strcmp(key, "partition") == 0 && (*val == '\0' || strpbrk(val, " \t\n") != NULL))
		return util_fail(cause, "--partition \"%s\": expected a partition name", val);
	if (strcmp(key, "time") == 0 && !slurm_time_ok(val))
		return util_fail(cause, "--time \"%s\": expected HH:MM:SS, MM or D-HH:MM:SS", val);
	if (strcmp(key, "mem") == 0 && !slurm_mem_ok(val))
		return util_fail(cause, "--mem \"%s\": expected a size such as 4G or 4000M", val);
	return 0;
}

int
setting_parse(const struct setting *s, const char *text, json_t **out, char **cause)
{
	json_t *v = NULL;
	double d;
	char *c = NULL, b[64], ty[96];

	*out = NULL;
	switch (s->type) {
	case SETTING_INT:
	case SETTING_U64:
	case SETTING_NUM:
		if (strcmp(s->key, "ai_known") == 0 && strcmp(text, "auto") == 0)
			v = json_string("auto");
		else if (util_parse_double(text, strlen(text), &d) != 0)
			return util_fail(cause, "%s: '%s' is not a number (expected %s)",
			    setting_set_name(s, b, sizeof b), text, setting_type_text(s, ty, sizeof ty));
		else if (s->type == SETTING_NUM)
			v = json_real(d);
		else if (d != floor(d) || fabs(d) > 9e15)
			return util_fail(cause, "%s: '%s' is not a whole number", setting_set_name(s, b, sizeof b),
			    text);
		else
			v = json_integer((json_int_t)d);
		break;
	case SETTING_BOOL:
		if (strcmp(text, "true") == 0 || strcmp(text, "on") == 0 || strcmp(text, "1") == 0)
			v = json_true();
		else if (strcmp(text, "false") == 0 || strcmp(text, "off") == 0 || strcmp(text, "0") == 0)
			v = json_false();
		else
			return util_fail(cause, "%s: expected true or false, not '%s'",
			    setting_set_name(s, b, sizeof b), text);
		break;
	case SETTING_CHOICE:
	case SETTING_PATH:
	case SETTING_TEXT:
		v = json_string(text);
		break;
	default:
		v = json_loads(text, 0, NULL);
		if (v == NULL)
			return util_fail(cause, "%s: expected a JSON list, e.g. [1, 2, 3]",
			    setting_set_name(s, b, sizeof b));
		break;
	}
	if (setting_check(s, v, &c) != 0) {
		/* "study.json: train.epochs: ..." → "epochs: ..." for a typed value */
		const char *why = strstr(c, ": ");

		why = why != NULL ? strstr(why + 2, ": ") : NULL;
		util_fail(cause, "%s: %s", setting_set_name(s, b, sizeof b), why != NULL ? why + 2 : c);
		free(c);
		json_decref(v);
		return -1;
	}
	*out = v;
	return 0;
}

int
settings_apply(const char *section, json_t *sec, void *obj, char **cause)
{
	const struct setting *s;
	char *base = obj;

	for (s = settings_table; s->key != NULL; s++) {
		json_t *x;

		if (strcmp(s->section, section) != 0 || s->offset == NONE)
			continue;
		x = json_object_get(sec, s->key);
		if (x == NULL || json_is_null(x))
			continue;
		if (setting_check(s, x, cause) != 0)
			return -1;
		switch (s->type) {
		case SETTING_INT:
			*(int *)(base + s->offset) = (int)json_number_value(x);
			break;
		case SETTING_NUM:
			*(double *)(base + s->offset) = json_number_value(x);
			break;
		case SETTING_U64:
			*(uint64_t *)(base + s->offset) = (uint64_t)json_integer_value(x);
			break;
		case SETTING_BOOL:
			*(int *)(base + s->offset) = json_is_true(x);
			break;
		case SETTING_CHOICE: {
			int k = choice_index(s, json_string_value(x));

			*(int *)(base + s->offset) = s->values != NULL ? s->values[k] : k;
			break;
		}
		default:
			break;
		}
	}
	return 0;
}

const char *
setting_format(const struct setting *s, const void *obj, char *buf, size_t size)
{
	const char *base = obj;
	int i, v;

	buf[0] = '\0';
	if (s->offset == NONE || obj == NULL)
		return buf;
	switch (s->type) {
	case SETTING_INT:
		snprintf(buf, size, "%d", *(const int *)(base + s->offset));
		break;
	case SETTING_NUM:
		util_format_double(buf, size, *(const double *)(base + s->offset));
		break;
	case SETTING_U64:
		snprintf(buf, size, "%llu", (unsigned long long)*(const uint64_t *)(base + s->offset));
		break;
	case SETTING_BOOL:
		snprintf(buf, size, "%s", *(const int *)(base + s->offset) ? "true" : "false");
		break;
	case SETTING_CHOICE:
		v = *(const int *)(base + s->offset);
		for (i = 0; s->choices[i] != NULL; i++)
			if ((s->values != NULL ? s->values[i] : i) == v)
				snprintf(buf, size, "%s", s->choices[i]);
		break;
	default:
		break;
	}
	return buf;
}

const char *const *
setting_completions(const struct setting *s)
{
	return s->type == SETTING_CHOICE ? s->choices : s->type == SETTING_BOOL ? booleans : NULL;
}
