/* synthehr — GPL-3.0-or-later.
 * Tests of CSV loading and writing (csvio.c, csvload.c) and of creating a
 * study from a cohort (study_init.c): RFC 4180 quoting, CRLF, BOM, gzip,
 * every bad-input case with the position it must name, type and role
 * inference on hand-made fixtures and on the real cohorts in SHARED_DATA,
 * write → read round trips, and the study's stored schema. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "synthehr/cohort.h"
#include "synthehr/csvio.h"
#include "synthehr/demo.h"
#include "synthehr/study.h"
#include "synthehr/util.h"
#include "tap.h"

static char tmpdir[] = "/tmp/synthehr-csv.XXXXXX";

static char *
fixture(const char *name)
{
	const char *src = getenv("SRCDIR");

	return xsprintf("%s/tests/data/foundation/%s", src ? src : "..", name);
}

static char *
tmp(const char *name)
{
	return xsprintf("%s/%s", tmpdir, name);
}

static void
write_bytes(const char *path, const char *data, size_t n)
{
	FILE *fp = fopen(path, "wb");

	if (fp == NULL || fwrite(data, 1, n, fp) != n)
		fatalx("cannot write %s", path);
	fclose(fp);
}

static const char *
cell(const struct cohort *c, const char *col, size_t row)
{
	static char buf[256];
	int j = cohort_find(c, col);

	if (j < 0)
		return "(no such column)";
	return cohort_cell_text(c, j, row, buf, sizeof buf);
}

static const struct column *
colp(const struct cohort *c, const char *name)
{
	static struct column none;
	int j = cohort_find(c, name);

	return j >= 0 ? &c->cols[j] : &none;
}

/* Load a fixture that must fail; the message must contain every needle. */
static void
expect_error(const char *path, const struct csv_options *opt, const char *what,
    const char *n1, const char *n2)
{
	struct cohort *c = NULL;
	char *cause = NULL;
	int rc = csv_read_cohort(path, opt, &c, &cause);

	tap_ok(rc == -1 && c == NULL && cause != NULL && strstr(cause, n1) != NULL &&
	    (n2 == NULL || strstr(cause, n2) != NULL), "%s: %s", what, cause ? cause : "(no error)");
	free(cause);
	cohort_free(c);
}

static void
test_reader(void)
{
	struct csv_reader *r;
	char **f, *p = fixture("quoted.csv"), *cause = NULL;
	size_t *len;
	int nf, n = 0;

	r = csvr_open(p, &cause);
	tap_ok(r != NULL, "open quoted.csv");
	if (r == NULL)
		return;
	csvr_next(r, &f, &len, &nf, &cause);
	tap_ok(nf == 4 && strcmp(f[3], "x") == 0, "header of 4 fields");
	csvr_next(r, &f, &len, &nf, &cause);
	tap_ok(strcmp(f[1], "Smith, Ann") == 0 && strcmp(f[2], "said \"hi\"") == 0,
	    "comma inside quotes, doubled quote (%s | %s)", f[1], f[2]);
	csvr_next(r, &f, &len, &nf, &cause);
	tap_ok(strcmp(f[1], "multi\nline") == 0 && len[1] == 10, "newline inside quotes");
	tap_ok(csvr_line(r) == 3, "record 2 starts on line 3 (%zu)", csvr_line(r));
	csvr_next(r, &f, &len, &nf, &cause);
	tap_ok(csvr_line(r) == 5 && nf == 4 && len[1] == 0 && len[2] == 0,
	    "after a two-line record the next starts on line 5 (%zu)", csvr_line(r));
	tap_ok(csvr_next(r, &f, &len, &nf, &cause) == 0, "end of file");
	csvr_close(r);
	free(p);

	p = fixture("crlf_bom.csv");
	r = csvr_open(p, &cause);
	while (r != NULL && csvr_next(r, &f, &len, &nf, &cause) == 1) {
		if (n == 0)
			tap_ok(strcmp(f[0], "a") == 0 && len[0] == 1, "BOM is not part of the first name");
		if (n == 1)
			tap_ok(strcmp(f[2], "0") == 0 && len[2] == 1, "CR is not part of the last field");
		if (n == 3)
			tap_ok(csvr_line(r) == 5, "blank CRLF line skipped, line count kept (%zu)", csvr_line(r));
		n++;
	}
	tap_ok(n == 4, "4 records in the CRLF file");
	csvr_close(r);
	free(p);
}

