/* synthehr — GPL-3.0-or-later.
 * Subcommand table, dispatch and help; what the commands print while they
 * work is cli_out.c. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "synthehr/blas.h"
#include "synthehr/settings.h"
#include "synthehr/train.h"
#include "synthehr/util.h"

/* One entry per subcommand: name, handler, synopsis, one help line, options. */
const struct cli_cmd cli_cmds[] = {
	{ "demo", cmd_demo, "-o FILE [--rows N] [--concepts K] [--seed S] [--full] [--extract|--no-extract]",
	  "write the built-in demo cohort (shaped like the tutorial's MIMIC-IV cohort)",
	  "  -o, --output FILE   where to write (.csv or .csv.gz)\n"
	  "  --rows N            patients (default 5000; --full: 181294)\n"
	  "  --concepts K        phecode-named concept columns (default 300; --full: 1588)\n"
	  "  --seed S            simulator seed (default 1); same seed, same bytes\n"
	  "  --full              the tutorial's size and shape: 181,294 patients x about 1,600\n"
	  "                      columns, no extract columns\n"
	  "  --extract, --no-extract   add (default) or leave out a hospital extract's 7 columns:\n"
	  "                      ED_VISITS, ADMISSIONS, N_MEDS (counts), CREATININE (skewed lab),\n"
	  "                      ADMISSION_TYPE (nominal), HEART_RATE, RESP_RATE (missing together)\n" },
	{ "init", cmd_init, "STUDY (--data FILE | --demo [--rows N] [--concepts K] [--seed S] [--full]) [--label COL] [--sex COL] [--role COL=ROLE]...",
	  "create a study directory from a cohort CSV/CSV.gz (or --demo)",
	  "  --data FILE         cohort CSV or CSV.gz (header row; FILE.schema.json is read if present)\n"
	  "  --demo              the built-in demo cohort, written into STUDY/source/demo.csv.gz\n"
	  "  --rows N, --concepts K, --seed S, --full, --no-extract   demo size, seed and shape (as 'synthehr demo')\n"
	  "  --label COL         the outcome column (binary); needed when several columns\n"
	  "                      look like the outcome (init lists them, exit status 2)\n"
	  "  --sex COL           the sex column (binary; 1 = female)\n"
	  "  --role COL=ROLE     fix a column's role: id, label, sex, continuous, binary,\n"
	  "                      categorical, concept, ignore (repeatable)\n" },
	{ "info", cmd_info, "STUDY [--all]", "print the study's schema: column, role, type, missing %, levels",
	  "  --all               list every column (by default more than 40 concept columns are summarised)\n" },
	{ "review", cmd_review, "STUDY [COLUMN...] [--ascii] [--width N] [--all] [--refresh]",
	  "profile the cohort: statistics, histograms, outlier flags",
	  "  --ascii      ASCII histograms\n"
	  "  --width N    output width (60-400, default 80)\n"
	  "  --all        list every concept column\n"
	  "  --refresh    recompute the cached profile\n" },
	{ "prep", cmd_prep, "STUDY [--quiet] [--encode [COL=]KIND]...", "apply the preprocessing plan; write prep/ and a before/after table",
	  "  --quiet      print nothing but errors\n"
	  "  --encode [COL=]KIND   generator encoding of a continuous column (without COL=:\n"
	  "               the default): auto, minmax, quantile, gmm, zero, onehot (saved in\n"
	  "               study.json prep.encoding; the tutorial training preset uses minmax)\n"
	  "Writes STUDY/prep/: layout.json, encoding.json, train.mtx, test.mtx, train.csv, test.csv, log.json, profile.json\n" },
	{ "train", cmd_train, NULL,
	  "train EMR-WGAN runs (resumes interrupted runs), or fit a classical peer (--method)",
	  cmd_train_usage },
	{ "generate", cmd_generate, NULL,
	  "sample synthetic cohorts from trained runs and peers",
	  cmd_generate_usage },
	{ "evaluate", cmd_evaluate, "STUDY [--preset fast|tutorial] [--only LIST] [--force] [--synthetic FILE [--name NAME]]... [--boot N] [--seed N] [--no-real] [--sex-restrictions CSV] [--profile P]",
	  "compute utility and privacy metrics for every run and baseline",
	  "  --preset P          fast (default: sampled attack targets, fewer trees) or\n"
	  "                      tutorial (every target, the tutorial's 2,000-tree boosting)\n"
	  "  --only LIST         comma list of dwd, cwc, lca, mca, ckv, tstr, trts, fi, mi, ai,\n"
	  "                      nnaa, or utility, privacy, all (default all)\n"
	  "  --synthetic FILE    also judge a synthetic CSV made elsewhere (model or cohort\n"
	  "  --name NAME         columns, any order); stored as eval/external/NAME\n"
	  "  --force             ignore the per-set cache (eval/sets/)\n"
	  "  --boot N            bootstrap resamples for rank stability (0 = off)\n"
	  "  --seed N            reseeds every sample, attack and model (default 0)\n"
	  "  --no-real           skip the release-the-real-data privacy baseline and the\n"
	  "                      real-data reference (the test rows scored as a set)\n"
	  "  --sex-restrictions CSV   add the broad CKV check (phecode_sex_restriction.csv)\n"
	  "  --profile P         weight profile for the ranking printed at the end\n"
	  "Each metric comes with its standard error; memorisation shares are reported too.\n"
	  "Writes eval/metrics.json and eval/ranking.json; Ctrl-C keeps finished sets (exit 130).\n" },
	{ "rank", cmd_rank, "STUDY [--profile A|B|NAME|FILE] [--fractional-ties] [--save NAME]",
	  "rank runs under a weight profile (instant; from eval/metrics.json)",
	  "  --profile P         A (ML development), B (education), a saved NAME, or a JSON FILE\n"
	  "  --fractional-ties   keep averaged tie ranks (the tutorial truncates them)\n"
	  "  --save NAME         store the profile's weights in study.json under that name\n" },
	{ "report", cmd_report, "STUDY [--html] [-o FILE] [--profile A|B|NAME|FILE] [--fractional-ties] [options]",
	  "write the study report: eval/report.md and the self-contained eval/report.html",
	  "  (no -o)             write both STUDY/eval/report.md and STUDY/eval/report.html\n"
	  "  --html              write only the HTML report (with -o: to FILE)\n"
	  "  -o FILE             without --html: only the Markdown report, to FILE\n"
	  "  --min-cell N        suppress counts of fewer than N patients (default: study.json\n"
	  "                      report.min_cell, else 10)\n"
	  "  --phecodes MAP_DIR  phecode map directory (phecode_info.csv) to name concepts; also\n"
	  "                      study.json report.phecodes or SYNTHEHR_PHECODES\n"
	  "  --profile P, --fractional-ties   as for rank\n" },
	{ "run", cmd_run, "STUDY [--data FILE | --demo [--rows N]] [--preset quick|tutorial] [options]",
	  "the whole pipeline: init, prep, train (runs and peers), generate, evaluate, rank, report",
	  "  --data FILE          create the study from a cohort CSV/CSV.gz (first run only)\n"
	  "  --demo               create it from the built-in demo cohort (first run only)\n"
	  "  --rows N             demo cohort size (default 5000)\n"
	  "  --preset P           training preset: quick or tutorial (default: the study's, else quick)\n"
	  "  --runs N, --epochs E, --seed S   override the preset\n"
	  "  --minutes M          train each run for M minutes instead (as train --minutes)\n"
	  "  --eval-preset P      evaluation preset: fast or tutorial (default: the study's, else fast)\n"
	  "After the runs, the peers of study.json train.peers (default cart, copula) are fitted.\n"
	  "Each stage writes into the study; running the same command again resumes.\n" },
	{ "check", cmd_check, "STUDY [--clean]",
	  "verify every file of a study (JSON, matrices, checkpoints, CSV, permissions)",
	  "  --clean    remove leftover temporary files of interrupted writes\n"
	  "Exit status 0 when every file is sound, 1 when a problem was found.\n" },
	{ "status", cmd_status, "STUDY [--cancel] [--watch SECONDS] [--ascii]",
	  "show the study's Slurm jobs: each task's state and each run's live losses",
	  "  --cancel    scancel every job of the study that is still queued or running\n"
	  "  --watch S   redraw every S seconds until no task is queued or running\n"
	  "  --ascii     ASCII loss curves\n"
	  "Jobs are recorded in STUDY/slurm/jobs.json by train/evaluate/run --slurm.\n" },
	{ "import-mimic", cmd_import_mimic, NULL,
	  "build the tutorial's cohort from MIMIC-IV hosp tables",
	  cmd_import_mimic_usage },
	{ "import-events", cmd_import_events, NULL,
	  "build a cohort from a patient table and a long-format events table",
	  cmd_import_events_usage },
	{ "bench", cmd_bench, "train|sgemm [OPTIONS]",
	  "time EMR-WGAN training steps or one sgemm on random data; one JSON line",
	  "  train [--batch B] [--cols D] [--width W] [--depth L] [--zdim Z] [--steps N]\n"
	  "        [--warmup K] [--threads T] [--seed S]\n"
	  "      times N full training steps (critic step with the gradient penalty, then\n"
	  "      generator step) after K warm-up steps; defaults are the tutorial geometry\n"
	  "      4096/1460/384/5/128, 3 steps, 1 warm-up.\n"
	  "  sgemm [--m M] [--n N] [--k K] [--reps R] [--threads T]\n"
	  "      times C[MxN] = A[MxK] B[KxN] (default 4096x384x1460).\n"
	  "Set OPENBLAS_CORETYPE (e.g. SKYLAKEX) to choose the kernels.\n" },
	{ NULL, NULL, NULL, NULL, NULL }
};

