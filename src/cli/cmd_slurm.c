/* synthehr — GPL-3.0-or-later.
 * The Slurm side of the command line: `train --slurm`, `evaluate --slurm`,
 * `run --slurm` (the stages chained with afterok dependencies) and
 * `synthehr status STUDY [--cancel]`.  The work itself is in core
 * (slurm.c); this file turns options into submissions and prints states. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "synthehr/eval.h"
#include "synthehr/generate.h"
#include "synthehr/slurm.h"
#include "synthehr/synth.h"
#include "synthehr/study.h"
#include "synthehr/train.h"
#include "synthehr/util.h"

int
cli_slurm_opt(struct slurm_opts *o, int c, const char *arg, const char *cmd)
{
	static const char *const keys[] = { "partition", "time", "cpus", "mem", "sbatch-arg", "slurm-bin" };
	char *cause = NULL;

	if (c == CLI_OPT_SLURM)
		return 0;
	if (c == CLI_OPT_DRY_RUN) {
		o->dry_run = 1;
		return 0;
	}
	if (c < CLI_OPT_PARTITION || c > CLI_OPT_SLURM_BIN)
		return -1;
	if (slurm_opts_set(o, keys[c - CLI_OPT_PARTITION], arg, &cause) != 0) {
		cli_fail(cmd, cause, EXIT_USAGE);
		return -1;
	}
	return 0;
}

/* For hand-written parsers: argv[*i] is a Slurm option?  1 consumed (with
 * its value), 0 not one, -1 bad value (message printed). */
int
cli_slurm_arg(struct slurm_opts *o, int argc, char **argv, int *i, int *slurm)
{
	static const struct { const char *name; int code; } t[] = {
		{ "--slurm", CLI_OPT_SLURM }, { "--partition", CLI_OPT_PARTITION }, { "--time", CLI_OPT_TIME },
		{ "--cpus", CLI_OPT_CPUS }, { "--mem", CLI_OPT_MEM }, { "--sbatch-arg", CLI_OPT_SBATCH_ARG },
		{ "--slurm-bin", CLI_OPT_SLURM_BIN }, { "--dry-run", CLI_OPT_DRY_RUN },
	};
	size_t k;

	for (k = 0; k < sizeof t / sizeof t[0]; k++) {
		int has_value = t[k].code != CLI_OPT_SLURM && t[k].code != CLI_OPT_DRY_RUN;

		if (strcmp(argv[*i], t[k].name) != 0)
			continue;
		if (has_value && *i + 1 >= argc) {
			fprintf(stderr, "synthehr %s: %s needs a value\n", argv[0], t[k].name);
			return -1;
		}
		if (cli_slurm_opt(o, t[k].code, has_value ? argv[*i + 1] : NULL, argv[0]) != 0)
			return -1;
		if (has_value)
			(*i)++;
		if (t[k].code == CLI_OPT_SLURM)
			*slurm = 1;
		return 1;
	}
	return 0;
}

/* Options that shape a submission but were given without --slurm. */
int
cli_slurm_stray(const struct slurm_opts *o, int slurm, const char *cmd)
{
	if (slurm || (o->partition == NULL && o->time == NULL && o->mem == NULL && o->cpus <= 0 &&
	    o->nsbatch_args == 0 && o->bin == NULL && !o->dry_run))
		return 0;
	fprintf(stderr, "synthehr %s: --partition, --time, --cpus, --mem, --sbatch-arg, --slurm-bin and "
	    "--dry-run go with --slurm\n", cmd);
	return -1;
}

/* Merge the study's "slurm" settings and save what the command line gave. */
static int
opts_merge(struct study *s, struct slurm_opts *o, const char *cmd)
{
	char *cause = NULL;
	int changed = 0;

	if (slurm_opts_merge(study_section(s, "slurm"), o, &changed, &cause) != 0)
		return cli_fail(cmd, cause, EXIT_USAGE);
	if (changed && !o->dry_run && study_save(s, &cause) != 0)
		return cli_fail(cmd, cause, EXIT_FAIL);
	return EXIT_OK;
}

