/* synthehr — GPL-3.0-or-later.
 * Command-line front end: subcommand table and shared helpers.  Results go
 * to stdout, progress and errors to stderr. */
#ifndef SYNTHEHR_CLI_H
#define SYNTHEHR_CLI_H

#include <stdio.h>

#include "synthehr/exitcode.h"
#include "synthehr/stage.h"

struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);   /* argv[0] is the subcommand name */
	const char *args;                   /* one-line synopsis of the arguments, or NULL when
	                                       help is the command's own full usage text */
	const char *summary;                /* one help line */
	const char *help;                   /* full help text (options) */
};

extern const struct cli_cmd cli_cmds[];
const struct cli_cmd *cli_find(const char *name);
int cli_main(int argc, char **argv);
void cli_usage(FILE *fp);
/* 'synthehr help settings': the settings table. */
void cli_settings_help(FILE *fp);
/* "synthehr CMD: cause" on stderr, frees cause, returns code. */
int cli_fail(const char *cmd, char *cause, int code);
/* Print the subcommand's help to fp. */
void cli_cmd_help(const struct cli_cmd *c, FILE *fp);
/* True if argv has -h/--help (handled uniformly by cli_main). */

/* A one-line progress bar on stderr (only when stderr is a terminal;
 * otherwise a line every few percent).  label may be NULL. */
void cli_progress(const char *label, double done, double total, const char *extra);
void cli_progress_end(void);
/* Seconds as "42s", "3m05s", "2h10m" ("?" when unknown). */
void cli_fmt_eta(char *buf, size_t size, double s);
/* Stage events as progress on stderr and result lines on stdout (arg: the
 * command's name, for "synthehr CMD: cause"). */
void cli_stage_event(const struct stage_event *ev, void *arg);

/* Full usage texts owned by the commands that print them on bad usage
 * (one text serves both --help and the error path). */
extern const char cmd_train_usage[], cmd_generate_usage[];
extern const char cmd_import_mimic_usage[], cmd_import_events_usage[];

/* Subcommand entry points, one file each under src/cli/. */
int cmd_demo(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_prep(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_rank(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_import_mimic(int argc, char **argv);
int cmd_import_events(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_status(int argc, char **argv);

/* Slurm options shared by train, evaluate and run (cmd_slurm.c): add
 * CLI_SLURM_LONGOPTS to a getopt_long table and pass every code in
 * [CLI_OPT_SLURM, CLI_OPT_DRY_RUN] to cli_slurm_opt. */
#define CLI_OPT_SLURM 0x5100
#define CLI_OPT_PARTITION 0x5101
#define CLI_OPT_TIME 0x5102
#define CLI_OPT_CPUS 0x5103
#define CLI_OPT_MEM 0x5104
#define CLI_OPT_SBATCH_ARG 0x5105
#define CLI_OPT_SLURM_BIN 0x5106
#define CLI_OPT_DRY_RUN 0x5107
#define CLI_SLURM_LONGOPTS \
	{ "slurm", no_argument, NULL, CLI_OPT_SLURM }, \
	{ "partition", required_argument, NULL, CLI_OPT_PARTITION }, \
	{ "time", required_argument, NULL, CLI_OPT_TIME }, \
	{ "cpus", required_argument, NULL, CLI_OPT_CPUS }, \
	{ "mem", required_argument, NULL, CLI_OPT_MEM }, \
	{ "sbatch-arg", required_argument, NULL, CLI_OPT_SBATCH_ARG }, \
	{ "slurm-bin", required_argument, NULL, CLI_OPT_SLURM_BIN }, \
	{ "dry-run", no_argument, NULL, CLI_OPT_DRY_RUN }
#define CLI_SLURM_USAGE \
	"  --slurm         submit to Slurm as a job array instead of running here\n" \
	"  --partition P, --time HH:MM:SS, --cpus N, --mem M, --sbatch-arg ARG (repeatable)\n" \
	"                  sbatch options (saved in study.json \"slurm\")\n" \
	"  --slurm-bin PATH  the synthehr binary the tasks run (default: this one)\n" \
	"  --dry-run       print the sbatch command and script; submit nothing\n"
struct slurm_opts;
struct study;
struct train_settings;
int cli_slurm_opt(struct slurm_opts *o, int c, const char *arg, const char *cmd);
int cli_slurm_arg(struct slurm_opts *o, int argc, char **argv, int *i, int *slurm);
int cli_slurm_stray(const struct slurm_opts *o, int slurm, const char *cmd);
int cli_slurm_train(struct study *s, const struct train_settings *ts, int only, struct slurm_opts *o,
    char **jobid_out);
int cli_slurm_evaluate(struct study *s, struct slurm_opts *o, const char *after, int sets_now,
    char **jobid_out);
int cli_slurm_after_train(struct study *s, struct slurm_opts *o, const char *train_job);
extern char *cli_slurm_last_train_job;

#endif
