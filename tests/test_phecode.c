/* synthehr — GPL-3.0-or-later.
 * ICD → phecode mapping against the real phecode map 1.2 files.  Every
 * expected phecode set below was looked up by hand in
 * phecode_map_icd9cm.csv / phecode_map_icd10cm.csv (direct phecodes) and
 * phecode_rollup_map.csv (ancestors), e.g.
 *   "ICD9CM","250.01","250.1"   and  "250.1","250"   ⇒ 250.01 → {250, 250.1}.
 * Also dot repair, vocabulary names, the race grouping and the string
 * table. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "synthehr/mimic.h"
#include "synthehr/phecode.h"
#include "synthehr/util.h"
#include "tap.h"

/* "a,b,c" → the names of the looked-up ids joined with ','. */
static const char *
lookup_str(struct phecode_map *m, int vocab, const char *code, enum phecode_how *how)
{
	static char buf[512];
	const uint32_t *ids;
	int n = phecode_lookup(m, vocab, code, strlen(code), &ids, how), i;
	const char *names[64];

	buf[0] = '\0';
	/* Sort names for a readable comparison (ids are in id order). */
	for (i = 0; i < n && i < 64; i++)
		names[i] = phecode_name(m, ids[i]);
	for (int a = 1; a < n; a++)
		for (int b = a; b > 0 && strcmp(names[b - 1], names[b]) > 0; b--) {
			const char *t = names[b];

			names[b] = names[b - 1];
			names[b - 1] = t;
		}
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(buf, ",");
		strcat(buf, names[i]);
	}
	return buf;
}

static void
check_map(struct phecode_map *m, int vocab, const char *code, const char *want, enum phecode_how want_how,
    const char *what)
{
	enum phecode_how how;
	const char *got = lookup_str(m, vocab, code, &how);

	if (!tap_ok(strcmp(got, want) == 0 && how == want_how, "%s: %s %s → {%s}", what,
	    phecode_vocab_name(vocab), code, want))
		tap_diag("got {%s} how %d, want how %d", got, (int)how, (int)want_how);
}

static void
test_dot(void)
{
	char out[40];

	phecode_dot(PHECODE_ICD9, "25001", 5, out, sizeof out);
	tap_ok(strcmp(out, "250.01") == 0, "ICD-9 dot after 3: 25001 → 250.01 (%s)", out);
	phecode_dot(PHECODE_ICD9, "E8497", 5, out, sizeof out);
	tap_ok(strcmp(out, "E849.7") == 0, "ICD-9 E code dot after 4: E8497 → E849.7 (%s)", out);
	phecode_dot(PHECODE_ICD9, "V707", 4, out, sizeof out);
	tap_ok(strcmp(out, "V70.7") == 0, "ICD-9 V code dot after 3: V707 → V70.7 (%s)", out);
	phecode_dot(PHECODE_ICD9, "401", 3, out, sizeof out);
	tap_ok(strcmp(out, "401") == 0, "ICD-9 3-character code has no dot (%s)", out);
	phecode_dot(PHECODE_ICD9, "E849", 4, out, sizeof out);
	tap_ok(strcmp(out, "E849") == 0, "ICD-9 4-character E code has no dot (%s)", out);
	phecode_dot(PHECODE_ICD10, "E119", 4, out, sizeof out);
	tap_ok(strcmp(out, "E11.9") == 0, "ICD-10 E code dot after 3: E119 → E11.9 (%s)", out);
	phecode_dot(PHECODE_ICD10, "w19xxxa", 7, out, sizeof out);
	tap_ok(strcmp(out, "W19.XXXA") == 0, "ICD-10 upper-cased: w19xxxa → W19.XXXA (%s)", out);
	phecode_dot(PHECODE_ICD10, " I25.10 ", 8, out, sizeof out);
	tap_ok(strcmp(out, "I25.10") == 0, "dotted input with blanks kept: I25.10 (%s)", out);
	tap_ok(phecode_dot(PHECODE_ICD10, "  ", 2, out, sizeof out) == 0, "blank code → 0");

	tap_ok(phecode_vocab_parse("9", 1) == PHECODE_ICD9, "vocab 9");
	tap_ok(phecode_vocab_parse("ICD9CM", 6) == PHECODE_ICD9, "vocab ICD9CM");
	tap_ok(phecode_vocab_parse("icd-10-cm", 9) == PHECODE_ICD10, "vocab icd-10-cm");
	tap_ok(phecode_vocab_parse(" 10", 3) == PHECODE_ICD10, "vocab ' 10'");
	tap_ok(phecode_vocab_parse("SNOMED", 6) == -1, "vocab SNOMED → -1");
}

