/* synthehr — GPL-3.0-or-later.
 * 'synthehr run': the whole pipeline in one command, stage by stage through
 * the same subcommands a user would type, so every stage writes its product
 * into the study and an interrupted run resumes where it stopped. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "synthehr/slurm.h"
#include "synthehr/study.h"
#include "synthehr/synth.h"
#include "synthehr/util.h"

#define RUN_MAXARGS 64

struct run_argv {
	int argc;
	char *argv[RUN_MAXARGS + 1];
};

static void
ra_add(struct run_argv *a, const char *s)
{
	if (a->argc < RUN_MAXARGS)
		a->argv[a->argc++] = (char *)s;
	a->argv[a->argc] = NULL;
}

static int
run_stage(const char *title, int (*fn)(int, char **), struct run_argv *a)
{
	int rc;

	fflush(stdout);
	fprintf(stderr, "\n== %s ==\n", title);
	optind = 0;   /* GNU getopt: full re-initialisation for the next subcommand */
	rc = fn(a->argc, a->argv);
	fflush(stdout);
	if (rc != EXIT_OK)
		fprintf(stderr, "synthehr run: stage '%s' stopped (exit %d); run the same command again to resume\n",
		    title, rc);
	return rc;
}

static void
run_argv_free(struct run_argv *a)
{
	int i;

	for (i = 0; i < a->argc; i++)
		free(a->argv[i]);
	memset(a, 0, sizeof *a);
}

/* run --slurm: training was submitted; chain generation and evaluation. */
static int
run_slurm_rest(const char *study, struct run_argv *fwd, const char *eval_preset)
{
	struct slurm_opts so;
	struct study *s = NULL;
	char *cause = NULL;
	int i, rc = EXIT_OK, slurm = 0;

	slurm_opts_init(&so);
	for (i = 0; i < fwd->argc && rc == EXIT_OK; i++)
		if (cli_slurm_arg(&so, fwd->argc, fwd->argv, &i, &slurm) < 0)
			rc = EXIT_USAGE;
	if (rc == EXIT_OK && study_open(study, &s, &cause) != 0)
		rc = cli_fail("run", cause, EXIT_USAGE);
	if (rc == EXIT_OK && eval_preset != NULL) {
		json_object_set_new(study_section(s, "eval"), "preset", json_string(eval_preset));
		if (!so.dry_run && study_save(s, &cause) != 0)
			rc = cli_fail("run", cause, EXIT_FAIL);
	}
	if (rc == EXIT_OK) {
		fprintf(stderr, "\n== generate, evaluate, rank, report (submitting to Slurm) ==\n");
		rc = cli_slurm_after_train(s, &so, cli_slurm_last_train_job);
	}
	if (rc == EXIT_OK && !so.dry_run)
		fprintf(stderr, "\nsynthehr run: submitted; follow with 'synthehr status %s'\n", study);
	study_free(s);
	slurm_opts_done(&so);
	return rc;
}

/* The classical peers of study.json train.peers (default cart, copula),
 * each fitted beside the runs unless its set is already current. */
static int
run_peers(const char *study)
{
	struct study *s = NULL;
	struct synth_settings ss;
	struct gen_opts go;
	struct run_argv a;
	char *cause = NULL, title[64];
	int k, rc = EXIT_OK;

	if (study_open(study, &s, &cause) != 0)
		return cli_fail("run", cause, EXIT_USAGE);
	if (synth_settings_load(json_object_get(s->cfg, "train"), &ss, &cause) != 0 ||
	    gen_opts_load(json_object_get(s->cfg, "generate"), &go, &cause) != 0) {
		study_free(s);
		return cli_fail("run", cause, EXIT_USAGE);
	}
	for (k = 0; k < ss.npeers && rc == EXIT_OK; k++) {
		if (ss.peers[k] == ss.method || ss.peers[k] == SYNTH_MARGINALS)
			continue;   /* trained above; the baseline comes with generate */
		if (synth_peer_current(s, ss.peers[k], &go)) {
			fprintf(stderr, "\n== train peer %s: up to date ==\n", synth_method_name(ss.peers[k]));
			continue;
		}
		memset(&a, 0, sizeof a);
		ra_add(&a, "train");
		ra_add(&a, study);
		ra_add(&a, "--method");
		ra_add(&a, synth_method_name(ss.peers[k]));
		snprintf(title, sizeof title, "train peer %s", synth_method_name(ss.peers[k]));
		rc = run_stage(title, cmd_train, &a);
	}
	study_free(s);
	return rc;
}