/* Many quoted records with line breaks, mixed with plain ones, and a few
 * fields far longer than a read chunk: records straddle chunk ends and the
 * field arena grows while a record is half parsed. */
static void
test_reader_stress(void)
{
	char *p = tmp("stress.csv"), *cause = NULL, **f, *big = xmalloc(300001);
	FILE *fp = fopen(p, "w");
	struct csv_reader *r;
	size_t *len, line = 2;
	int nf, i, bad = 0, n = 0;

	memset(big, 'z', 300000);
	big[300000] = '\0';
	fprintf(fp, "a,b,c\n");
	for (i = 0; i < 30000; i++) {
		if (i % 3 == 0)
			fprintf(fp, "%d,\"x, \"\"%d\"\"\ny\",%d\n", i, i, 2 * i);
		else if (i % 5000 == 1)
			fprintf(fp, "%d,\"%s\",%d\r\n", i, big, 2 * i);
		else
			fprintf(fp, " %d ,plain%d,%d\n", i, i, 2 * i);
	}
	fclose(fp);
	r = csvr_open(p, &cause);
	csvr_next(r, &f, &len, &nf, &cause);
	for (i = 0; csvr_next(r, &f, &len, &nf, &cause) == 1; i++) {
		char want[64];

		n++;
		if (nf != 3 || atoi(f[0]) != i || atoi(f[2]) != 2 * i || csvr_line(r) != line) {
			bad++;
			continue;
		}
		if (i % 3 == 0) {
			snprintf(want, sizeof want, "x, \"%d\"\ny", i);
			bad += strcmp(f[1], want) != 0;
			line += 2;
		} else if (i % 5000 == 1) {
			bad += len[1] != 300000 || f[1][299999] != 'z';
			line++;
		} else {
			snprintf(want, sizeof want, "plain%d", i);
			bad += strcmp(f[1], want) != 0 || len[0] != strlen(f[0]);
			line++;
		}
	}
	tap_ok(n == 30000 && bad == 0, "30,000 mixed quoted/plain/long records parse with right lines "
	    "(%d read, %d wrong)", n, bad);
	csvr_close(r);
	free(big);
	free(p);
	free(cause);
}