static int
submit(struct study *s, const struct slurm_opts *o, const struct slurm_submit_req *r, char **jobid,
    const char *cmd)
{
	char *cause = NULL, *shown = NULL;

	if (slurm_submit(s, o, r, jobid, &shown, &cause) != 0)
		return cli_fail(cmd, cause, EXIT_FAIL);
	if (shown != NULL) {
		printf("%s\n", shown);
		free(shown);
	}
	return EXIT_OK;
}

/* Runs of the study still to train and not already queued or running. */
static int
runs_to_submit(struct study *s, const struct train_settings *ts, int only, int *runs, int *nruns,
    const char *cmd)
{
	struct slurm_task *t = NULL;
	char *cause = NULL;
	int nt = 0, k, i;

	if (slurm_status(s, &t, &nt, &cause) != 0) {
		/* no squeue here: nothing can be queued by this study either */
		free(cause);
		t = NULL;
		nt = 0;
	}
	*nruns = 0;
	for (k = only ? only : 1; k <= (only ? only : ts->runs); k++) {
		json_t *state = NULL;
		int done = 0, queued = 0;

		if (train_read_state(s, k, &state, NULL) == 0)
			done = strcmp(js_str(state, "status", ""), "done") == 0 &&
			    (ts->minutes > 0 || js_int(state, "epoch", 0) >= ts->epochs);
		json_decref(state);
		for (i = 0; i < nt; i++)
			if (t[i].stage == SLURM_TRAIN && t[i].run == k &&
			    (strcmp(t[i].state, "PENDING") == 0 || strcmp(t[i].state, "RUNNING") == 0))
				queued = 1;
		if (done)
			fprintf(stderr, "run %d: complete, not submitted\n", k);
		else if (queued)
			fprintf(stderr, "run %d: already queued or running, not submitted\n", k);
		else
			runs[(*nruns)++] = k;
	}
	free(t);
	SH_UNUSED(cmd);
	return 0;
}

int
cli_slurm_train(struct study *s, const struct train_settings *ts, int only, struct slurm_opts *o,
    char **jobid_out)
{
	struct slurm_submit_req r;
	struct layout *l = NULL;
	struct mtx *m = NULL;
	int runs[TRAIN_MAX_RUNS], nruns = 0, rc;
	char *cause = NULL, *jobid = NULL;

	if (jobid_out != NULL)
		*jobid_out = NULL;
	free(cli_slurm_last_train_job);
	cli_slurm_last_train_job = NULL;
	if ((rc = opts_merge(s, o, "train")) != EXIT_OK)
		return rc;
	/* refuse before submitting what would fail on the nodes */
	if (train_load_data(s, &l, &m, &cause) != 0)
		return cli_fail("train", cause, EXIT_USAGE);
	layout_free(l);
	mtx_free(m);
	runs_to_submit(s, ts, only, runs, &nruns, "train");
	if (nruns == 0) {
		fprintf(stderr, "synthehr train: every run is complete or already queued; nothing submitted\n");
		return EXIT_OK;
	}
	memset(&r, 0, sizeof r);
	r.stage = SLURM_TRAIN;
	r.runs = runs;
	r.nruns = nruns;
	if ((rc = submit(s, o, &r, &jobid, "train")) != EXIT_OK)
		return rc;
	if (!o->dry_run) {
		printf("%s\n", jobid);
		fprintf(stderr, "submitted job %s: %d training task%s (follow with `synthehr status %s`)\n", jobid,
		    nruns, nruns == 1 ? "" : "s", s->dir);
	}
	if (!o->dry_run)
		cli_slurm_last_train_job = xstrdup(jobid);
	if (jobid_out != NULL)
		*jobid_out = jobid;
	else
		free(jobid);
	return EXIT_OK;
}

