/* synthehr — GPL-3.0-or-later.
 * 'synthehr train' and 'synthehr generate'.  Options given on the command
 * line are written into study.json's "train" section first (so a later
 * resume, the TUI and generation see the same settings), then the training
 * job runs in its worker thread while this thread waits; the job's events
 * drive a progress bar per run on stderr.  SIGINT/SIGTERM stop the job at
 * the next step: the last completed epoch is saved and the exit code is 130;
 * running the same command again resumes. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "synthehr/blas.h"
#include "synthehr/baseline.h"
#include "synthehr/settings.h"
#include "synthehr/generate.h"
#include "synthehr/slurm.h"
#include "synthehr/study.h"
#include "synthehr/synth.h"
#include "synthehr/train.h"
#include "synthehr/util.h"

const char cmd_train_usage[] =
    "usage: synthehr train STUDY [--method emrwgan|cart|copula|marginals]\n"
    "                      [--preset quick|tutorial] [--runs N] [--epochs E] [--seed S]\n"
    "                      [--threads T] [--rule tutorial|metric] [--run K] [--restart]\n"
    "                      [--minutes M] [--lr-schedule constant|cosine|step] [--parallel P]\n"
    "                      [--encoding prep|minmax]\n"
    "  --method M      emrwgan (the runs), or a classical peer fitted and sampled at once:\n"
    "                  cart (sequential CART, runs/peer-cart), copula (Gaussian copula,\n"
    "                  runs/peer-copula), marginals (runs/baseline-marginals); default:\n"
    "                  study.json train.method, else emrwgan (--method is not saved)\n"
    "  --preset P      quick (minutes on 2 cores) or tutorial (the tutorial's exact\n"
    "                  settings); switching preset drops the other keys of\n"
    "                  study.json \"train\"\n"
    "  --runs N        independent runs (default 5)\n"
    "  --epochs E      epochs per run (an interrupted or finished run is extended)\n"
    "  --seed S        seed of run 1; run K uses S + K - 1\n"
    "  --threads T     OpenBLAS threads (0 = OpenBLAS default; 1 when runs train at once)\n"
    "  --minutes M     time budget: each run trains M minutes (fractions allowed) and\n"
    "                  keeps its best checkpoint; 0 = train for --epochs instead\n"
    "  --lr-schedule S constant (the preset's rates), cosine (down to train.lr_floor\n"
    "                  of them) or step (halved at each quarter of the epochs or budget)\n"
    "  --parallel P    runs trained at once, one BLAS thread each (0 = all runs with\n"
    "                  --minutes, else one at a time)\n"
    "  --rule R        checkpoint rule: tutorial (the tutorial's rule) or metric (quick DWD)\n"
    "  --encoding E    prep (the per-column encodings prep chose; quick's default) or\n"
    "                  minmax (the tutorial's, and the tutorial preset's)\n"
    "  --run K         train only run K\n"
    "  --restart       discard existing runs and start over\n"
    CLI_SLURM_USAGE
    "Options are saved in study.json; run the same command again to resume.\n";

const char cmd_generate_usage[] =
    "usage: synthehr generate STUDY [--run K|baseline|cart|copula] [--rows N] [--no-stratify] [--sample]\n"
    "                         [--seed S] [--ckpt E|last]\n"
    "  --run K         only run K, or the baseline, or a peer (cart, copula); default: every\n"
    "                  trained run, every trained peer (refitted only when the rows, seed or\n"
    "                  training rows changed) and the baseline\n"
    "  --rows N        rows per set (default: as many as the training rows)\n"
    "  --no-stratify   do not match the training label counts (default: matched)\n"
    "  --sample        draw binary columns as Bernoulli(p) instead of p >= 0.5\n"
    "  --seed S        generation seed (default 1)\n"
    "  --ckpt E|last   use checkpoint ckpt-E.bin or ckpt-last.bin instead of the chosen one\n";

/* A word option checked against its row of the settings table (the one
 * place that spells the allowed words): 0, or -1 after the usage line. */
