/* synthehr — GPL-3.0-or-later.
 * The settings table (settings.c): what ':set' and the Train form accept
 * and refuse, the messages they give, and that study.json's "train"
 * section loads through the table with the preset's defaults under it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/settings.h"
#include "synthehr/train.h"
#include "synthehr/util.h"
#include "tap.h"

/* Parse NAME=TEXT as ':set NAME TEXT' does: 0 accepted, else the cause. */
static int
set(const char *name, const char *text, char **cause)
{
	const struct setting *s = settings_find_set_name(name);
	json_t *v = NULL;

	*cause = NULL;
	if (s == NULL) {
		*cause = xstrdup("unknown");
		return -1;
	}
	if (setting_parse(s, text, &v, cause) != 0)
		return -1;
	json_decref(v);
	return 0;
}

int
main(void)
{
	struct train_settings ts, q;
	json_t *sec;
	char *cause = NULL, buf[64];
	const struct setting *s;
	int n = 0;

	for (s = settings_table; s->key != NULL; s++)
		n++;
	tap_ok(n >= 40, "the table has %d rows", n);
	tap_ok(set("eval_preset", "f", &cause) != 0 && strstr(cause, "\"fast\" or \"tutorial\"") != NULL,
	    ":set eval_preset f is refused naming the choices");
	free(cause);
	tap_ok(set("eval_preset", "tutorial", &cause) == 0, ":set eval_preset tutorial is accepted");
	tap_ok(set("epochs", "0", &cause) != 0 && strstr(cause, "epochs: 0 is out of range (expected 1 to 100000000)"),
	    ":set epochs 0 is refused with the range");
	free(cause);
	tap_ok(set("epochs", "2.5", &cause) != 0 && strstr(cause, "whole number"), ":set epochs 2.5 is refused");
	free(cause);
	tap_ok(set("epochs", "50", &cause) == 0, ":set epochs 50 is accepted");
	tap_ok(set("lr_g", "0", &cause) != 0 && strstr(cause, "more than 0"), ":set lr_g 0 is refused (open range)");
	free(cause);
	tap_ok(set("ckpt_rule", "metric", &cause) == 0, ":set ckpt_rule metric is accepted");
	tap_ok(set("optimizer", "sgd", &cause) != 0 && strstr(cause, "\"rmsprop\" or \"adam\""),
	    ":set optimizer sgd is refused");
	free(cause);
	tap_ok(set("generate_stratify", "maybe", &cause) != 0, ":set generate_stratify maybe is refused");
	free(cause);
	tap_ok(set("generate_stratify", "false", &cause) == 0, ":set generate_stratify false is accepted");
	tap_ok(set("nonsense", "1", &cause) != 0, "an unknown key is refused");
	free(cause);
	s = settings_find_set_name("lr_schedule");
	tap_ok(s != NULL && setting_completions(s) != NULL &&
	    strcmp(setting_completions(s)[1], "cosine") == 0, "lr_schedule completes with its words");

	/* study.json "train" through the table, the preset underneath */
	sec = json_pack("{s:s, s:i, s:s, s:s, s:f}", "preset", "tutorial", "epochs", 7, "optimizer", "adam",
	    "ckpt_rule", "metric", "lr_g", 0.5);
	tap_ok(train_settings_load(sec, &ts, &cause) == 0, "a train section loads");
	train_settings_preset("tutorial", &q, NULL);
	tap_ok(ts.epochs == 7 && ts.optimizer == WGAN_OPT_ADAM && ts.rule == TRAIN_RULE_METRIC &&
	    ts.lr_g == 0.5 && ts.batch == q.batch && ts.width == q.width,
	    "its keys override the tutorial preset, the rest is the preset's");
	s = settings_find("train", "optimizer");
	tap_ok(strcmp(setting_format(s, &ts, buf, sizeof buf), "adam") == 0, "a choice formats as its word");
	json_object_set_new(sec, "batch", json_integer(0));
	tap_ok(train_settings_load(sec, &ts, &cause) != 0 &&
	    strcmp(cause, "study.json: train.batch: 0 is out of range (expected 1 to 16777216)") == 0,
	    "a bad value in study.json names the key and the range");
	free(cause);
	json_decref(sec);
	return tap_done();
}