int
cli_slurm_evaluate(struct study *s, struct slurm_opts *o, const char *after, int sets_now,
    char **jobid_out)
{
	struct slurm_submit_req r;
	struct eval_set *sets = NULL;
	const char **names = NULL;
	char *cause = NULL, *eid = NULL, *fid = NULL;
	int n = 0, i, rc;

	if (jobid_out != NULL)
		*jobid_out = NULL;
	if ((rc = opts_merge(s, o, "evaluate")) != EXIT_OK)
		return rc;
	memset(&r, 0, sizeof r);
	if (sets_now) {
		/* one task per set that exists now */
		if (eval_list_sets(s, &sets, &n, &cause) != 0)
			return cli_fail("evaluate", cause, EXIT_USAGE);
		if (n == 0) {
			eval_sets_free(sets, n);
			return cli_fail("evaluate", xsprintf("%s: no synthetic sets; run `synthehr generate` first",
			    s->dir), EXIT_USAGE);
		}
		names = xcalloc((size_t)n, sizeof *names);
		for (i = 0; i < n; i++)
			names[i] = sets[i].name;
		r.stage = SLURM_EVALUATE;
		r.sets = names;
		r.nsets = n;
		r.after = after;
		rc = submit(s, o, &r, &eid, "evaluate");
		free(names);
		eval_sets_free(sets, n);
		if (rc != EXIT_OK)
			return rc;
	}
	/* then one task that merges the cached sets, ranks and reports */
	memset(&r, 0, sizeof r);
	r.stage = SLURM_FINISH;
	r.after = eid != NULL ? eid : after;
	if (o->dry_run && r.after != NULL && strcmp(r.after, "DRYRUN") == 0)
		r.after = "DRYRUN";
	rc = submit(s, o, &r, &fid, "evaluate");
	if (rc == EXIT_OK && !o->dry_run) {
		if (eid != NULL)
			printf("%s\n", eid);
		printf("%s\n", fid);
		if (eid != NULL)
			fprintf(stderr, "submitted job %s: %d evaluation task%s, and job %s (after it): "
			    "metrics, ranking and report\n", eid, n, n == 1 ? "" : "s", fid);
		else
			fprintf(stderr, "submitted job %s: evaluation, ranking and report\n", fid);
	}
	free(eid);
	if (jobid_out != NULL && rc == EXIT_OK)
		*jobid_out = fid;
	else
		free(fid);
	return rc;
}

/* The job id of the last training submission (for `run --slurm`). */
char *cli_slurm_last_train_job;

/* The classical peers of study.json train.peers that are not current: one
 * array task each (`train STUDY --method NAME`).  *jobid NULL: none. */
static int
submit_peers(struct study *s, struct slurm_opts *o, char **jobid)
{
	struct synth_settings ss;
	struct gen_opts go;
	struct slurm_submit_req r;
	const char *names[SYNTH_COUNT];
	char *cause = NULL;
	int k, n = 0;

	*jobid = NULL;
	if (synth_settings_load(json_object_get(s->cfg, "train"), &ss, &cause) != 0 ||
	    gen_opts_load(json_object_get(s->cfg, "generate"), &go, &cause) != 0)
		return cli_fail("run", cause, EXIT_USAGE);
	for (k = 0; k < ss.npeers; k++) {
		if (ss.peers[k] == ss.method || ss.peers[k] == SYNTH_MARGINALS)
			continue;   /* the runs, and the baseline that generation makes */
		if (synth_peer_current(s, ss.peers[k], &go)) {
			fprintf(stderr, "peer %s: up to date, not submitted\n", synth_method_name(ss.peers[k]));
			continue;
		}
		names[n++] = synth_method_name(ss.peers[k]);
	}
	if (n == 0)
		return EXIT_OK;
	memset(&r, 0, sizeof r);
	r.stage = SLURM_PEERS;
	r.sets = names;
	r.nsets = n;
	return submit(s, o, &r, jobid, "run");
}

/* run --slurm, after `train --slurm`: the classical peers as an array
 * beside the training (they need only the prepared rows), generation after
 * both, then one task that evaluates every set (known only once generation
 * is done), ranks and reports. */
