/* synthehr — GPL-3.0-or-later.
 * The settings table (in the manner of tmux's options_table): every key of
 * study.json that a user sets, with its section, type, range or allowed
 * values, default (per training preset where the preset decides it) and a
 * help line.  It drives the loading of study.json's "train" section (and
 * the checks of the others), the workbench's ':set' (values validated and
 * completed), the Train form, 'synthehr help settings' and the man page's
 * STUDY SETTINGS section (tests/settings_doc.sh compares them).
 *
 * To add a setting: one row here (with offsetof into the section's struct
 * when the core reads it through settings_apply), its field and preset
 * value in that struct, and a line in the man page. */
#ifndef SYNTHEHR_SETTINGS_H
#define SYNTHEHR_SETTINGS_H

#include <stddef.h>
#include <jansson.h>

enum setting_type {
	SETTING_INT,      /* whole number in [lo, hi] */
	SETTING_NUM,      /* number in [lo, hi] (or (lo, hi] with open_lo) */
	SETTING_U64,      /* non-negative whole number (a seed) */
	SETTING_BOOL,     /* true or false */
	SETTING_CHOICE,   /* one of choices[] (stored as its index, or values[index]) */
	SETTING_SEEDS,    /* a list (train.seeds, train.peers) */
	SETTING_PATH,     /* a file name */
	SETTING_TEXT,     /* a word passed on as it is (a Slurm partition, a time) */
	SETTING_TYPE_COUNT
};

#define SETTING_NO_OFFSET ((size_t)-1)

struct setting {
	const char *section;          /* "train", "generate", "eval", "ui" (the workbench's own) */
	const char *key;
	int type;                     /* enum setting_type */
	double lo, hi;
	int open_lo;                  /* NUM: lo itself is not allowed */
	const char *const *choices;   /* CHOICE: NULL-terminated */
	const int *values;            /* CHOICE: stored value per choice (NULL: the index) */
	size_t offset;                /* field in the section's struct, or SETTING_NO_OFFSET */
	const char *def;              /* default as text when no preset decides it ("": none) */
	const char *help;             /* one line */
};

extern const struct setting settings_table[];
/* "train", "epochs" (or section NULL: the first key of that name in the
 * order train, generate, eval, ui); NULL if none. */
const struct setting *settings_find(const char *section, const char *key);
/* The key as ':set' names it: train keys alone ("epochs"), others with a
 * prefix ("eval_preset", "generate_rows"); ui keys alone. */
const char *setting_set_name(const struct setting *s, char *buf, size_t size);
const struct setting *settings_find_set_name(const char *name);
/* "integer 1-64", "number > 0, <= 10", "rmsprop|adam", ... */
const char *setting_type_text(const struct setting *s, char *buf, size_t size);

/* A Slurm word (key "partition", "time" or "mem") as sbatch takes it:
 * 0, or -1 with *cause naming the option and what is expected.  Shared by
 * the slurm section's rows and the --slurm options (slurm.c). */
int settings_slurm_word_check(const char *key, const char *val, char **cause);

/* Check a JSON value against its row: 0, or -1 with *cause
 * "study.json: SECTION.KEY: ..." . */
int setting_check(const struct setting *s, json_t *v, char **cause);
/* A typed value (from ':set' or a form) as JSON, checked: 0 with *out, or
 * -1 with *cause naming the key and what is expected. */
int setting_parse(const struct setting *s, const char *text, json_t **out, char **cause);
/* Apply every row of `section` that has an offset: values present in sec
 * are checked and stored into obj; absent ones are left as they are. */
int settings_apply(const char *section, json_t *sec, void *obj, char **cause);
/* A row's value in obj as text ("" for rows without an offset). */
const char *setting_format(const struct setting *s, const void *obj, char *buf, size_t size);
/* The choices to complete a value with (CHOICE and BOOL), else NULL. */
const char *const *setting_completions(const struct setting *s);

#endif