const struct cli_cmd *
cli_find(const char *name)
{
	const struct cli_cmd *c;

	for (c = cli_cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void
cli_usage(FILE *fp)
{
	const struct cli_cmd *c;

	fprintf(fp,
	    "usage: synthehr [--theme NAME|FILE] [--ascii] [--frames N] [STUDY]\n"
	    "                                        open the terminal workbench\n"
	    "       synthehr COMMAND [ARGS...]       run one pipeline stage\n"
	    "       synthehr --help | --version\n\n"
	    "commands:\n");
	for (c = cli_cmds; c->name != NULL; c++)
		fprintf(fp, "  %-14s %s\n", c->name, c->summary);
	fprintf(fp,
	    "\n'synthehr COMMAND --help' shows a command's options.\n"
	    "Exit status: 0 ok, 1 failure, 2 usage or bad input, 130 interrupted (resumable).\n"
	    "Environment: OPENBLAS_CORETYPE picks OpenBLAS kernels (see 'synthehr --version'),\n"
	    "OPENBLAS_NUM_THREADS the BLAS threads, NO_COLOR disables colour,\n"
	    "SYNTHEHR_THEME the workbench theme (dark, light, monochrome, high-contrast).\n");
}

void
cli_cmd_help(const struct cli_cmd *c, FILE *fp)
{
	if (c->args == NULL) {
		fprintf(fp, "%s\n%s.\n", c->help, c->summary);
		return;
	}
	fprintf(fp, "usage: synthehr %s %s\n\n%s\n", c->name, c->args, c->summary);
	if (c->help != NULL)
		fprintf(fp, "\noptions:\n%s", c->help);
}

/* The settings table: one line per key with its type, defaults (per
 * training preset: quick / tutorial) and help. */
void
cli_settings_help(FILE *fp)
{
	struct train_settings q, t;
	const struct setting *s;
	char ty[96], a[48], b[48], name[64];

	train_settings_preset("quick", &q, NULL);
	train_settings_preset("tutorial", &t, NULL);
	fprintf(fp, "study.json settings (SECTION.KEY  type  default  help); ':set KEY VALUE' in the"
	    " workbench,\nwhere train keys go alone and the others as SECTION_KEY:\n");
	for (s = settings_table; s->key != NULL; s++) {
		const char *def = s->def;
		char both[128];

		if (strcmp(s->section, "ui") == 0)
			continue;
		if (s->offset != SETTING_NO_OFFSET && strcmp(s->section, "train") == 0) {
			setting_format(s, &q, a, sizeof a);
			setting_format(s, &t, b, sizeof b);
			if (strcmp(a, b) == 0)
				snprintf(both, sizeof both, "%s", a);
			else
				snprintf(both, sizeof both, "%s (quick) / %s (tutorial)", a, b);
			def = both;
		}
		snprintf(name, sizeof name, "%s.%s", s->section, s->key);
		fprintf(fp, "  %-24s %-28s %s\n      %s\n", name, setting_type_text(s, ty, sizeof ty),
		    def[0] ? def : "-", s->help);
	}
}

static int
has_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

int
cli_main(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc < 2) {
		cli_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[2], "settings") == 0) {
			cli_settings_help(stdout);
			return EXIT_OK;
		}
		if (argc > 2 && (c = cli_find(argv[2])) != NULL) {
			cli_cmd_help(c, stdout);
			return EXIT_OK;
		}
		cli_usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		char buf[256];
		const char *warn = blas_core_warning();

		blas_describe(buf, sizeof buf);
		printf("synthehr %s\nBLAS: %s\n", PACKAGE_VERSION, buf);
#ifdef SYNTHEHR_FAULTINJECT
		printf("fault injection: built in (SYNTHEHR_FAULT; for testing only)\n");
#endif
		if (warn != NULL)
			printf("warning: %s\n", warn);
		return EXIT_OK;
	}
	if ((c = cli_find(argv[1])) != NULL) {
		if (has_help(argc - 1, argv + 1)) {
			cli_cmd_help(c, stdout);
			return EXIT_OK;
		}
		return c->fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "synthehr: unknown command '%s'\n\n", argv[1]);
	cli_usage(stderr);
	return EXIT_USAGE;
}