int
cli_slurm_after_train(struct study *s, struct slurm_opts *o, const char *train_job)
{
	struct slurm_submit_req r;
	char *gid = NULL, *fid = NULL, *pid = NULL, *after = NULL;
	int rc;

	if ((rc = opts_merge(s, o, "run")) != EXIT_OK)
		return rc;
	if ((rc = submit_peers(s, o, &pid)) != EXIT_OK)
		return rc;
	if (pid != NULL && !o->dry_run)
		fprintf(stderr, "submitted job %s: the classical peers\n", pid);
	if (train_job != NULL && pid != NULL && !o->dry_run)
		after = xsprintf("%s:%s", train_job, pid);
	else if (train_job != NULL)
		after = xstrdup(train_job);
	else if (pid != NULL && !o->dry_run)
		after = xstrdup(pid);
	memset(&r, 0, sizeof r);
	r.stage = SLURM_GENERATE;
	r.after = after;
	rc = submit(s, o, &r, &gid, "run");
	free(after);
	free(pid);
	if (rc == EXIT_OK)
		rc = cli_slurm_evaluate(s, o, gid, 0, &fid);
	if (rc == EXIT_OK && !o->dry_run) {
		printf("%s\n", gid);
		fprintf(stderr, "chained: training %s -> generation %s -> evaluation, ranking, report %s\n",
		    train_job != NULL ? train_job : "(nothing to train)", gid, fid);
	}
	free(gid);
	free(fid);
	return rc;
}

static const char status_usage[] =
    "usage: synthehr status STUDY [--cancel] [--watch SECONDS] [--ascii]\n"
    "  Shows each Slurm task of the study (state from squeue and sacct, or\n"
    "  the study's own files) with each training run's live progress: epoch,\n"
    "  latest critic and generator losses and the Wasserstein estimate's curve.\n"
    "  --cancel        scancel every job of the study that is queued or running\n"
    "  --watch S       redraw every S seconds until no task is queued or running\n"
    "  --ascii         ASCII curves (default: UTF-8 block characters)\n";

/* The last `width` epochs of a loss column as a one-line curve. */
static void
sparkline(const double *v, int n, int width, int ascii)
{
	static const char *const blocks[8] = { "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586",
		"\u2587", "\u2588" };
	static const char levels[] = "_.-:=+*#";
	double lo = INFINITY, hi = -INFINITY;
	int i, first = n > width ? n - width : 0;

	for (i = first; i < n; i++)
		if (isfinite(v[i])) {
			lo = v[i] < lo ? v[i] : lo;
			hi = v[i] > hi ? v[i] : hi;
		}
	for (i = first; i < n; i++) {
		int k = !isfinite(v[i]) ? -1 : hi > lo ? (int)((v[i] - lo) / (hi - lo) * 7.999) : 3;

		if (k < 0)
			fputs("?", stdout);
		else if (ascii)
			putchar(levels[k]);
		else
			fputs(blocks[k], stdout);
	}
}

static void
print_run_progress(struct study *s, int run, int ascii)
{
	json_t *state = NULL;
	double *cols[8] = { 0 };
	long long epoch = 0;
	int n = 0, i;

	if (train_read_loss(s, run, cols, &n, NULL) != 0)
		n = 0;
	if (train_read_state(s, run, &state, NULL) != 0 && n == 0) {
		printf("  no epoch yet");
		return;
	}
	/* loss.csv runs ahead of the last checkpoint while the run trains */
	epoch = js_int(state, "epoch", 0);
	if (n > 0 && cols[0][n - 1] > (double)epoch)
		epoch = (long long)cols[0][n - 1];
	printf("  epoch %lld", epoch);
	if (state != NULL && js_num(json_object_get(state, "settings"), "minutes", 0) <= 0)
		printf("/%lld", js_int(state, "epochs", 0));
	{
		json_t *ch = json_object_get(state, "chosen");

		if (json_is_object(ch) && !js_bool(ch, "fallback", 0))
			printf("  chosen %lld", js_int(ch, "epoch", 0));
	}
	json_decref(state);
	if (n > 0) {
		printf("\n             D %.4g  G %.4g  W %.4g  ", cols[1][n - 1], cols[4][n - 1], cols[2][n - 1]);
		sparkline(cols[2], n, 40, ascii);
	}
	for (i = 0; i < 8; i++)
		free(cols[i]);
}