static int
choice_opt(const char *cmd, const char *opt, const char *key, const char *val)
{
	const struct setting *st = settings_find("train", key);
	json_t *v;
	char *cause = NULL;
	const char *why;
	int rc;

	if (val == NULL)
		return 0;
	v = json_string(val);
	rc = setting_check(st, v, &cause);
	json_decref(v);
	if (rc != 0) {
		why = strstr(cause, "expected");
		fprintf(stderr, "synthehr %s: %s: %s, got \"%s\"\n", cmd, opt, why != NULL ? why : cause, val);
		free(cause);
	}
	return rc;
}

static int
parse_int(const char *cmd, const char *opt, const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	long long v;

	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "synthehr %s: %s: expected an integer from %lld to %lld, got \"%s\"\n",
		    cmd, opt, lo, hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* What the progress line shows when runs train at once (the job calls the
 * callback from one thread at a time). */
static int progress_parallel;
static double progress_minutes;
static double progress_frac[TRAIN_MAX_RUNS + 1];

/* Runs on a training thread; the main thread only waits. */
static void
train_progress(const struct train_event *ev, void *arg)
{
	char label[32], extra[160], eta[32];

	(void)arg;
	if (ev->peer) {
		/* A classical peer: two lines, no bar. */
		if (ev->kind == TRAIN_EV_START || ev->kind == TRAIN_EV_RUN_DONE)
			fprintf(stderr, "%s\n", ev->msg);
		return;
	}
	snprintf(label, sizeof label, "run %d/%d", ev->run, ev->nruns);
	switch (ev->kind) {
	case TRAIN_EV_START:
		cli_progress_end();
		if (progress_minutes > 0)
			fprintf(stderr, "run %d/%d: %s, %g minutes\n", ev->run, ev->nruns, ev->msg,
			    progress_minutes);
		else
			fprintf(stderr, "run %d/%d: %s, %d epochs\n", ev->run, ev->nruns, ev->msg, ev->epochs);
		break;
	case TRAIN_EV_EPOCH: {
		double frac = progress_minutes > 0 ? ev->seconds / (progress_minutes * 60)
		    : ev->epochs > 0 ? (double)ev->epoch / ev->epochs : 0;

		cli_fmt_eta(eta, sizeof eta, ev->eta_s);
		if (progress_parallel && ev->run >= 1 && ev->run <= TRAIN_MAX_RUNS) {
			double sum = 0;
			int k;

			/* One bar for all runs: their mean progress. */
			progress_frac[ev->run] = SH_MIN(frac, 1.0);
			for (k = 1; k <= ev->nruns && k <= TRAIN_MAX_RUNS; k++)
				sum += progress_frac[k];
			snprintf(label, sizeof label, "%d runs", ev->nruns);
			snprintf(extra, sizeof extra, "run %d epoch %d  W %.4f  GP %.4f  %.1f steps/s  eta %s",
			    ev->run, ev->epoch, -ev->st.w_distance, ev->st.gp, ev->steps_per_s, eta);
			cli_progress(label, sum, ev->nruns, extra);
			break;
		}
		snprintf(extra, sizeof extra, "epoch %d/%d  W %.4f  GP %.4f  G %.4f  %.1f steps/s  eta %s",
		    ev->epoch, ev->epochs, -ev->st.w_distance, ev->st.gp, ev->st.gen_loss,
		    ev->steps_per_s, eta);
		cli_progress(label, frac, 1, extra);
		break;
	}
	case TRAIN_EV_RUN_DONE:
		if (ev->run >= 1 && ev->run <= TRAIN_MAX_RUNS)
			progress_frac[ev->run] = 1;
		cli_progress_end();
		if (ev->chosen_epoch > 0)
			fprintf(stderr, "run %d/%d: %d epochs (%.0f s); chosen checkpoint: epoch %d (score %.4g)%s%s\n",
			    ev->run, ev->nruns, ev->epoch, ev->seconds, ev->chosen_epoch, ev->score,
			    ev->msg[0] ? "; " : "", ev->msg);
		else
			fprintf(stderr, "run %d/%d: %d epochs%s%s; no epoch met the checkpoint rule,"
			    " the last state is used\n", ev->run, ev->nruns, ev->epoch,
			    ev->msg[0] ? ", " : "", ev->msg);
		break;
	case TRAIN_EV_CANCELLED:
		cli_progress_end();
		fprintf(stderr, "run %d/%d: %s; run the same command to resume\n", ev->run, ev->nruns, ev->msg);
		break;
	case TRAIN_EV_ERROR:
		cli_progress_end();
		break;
	default:
		break;
	}
}

/* Stage events: training's own (on a training thread) drive the bars above,
 * the rest (a failure's cause) print as every command's do. */
static void
train_stage_event(const struct stage_event *ev, void *arg)
{
	if (ev->train != NULL)
		train_progress(ev->train, NULL);
	else
		cli_stage_event(ev, arg);
}

int
cmd_train(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "preset", required_argument, NULL, 'p' },
		{ "runs", required_argument, NULL, 'r' },
		{ "epochs", required_argument, NULL, 'e' },
		{ "seed", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "rule", required_argument, NULL, 'R' },
		{ "encoding", required_argument, NULL, 'N' },
		{ "run", required_argument, NULL, 'k' },
		{ "restart", no_argument, NULL, 'x' },
		{ "minutes", required_argument, NULL, 'm' },
		{ "lr-schedule", required_argument, NULL, 'L' },
		{ "parallel", required_argument, NULL, 'P' },
		{ "method", required_argument, NULL, 'M' },
		CLI_SLURM_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *preset = NULL, *rule = NULL, *sched = NULL, *method = NULL, *encoding = NULL;
	struct synth_settings ss;
	struct slurm_opts so;
	int slurm = 0;
	long long runs = -1, epochs = -1, seed = -1, threads = -1, only = 0, parallel = -1;
	double minutes = -1;
	struct train_opts to;
	struct train_settings ts;
	struct study *s = NULL;
	struct stage_req q;
	json_t *sec;
	char *cause = NULL;
	int c, changed = 0, meth = -1, rc;

	memset(&to, 0, sizeof to);
	slurm_opts_init(&so);
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c >= CLI_OPT_SLURM && c <= CLI_OPT_DRY_RUN) {
			if (cli_slurm_opt(&so, c, optarg, argv[0]) != 0) {
				slurm_opts_done(&so);
				return EXIT_USAGE;
			}
			slurm |= c == CLI_OPT_SLURM;
			continue;
		}
		switch (c) {
		case 'p':
			preset = optarg;
			break;
		case 'r':
			if (parse_int(argv[0], "--runs", optarg, 1, TRAIN_MAX_RUNS, &runs) != 0)
				return EXIT_USAGE;
			break;
		case 'e':
			if (parse_int(argv[0], "--epochs", optarg, 1, 100000000, &epochs) != 0)
				return EXIT_USAGE;
			break;
		case 's':
			if (parse_int(argv[0], "--seed", optarg, 0, (1LL << 62), &seed) != 0)
				return EXIT_USAGE;
			break;
		case 't':
			if (parse_int(argv[0], "--threads", optarg, 0, 1024, &threads) != 0)
				return EXIT_USAGE;
			break;
		case 'R':
			rule = optarg;
			break;
		case 'N':
			encoding = optarg;
			break;
		case 'k':
			if (parse_int(argv[0], "--run", optarg, 1, TRAIN_MAX_RUNS, &only) != 0)
				return EXIT_USAGE;
			break;
		case 'x':
			to.restart = 1;
			break;
		case 'm': {
			char *end;

			minutes = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' || !(minutes >= 0 && minutes <= 1e6)) {
				fprintf(stderr, "synthehr %s: --minutes: expected a number of minutes from 0"
				    " to 1000000, got \"%s\"\n", argv[0], optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case 'L':
			sched = optarg;
			break;
		case 'P':
			if (parse_int(argv[0], "--parallel", optarg, 0, TRAIN_MAX_RUNS, &parallel) != 0)
				return EXIT_USAGE;
			break;
		case 'M':
			method = optarg;
			break;
		default:
			fputs(cmd_train_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		slurm_opts_done(&so);
		fputs(cmd_train_usage, stderr);
		return EXIT_USAGE;
	}
	if (cli_slurm_stray(&so, slurm, argv[0]) != 0) {
		slurm_opts_done(&so);
		return EXIT_USAGE;
	}
	if (choice_opt(argv[0], "--preset", "preset", preset) != 0 ||
	    choice_opt(argv[0], "--rule", "ckpt_rule", rule) != 0 ||
	    choice_opt(argv[0], "--encoding", "encoding", encoding) != 0 ||
	    choice_opt(argv[0], "--lr-schedule", "lr_schedule", sched) != 0) {
		slurm_opts_done(&so);
		return EXIT_USAGE;
	}
	if (method != NULL && synth_method_parse(method, &meth, &cause) != 0) {
		fprintf(stderr, "synthehr train: --method: %s\n", cause);
		free(cause);
		slurm_opts_done(&so);
		return EXIT_USAGE;
	}
	if (study_open(argv[optind], &s, &cause) != 0)
		return cli_fail(argv[0], cause, EXIT_USAGE);
	sec = study_section(s, "train");
	if (preset != NULL && strcmp(js_str(sec, "preset", ""), preset) != 0) {
		/* A different preset: its values replace the section's. */
		json_object_clear(sec);
		json_object_set_new(sec, "preset", json_string(preset));
		changed = 1;
	}
#define SET_INT(key, v) do { if ((v) >= 0 && js_int(sec, key, -1) != (v)) { \
	json_object_set_new(sec, key, json_integer(v)); changed = 1; } } while (0)
	SET_INT("runs", runs);
	SET_INT("epochs", epochs);
	SET_INT("seed", seed);
	SET_INT("threads", threads);
	SET_INT("parallel", parallel);
#undef SET_INT
	if (minutes >= 0 && js_num(sec, "minutes", -1) != minutes) {
		json_object_set_new(sec, "minutes", json_real(minutes));
		changed = 1;
	}
	if (sched != NULL && strcmp(js_str(sec, "lr_schedule", ""), sched) != 0) {
		json_object_set_new(sec, "lr_schedule", json_string(sched));
		changed = 1;
	}
	if (encoding != NULL && strcmp(js_str(sec, "encoding", ""), encoding) != 0) {
		json_object_set_new(sec, "encoding", json_string(encoding));
		changed = 1;
	}
	if (rule != NULL && strcmp(js_str(sec, "ckpt_rule", ""), rule) != 0) {
		json_object_set_new(sec, "ckpt_rule", json_string(rule));
		changed = 1;
	}
	if (train_settings_load(sec, &ts, &cause) != 0 || synth_settings_load(sec, &ss, &cause) != 0) {
		study_free(s);
		return cli_fail(argv[0], cause, EXIT_USAGE);
	}
	if (meth < 0)
		meth = ss.method;
	to.only_run = (int)only;
	to.method = synth_method_name(meth);
	/* a refused command leaves study.json as it was (a peer has no runs to check) */
	if (blas_headroom_check("training", 2, &cause) != 0) {   /* not enough memory: exit 1 */
		study_free(s);
		return cli_fail(argv[0], cause, EXIT_FAIL);
	}
	if (meth == SYNTH_EMRWGAN && (rc = train_check_settings(s, &to, &cause)) != 0) {
		study_free(s);
		return cli_fail(argv[0], cause, rc == -2 ? EXIT_USAGE : EXIT_FAIL);
	}
	if (changed && !slurm) {
		/* the stage would refuse damaged or foreign training rows after
		 * the settings were saved: read them first (issue 18 item 9) */
		struct layout *tl = NULL;
		struct mtx *tm = NULL;

		rc = train_load_data(s, &tl, &tm, &cause);
		mtx_free(tm);
		layout_free(tl);
		if (rc != 0) {
			study_free(s);
			return cli_fail(argv[0], cause, EXIT_USAGE);
		}
	}
	if (changed && study_save(s, &cause) != 0) {
		study_free(s);
		return cli_fail(argv[0], cause, EXIT_FAIL);
	}
	if (slurm) {
		if (meth != SYNTH_EMRWGAN) {
			slurm_opts_done(&so);
			study_free(s);
			fprintf(stderr, "synthehr train: --slurm submits EMR-WGAN runs; fit the peer %s here"
			    " without --slurm (it takes seconds to minutes)\n", synth_method_name(meth));
			return EXIT_USAGE;
		}
		if (to.restart) {
			slurm_opts_done(&so);
			study_free(s);
			fprintf(stderr, "synthehr train: --restart cannot be combined with --slurm "
			    "(restart locally first, or remove runs/ yourself)\n");
			return EXIT_USAGE;
		}
		int rc = cli_slurm_train(s, &ts, (int)only, &so, NULL);

		slurm_opts_done(&so);
		study_free(s);
		return rc;
	}
	slurm_opts_done(&so);
	if (meth == SYNTH_EMRWGAN) {
		char len[48];
		int par = train_parallel(&ts, only ? 1 : ts.runs);

		if (ts.minutes > 0)
			snprintf(len, sizeof len, "%g minutes each", ts.minutes);
		else
			snprintf(len, sizeof len, "%d epochs", ts.epochs);
		fprintf(stderr, "training %d run%s%s, preset %s: %s, batch %d, width %d, depth %d, %s,"
		    " learning rate %s, checkpoint rule %s\n", only ? 1 : ts.runs,
		    (only || ts.runs == 1) ? "" : "s", par > 1 ? " at once" : "", ts.preset, len,
		    ts.batch, ts.width, ts.depth, ts.optimizer == WGAN_OPT_ADAM ? "Adam" : "RMSprop",
		    train_lr_schedule_name(ts.lr_schedule), train_rule_name(ts.rule));
		progress_parallel = par > 1;
		progress_minutes = ts.minutes;
		memset(progress_frac, 0, sizeof progress_frac);
	}
	study_free(s);
	memset(&q, 0, sizeof q);
	q.stage = STAGE_TRAIN;
	q.study = argv[optind];
	q.train = to;
	return stage_run(&q, train_stage_event, argv[0]);
}

