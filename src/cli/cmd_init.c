/* synthehr — GPL-3.0-or-later.
 * synthehr init: create a study from a cohort file or the built-in demo;
 * synthehr info: print a study's schema (column, role, type, missing %,
 * levels) in 80 columns. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "synthehr/cohort.h"
#include "synthehr/demo.h"
#include "synthehr/study.h"
#include "synthehr/util.h"

#define INFO_WIDTH 80
#define INFO_COLLAPSE 40     /* more concept columns than this are summarised */

static const char init_usage_text[] =
    "usage: synthehr init STUDY (--data FILE | --demo [--rows N] [--concepts K] [--seed S] [--full] [--no-extract])\n"
    "                     [--label COL] [--sex COL] [--role COL=ROLE]...\n"
    "  --data FILE       cohort CSV or CSV.gz (header row; FILE.schema.json is read if present)\n"
    "  --demo            the built-in demo cohort, written into STUDY/source/demo.csv.gz\n"
    "  --rows N, --concepts K, --seed S, --full, --no-extract   demo size, seed, shape (as 'synthehr demo')\n"
    "  --label COL       the outcome column (binary); needed when several columns look\n"
    "                    like the outcome (init lists them and exits with status 2)\n"
    "  --sex COL         the sex column (binary, 1 = female)\n"
    "  --role COL=ROLE   fix a column's role: id, label, sex, continuous, binary,\n"
    "                    categorical, concept, ignore (repeatable)\n";

static int
init_usage(const char *msg)
{
	if (msg != NULL)
		fprintf(stderr, "synthehr init: %s\n", msg);
	fputs(init_usage_text, stderr);
	return EXIT_USAGE;
}

static int
parse_ull(const char *s, unsigned long long *out)
{
	char *end;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return -1;
	*out = strtoull(s, &end, 10);
	return *end == '\0' ? 0 : -1;
}

static void
print_thousands(char *buf, size_t size, unsigned long long v)
{
	char t[32];
	size_t n, i, o = 0;

	snprintf(t, sizeof t, "%llu", v);
	n = strlen(t);
	for (i = 0; i < n && o + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = t[i];
	}
	buf[o] = '\0';
}

/* The init stage's events: its remarks (reading, stray tokens) on stderr,
 * the failure line; the result is printed by cmd_init from the study. */
static void
init_event(const struct stage_event *ev, void *arg)
{
	(void)arg;
	if (ev->kind == STAGE_EV_NOTE) {
		if (!ev->result)
			fprintf(stderr, "synthehr init: %s\n", ev->text != NULL ? ev->text : ev->msg);
	} else
		cli_stage_event(ev, "init");
}

/* One line per role group: the names (at most INIT_LISTED, then a count). */
#define INIT_LISTED 8
static void
summary_line(json_t *cols, json_t *roles, const char *what, const char *role, const char *kind)
{
	size_t i, n = 0;

	for (i = 0; i < json_array_size(cols); i++) {
		json_t *col = json_array_get(cols, i);
		const char *name = js_str(col, "name", "");

		if (strcmp(js_str(roles, name, ""), role) != 0 ||
		    (kind != NULL && strcmp(js_str(col, "kind", ""), kind) != 0))
			continue;
		if (n == 0)
			fprintf(stderr, "synthehr init: %-12s", what);
		if (n < INIT_LISTED)
			fprintf(stderr, "%s%s", n ? ", " : "", name);
		n++;
	}
	if (n > INIT_LISTED)
		fprintf(stderr, " and %zu more (%zu in all)", n - INIT_LISTED, n);
	if (n > 0)
		fputc('\n', stderr);
}

/* What init inferred, for the user to check: label, sex, ids, concepts,
 * categorical columns, counts. */