static int
print_status(struct study *s, int ascii, int *active)
{
	struct slurm_task *t = NULL;
	char *cause = NULL;
	int n = 0, i;

	*active = 0;
	if (slurm_status(s, &t, &n, &cause) != 0)
		return cli_fail("status", cause, EXIT_FAIL);
	if (n == 0)
		printf("%s: no Slurm jobs recorded (submit with `synthehr train %s --slurm`)\n", s->dir, s->dir);
	for (i = 0; i < n; i++) {
		const char *what = t[i].stage == SLURM_TRAIN ? "" : t[i].set;
		char label[80];

		if (t[i].stage == SLURM_TRAIN)
			snprintf(label, sizeof label, "train run-%d", t[i].run);
		else if (t[i].stage == SLURM_PEERS)
			snprintf(label, sizeof label, "train peer-%s", what);
		else
			snprintf(label, sizeof label, "%s%s%s", slurm_stage_name(t[i].stage), *what ? " " : "", what);
		printf("%-12s %-24s %-10s %9s %-12s", t[i].id, label, t[i].state,
		    t[i].elapsed, *t[i].reason ? t[i].reason : t[i].node);
		if (t[i].stage == SLURM_TRAIN)
			print_run_progress(s, t[i].run, ascii);
		if (t[i].from_files)
			printf("  (from the study's files)");
		putchar('\n');
	}
	*active = slurm_active(t, n);
	free(t);
	fflush(stdout);
	return EXIT_OK;
}

int
cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cancel", no_argument, NULL, 'c' },
		{ "watch", required_argument, NULL, 'w' },
		{ "ascii", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct study *s = NULL;
	char *cause = NULL, *end;
	int c, cancel = 0, ascii = 0, rc, active;
	double watch = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cancel = 1;
			break;
		case 'a':
			ascii = 1;
			break;
		case 'w':
			watch = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !(watch >= 1 && watch <= 3600)) {
				fprintf(stderr, "synthehr status: --watch \"%s\": expected seconds from 1 to 3600\n", optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			fputs(status_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fputs(status_usage, stderr);
		return EXIT_USAGE;
	}
	if (!ascii) {
		const char *lc = getenv("LC_ALL");

		if (lc == NULL || *lc == '\0')
			lc = getenv("LC_CTYPE");
		if (lc == NULL || *lc == '\0')
			lc = getenv("LANG");
		ascii = lc == NULL || (strstr(lc, "UTF-8") == NULL && strstr(lc, "utf8") == NULL &&
		    strstr(lc, "UTF8") == NULL && strstr(lc, "utf-8") == NULL);
	}
	if (study_open(argv[optind], &s, &cause) != 0)
		return cli_fail(argv[0], cause, EXIT_USAGE);
	if (cancel) {
		int nc = 0;

		if (slurm_cancel(s, &nc, &cause) != 0) {
			study_free(s);
			return cli_fail(argv[0], cause, EXIT_FAIL);
		}
		fprintf(stderr, "cancelled %d job%s\n", nc, nc == 1 ? "" : "s");
	}
	util_cancel_aware = 1;
	for (;;) {
		if (watch > 0 && isatty(STDOUT_FILENO))
			fputs("\033[H\033[2J", stdout);
		if ((rc = print_status(s, ascii, &active)) != EXIT_OK || watch <= 0 || !active)
			break;
		for (c = 0; c < (int)(watch * 10) && !util_interrupted; c++)
			usleep(100000);
		if (util_interrupted) {
			rc = EXIT_INTERRUPTED;
			break;
		}
		putchar('\n');
	}
	util_cancel_aware = 0;
	study_free(s);
	return rc;
}
