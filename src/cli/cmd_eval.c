/* synthehr — GPL-3.0-or-later.
 * `synthehr evaluate`, `rank` and `report`: the command-line front end of
 * the evaluation driver (eval.c), the ranking and the Markdown report
 * (report.c).  Results on stdout, progress and errors on stderr. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "synthehr/consist.h"
#include "synthehr/eval.h"
#include "synthehr/rank.h"
#include "synthehr/slurm.h"
#include "synthehr/report.h"
#include "synthehr/study.h"
#include "synthehr/util.h"

static const char eval_usage[] =
    "usage: synthehr evaluate STUDY [--preset fast|tutorial] [--only LIST] [--force]\n"
    "                         [--synthetic FILE [--name NAME]]... [--boot N] [--seed N]\n"
    "                         [--no-real] [--sex-restrictions CSV] [--profile P]\n"
    "  --only LIST   comma list of dwd,cwc,lca,mca,ckv,tstr,trts,fi,mi,ai,nnaa,utility,privacy\n"
    "  --synthetic   import an external CSV (same schema) as eval/external/NAME and rank it too\n"
    "  --set NAME    evaluate only that set into its cache (eval/sets/NAME.json); no metrics.json\n"
    CLI_SLURM_USAGE;
static const char rank_usage[] =
    "usage: synthehr rank STUDY [--profile A|B|NAME|FILE] [--fractional-ties] [--save NAME]\n"
    "  --save NAME   store the profile's weights in study.json \"rank\".\"profiles\".NAME\n";
static const char report_usage[] =
    "usage: synthehr report STUDY [--html] [-o FILE] [--profile A|B|NAME|FILE] [--fractional-ties]\n"
    "                      [--min-cell N] [--phecodes MAP_DIR]\n";

static int
usage(const char *cmd, const char *text, const char *why)
{
	if (why != NULL)
		fprintf(stderr, "synthehr %s: %s\n", cmd, why);
	fputs(text, stderr);
	return EXIT_USAGE;
}

/* Results older than their inputs are marked, never shown as current. */
static void
warn_stale(const char *cmd, struct study *s)
{
	int n = study_metrics_stale(s);

	if (n > 0)
		fprintf(stderr, "synthehr %s: warning: STALE: %d result%s older than %s inputs (synthetic sets, "
		    "training rows or runs changed since); 'synthehr check %s' names them; re-run the stages "
		    "it names\n", cmd, n, n == 1 ? " is" : "s are", n == 1 ? "its" : "their", s->dir);
}

static int
print_ranking(struct study *s, const char *profile, int fractional)
{
	json_t *rk = NULL, *cfg = study_section(s, "rank");
	char *cause = NULL, *text;
	struct rank_profile p;
	int rc;

	/* A profile that does not resolve is bad input (exit 2). */
	if (rank_profile_resolve(profile != NULL ? profile : js_str(cfg, "profile", "A"), cfg, &p, &cause) != 0)
		return cli_fail("rank", cause, EXIT_USAGE);
	if ((rc = report_rank_study(s, profile, fractional, &rk, &cause)) < 0)
		return cli_fail("rank", cause, EXIT_FAIL);
	if (rc > 0) {
		fprintf(stderr, "synthehr rank: warning: the ranking is shown but not saved: %s\n", cause);
		free(cause);
	}
	text = report_ranking_text(rk);
	fputs(text, stdout);
	free(text);
	warn_stale("rank", s);
	json_decref(rk);
	return EXIT_OK;
}