static void
test_errors(void)
{
	struct csv_options o;
	struct csv_override ov[2];
	char *p, *q;
	gzFile gz;
	int i;

	p = fixture("ragged.csv");
	expect_error(p, NULL, "ragged row", "ragged.csv:3:", "expected 3 fields (as in the header), found 2");
	free(p);
	p = fixture("unterminated.csv");
	expect_error(p, NULL, "unterminated quote", "unterminated.csv:2:", "unterminated quoted field");
	free(p);
	p = fixture("bad_quote.csv");
	expect_error(p, NULL, "quote inside an unquoted field", "bad_quote.csv:2:2", "malformed quoting");
	free(p);
	p = fixture("dup_header.csv");
	expect_error(p, NULL, "duplicate header", "dup_header.csv:1:3", "duplicate column name 'a'");
	free(p);
	p = fixture("empty.csv");
	expect_error(p, NULL, "empty file", "empty.csv", "empty file");
	free(p);
	p = fixture("header_only.csv");
	expect_error(p, NULL, "header without rows", "header_only.csv", "no data rows");
	free(p);
	p = fixture("text_numeric.csv");
	memset(&o, 0, sizeof o);
	ov[0].name = "bmi";
	ov[0].role = ROLE_CONTINUOUS;
	o.overrides = ov;
	o.noverrides = 1;
	expect_error(p, &o, "text in a column set as continuous", "text_numeric.csv:4:2",
	    "expected a number");
	ov[0].role = ROLE_BINARY;
	expect_error(p, &o, "three values in a column set as binary", "text_numeric.csv:5:2",
	    "expected at most two");
	ov[0].name = "nope";
	expect_error(p, &o, "override of an unknown column", "no column named 'nope'", NULL);
	ov[0].name = "a";
	ov[0].role = ROLE_LABEL;
	ov[1].name = "bmi";
	ov[1].role = ROLE_LABEL;
	o.noverrides = 2;
	expect_error(p, &o, "two labels", "2 columns are set as the label", NULL);
	free(p);
	p = tmp("nope.csv");
	expect_error(p, NULL, "missing file", "nope.csv", "No such file");
	free(p);
	expect_error(tmpdir, NULL, "a directory", "is a directory", NULL);

	/* NUL byte on line 3 */
	p = tmp("nul.csv");
	write_bytes(p, "a,b\n1,2\n3,\0\n", 12);
	expect_error(p, NULL, "NUL byte", "nul.csv:3:", "NUL byte");
	free(p);

	/* gzip: good, then truncated */
	p = tmp("ok.csv.gz");
	gz = gzopen(p, "wb");
	gzputs(gz, "a,b\n");
	for (i = 0; i < 20000; i++)
		gzprintf(gz, "%d,%d\n", i, i % 7);
	gzclose(gz);
	{
		struct cohort *c = NULL;
		char *cause = NULL;

		tap_ok(csv_read_cohort(p, NULL, &c, &cause) == 0 && c->nrows == 20000 &&
		    c->cols[1].kind == KIND_NUMERIC && c->cols[1].num[19999] == 19999 % 7,
		    "gzip file read (%s)", cause ? cause : "20000 rows");
		cohort_free(c);
		c = NULL;
		memset(&o, 0, sizeof o);
		o.header_only = 1;
		tap_ok(csv_read_cohort(p, &o, &c, &cause) == 0 && c->nrows == 1000 && c->ncols == 2 &&
		    c->cols[1].kind == KIND_NUMERIC, "header_only: a 1000-row preview (7 integer values: numeric)");
		cohort_free(c);
		free(cause);
	}
	{
		char *data;
		size_t n;

		util_read_file(p, &data, &n, NULL);
		q = tmp("trunc.csv.gz");
		write_bytes(q, data, n / 2);
		expect_error(q, NULL, "truncated gzip", "trunc.csv.gz:", "damaged or truncated");
		free(data);
		free(q);
	}
	free(p);
}