int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "demo", no_argument, NULL, 'D' },
		{ "rows", required_argument, NULL, 'n' },
		{ "preset", required_argument, NULL, 'p' },
		{ "runs", required_argument, NULL, 'r' },
		{ "epochs", required_argument, NULL, 'e' },
		{ "minutes", required_argument, NULL, 'm' },
		{ "eval-preset", required_argument, NULL, 'E' },
		{ "seed", required_argument, NULL, 's' },
		CLI_SLURM_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct run_argv fwd;   /* the Slurm options, passed on to train */
	struct slurm_opts so;
	int slurm = 0, k;
	const char *data = NULL, *rows = NULL, *preset = NULL, *runs = NULL, *epochs = NULL;
	const char *minutes = NULL;
	const char *eval_preset = NULL, *seed = NULL, *study;
	struct run_argv a;
	char *sj, *report;
	int demo = 0, c, rc;

	memset(&fwd, 0, sizeof fwd);
	slurm_opts_init(&so);
	while ((c = getopt_long(argc, argv, "d:n:p:r:e:m:E:s:", opts, NULL)) != -1) {
		if (c >= CLI_OPT_SLURM && c <= CLI_OPT_DRY_RUN) {
			if (cli_slurm_opt(&so, c, optarg, "run") != 0) {
				slurm_opts_done(&so);
				return EXIT_USAGE;
			}
			for (k = 0; opts[k].name != NULL; k++)
				if (opts[k].val == c) {
					ra_add(&fwd, xsprintf("--%s", opts[k].name));
					if (optarg != NULL)
						ra_add(&fwd, xstrdup(optarg));
				}
			slurm |= c == CLI_OPT_SLURM;
			continue;
		}
		switch (c) {
		case 'd': data = optarg; break;
		case 'D': demo = 1; break;
		case 'n': rows = optarg; break;
		case 'p': preset = optarg; break;
		case 'r': runs = optarg; break;
		case 'e': epochs = optarg; break;
		case 'm': minutes = optarg; break;
		case 'E': eval_preset = optarg; break;
		case 's': seed = optarg; break;
		default:
			fprintf(stderr, "usage: synthehr run STUDY [--data FILE | --demo [--rows N]] [--preset quick|tutorial]\n"
			    "                    [--runs N] [--epochs E] [--minutes M] [--seed S] [--eval-preset fast|tutorial]\n"
			    "                    [--slurm [--partition P] [--time T] [--cpus N] [--mem M] [--sbatch-arg A]...]\n");
			run_argv_free(&fwd);
			slurm_opts_done(&so);
			return EXIT_USAGE;
		}
	}
	c = cli_slurm_stray(&so, slurm, "run");
	slurm_opts_done(&so);   /* train parses the forwarded copy */
	if (optind != argc - 1 || c != 0) {
		if (optind != argc - 1)
			fprintf(stderr, "synthehr run: expected one STUDY directory\n");
		run_argv_free(&fwd);
		return EXIT_USAGE;
	}
	study = argv[optind];
	sj = util_path_join(study, "study.json");
	if (!util_file_exists(sj)) {
		if (data == NULL && !demo) {
			free(sj);
			fprintf(stderr, "synthehr run: %s is not a study yet; give --data FILE or --demo\n", study);
			return EXIT_USAGE;
		}
		memset(&a, 0, sizeof a);
		ra_add(&a, "init");
		ra_add(&a, study);
		if (demo) {
			ra_add(&a, "--demo");
			if (rows != NULL) {
				ra_add(&a, "--rows");
				ra_add(&a, rows);
			}
		} else {
			ra_add(&a, "--data");
			ra_add(&a, data);
		}
		if ((rc = run_stage("init", cmd_init, &a)) != EXIT_OK) {
			free(sj);
			return rc;
		}
	} else if (data != NULL || demo)
		fprintf(stderr, "synthehr run: %s already exists; continuing it (--data/--demo ignored)\n", study);
	free(sj);

	memset(&a, 0, sizeof a);
	ra_add(&a, "prep");
	ra_add(&a, study);
	if ((rc = run_stage("prep", cmd_prep, &a)) != EXIT_OK)
		return rc;

	memset(&a, 0, sizeof a);
	ra_add(&a, "train");
	ra_add(&a, study);
	/* Only what the user gave: settings made in study.json or the
	 * workbench stay as they are (train's default preset is quick). */
	if (preset) { ra_add(&a, "--preset"); ra_add(&a, preset); }
	if (runs) { ra_add(&a, "--runs"); ra_add(&a, runs); }
	if (epochs) { ra_add(&a, "--epochs"); ra_add(&a, epochs); }
	if (minutes) { ra_add(&a, "--minutes"); ra_add(&a, minutes); }
	if (seed) { ra_add(&a, "--seed"); ra_add(&a, seed); }
	for (k = 0; k < fwd.argc; k++)
		ra_add(&a, fwd.argv[k]);
	rc = run_stage(slurm ? "train (submitting to Slurm)" : "train", cmd_train, &a);
	if (rc != EXIT_OK || slurm) {
		if (rc == EXIT_OK)
			rc = run_slurm_rest(study, &fwd, eval_preset);
		run_argv_free(&fwd);
		return rc;
	}
	run_argv_free(&fwd);
	/* Locally (not under --slurm) the peers are fitted beside the runs. */
	if ((rc = run_peers(study)) != EXIT_OK)
		return rc;

	memset(&a, 0, sizeof a);
	ra_add(&a, "generate");
	ra_add(&a, study);
	if ((rc = run_stage("generate", cmd_generate, &a)) != EXIT_OK)
		return rc;

	memset(&a, 0, sizeof a);
	ra_add(&a, "evaluate");
	ra_add(&a, study);
	if (eval_preset) { ra_add(&a, "--preset"); ra_add(&a, eval_preset); }
	if ((rc = run_stage("evaluate", cmd_evaluate, &a)) != EXIT_OK)
		return rc;

	memset(&a, 0, sizeof a);
	ra_add(&a, "rank");
	ra_add(&a, study);
	ra_add(&a, "--profile");
	ra_add(&a, "B");
	if ((rc = run_stage("rank (profile B: education; the ranking above is profile A or the study's own)", cmd_rank, &a)) != EXIT_OK)
		return rc;
	report = util_path_join(study, "eval/report.html");
	memset(&a, 0, sizeof a);
	ra_add(&a, "report");
	ra_add(&a, study);
	rc = run_stage("report", cmd_report, &a);
	if (rc == EXIT_OK)
		fprintf(stderr, "\nsynthehr run: finished; report in %s (and report.md); open the study with "
		    "'synthehr %s'\n", report, study);
	free(report);
	return rc;
}
