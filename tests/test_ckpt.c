/* synthehr — GPL-3.0-or-later.
 * Checkpoint format tests: a file written by an independent Python writer
 * (tests/data/train/make_v1.py) reads back field by field; a round trip of
 * a real model state reproduces the model exactly; a wrong magic, version,
 * length, checksum, dimension, layout or settings hash is refused with a
 * message naming the problem. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synthehr/ckpt.h"
#include "synthehr/util.h"
#include "synthehr/wgan.h"
#include "tap.h"

static char tmpdir[256];

static char *
tmp(const char *name)
{
	return xsprintf("%s/%s", tmpdir, name);
}

static int
contains(const char *s, const char *sub)
{
	return s != NULL && strstr(s, sub) != NULL;
}

/* Copy src to dst with byte off replaced by v (off < 0: truncate to -off bytes). */
static void
damage(const char *src, const char *dst, long off, int v)
{
	char *data, *c = NULL;
	size_t len;

	if (util_read_file(src, &data, &len, &c) != 0) {
		fprintf(stderr, "%s\n", c);
		exit(1);
	}
	if (off >= 0)
		data[off] = (char)v;
	else
		len = (size_t)-off;
	if (util_write_file_atomic(dst, data, len, &c) != 0) {
		fprintf(stderr, "%s\n", c);
		exit(1);
	}
	free(data);
}

static void
test_fixture(void)
{
	const char *sd = getenv("SRCDIR");
	char *path = xsprintf("%s/tests/data/train/v1.ckpt", sd ? sd : "..");
	struct ckpt_header h;
	float *d = NULL;
	char *cause = NULL;

	tap_ok(ckpt_read(path, &h, &d, &cause) == 0, "reads the Python-written v1 checkpoint (%s)",
	    cause ? cause : "ok");
	tap_ok(h.version == 1 && h.settings_hash == 0x1122334455667788ULL &&
	    h.layout_hash == 0x99aabbccddeeff00ULL, "fixture: version and hashes");
	tap_ok(h.D == 7 && h.zdim == 3 && h.width == 4 && h.depth == 2 && h.ngroups == 1 && h.epoch == 150,
	    "fixture: dimensions and epoch");
	tap_ok(h.rng.s[0] == 1 && h.rng.s[3] == 4 && h.rng.have_spare == 1 && h.rng.spare == 0.25,
	    "fixture: rng state");
	tap_ok(h.score == 1.5 && h.best_score == 1.25 && h.best_epoch == 100 && h.nfloats == 5,
	    "fixture: scores and length");
	tap_ok(d != NULL && d[0] == 0.5f && d[1] == -1.0f && d[3] == 3.25f && d[4] == 1e-3f,
	    "fixture: payload floats");
	free(d);
	free(cause);
	free(path);
}

static void
test_errors(void)
{
	struct ckpt_header h, want;
	float data[6] = { 1, 2, 3, 4, 5, 6 }, *d = NULL;
	int rc;
	char *good = tmp("good.bin"), *bad = tmp("bad.bin"), *cause = NULL;

	memset(&h, 0, sizeof h);
	h.D = 10;
	h.zdim = 4;
	h.width = 8;
	h.depth = 2;
	h.ngroups = 1;
	h.epoch = 3;
	h.settings_hash = 42;
	h.layout_hash = 43;
	h.nfloats = 6;
	h.score = NAN;
	tap_ok(ckpt_write(good, &h, data, &cause) == 0, "write a checkpoint");

	damage(good, bad, 0, 'X');
	rc = ckpt_read(bad, &want, &d, &cause);
	tap_ok(rc == -2 && contains(cause, "bad magic"), "wrong magic refused: %s", cause);
	free(cause);
	cause = NULL;

	damage(good, bad, 8, 9);
	rc = ckpt_read(bad, &want, &d, &cause);
	tap_ok(rc == -2 && contains(cause, "version 9") &&
	    contains(cause, "reads version 1"), "wrong version refused: %s", cause);
	free(cause);
	cause = NULL;

	damage(good, bad, -150, 0);
	rc = ckpt_read(bad, &want, &d, &cause);
	tap_ok(rc == -2 && contains(cause, "truncated"), "truncated file refused: %s", cause);
	free(cause);
	cause = NULL;

	damage(good, bad, -100, 0);
	rc = ckpt_read(bad, &want, &d, &cause);
	tap_ok(rc == -2 && contains(cause, "truncated"), "file cut inside the header refused: %s", cause);
	free(cause);
	cause = NULL;

	damage(good, bad, 136 + 5, 0x7f);
	rc = ckpt_read(bad, &want, &d, &cause);
	tap_ok(rc == -2 && contains(cause, "checksum"), "damaged payload refused: %s", cause);
	free(cause);
	cause = NULL;

	tap_ok(ckpt_read(good, &want, &d, &cause) == 0 && d[5] == 6, "good file reads back");
	free(d);
	want = h;
	tap_ok(ckpt_check(good, &h, &want, &cause) == 0, "matching header passes the check");
	want.D = 11;
	want.width = 16;
	rc = ckpt_check(good, &h, &want, &cause);
	tap_ok(rc == -2 && contains(cause, "columns (D) is 10, expected 11")
	    && contains(cause, "width is 8, expected 16"), "wrong dimensions named: %s", cause);
	free(cause);
	cause = NULL;
	want = h;
	want.settings_hash = 41;
	rc = ckpt_check(good, &h, &want, &cause);
	tap_ok(rc == -2 && contains(cause, "other training settings"), "wrong settings hash refused: %s", cause);
	free(cause);
	cause = NULL;
	want = h;
	want.layout_hash = 1;
	rc = ckpt_check(good, &h, &want, &cause);
	tap_ok(rc == -2 && contains(cause, "another column layout"), "wrong layout hash refused: %s", cause);
	free(cause);
	cause = NULL;
	rc = ckpt_read(tmpdir, &want, &d, &cause);
	tap_ok(rc < 0 && cause != NULL, "a directory is refused: %s", cause);
	free(cause);
	cause = NULL;
	{
		char *missing = tmp("nope.bin");

		rc = ckpt_read(missing, &want, &d, &cause);
	tap_ok(rc == -1 && contains(cause, "nope.bin"), "missing file named: %s", cause);
		free(cause);
		free(missing);
	}
	free(good);
	free(bad);
}