static void
test_race(void)
{
	static const struct {
		const char *s;
		int want;
	} cases[] = {
		{ "WHITE", MIMIC_RACE_WHITE }, { "WHITE - OTHER EUROPEAN", MIMIC_RACE_WHITE },
		{ "BLACK/CAPE VERDEAN", MIMIC_RACE_BLACK }, { "ASIAN - CHINESE", MIMIC_RACE_ASIAN },
		{ "HISPANIC/LATINO - PUERTO RICAN", MIMIC_RACE_HISPANIC }, { "HISPANIC OR LATINO", MIMIC_RACE_HISPANIC },
		{ "UNKNOWN", MIMIC_RACE_UN }, { "UNABLE TO OBTAIN", MIMIC_RACE_UN },
		{ "PATIENT DECLINED TO ANSWER", MIMIC_RACE_OTHER }, { "SOUTH AMERICAN", MIMIC_RACE_OTHER },
		{ "MULTIPLE RACE/ETHNICITY", MIMIC_RACE_OTHER }, { "", MIMIC_RACE_OTHER },
	};
	size_t i;

	for (i = 0; i < SH_NELEM(cases); i++)
		tap_ok(mimic_race_group(cases[i].s, strlen(cases[i].s)) == cases[i].want, "race '%s' → %s",
		    cases[i].s, mimic_race_name(cases[i].want));
}

static void
test_strtab(void)
{
	struct phecode_strtab *t = phecode_strtab_new();
	char key[32];
	int i, added, ok = 1;

	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		if (phecode_strtab_add(t, key, strlen(key), &added) != (uint32_t)i || !added)
			ok = 0;
	}
	tap_ok(ok, "strtab: 5000 distinct keys get ids 0..4999 (through growth)");
	tap_ok(phecode_strtab_add(t, "k123", 4, &added) == 123 && !added, "strtab: re-adding finds the id");
	tap_ok(phecode_strtab_find(t, "k4999", 5) == 4999 && phecode_strtab_find(t, "k5000", 5) == -1,
	    "strtab: find present and absent");
	tap_ok(strcmp(phecode_strtab_name(t, 42), "k42") == 0, "strtab: name of an id");
	phecode_strtab_free(t);
}

