/* synthehr — GPL-3.0-or-later.
 * Fixtures of the C training tests (test_train.c, test_train_budget.c): a
 * private temporary directory, and a study in it that holds only what
 * training reads (prep/layout.json, prep/train.mtx marked as this study's
 * training rows, study.json's "train").  Header-only, like tap.h. */
#ifndef SYNTHEHR_STUDY_FIXTURE_H
#define SYNTHEHR_STUDY_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synthehr/mtx.h"
#include "synthehr/study.h"
#include "synthehr/util.h"
#include "tap.h"

static char tmpdir[256];

/* $TMPDIR/PREFIX-PID, 0700; exits on failure. */
static inline void
fixture_tmpdir(const char *prefix)
{
	char *cause = NULL;

	snprintf(tmpdir, sizeof tmpdir, "%s/%s-%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", prefix,
	    (int)getpid());
	if (util_mkdir_private(tmpdir, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		exit(1);
	}
}

/* Removes the directory unless KEEP_TMP is set. */
static inline void
fixture_tmpdir_done(void)
{
	char *cmd;

	if (getenv("KEEP_TMP") != NULL)
		return;
	cmd = xsprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", tmpdir);
	free(cmd);
}

static inline void
fixture_die(char *cause)
{
	fprintf(stderr, "%s\n", cause ? cause : "fixture failed");
	exit(1);
}

/* The study tmpdir/NAME with layout l, the scaled training rows m and the
 * "train" settings (taken over). */
static inline struct study *
fixture_study(const char *name, const struct layout *l, struct mtx *m, json_t *train)
{
	char *dir = xsprintf("%s/%s", tmpdir, name), *p, *cause = NULL, key[65];
	struct study *s;
	json_t *lj;

	if (study_create(dir, &s, &cause) != 0 || study_mkdir(s, "prep", &cause) != 0)
		fixture_die(cause);
	lj = layout_to_json(l);
	p = study_path(s, "prep/layout.json");
	if (js_write_file(p, lj, &cause) != 0)
		fixture_die(cause);
	free(p);
	json_decref(lj);
	p = study_path(s, "prep/train.mtx");
	m->prov.role = MTX_ROLE_TRAIN;   /* training rows of this study's source (issue 18) */
	if (study_source_key(s, key, NULL) == 0)
		m->prov.source = util_hex64(key);
	if (mtx_write(p, m, &cause) != 0)
		fixture_die(cause);
	free(p);
	json_object_set_new(s->cfg, "train", train);
	if (study_save(s, &cause) != 0)
		fixture_die(cause);
	free(dir);
	return s;
}

/* The study's file REL as a string (malloc'd), or NULL. */
static inline char *
slurp(struct study *s, const char *rel)
{
	char *p = study_path(s, rel), *data = NULL, *cause = NULL;
	size_t len;

	if (util_read_file(p, &data, &len, &cause) != 0) {
		free(cause);
		data = NULL;
	}
	free(p);
	return data;
}

/* runs/run-RUN/loss.csv without its last column (the seconds, which
 * differ between equal runs). */
static inline char *
loss_no_seconds(struct study *s, int run)
{
	char *rel = xsprintf("runs/run-%d/loss.csv", run), *d = slurp(s, rel), *out, *o, *p;

	free(rel);
	if (d == NULL)
		return xstrdup("");
	out = xmalloc(strlen(d) + 1);
	for (o = out, p = d; *p; ) {
		char *nl = strchr(p, '\n'), *comma;

		if (nl == NULL)
			nl = p + strlen(p);
		comma = memrchr(p, ',', (size_t)(nl - p));
		if (comma == NULL)
			comma = nl;
		memcpy(o, p, (size_t)(comma - p));
		o += comma - p;
		*o++ = '\n';
		p = *nl ? nl + 1 : nl;
	}
	*o = '\0';
	free(d);
	return out;
}

#endif