static void
print_summary(const struct study *s)
{
	json_t *schema = json_object_get(s->cfg, "schema"), *cols = json_object_get(schema, "columns");
	json_t *roles = json_object_get(schema, "roles");
	size_t i, nconc = 0, nmiss = 0, ncolmiss = 0;

	summary_line(cols, roles, "label", "label", NULL);
	for (i = 0; i < json_array_size(cols); i++) {
		json_t *col = json_array_get(cols, i);

		if (strcmp(js_str(roles, js_str(col, "name", ""), ""), "label") == 0)
			break;
	}
	if (i == json_array_size(cols))
		fprintf(stderr, "synthehr init: label       none (set one with --label COL or in the workbench)\n");
	summary_line(cols, roles, "sex", "sex", NULL);
	summary_line(cols, roles, "ids", "id", NULL);
	for (i = 0; i < json_array_size(cols); i++) {
		json_t *col = json_array_get(cols, i);

		nconc += strcmp(js_str(roles, js_str(col, "name", ""), ""), "concept") == 0;
		if (js_int(col, "missing", 0) > 0) {
			nmiss += (size_t)js_int(col, "missing", 0);
			ncolmiss++;
		}
	}
	if (nconc > 0)
		fprintf(stderr, "synthehr init: %-12s%zu (0/1 codes)\n", "concepts", nconc);
	summary_line(cols, roles, "categorical", "categorical", NULL);
	summary_line(cols, roles, "counts", "continuous", "count");
	summary_line(cols, roles, "ignored", "ignore", NULL);
	if (nmiss > 0)
		fprintf(stderr, "synthehr init: %-12s%zu cells in %zu columns ('synthehr info' lists them)\n",
		    "missing", nmiss, ncolmiss);
}

int
cmd_init(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "demo", no_argument, NULL, 'D' },
		{ "rows", required_argument, NULL, 'r' },
		{ "concepts", required_argument, NULL, 'k' },
		{ "seed", required_argument, NULL, 's' },
		{ "full", no_argument, NULL, 'f' },
		{ "no-extract", no_argument, NULL, 'X' },
		{ "label", required_argument, NULL, 'l' },
		{ "sex", required_argument, NULL, 'x' },
		{ "role", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	struct study_init_opts o;
	struct stage_req q;
	struct study_role *roles = NULL;
	struct study *s;
	unsigned long long v;
	char *cause = NULL, *eq, n1[32], n2[32];
	const char *dir;
	int ch, rc, full = 0, demo_opt = 0;
	double t0 = util_now();
	json_t *src;

	memset(&o, 0, sizeof o);
	o.demo_seed = 1;
	optind = 0;   /* GNU getopt: start afresh (other subcommands may have parsed before) */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o.data = optarg;
			break;
		case 'D':
			o.demo = 1;
			break;
		case 'r':
			if (parse_ull(optarg, &v) != 0 || v < 10 || v > 10000000) {
				free(roles);
				return init_usage("--rows: expected a whole number from 10 to 10000000");
			}
			o.demo_rows = v;
			demo_opt = 1;
			break;
		case 'k':
			if (parse_ull(optarg, &v) != 0 || v < 1 || v > DEMO_FULL_CONCEPTS) {
				free(roles);
				return init_usage("--concepts: expected a whole number from 1 to 1588");
			}
			o.demo_concepts = (int)v;
			demo_opt = 1;
			break;
		case 's':
			if (parse_ull(optarg, &v) != 0) {
				free(roles);
				return init_usage("--seed: expected a non-negative whole number");
			}
			o.demo_seed = v;
			demo_opt = 1;
			break;
		case 'f':
			full = 1;
			demo_opt = 1;
			break;
		case 'X':
			o.demo_no_extract = 1;
			demo_opt = 1;
			break;
		case 'l':
			o.label = optarg;
			break;
		case 'x':
			o.sex = optarg;
			break;
		case 'R':
			eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg || cohort_role_parse(eq + 1) < 0) {
				free(roles);
				return init_usage("--role: expected COL=ROLE with ROLE one of id, label, sex, "
				    "continuous, binary, categorical, concept, ignore");
			}
			roles = xreallocarray(roles, o.nroles + 1, sizeof *roles);
			*eq = '\0';
			roles[o.nroles].column = optarg;
			roles[o.nroles].role = cohort_role_parse(eq + 1);
			o.nroles++;
			break;
		default:
			free(roles);
			return init_usage("unknown option or missing argument");
		}
	}
	o.roles = roles;
	if (optind != argc - 1) {
		free(roles);
		return init_usage(optind >= argc ? "expected a STUDY directory" : "expected one STUDY directory");
	}
	dir = argv[optind];
	if ((o.data == NULL) == (o.demo == 0)) {
		free(roles);
		return init_usage("give either --data FILE or --demo");
	}
	if (demo_opt && !o.demo) {
		free(roles);
		return init_usage("--rows, --concepts, --seed, --full and --no-extract go with --demo");
	}
	if (full) {
		o.demo_no_extract = 1;
		if (o.demo_rows == 0)
			o.demo_rows = DEMO_FULL_ROWS;
		if (o.demo_concepts == 0)
			o.demo_concepts = DEMO_FULL_CONCEPTS;
	}
	memset(&q, 0, sizeof q);
	q.stage = STAGE_INIT;
	q.study = dir;
	q.init_opts = &o;
	rc = stage_run(&q, init_event, NULL);
	free(roles);
	if (rc != EXIT_OK)
		return rc;
	if (study_open(dir, &s, &cause) != 0)
		return cli_fail("init", cause, EXIT_FAIL);
	src = json_object_get(s->cfg, "source");
	print_thousands(n1, sizeof n1, (unsigned long long)js_int(src, "rows", 0));
	print_thousands(n2, sizeof n2, (unsigned long long)js_int(src, "cols", 0));
	fprintf(stderr, "synthehr init: %s x %s in %.1f s\n", n1, n2, util_now() - t0);
	print_summary(s);
	printf("created study %s (%s patients x %s columns); 'synthehr info %s' shows the schema\n",
	    dir, n1, n2, dir);
	study_free(s);
	return EXIT_OK;
}