static void
test_map(const char *dir)
{
	char *cause = NULL;
	struct phecode_map *m = phecode_map_load(dir, 1, 0, &cause), *mr, *mn;
	struct phecode_stats st;
	const char *codes[3];
	size_t counts[3];
	int n;

	if (!tap_ok(m != NULL, "load the phecode map from %s", dir)) {
		tap_diag("%s", cause);
		free(cause);
		return;
	}
	tap_ok(phecode_find(m, "401.1") >= 0 && phecode_find(m, "008.51") >= 0, "phecodes 401.1, 008.51 known");
	tap_ok(phecode_description(m, (uint32_t)phecode_find(m, "008")) != NULL &&
	    strcmp(phecode_description(m, (uint32_t)phecode_find(m, "008")), "Intestinal infection") == 0,
	    "phecode_info: 008 = Intestinal infection");

	/* Exact matches of undotted MIMIC codes, rolled up. */
	check_map(m, PHECODE_ICD9, "25001", "250,250.1", PHECODE_EXACT, "undotted ICD-9");
	check_map(m, PHECODE_ICD9, "250.01", "250,250.1", PHECODE_EXACT, "dotted ICD-9 input");
	check_map(m, PHECODE_ICD9, "4011", "401,401.1", PHECODE_EXACT, "roll-up 401.1 ⇒ 401");
	check_map(m, PHECODE_ICD9, "41401", "411,411.4", PHECODE_EXACT, "ICD-9 414.01 → 411.4 ⇒ 411");
	check_map(m, PHECODE_ICD9, "E8500", "965.1", PHECODE_EXACT,
	    "E code dot after 4: E850.0 (965.1 has no ancestor in the roll-up table)");
	check_map(m, PHECODE_ICD9, "V08", "071", PHECODE_EXACT, "V code V08 → 071");
	check_map(m, PHECODE_ICD9, "V1582", "", PHECODE_UNMATCHED, "V code V15.82 unmatched");
	check_map(m, PHECODE_ICD9, "E8497", "", PHECODE_UNMATCHED, "E code E849.7 unmatched");
	/* Truncation retry (codes of the MIMIC-IV demo that are not map rows). */
	check_map(m, PHECODE_ICD9, "2910", "317", PHECODE_TRUNCATED, "ICD-9 truncate 1: 2910 → 291");
	check_map(m, PHECODE_ICD9, "56409", "564", PHECODE_TRUNCATED,
	    "ICD-9 truncate 2: 56409 → 564");
	check_map(m, PHECODE_ICD9, "V1279", "564,564.9", PHECODE_TRUNCATED, "ICD-9 V code truncate: V12.79 → V12.7");
	check_map(m, PHECODE_ICD10, "K56600", "560,560.4", PHECODE_TRUNCATED, "ICD-10 truncate 1: K56.600 → K56.60");
	check_map(m, PHECODE_ICD10, "W19XXXA", "", PHECODE_UNMATCHED,
	    "ICD-10 truncation stops after 3 characters: W19XXXA (W19 needs 4)");
	check_map(m, PHECODE_ICD10, "W19", "1015", PHECODE_EXACT, "ICD-10 category W19 → 1015");
	/* Map codes with a lower-case x match MIMIC's upper-case codes. */
	check_map(m, PHECODE_ICD10, "T372X2S", "297,297.2,979", PHECODE_EXACT,
	    "map row T37.2x2S (lower-case x) matches T372X2S; two phecodes");
	/* Several phecodes for one code. */
	check_map(m, PHECODE_ICD10, "A419", "038,994,994.2", PHECODE_EXACT, "A41.9 → 994.2 and 038");
	check_map(m, PHECODE_ICD10, "E1136", "250,250.2,250.23,366", PHECODE_EXACT, "E11.36 → 366 and 250.23");
	/* Range rows: ignored by default (as in the tutorial). */
	check_map(m, PHECODE_ICD10, "X71", "", PHECODE_UNMATCHED, "range row X71-X83 not used by default");
	phecode_get_stats(m, &st);
	tap_ok(st.rows[PHECODE_ICD9][PHECODE_UNMATCHED] == 2 && st.distinct[PHECODE_ICD9][PHECODE_UNMATCHED] == 2,
	    "stats: 2 unmatched ICD-9 lookups (V15.82, E849.7)");
	tap_ok(st.rows[PHECODE_ICD10][PHECODE_UNMATCHED] == 2 && st.rows[PHECODE_ICD10][PHECODE_TRUNCATED] == 1,
	    "stats: ICD-10 2 unmatched, 1 truncated");
	lookup_str(m, PHECODE_ICD9, "V15.82", NULL);
	n = phecode_top_unmatched(m, PHECODE_ICD9, 3, codes, counts);
	tap_ok(n == 2 && strcmp(codes[0], "V15.82") == 0 && counts[0] == 2 && strcmp(codes[1], "E849.7") == 0,
	    "top unmatched ICD-9: V15.82 (2), E849.7 (1)");
	phecode_map_free(m);

	mr = phecode_map_load(dir, 1, 1, &cause);
	if (tap_ok(mr != NULL, "load with ranges")) {
		check_map(mr, PHECODE_ICD10, "X71", "1009,297,297.2", PHECODE_RANGE, "range X71-X83 → 1009, 297.2");
		check_map(mr, PHECODE_ICD10, "B99", "136", PHECODE_RANGE, "range B99-B99 → 136");
		check_map(mr, PHECODE_ICD10, "U071", "", PHECODE_UNMATCHED, "U07.1 in no range");
		check_map(mr, PHECODE_ICD10, "A419", "038,994,994.2", PHECODE_EXACT, "exact still wins with ranges");
		phecode_map_free(mr);
	}
	mn = phecode_map_load(dir, 0, 0, &cause);
	if (tap_ok(mn != NULL, "load without roll-up")) {
		check_map(mn, PHECODE_ICD9, "4011", "401.1", PHECODE_EXACT, "no roll-up: 401.1 only");
		check_map(mn, PHECODE_ICD10, "E1136", "250.23,366", PHECODE_EXACT, "no roll-up: E11.36 direct");
		phecode_map_free(mn);
	}
	tap_ok(phecode_map_load("/nonexistent-dir", 1, 0, &cause) == NULL && cause != NULL &&
	    strstr(cause, "/nonexistent-dir") != NULL, "missing map directory: error names it");
	free(cause);
}