static void
test_inference(void)
{
	struct cohort *c = NULL, *c2 = NULL;
	struct csv_options o;
	char *p = fixture("types.csv"), *cause = NULL, *w = tmp("types-out.csv.gz");
	int ok, j, same = 1;
	size_t r;

	ok = csv_read_cohort(p, NULL, &c, &cause) == 0;
	tap_ok(ok, "read types.csv%s%s", cause ? ": " : "", cause ? cause : "");
	if (!ok)
		return;
	tap_ok(c->nrows == 6 && c->ncols == 15, "6 x 15");
	tap_ok(colp(c, "patient_id")->role == ROLE_ID && colp(c, "patient_id")->kind == KIND_TEXT,
	    "patient_id: id, kept as text");
	tap_ok(colp(c, "yn")->kind == KIND_BINARY && colp(c, "yn")->nmissing == 1 &&
	    strcmp(cell(c, "yn", 0), "yes") == 0 && colp(c, "yn")->bin[0] == 1 && colp(c, "yn")->bin[1] == 0,
	    "yes/no: binary, yes = 1, NA missing");
	tap_ok(colp(c, "tf")->kind == KIND_BINARY && colp(c, "tf")->bin[0] == 1 &&
	    strcmp(colp(c, "tf")->levels[1], "t") == 0 && colp(c, "tf")->nmissing == 1,
	    "t/f: binary, t = 1, empty missing");
	tap_ok(colp(c, "sex")->role == ROLE_SEX && colp(c, "sex")->bin[0] == 1 &&
	    strcmp(colp(c, "sex")->levels[1], "F") == 0, "sex F/M: sex, F = 1");
	tap_ok(colp(c, "race")->role == ROLE_CATEGORICAL && colp(c, "race")->nlevels == 5 &&
	    strcmp(colp(c, "race")->levels[0], "ASIAN") == 0, "race: categorical, 5 levels sorted");
	tap_ok(colp(c, "stage")->kind == KIND_CATEGORICAL && colp(c, "stage")->nlevels == 3 &&
	    strcmp(cell(c, "stage", 2), "2") == 0, "integer codes 0/1/2: categorical");
	tap_ok(colp(c, "trt")->kind == KIND_BINARY && colp(c, "trt")->bin[1] == 1 &&
	    colp(c, "trt")->bin[0] == 0 && strcmp(cell(c, "trt", 1), "2") == 0,
	    "codes 1/2: binary, 2 = 1, written back as 2");
	tap_ok(colp(c, "w")->role == ROLE_CONTINUOUS && colp(c, "w")->num[2] == 65.25 &&
	    colp(c, "w")->num[3] == 100 && colp(c, "w")->nmissing == 1,
	    "w: continuous; blanks, exponent, NaN missing");
	tap_ok(colp(c, "const")->kind == KIND_NUMERIC, "a constant 5 stays numeric");
	tap_ok(colp(c, "allna")->role == ROLE_IGNORE && colp(c, "allna")->nmissing == 6,
	    "all missing tokens (NA, empty, ., null, N/A, NULL): ignored, 6 missing");
	tap_ok(colp(c, "code401")->role == ROLE_BINARY && colp(c, "401.1")->role == ROLE_CONCEPT,
	    "a phecode name makes a 0/1 column a concept; another name does not");
	tap_ok(colp(c, "DIE_1y")->role == ROLE_LABEL, "DIE_1y: the label by name");
	tap_ok(colp(c, "note")->role == ROLE_CATEGORICAL, "6 distinct notes in 6 rows: categorical (<= 20 levels)");

	/* round trip: write (gzip) and read back */
	tap_ok(csv_write_cohort(w, c, &cause) == 0, "write types.csv.gz");
	ok = csv_read_cohort(w, NULL, &c2, &cause) == 0;
	tap_ok(ok && c2->ncols == c->ncols && c2->nrows == c->nrows, "read it back");
	if (ok) {
		for (j = 0; j < c->ncols; j++) {
			if (strcmp(c->cols[j].name, c2->cols[j].name) != 0 || c->cols[j].role != c2->cols[j].role ||
			    c->cols[j].kind != c2->cols[j].kind || c->cols[j].nmissing != c2->cols[j].nmissing) {
				tap_diag("column %d (%s) differs", j, c->cols[j].name);
				same = 0;
			}
			for (r = 0; r < c->nrows && same; r++) {
				char a[64], b[64];

				cohort_cell_text(c, j, r, a, sizeof a);
				cohort_cell_text(c2, j, r, b, sizeof b);
				if (strcmp(a, b) != 0) {
					tap_diag("%s row %zu: '%s' vs '%s'", c->cols[j].name, r, a, b);
					same = 0;
				}
			}
		}
		tap_ok(same, "round trip keeps names, roles, kinds, labels and missing cells");
	}
	cohort_free(c2);
	cohort_free(c);

	/* options: fewer categorical levels, other missing tokens */
	memset(&o, 0, sizeof o);
	o.max_cat_levels = 4;
	ok = csv_read_cohort(p, &o, &c, &cause) == 0;
	tap_ok(ok && colp(c, "note")->role == ROLE_ID && colp(c, "race")->role == ROLE_IGNORE,
	    "max_cat_levels 4: unique notes are ids, 5 races are not modelled");
	cohort_free(c);
	{
		static const char *const toks[] = { "NA", NULL };

		memset(&o, 0, sizeof o);
		o.missing_tokens = toks;
		ok = csv_read_cohort(p, &o, &c, &cause) == 0;
		tap_ok(ok && colp(c, "allna")->kind == KIND_CATEGORICAL && colp(c, "allna")->nmissing == 2 &&
		    colp(c, "allna")->nlevels == 4,
		    "missing tokens {NA}: '.', 'null', 'N/A', 'NULL' are levels; empty is always missing");
		cohort_free(c);
	}
	memset(&o, 0, sizeof o);
	o.sex_female = "M";
	ok = csv_read_cohort(p, &o, &c, &cause) == 0;
	tap_ok(ok && colp(c, "sex")->bin[1] == 1 && colp(c, "sex")->bin[0] == 0, "sex_female M flips sex");
	cohort_free(c);
	free(p);
	free(w);
	free(cause);
}