/* Levels as "a, b, c" cut to width w with "...". */
static void
format_levels(json_t *col, char *buf, int w)
{
	json_t *lv = json_object_get(col, "levels");
	size_t i, n = json_array_size(lv), o = 0;

	buf[0] = '\0';
	if (n == 0) {
		long long k = js_int(col, "nlevels", 0);

		if (k > 0) {
			char t[48];

			size_t L;

			snprintf(t, sizeof t, "%lld levels", k);
			L = SH_MIN(strlen(t), (size_t)w);
			memcpy(buf, t, L);
			buf[L] = '\0';
		}
		return;
	}
	o = (size_t)snprintf(buf, w + 1, "%zu: ", n);
	for (i = 0; i < n && o < (size_t)w; i++) {
		const char *s = json_string_value(json_array_get(lv, i));
		size_t need = strlen(s ? s : "") + (i > 0 ? 2 : 0);

		if (o + need > (size_t)w || (i + 1 < n && o + need + 5 > (size_t)w)) {
			snprintf(buf + o, w + 1 - o, "%s...", i > 0 ? ", " : "");
			return;
		}
		o += (size_t)snprintf(buf + o, w + 1 - o, "%s%s", i > 0 ? ", " : "", s ? s : "");
	}
}

/* A path in at most w characters: "...tail" when longer. */
static void
print_path(const char *s, int w)
{
	size_t n = strlen(s);

	if ((int)n <= w)
		printf("%s", s);
	else
		printf("...%s", s + n - (size_t)(w - 3));
}

static void
print_name(const char *s, int w)
{
	if ((int)strlen(s) <= w)
		printf("%-*s", w, s);
	else
		printf("%.*s~", w - 1, s);
}