int
cmd_evaluate(int argc, char **argv)
{
	const char *dir = NULL, *preset = NULL, *only = NULL, *profile = NULL, *sexr = NULL, *only_set = NULL;
	struct slurm_opts so;
	int slurm = 0, sr;
	const char **files = xcalloc((size_t)argc + 1, sizeof *files), **names = xcalloc((size_t)argc + 1, sizeof *names);
	int nfiles = 0, force = 0, noreal = 0, boot = -1, i, rc;
	long long seed = -1;
	struct study *s = NULL;
	struct eval_opts o;
	struct stage_req q;
	char *cause = NULL;

	slurm_opts_init(&so);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;

		if ((sr = cli_slurm_arg(&so, argc, argv, &i, &slurm)) != 0) {
			if (sr < 0) {
				free(files);
				free(names);
				slurm_opts_done(&so);
				return EXIT_USAGE;
			}
			continue;
		}
		if (strcmp(a, "--set") == 0 && more)
			only_set = argv[++i];
		else if (strcmp(a, "--preset") == 0 && more)
			preset = argv[++i];
		else if (strcmp(a, "--only") == 0 && more)
			only = argv[++i];
		else if (strcmp(a, "--synthetic") == 0 && more)
			files[nfiles++] = argv[++i];
		else if (strcmp(a, "--name") == 0 && more) {
			if (nfiles == 0 || names[nfiles - 1] != NULL) {
				free(files);
				free(names);
				return usage(argv[0], eval_usage, "--name must follow its --synthetic FILE");
			}
			names[nfiles - 1] = argv[++i];
		} else if (strcmp(a, "--force") == 0)
			force = 1;
		else if (strcmp(a, "--no-real") == 0)
			noreal = 1;
		else if (strcmp(a, "--boot") == 0 && more)
			boot = atoi(argv[++i]);
		else if (strcmp(a, "--seed") == 0 && more)
			seed = atoll(argv[++i]);
		else if (strcmp(a, "--profile") == 0 && more)
			profile = argv[++i];
		else if (strcmp(a, "--sex-restrictions") == 0 && more)
			sexr = argv[++i];
		else if (a[0] == '-' || dir != NULL) {
			free(files);
			free(names);
			return usage(argv[0], eval_usage, a[0] == '-' ? "unknown option or missing value" : "one STUDY only");
		} else
			dir = a;
	}
	if (dir == NULL || cli_slurm_stray(&so, slurm, argv[0]) != 0 ||
	    (slurm && (only != NULL || force || noreal || nfiles > 0 || only_set != NULL || profile != NULL))) {
		free(files);
		free(names);
		slurm_opts_done(&so);
		if (dir != NULL && slurm)
			return usage(argv[0], eval_usage, "with --slurm, --only, --force, --no-real, --synthetic, --set "
			    "and --profile are not taken (import external sets first; the tasks use study.json \"eval\")");
		return dir == NULL ? usage(argv[0], eval_usage, "missing STUDY") : EXIT_USAGE;
	}
	if (slurm) {
		json_t *ec;

		if (study_open(dir, &s, &cause) != 0) {
			free(files);
			free(names);
			slurm_opts_done(&so);
			return cli_fail(argv[0], cause, EXIT_USAGE);
		}
		/* the tasks read their settings from study.json */
		ec = study_section(s, "eval");
		if (preset != NULL)
			json_object_set_new(ec, "preset", json_string(preset));
		if (seed >= 0)
			json_object_set_new(ec, "seed", json_integer(seed));
		if (boot >= 0)
			json_object_set_new(ec, "boot", json_integer(boot));
		if (eval_opts_init(&o, NULL, ec, &cause) != 0) {
			rc = cli_fail(argv[0], cause, EXIT_USAGE);
		} else {
			eval_opts_done(&o);
			rc = EXIT_OK;
			if ((preset != NULL || seed >= 0 || boot >= 0) && !so.dry_run && study_save(s, &cause) != 0)
				rc = cli_fail(argv[0], cause, EXIT_FAIL);
			if (rc == EXIT_OK)
				rc = cli_slurm_evaluate(s, &so, NULL, 1, NULL);
		}
		free(files);
		free(names);
		slurm_opts_done(&so);
		study_free(s);
		return rc;
	}
	slurm_opts_done(&so);
	if (study_open(dir, &s, &cause) != 0)
		goto fail;
	if (eval_opts_init(&o, preset, study_section(s, "eval"), &cause) != 0)
		goto fail_usage;
	if (only != NULL && eval_parse_only(only, &o.only, &cause) != 0) {
		eval_opts_done(&o);
		goto fail_usage;
	}
	o.force = force;
	o.real_baseline = !noreal;
	o.only_set = only_set;
	if (boot >= 0)
		o.boot = boot;
	if (seed >= 0)
		eval_opts_seed(&o, (uint64_t)seed);
	if (sexr != NULL) {
		free(o.sex_restriction_csv);
		o.sex_restriction_csv = xstrdup(sexr);
	}
	for (i = 0; i < nfiles; i++) {
		char *nm = NULL;

		if (eval_import_external(s, files[i], names[i], &nm, &cause) != 0) {
			eval_opts_done(&o);
			goto fail_usage;
		}
		fprintf(stderr, "synthehr evaluate: imported %s as eval/external/%s\n", files[i], nm);
		free(nm);
	}
	memset(&q, 0, sizeof q);
	q.stage = STAGE_EVALUATE;
	q.study = dir;
	q.eval_opts = &o;
	rc = stage_run(&q, cli_stage_event, argv[0]);
	eval_opts_done(&o);
	if (rc != EXIT_OK) {
		free(files);
		free(names);
		study_free(s);
		return rc;
	}
	if (only_set != NULL) {
		study_free(s);
		free(files);
		free(names);
		return EXIT_OK;
	}
	rc = print_ranking(s, profile, 0);
	study_free(s);
	free(files);
	free(names);
	return rc;