/* A real model: state round trip through a file reproduces generation. */
static void
test_model_roundtrip(void)
{
	int gs[1] = { 0 }, gw[1] = { 3 };
	struct wgan_config cfg;
	struct wgan *a, *b;
	struct ckpt_header h, got;
	struct rng r1, r2;
	float *sa, *sb, real[32 * 9], oa[20 * 9], ob[20 * 9];
	char *path = tmp("model.bin"), *cause = NULL;
	size_t n, i;
	struct wgan_stats st;
	int k;

	memset(&cfg, 0, sizeof cfg);
	cfg.D = 9;
	cfg.zdim = 4;
	cfg.width = 8;
	cfg.depth = 2;
	cfg.ngroups = 1;
	cfg.group_start = gs;
	cfg.group_width = gw;
	cfg.lr_g = 1e-3;
	cfg.lr_d = 1e-3;
	cfg.gp_lambda = 10;
	cfg.optimizer = WGAN_OPT_ADAM;
	cfg.adam_b1 = 0.5;
	cfg.adam_b2 = 0.9;
	a = wgan_new(&cfg, 7);
	b = wgan_new(&cfg, 8);
	rng_seed(&r1, 3);
	for (i = 0; i < 32 * 9; i++)
		real[i] = (float)rng_uniform(&r1);
	for (k = 0; k < 3; k++)
		wgan_train_step(a, real, 32, &r1, &st);
	n = wgan_state_floats(a);
	sa = xmalloc(n * sizeof *sa);
	wgan_state_get(a, sa);
	memset(&h, 0, sizeof h);
	h.D = 9;
	h.nfloats = n;
	h.epoch = 3;
	h.rng = r1;
	tap_ok(ckpt_write(path, &h, sa, &cause) == 0, "write a trained model's state (%zu floats)", n);
	tap_ok(ckpt_read(path, &got, &sb, &cause) == 0 && got.nfloats == n &&
	    memcmp(sa, sb, n * sizeof *sa) == 0, "state reads back bit for bit");
	tap_ok(memcmp(&got.rng.s, &r1.s, sizeof r1.s) == 0, "rng state reads back");
	wgan_state_set(b, sb);
	r2 = got.rng;
	/* Continue training both: identical steps. */
	wgan_train_step(a, real, 32, &r1, &st);
	wgan_train_step(b, real, 32, &r2, &st);
	rng_seed(&r1, 99);
	rng_seed(&r2, 99);
	wgan_generate(a, 20, &r1, 1, oa);
	wgan_generate(b, 20, &r2, 1, ob);
	tap_ok(memcmp(oa, ob, sizeof oa) == 0, "restored model trains and generates identically");
	tap_ok(wgan_steps(b) == 4, "step count restored (%ld)", wgan_steps(b));
	free(sa);
	free(sb);
	free(path);
	wgan_free(a);
	wgan_free(b);
}

int
main(void)
{
	char *cause = NULL;

	snprintf(tmpdir, sizeof tmpdir, "%s/ckpt-test-%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
	    (int)getpid());
	if (util_mkdir_private(tmpdir, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	test_fixture();
	test_errors();
	test_model_roundtrip();
	{
		char *cmd = xsprintf("rm -rf '%s'", tmpdir);

		if (system(cmd) != 0)
			tap_diag("could not remove %s", tmpdir);
		free(cmd);
	}
	return tap_done();
}