int
cmd_generate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "run", required_argument, NULL, 'k' },
		{ "rows", required_argument, NULL, 'n' },
		{ "no-stratify", no_argument, NULL, 'S' },
		{ "sample", no_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 's' },
		{ "ckpt", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct stage_req q;
	long long rows = -1, seed = -1, run = -1, ck = 0;
	int c, nostrat = 0, sample = 0, baseline_only = 0, peer = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (strcmp(optarg, "baseline") == 0 || strcmp(optarg, "baseline-marginals") == 0)
				baseline_only = 1;
			else if (strcmp(optarg, "cart") == 0 || strcmp(optarg, "peer-cart") == 0)
				peer = SYNTH_CART;
			else if (strcmp(optarg, "copula") == 0 || strcmp(optarg, "peer-copula") == 0)
				peer = SYNTH_COPULA;
			else if (parse_int(argv[0], "--run", optarg, 1, TRAIN_MAX_RUNS, &run) != 0)
				return EXIT_USAGE;
			break;
		case 'n':
			if (parse_int(argv[0], "--rows", optarg, 1, 1LL << 40, &rows) != 0)
				return EXIT_USAGE;
			break;
		case 'S':
			nostrat = 1;
			break;
		case 'b':
			sample = 1;
			break;
		case 's':
			if (parse_int(argv[0], "--seed", optarg, 0, 1LL << 62, &seed) != 0)
				return EXIT_USAGE;
			break;
		case 'c':
			if (strcmp(optarg, "last") == 0)
				ck = -1;
			else if (parse_int(argv[0], "--ckpt", optarg, 1, 100000000, &ck) != 0)
				return EXIT_USAGE;
			break;
		default:
			fputs(cmd_generate_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fputs(cmd_generate_usage, stderr);
		return EXIT_USAGE;
	}
	memset(&q, 0, sizeof q);
	q.stage = STAGE_GENERATE;
	q.study = argv[optind];
	q.gen_run = baseline_only ? -1 : (int)(run > 0 ? run : 0);
	q.gen_rows = rows;
	q.gen_seed = seed;
	q.gen_nostratify = nostrat;
	q.gen_sample = sample;
	q.gen_ckpt = (int)ck;
	q.gen_peer = peer;
	return stage_run(&q, cli_stage_event, argv[0]);
}