int
cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct study *s;
	json_t *src, *schema, *cols, *roles, *col;
	char *cause = NULL, n1[32], n2[32], lv[INFO_WIDTH + 1];
	const char *label = NULL, *sexcol = NULL, *sf;
	long long nrows;
	size_t i, ncols, nconc = 0, collapse;
	int ch, all = 0, count[ROLE_COUNT] = { 0 }, r, first, width;

	optind = 0;   /* GNU getopt: start afresh (other subcommands may have parsed before) */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'a')
			all = 1;
		else {
			fprintf(stderr, "synthehr info: unknown option\nusage: synthehr info STUDY [--all]\n");
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "synthehr info: expected one STUDY directory\nusage: synthehr info STUDY [--all]\n");
		return EXIT_USAGE;
	}
	if (study_open(argv[optind], &s, &cause) != 0)
		return cli_fail("info", cause, EXIT_USAGE);
	src = json_object_get(s->cfg, "source");
	schema = json_object_get(s->cfg, "schema");
	cols = json_object_get(schema, "columns");
	roles = json_object_get(schema, "roles");
	if (!json_is_array(cols)) {
		study_free(s);
		return cli_fail("info", xsprintf("%s/study.json: no schema (expected \"schema\": "
		    "{\"columns\": [...]}, written by 'synthehr init')", argv[optind]), EXIT_USAGE);
	}
	ncols = json_array_size(cols);
	nrows = js_int(src, "rows", 0);
	for (i = 0; i < ncols; i++) {
		const char *name = js_str(json_array_get(cols, i), "name", "");
		const char *role = js_str(roles, name, js_str(json_array_get(cols, i), "role", "ignore"));

		r = cohort_role_parse(role);
		if (r >= 0)
			count[r]++;
		if (r == ROLE_LABEL)
			label = name;
		if (r == ROLE_SEX)
			sexcol = name;
		if (r == ROLE_CONCEPT && js_int(json_array_get(cols, i), "missing", 0) == 0)
			nconc++;
	}
	collapse = !all && nconc > INFO_COLLAPSE;
	print_thousands(n1, sizeof n1, (unsigned long long)nrows);
	print_thousands(n2, sizeof n2, ncols);
	printf("study    ");
	print_path(s->dir, INFO_WIDTH - 9);
	printf("\nsource   ");
	print_path(js_str(src, "path", "?"), INFO_WIDTH - 9);
	printf("\n");
	printf("         %s rows x %s columns, sha256 %.16s...\n", n1, n2, js_str(src, "sha256", "?"));
	sf = js_str(schema, "sex_female", NULL);
	printf("label    %s", label ? label : "(none: set one with --label or the TUI)");
	if (sexcol) {
		/* the level coded 1 is female: its label when the column has labels */
		for (i = 0; i < ncols; i++) {
			col = json_array_get(cols, i);
			if (strcmp(js_str(col, "name", ""), sexcol) == 0 &&
			    json_array_size(json_object_get(col, "levels")) == 2)
				sf = json_string_value(json_array_get(json_object_get(col, "levels"), 1));
		}
		printf("    sex %s (%s = female)", sexcol, sf ? sf : "1");
	}
	printf("\nroles   ");
	for (r = 0, first = 1, width = 8; r < ROLE_COUNT; r++) {
		char item[64];
		int len;

		if (count[r] == 0)
			continue;
		print_thousands(n1, sizeof n1, (unsigned long long)count[r]);
		len = snprintf(item, sizeof item, " %s %s", n1, cohort_role_name(r));
		if (!first && width + 1 + len > INFO_WIDTH) {
			printf(",\n        ");
			width = 8;
		} else if (!first) {
			putchar(',');
			width++;
		}
		printf("%s", item);
		width += len;
		first = 0;
	}
	printf("\n\n%-20s %-12s %-11s %7s  %s\n", "column", "role", "type", "missing", "levels");
	for (i = 0; i < ncols; i++) {
		const char *name, *role;
		long long miss;

		col = json_array_get(cols, i);
		name = js_str(col, "name", "");
		role = js_str(roles, name, js_str(col, "role", "?"));
		miss = js_int(col, "missing", 0);
		if (collapse && strcmp(role, "concept") == 0 && miss == 0)
			continue;
		print_name(name, 20);
		printf(" %-12s %-11s %6.1f%%  ", role, js_str(col, "kind", "?"),
		    nrows > 0 ? 100.0 * miss / nrows : 0.0);
		format_levels(col, lv, INFO_WIDTH - 55);
		printf("%s\n", lv);
	}
	if (collapse) {
		size_t shown = 0, o;
		char line[INFO_WIDTH + 1];

		print_thousands(n1, sizeof n1, nconc);
		o = (size_t)snprintf(line, sizeof line, "+ %s concept columns (binary, none missing): ", n1);
		for (i = 0; i < ncols; i++) {
			const char *name;

			col = json_array_get(cols, i);
			name = js_str(col, "name", "");
			if (strcmp(js_str(roles, name, js_str(col, "role", "")), "concept") != 0 ||
			    js_int(col, "missing", 0) != 0)
				continue;
			if (o + strlen(name) + 2 + 5 > INFO_WIDTH)
				break;
			o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", shown ? ", " : "", name);
			shown++;
		}
		printf("%s%s\n  ('synthehr info --all' lists every column)\n", line,
		    shown < nconc ? ", ..." : "");
	}
	study_free(s);
	return EXIT_OK;
}
