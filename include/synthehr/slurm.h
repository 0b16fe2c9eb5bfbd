/* synthehr — GPL-3.0-or-later.
 * Slurm: a study's independent units of work (training runs, the
 * evaluation of each synthetic set) submitted as job arrays to the
 * cluster's own scheduler, on a shared filesystem, and followed from the
 * login node.  Every program (sbatch, squeue, sacct, scancel) is started
 * with posix_spawnp and an argument vector, never through a shell; the
 * batch scripts this module writes hold no user string at all (the study
 * and the binary reach the task through the environment).  posix_spawn
 * runs no fork handlers, so this is safe in a process whose BLAS threads
 * are busy (OpenBLAS's fork handler waits for them). */
#ifndef SYNTHEHR_SLURM_H
#define SYNTHEHR_SLURM_H

#include <stddef.h>
#include <jansson.h>

#include "synthehr/study.h"

#define SLURM_MAX_ARGS 32

/* Submission options: command line over study.json "slurm" section. */
struct slurm_opts {
	char *partition;          /* --partition */
	char *time;               /* --time HH:MM:SS (or D-HH:MM:SS, MM) */
	char *mem;                /* --mem (e.g. 4G) */
	int cpus;                 /* --cpus-per-task (0: Slurm's default) */
	char *sbatch_args[SLURM_MAX_ARGS];  /* extra sbatch arguments, one each */
	int nsbatch_args;
	char *bin;                /* synthehr binary the tasks run (default: this one) */
	int dry_run;              /* print the command and script, submit nothing */
};

void slurm_opts_init(struct slurm_opts *o);
void slurm_opts_done(struct slurm_opts *o);
/* Parse one command-line option value into o (key: "partition", "time",
 * "cpus", "mem", "sbatch-arg", "slurm-bin"); -1 with *cause on a bad value. */
int slurm_opts_set(struct slurm_opts *o, const char *key, const char *val, char **cause);
/* Fill the options not given on the command line from study.json "slurm"
 * (keys partition, time, cpus, mem, sbatch_args, bin); given ones are
 * written back there so a resubmission uses the same. */
int slurm_opts_merge(json_t *section, struct slurm_opts *o, int *changed, char **cause);

/* What one submission runs. */
enum slurm_stage {
	SLURM_TRAIN,      /* array: task K trains run K */
	SLURM_GENERATE,   /* one task: every run's synthetic set and the baseline */
	SLURM_EVALUATE,   /* array: task K evaluates the K-th of sets[] */
	SLURM_FINISH,     /* one task: evaluate (merge the cached sets), rank, report */
	SLURM_PEERS,      /* array: task K fits and samples the K-th of sets[] (a method name) */
	SLURM_STAGE_COUNT
};
const char *slurm_stage_name(int stage);

struct slurm_submit_req {
	int stage;                  /* enum slurm_stage */
	const int *runs;            /* SLURM_TRAIN: the run numbers (array indices) */
	int nruns;
	const char *const *sets;    /* SLURM_EVALUATE: set names, SLURM_PEERS: method names;
	                               task K = sets[K-1] */
	int nsets;
	const char *after;          /* job id(s) this one waits for (afterok; "J1:J2"), or NULL */
};

/* Write STUDY/slurm/STAGE.sbatch and submit it with sbatch.  On success
 * *jobid (caller-freed) holds the job id and the job is recorded in
 * STUDY/slurm/jobs.json.  With o->dry_run, nothing is submitted: *jobid is
 * "DRYRUN" and *shown (caller-freed) holds the sbatch command line and the
 * script. */
int slurm_submit(struct study *s, const struct slurm_opts *o, const struct slurm_submit_req *r,
    char **jobid, char **shown, char **cause);

/* The state of one task of a recorded job. */
struct slurm_task {
	char job[32];         /* the array job's id (or the job's) */
	char id[48];          /* squeue's task id, e.g. 123_4 */
	int stage;            /* enum slurm_stage */
	int run;              /* SLURM_TRAIN: the run; else 0 */
	char set[64];         /* SLURM_EVALUATE: the set, SLURM_PEERS: the method; else "" */
	char state[24];       /* PENDING, RUNNING, COMPLETED, FAILED, ..., or ENDED (not in the queue) */
	char elapsed[24];     /* as Slurm prints it, or "" */
	char node[64];        /* node list, or "" */
	char reason[64];      /* pending reason, or "" */
	int from_files;       /* 1: the state was read off the study's files (no sacct) */
	long long submitted;  /* submission time (Unix seconds) */
};

/* Every task of every job recorded in the study, with its state from
 * squeue (live) and sacct (finished; when accounting is off, from the
 * study's own files: a run's state.json, a set's evaluation cache).
 * 0 with *n = 0 when the study has no recorded jobs. */
int slurm_status(struct study *s, struct slurm_task **out, int *n, char **cause);
/* True when some recorded task is pending or running. */
int slurm_active(const struct slurm_task *t, int n);
/* scancel every recorded job that is still queued or running; *ncancelled
 * counts the jobs. */
int slurm_cancel(struct study *s, int *ncancelled, char **cause);

/* A watcher: a thread that refreshes the study's task states every
 * period_s seconds (only while STUDY/slurm/jobs.json exists), so a front
 * end can show a cluster training without ever waiting for squeue. */
struct slurm_watch;
struct slurm_watch *slurm_watch_start(const char *study_dir, double period_s);
void slurm_watch_stop(struct slurm_watch *w);
/* A copy of the latest states (caller frees *t); returns the refresh
 * count, which changes whenever new states arrived (0: none yet). */
unsigned slurm_watch_get(struct slurm_watch *w, struct slurm_task **t, int *n);
/* Counts of the latest states: queued (pending), running, and all tasks. */
void slurm_watch_counts(struct slurm_watch *w, int *pending, int *running, int *total);

/* Run argv (argv[0] looked up in PATH) with extra "NAME=value" strings
 * added to the environment; its standard output in *out (caller-freed,
 * NUL-terminated), its standard error in *err (may be NULL).  Returns the
 * exit status, or -1 with *cause when it could not be started. */
int slurm_spawn(char *const argv[], char *const extra_env[], char **out, char **err, char **cause);

#endif
