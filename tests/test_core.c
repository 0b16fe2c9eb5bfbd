/* synthehr — GPL-3.0-or-later.
 * Unit tests for the shared core: numbers, hashing, RNG, atomic writes,
 * the model matrix and the study directory. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "synthehr/mtx.h"
#include "synthehr/rng.h"
#include "synthehr/study.h"
#include "synthehr/util.h"
#include "tap.h"

static void
test_numbers(void)
{
	double v;
	char buf[64];

	tap_ok(util_parse_double(" 28.4 ", 6, &v) == 0 && v == 28.4, "parse with blanks");
	tap_ok(util_parse_double("1e3", 3, &v) == 0 && v == 1000, "parse exponent");
	tap_ok(util_parse_double("abc", 3, &v) != 0, "reject text");
	tap_ok(util_parse_double("0x10", 4, &v) != 0, "reject hex");
	tap_ok(util_parse_double("inf", 3, &v) != 0, "reject inf");
	tap_ok(util_parse_double("", 0, &v) != 0, "reject empty");
	util_format_float(buf, sizeof buf, 28.4f);
	tap_ok(strcmp(buf, "28.4") == 0, "float 28.4 prints shortest (%s)", buf);
	util_format_double(buf, sizeof buf, 0.1);
	tap_ok(strcmp(buf, "0.1") == 0, "double 0.1 prints shortest (%s)", buf);
	util_format_double(buf, sizeof buf, 91);
	tap_ok(strcmp(buf, "91") == 0, "integer prints without point");
}

static void
test_sha(void)
{
	uint8_t d[32];
	char hex[65];
	int i;

	util_sha256("abc", 3, d);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	tap_ok(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
	    "sha256(abc) known answer");
}

static void
test_rng(void)
{
	struct rng a, b;
	double s = 0, s2 = 0;
	int i, same = 1, n = 200000;
	size_t idx[10];

	rng_seed(&a, 42);
	rng_seed(&b, 42);
	for (i = 0; i < 100; i++)
		same &= rng_u64(&a) == rng_u64(&b);
	tap_ok(same, "same seed gives the same stream");
	for (i = 0; i < n; i++) {
		double x = rng_normal(&a);
		s += x;
		s2 += x * x;
	}
	tap_near(s / n, 0, 0.01, "normal mean ~ 0");
	tap_near(s2 / n, 1, 0.02, "normal variance ~ 1");
	for (i = 0; i < 10; i++)
		idx[i] = i;
	rng_shuffle(&a, idx, 10);
	s = 0;
	for (i = 0; i < 10; i++)
		s += idx[i];
	tap_ok(s == 45, "shuffle is a permutation");
	tap_ok(rng_below(&a, 1) == 0, "below(1) is 0");
}

static void
test_atomic(const char *dir)
{
	char *p = util_path_join(dir, "f.txt"), *data = NULL, *cause = NULL;
	struct atomic_file af;
	struct stat st;
	size_t len;

	tap_ok(util_write_file_atomic(p, "hello", 5, &cause) == 0, "atomic write");
	tap_ok(util_read_file(p, &data, &len, &cause) == 0 && len == 5 && memcmp(data, "hello", 5) == 0,
	    "read back");
	free(data);
	stat(p, &st);
	tap_ok((st.st_mode & 0777) == 0600, "file mode 0600");
	atomic_open(&af, p, &cause);
	fputs("partial", af.fp);
	atomic_abort(&af);
	util_read_file(p, &data, &len, &cause);
	tap_ok(len == 5 && memcmp(data, "hello", 5) == 0, "aborted write leaves the old file");
	free(data);
	free(p);
}

static void
test_mtx(const char *dir)
{
	struct layout *l = layout_new(5), *l2 = NULL;
	struct mtx *m, *m2 = NULL;
	char **gn = xcalloc(1, sizeof(char *));
	float row[5] = { 0, 1, 1, 0.25f, 0 }, out[10];
	char *p = util_path_join(dir, "m.bin"), *pc = util_path_join(dir, "m.csv"), *cause = NULL;
	json_t *j;
	int ok;

	gn[0] = xstrdup("race");
	l->name[0] = xstrdup("WHITE"); l->name[1] = xstrdup("BLACK");
	l->name[2] = xstrdup("DIE_1y"); l->name[3] = xstrdup("AGE"); l->name[4] = xstrdup("401");
	l->kind[0] = l->kind[1] = MCOL_GROUP;
	l->group_of[0] = l->group_of[1] = 0;
	l->kind[3] = MCOL_CONT;
	l->lo[3] = 18; l->hi[3] = 91;
	l->concept[4] = 1;
	l->label = 2;
	layout_finish(l, 1, gn);
	tap_ok(l->group_start[0] == 0 && l->group_width[0] == 2, "group block found");
	m = mtx_new(2, l);
	tap_ok(m->nb == 4 && m->nc == 1, "4 byte columns, 1 float column");
	mtx_set_row(m, 0, row);
	row[0] = 1; row[1] = 0; row[3] = 0.75f;
	mtx_set_row(m, 1, row);
	m->scaled = 1;
	mtx_get_rows(m, 0, 2, out);
	tap_ok(out[1] == 1 && out[3] == 0.25f && out[5] == 1 && out[8] == 0.75f, "rows round trip");
	tap_ok(mtx_write(p, m, &cause) == 0, "matrix written");
	j = layout_to_json(l);
	ok = layout_from_json(j, &l2, &cause) == 0;
	tap_ok(ok && l2->D == 5 && l2->label == 2 && l2->kind[3] == MCOL_CONT && l2->hi[3] == 91 &&
	    l2->group_width[0] == 2 && layout_hash(l) == layout_hash(l2), "layout JSON round trip");
	json_decref(j);
	tap_ok(mtx_read(p, l2, &m2, &cause) == 0 && m2->scaled && mtx_get(m2, 1, 3) == 0.75f &&
	    mtx_get(m2, 1, 0) == 1, "matrix read back");
	mtx_unscale(m2, l2);
	tap_near(mtx_get(m2, 1, 3), 0.25 * 18 + 0.75 * 91, 1e-4, "unscale uses (1-s)lo + s hi");
	mtx_scale(m2, l2);
	tap_near(mtx_get(m2, 1, 3), 0.75, 1e-6, "scale inverts unscale");
	mtx_free(m2);
	m2 = NULL;
	l2->D = 4;
	tap_ok(mtx_read(p, l2, &m2, &cause) != 0 && strstr(cause, "columns") != NULL,
	    "dimension mismatch is refused: %s", cause ? cause : "");
	l2->D = 5;
	free(cause);
	cause = NULL;
	layout_free(l2);
	mtx_free(m);
	free(p);
	free(pc);
	layout_free(l);
}

static void
test_study(const char *dir)
{
	char *sd = util_path_join(dir, "study"), *cause = NULL;
	struct study *s = NULL, *s2 = NULL;
	struct stat st;

	tap_ok(study_create(sd, &s, &cause) == 0, "study created");
	stat(sd, &st);
	tap_ok((st.st_mode & 0777) == 0700, "study dir mode 0700");
	json_object_set_new(study_section(s, "train"), "runs", json_integer(5));
	tap_ok(study_save(s, &cause) == 0, "study saved");
	tap_ok(study_open(sd, &s2, &cause) == 0 && js_int(study_section(s2, "train"), "runs", 0) == 5,
	    "study reopened with its settings");
	tap_ok(study_create(sd, &s, &cause) != 0 && strstr(cause, "already") != NULL, "refuses to overwrite a study");
	free(cause);
	study_free(s);
	study_free(s2);
	free(sd);
}

int
main(void)
{
	char tmpl[] = "/tmp/synthehr-core.XXXXXX";
	char *dir = mkdtemp(tmpl), cmd[256];

	test_numbers();
	test_sha();
	test_rng();
	test_atomic(dir);
	test_mtx(dir);
	test_study(dir);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