fail_usage:
	free(files);
	free(names);
	study_free(s);
	return cli_fail(argv[0], cause, EXIT_USAGE);
fail:
	free(files);
	free(names);
	return cli_fail(argv[0], cause, EXIT_USAGE);
}

int
cmd_rank(int argc, char **argv)
{
	const char *dir = NULL, *profile = NULL, *save = NULL;
	int fractional = 0, i, rc;
	struct study *s;
	char *cause = NULL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
			profile = argv[++i];
		else if (strcmp(argv[i], "--fractional-ties") == 0)
			fractional = 1;
		else if (strcmp(argv[i], "--save") == 0 && i + 1 < argc)
			save = argv[++i];
		else if (argv[i][0] == '-' || dir != NULL)
			return usage(argv[0], rank_usage, argv[i][0] == '-' ? "unknown option or missing value" :
			    "one STUDY only");
		else
			dir = argv[i];
	}
	if (dir == NULL)
		return usage(argv[0], rank_usage, "missing STUDY");
	if (study_open(dir, &s, &cause) != 0)
		return cli_fail(argv[0], cause, EXIT_USAGE);
	if (save != NULL) {
		struct rank_profile p;
		json_t *cfg = study_section(s, "rank"), *profs;

		if (rank_profile_resolve(profile, cfg, &p, &cause) != 0) {
			study_free(s);
			return cli_fail(argv[0], cause, EXIT_USAGE);
		}
		profs = json_object_get(cfg, "profiles");
		if (!json_is_object(profs)) {
			profs = json_object();
			json_object_set_new(cfg, "profiles", profs);
		}
		json_object_set_new(profs, save, rank_profile_to_json(&p));
		if (study_save(s, &cause) != 0) {
			study_free(s);
			return cli_fail(argv[0], cause, EXIT_FAIL);
		}
		fprintf(stderr, "synthehr rank: saved profile %s in study.json\n", save);
		profile = save;
	}
	rc = print_ranking(s, profile, fractional);
	study_free(s);
	return rc;
}

int
cmd_report(int argc, char **argv)
{
	const char *dir = NULL, *out = NULL, *profile = NULL, *phecodes = NULL;
	int fractional = 0, i, html = 0, min_cell = 0, rc;
	struct study *s;
	struct stage_req q;
	char *end;

	for (i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
			profile = argv[++i];
		else if (strcmp(argv[i], "--fractional-ties") == 0)
			fractional = 1;
		else if (strcmp(argv[i], "--html") == 0)
			html = 1;
		else if (strcmp(argv[i], "--phecodes") == 0 && i + 1 < argc)
			phecodes = argv[++i];
		else if (strcmp(argv[i], "--min-cell") == 0 && i + 1 < argc) {
			long v = strtol(argv[++i], &end, 10);

			if (*argv[i] == '\0' || *end != '\0' || v < 1 || v > 1000000)
				return usage(argv[0], report_usage, "--min-cell expects a whole number of patients, 1 or more");
			min_cell = (int)v;
		} else if (argv[i][0] == '-' || dir != NULL)
			return usage(argv[0], report_usage, argv[i][0] == '-' ? "unknown option or missing value" :
			    "one STUDY only");
		else
			dir = argv[i];
	}
	if (dir == NULL)
		return usage(argv[0], report_usage, "missing STUDY");
	memset(&q, 0, sizeof q);
	q.stage = STAGE_REPORT;
	q.study = dir;
	q.out_path = out;
	q.profile = profile;
	q.fractional_ties = fractional;
	/* -o FILE alone keeps its old meaning (the Markdown report only); with
	 * --html it names the HTML file; without either both are written. */
	q.report_only = html ? 1 : out != NULL ? -1 : 0;
	q.min_cell = min_cell;
	q.phecodes = phecodes;
	rc = stage_run(&q, cli_stage_event, argv[0]);
	if (rc == EXIT_OK && study_open(dir, &s, NULL) == 0) {
		warn_stale(argv[0], s);   /* results older than their inputs are marked */
		study_free(s);
	}
	return rc;
}