static void
test_shared(void)
{
	const char *d = tap_shared_data();
	char *p;
	struct cohort *c;
	char *cause = NULL;
	size_t r, f = 0;

	p = xsprintf("%s/cohorts/pbc.csv", d);
	if (!util_file_exists(p)) {
		tap_diag("SHARED_DATA not found (%s): real-cohort inference skipped", d);
		tap_ok(1, "# SKIP no shared data");
		free(p);
		return;
	}
	tap_ok(csv_read_cohort(p, NULL, &c, &cause) == 0 && c->nrows == 418 && c->ncols == 20, "pbc.csv 418 x 20");
	tap_ok(colp(c, "sex")->role == ROLE_SEX && colp(c, "sex")->kind == KIND_BINARY &&
	    strcmp(colp(c, "sex")->levels[1], "f") == 0, "pbc sex f/m: binary sex, f = 1");
	for (r = 0; r < c->nrows; r++)
		f += colp(c, "sex")->bin[r];
	tap_ok(f == 374, "pbc: 374 women (awk count)");
	tap_ok(colp(c, "status")->kind == KIND_CATEGORICAL && colp(c, "status")->nlevels == 3,
	    "pbc status 0/1/2: categorical");
	tap_ok(colp(c, "id")->role == ROLE_ID, "pbc id: id");
	tap_ok(colp(c, "bili")->role == ROLE_CONTINUOUS && colp(c, "chol")->nmissing == 134,
	    "pbc bili continuous, chol 134 missing");
	cohort_free(c);
	free(p);
	p = xsprintf("%s/cohorts/pima2.csv", d);
	tap_ok(csv_read_cohort(p, NULL, &c, &cause) == 0 && c->nrows == 768, "pima2.csv 768 rows");
	tap_ok(colp(c, "diabetes")->kind == KIND_BINARY && strcmp(colp(c, "diabetes")->levels[1], "pos") == 0,
	    "pima2 pos/neg: binary, pos = 1");
	tap_ok(colp(c, "insulin")->nmissing == 374, "pima2 insulin: 374 empty cells missing (awk count)");
	cohort_free(c);
	free(p);
	p = xsprintf("%s/cohorts/stroke_cost.csv", d);
	tap_ok(csv_read_cohort(p, NULL, &c, &cause) == 0 && c->nrows == 518, "stroke_cost.csv 518 rows");
	tap_ok(colp(c, "hypTen")->kind == KIND_BINARY && strcmp(colp(c, "hypTen")->levels[1], "yes") == 0 &&
	    colp(c, "sex")->role == ROLE_SEX && strcmp(colp(c, "sex")->levels[1], "female") == 0,
	    "stroke_cost yes/no: binary, yes = 1; sex female = 1");
	for (r = f = 0; r < c->nrows; r++)
		f += colp(c, "sex")->bin[r];
	tap_ok(f == 277, "stroke_cost: 277 women (awk count)");
	cohort_free(c);
	free(p);
	free(cause);
}