/* A study's concept names: a demo study gets the names built into the
 * binary, each equal to phecode_info.csv's (read independently); a study
 * of one's own gets none; report.phecodes wins over both. */
static void
test_names(const char *dir)
{
	struct phecode_info built, file, pi;
	json_t *demo = json_pack("{s:{s:{s:i}}}", "source", "demo", "rows", 10);
	json_t *own = json_pack("{s:{s:s}}", "source", "path", "x.csv");
	json_t *named = json_pack("{s:{s:{s:i}}, s:{s:s}}", "source", "demo", "rows", 10, "report", "phecodes", dir);
	const char *from = NULL;
	char *cause = NULL;
	int i, same = 0, rc;

	unsetenv("SYNTHEHR_PHECODES");
	rc = phecode_names_read(demo, &built, &from, &cause);
	tap_ok(rc == 0 && from != NULL &&
	    strcmp(from, PHECODE_NAMES_BUILTIN) == 0 && built.n == 1588,
	    "a demo study without a map: the 1,588 built-in names (%d)", built.n);
	tap_ok(phecode_info_read(dir, &file, &cause) == 0, "phecode_info.csv read");
	for (i = 0; i < built.n; i++) {
		const char *d = phecode_info_find(&file, built.code[i]);

		same += d != NULL && strcmp(d, built.desc[i]) == 0;
	}
	tap_ok(same == built.n && strcmp(phecode_info_find(&built, "250"), "Diabetes mellitus") == 0,
	    "every built-in name is phecode_info.csv's (%d of %d)", same, built.n);
	phecode_info_done(&built);
	phecode_info_done(&file);
	tap_ok(phecode_names_read(own, &pi, &from, &cause) == 1 && from == NULL && pi.n == 0,
	    "a cohort of one's own without a map: no names");
	rc = phecode_names_read(named, &pi, &from, &cause);
	tap_ok(rc == 0 && strcmp(from, dir) == 0 && pi.n > 1588,
	    "report.phecodes wins over the built-in names (%d)", pi.n);
	phecode_info_done(&pi);
	setenv("SYNTHEHR_PHECODES", "/nonexistent-map", 1);
	tap_ok(phecode_names_read(demo, &pi, &from, &cause) == -1 && cause != NULL,
	    "an unreadable $SYNTHEHR_PHECODES is an error, not the built-in names");
	unsetenv("SYNTHEHR_PHECODES");
	free(cause);
	json_decref(demo);
	json_decref(own);
	json_decref(named);
}

int
main(void)
{
	const char *shared = tap_shared_data();
	char *dir = util_path_join(shared, "phecode-map-1.2");

	test_dot();
	test_race();
	test_strtab();
	if (util_dir_exists(dir)) {
		test_map(dir);
		test_names(dir);
	}
	else
		tap_diag("SKIP map tests: %s not found", dir);
	free(dir);
	return tap_done();
}