static void
test_study(void)
{
	struct study_init_opts o;
	struct study_role roles[1];
	struct study *s = NULL;
	struct cohort *c = NULL;
	struct stat st;
	char *dir = tmp("study"), *data = fixture("types.csv"), *cause = NULL, *p;
	int ok;

	memset(&o, 0, sizeof o);
	o.data = data;
	o.label = "yn";
	roles[0].column = "w";
	roles[0].role = ROLE_IGNORE;
	o.roles = roles;
	o.nroles = 1;
	ok = study_init(dir, &o, &s, &cause) == 0;
	tap_ok(ok, "study_init from types.csv%s%s", cause ? ": " : "", cause ? cause : "");
	if (!ok)
		return;
	tap_ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "study directory 0700");
	p = study_path(s, "study.json");
	tap_ok(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600, "study.json 0600");
	free(p);
	tap_ok(strcmp(js_str(json_object_get(json_object_get(s->cfg, "schema"), "roles"), "yn", ""), "label") == 0 &&
	    strcmp(js_str(json_object_get(json_object_get(s->cfg, "schema"), "roles"), "DIE_1y", ""), "binary") == 0,
	    "--label yn: yn is the label, DIE_1y is not");
	tap_ok(js_int(json_object_get(s->cfg, "source"), "rows", 0) == 6 &&
	    strlen(js_str(json_object_get(s->cfg, "source"), "sha256", "")) == 64 &&
	    js_str(json_object_get(s->cfg, "source"), "path", "")[0] == '/', "source: absolute path, sha256, rows");
	ok = study_load_cohort(s, &c, &cause) == 0;
	tap_ok(ok && colp(c, "yn")->role == ROLE_LABEL && colp(c, "w")->role == ROLE_IGNORE &&
	    colp(c, "DIE_1y")->role == ROLE_BINARY && colp(c, "sex")->role == ROLE_SEX,
	    "study_load_cohort applies the stored roles");
	cohort_free(c);
	tap_ok(study_check_source(s, &cause) == 0, "source checksum matches");
	study_free(s);
	s = NULL;
	tap_ok(study_init(dir, &o, &s, &cause) == -1 && strstr(cause, "already exists") != NULL,
	    "init over an existing study refused");
	free(cause);
	cause = NULL;
	free(dir);

	/* nothing written on bad input */
	dir = tmp("study-bad");
	o.label = "nope";
	tap_ok(study_init(dir, &o, NULL, &cause) == -1 && !util_dir_exists(dir),
	    "unknown --label column: refused, nothing written (%s)", cause ? cause : "");
	free(cause);
	cause = NULL;
	free(data);
	data = fixture("ragged.csv");
	o.data = data;
	o.label = NULL;
	o.nroles = 0;
	tap_ok(study_init(dir, &o, NULL, &cause) == -1 && !util_dir_exists(dir) && strstr(cause, "ragged.csv:3"),
	    "ragged cohort: refused, nothing written");
	free(cause);
	cause = NULL;
	free(dir);
	free(data);

	/* demo study: self-contained, level order from the sidecar */
	dir = tmp("study-demo");
	memset(&o, 0, sizeof o);
	o.demo = 1;
	o.demo_rows = 300;
	o.demo_concepts = 40;
	o.demo_seed = 3;
	ok = study_init(dir, &o, &s, &cause) == 0;
	tap_ok(ok, "demo study%s%s", cause ? ": " : "", cause ? cause : "");
	if (ok) {
		p = study_path(s, "source/demo.csv.gz");
		tap_ok(util_file_exists(p) && stat(p, &st) == 0 && (st.st_mode & 0777) == 0600,
		    "demo cohort inside the study, 0600");
		free(p);
		tap_ok(json_array_size(json_object_get(json_object_get(s->cfg, "prep"), "outliers")) == 3,
		    "sidecar's outlier rules merged into prep");
		ok = study_load_cohort(s, &c, &cause) == 0;
		tap_ok(ok && c->nrows == 300 && c->ncols == 47 + DEMO_EXTRACT_COLS &&
		    strcmp(colp(c, "RACE")->levels[0], "WHITE") == 0 &&
		    strcmp(colp(c, "ADMISSION_TYPE")->levels[0], "EMERGENCY") == 0 &&
		    colp(c, "DIE_1y")->role == ROLE_LABEL && colp(c, "GENDER")->role == ROLE_SEX,
		    "demo cohort reloads: 300 x 54 (7 + 40 + the extract's 7), RACE and ADMISSION_TYPE in the"
		    " sidecar's order, label and sex");
		cohort_free(c);
		study_free(s);
	}
	free(dir);
	free(cause);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL)
		fatalx("mkdtemp");
	test_reader();
	test_reader_stress();
	test_errors();
	test_inference();
	test_shared();
	test_study();
	{
		char *cmd = xsprintf("rm -rf '%s'", tmpdir);

		if (system(cmd) != 0)
			tap_diag("could not remove %s", tmpdir);
		free(cmd);
	}
	return tap_done();
}
