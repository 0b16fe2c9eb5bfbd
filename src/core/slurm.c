/* synthehr — GPL-3.0-or-later.
 * Slurm job arrays for a study (slurm.h).
 *
 *   STUDY/slurm/STAGE.sbatch   the batch script last submitted for a stage
 *   STUDY/slurm/jobs.json      every submitted job: id, stage, tasks, time
 *   STUDY/slurm/STAGE-J_T.out  each task's log (Slurm writes it)
 *
 * A script holds no user string: sbatch gets the user's options as argv
 * entries, and the task finds the study and the binary in SYNTHEHR_STUDY
 * and SYNTHEHR_BIN, which sbatch passes on from the submitting environment
 * (its default --export=ALL).  Training runs and evaluation sets are the
 * array's tasks; each task is an ordinary `synthehr train STUDY --run K` or
 * `synthehr evaluate STUDY --set NAME`, so a task that dies resumes from its
 * last checkpoint (or cache) when it is submitted again. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "synthehr/settings.h"
#include "synthehr/slurm.h"
#include "synthehr/train.h"
#include "synthehr/util.h"

extern char **environ;

static const char *const stage_names[SLURM_STAGE_COUNT] = { "train", "generate", "evaluate", "finish",
	"peers" };

const char *
slurm_stage_name(int stage)
{
	return stage >= 0 && stage < SLURM_STAGE_COUNT ? stage_names[stage] : "?";
}

static int
stage_from_name(const char *name)
{
	int i;

	for (i = 0; i < SLURM_STAGE_COUNT; i++)
		if (strcmp(name, stage_names[i]) == 0)
			return i;
	return -1;
}

/* ---- Options */

void
slurm_opts_init(struct slurm_opts *o)
{
	memset(o, 0, sizeof *o);
	o->cpus = -1;
}

void
slurm_opts_done(struct slurm_opts *o)
{
	int i;

	free(o->partition);
	free(o->time);
	free(o->mem);
	free(o->bin);
	for (i = 0; i < o->nsbatch_args; i++)
		free(o->sbatch_args[i]);
	memset(o, 0, sizeof *o);
}

static int
add_sbatch_arg(struct slurm_opts *o, const char *val, char **cause)
{
	if (o->nsbatch_args >= SLURM_MAX_ARGS)
		return util_fail(cause, "--sbatch-arg: at most %d", SLURM_MAX_ARGS);
	if (val[0] != '-')
		return util_fail(cause, "--sbatch-arg \"%s\": expected an sbatch option such as --account=NAME", val);
	o->sbatch_args[o->nsbatch_args++] = xstrdup(val);
	return 0;
}

int
slurm_opts_set(struct slurm_opts *o, const char *key, const char *val, char **cause)
{
	char *end;
	long v;

	if ((strcmp(key, "partition") == 0 || strcmp(key, "time") == 0 || strcmp(key, "mem") == 0) &&
	    settings_slurm_word_check(key, val, cause) != 0)
		return -1;
	if (strcmp(key, "partition") == 0) {
		free(o->partition);
		o->partition = xstrdup(val);
	} else if (strcmp(key, "time") == 0) {
		free(o->time);
		o->time = xstrdup(val);
	} else if (strcmp(key, "mem") == 0) {
		free(o->mem);
		o->mem = xstrdup(val);
	} else if (strcmp(key, "cpus") == 0) {
		errno = 0;
		v = strtol(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0' || v < 1 || v > 4096)
			return util_fail(cause, "--cpus \"%s\": expected an integer from 1 to 4096", val);
		o->cpus = (int)v;
	} else if (strcmp(key, "sbatch-arg") == 0) {
		return add_sbatch_arg(o, val, cause);
	} else if (strcmp(key, "slurm-bin") == 0) {
		if (val[0] != '/')
			return util_fail(cause, "--slurm-bin \"%s\": expected an absolute path", val);
		free(o->bin);
		o->bin = xstrdup(val);
	} else
		return util_fail(cause, "unknown Slurm option \"%s\"", key);
	return 0;
}

/* One string setting: the command line's value is stored, else the study's
 * is taken (and checked as the command line would be). */
static int
merge_str(json_t *sec, const char *key, const char *optname, char **field, struct slurm_opts *o,
    int *changed, char **cause)
{
	json_t *v = json_object_get(sec, key);

	if (*field != NULL) {
		if (!json_is_string(v) || strcmp(json_string_value(v), *field) != 0) {
			json_object_set_new(sec, key, json_string(*field));
			*changed = 1;
		}
		return 0;
	}
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return util_fail(cause, "study.json: slurm.%s: expected a string", key);
	if (slurm_opts_set(o, optname, json_string_value(v), cause) != 0) {
		char *inner = *cause;

		*cause = NULL;
		util_fail(cause, "study.json: slurm.%s: %s", key, inner);
		free(inner);
		return -1;
	}
	return 0;
}

int
slurm_opts_merge(json_t *sec, struct slurm_opts *o, int *changed, char **cause)
{
	json_t *v;
	size_t i;

	if (merge_str(sec, "partition", "partition", &o->partition, o, changed, cause) != 0 ||
	    merge_str(sec, "time", "time", &o->time, o, changed, cause) != 0 ||
	    merge_str(sec, "mem", "mem", &o->mem, o, changed, cause) != 0 ||
	    merge_str(sec, "bin", "slurm-bin", &o->bin, o, changed, cause) != 0)
		return -1;
	v = json_object_get(sec, "cpus");
	if (o->cpus > 0) {
		if (json_integer_value(v) != o->cpus) {
			json_object_set_new(sec, "cpus", json_integer(o->cpus));
			*changed = 1;
		}
	} else if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 4096)
			return util_fail(cause, "study.json: slurm.cpus: expected an integer from 1 to 4096");
		o->cpus = (int)json_integer_value(v);
	}
	v = json_object_get(sec, "sbatch_args");
	if (o->nsbatch_args > 0) {
		json_t *a = json_array();

		for (i = 0; i < (size_t)o->nsbatch_args; i++)
			json_array_append_new(a, json_string(o->sbatch_args[i]));
		if (!json_equal(a, v)) {
			json_object_set(sec, "sbatch_args", a);
			*changed = 1;
		}
		json_decref(a);
	} else if (v != NULL && !json_is_null(v)) {
		if (!json_is_array(v))
			return util_fail(cause, "study.json: slurm.sbatch_args: expected an array of strings");
		for (i = 0; i < json_array_size(v); i++) {
			json_t *e = json_array_get(v, i);

			if (!json_is_string(e))
				return util_fail(cause, "study.json: slurm.sbatch_args[%zu]: expected a string", i);
			if (add_sbatch_arg(o, json_string_value(e), cause) != 0)
				return -1;
		}
	}
	return 0;
}

/* ---- Spawning */

static void
buf_read(int fd, char **buf, size_t *len, size_t *cap, int *open_)
{
	char tmp[4096];
	ssize_t r = read(fd, tmp, sizeof tmp);

	if (r <= 0) {
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		*open_ = 0;
		return;
	}
	if (*len + (size_t)r + 1 > *cap) {
		*cap = (*len + (size_t)r + 1) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	memcpy(*buf + *len, tmp, (size_t)r);
	*len += (size_t)r;
	(*buf)[*len] = '\0';
}

int
slurm_spawn(char *const argv[], char *const extra_env[], char **out, char **err, char **cause)
{
	posix_spawn_file_actions_t fa;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, st, rc, oopen = 1, eopen = 1;
	char **env;
	size_t ne = 0, nx = 0, i, olen = 0, ocap = 256, elen = 0, ecap = 256;
	char *obuf = xmalloc(ocap), *ebuf = xmalloc(ecap);
	pid_t pid;

	obuf[0] = ebuf[0] = '\0';
	while (environ[ne] != NULL)
		ne++;
	while (extra_env != NULL && extra_env[nx] != NULL)
		nx++;
	env = xcalloc(ne + nx + 1, sizeof *env);
	for (i = 0; i < nx; i++)
		env[i] = extra_env[i];
	/* the inherited environment, less the names set above */
	for (i = 0; i < ne; i++) {
		size_t k, n = nx, len = strcspn(environ[i], "=");

		for (k = 0; k < nx; k++)
			if (strncmp(extra_env[k], environ[i], len) == 0 && extra_env[k][len] == '=')
				break;
		if (k == nx)
			env[n + i] = environ[i];
	}
	/* compact the holes left by overridden names */
	{
		size_t w = 0;

		for (i = 0; i < ne + nx; i++)
			if (env[i] != NULL)
				env[w++] = env[i];
		env[w] = NULL;
	}
	if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
		util_fail(cause, "pipe: %s", strerror(errno));
		rc = -1;
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (rc != 0) {
		util_fail(cause, "cannot run %s: %s%s", argv[0], strerror(rc),
		    rc == ENOENT ? " (is Slurm installed and in PATH on this node?)" : "");
		rc = -1;
		goto out;
	}
	while (oopen || eopen) {
		struct pollfd p[2];
		int np = 0;

		if (oopen)
			p[np++] = (struct pollfd){ .fd = po[0], .events = POLLIN };
		if (eopen)
			p[np++] = (struct pollfd){ .fd = pe[0], .events = POLLIN };
		if (poll(p, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < (size_t)np; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (p[i].fd == po[0])
				buf_read(po[0], &obuf, &olen, &ocap, &oopen);
			else
				buf_read(pe[0], &ebuf, &elen, &ecap, &eopen);
		}
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			util_fail(cause, "%s: waitpid: %s", argv[0], strerror(errno));
			rc = -1;
			goto out;
		}
	}
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
out:
	for (i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	free(env);
	if (rc >= 0) {
		*out = obuf;
		obuf = NULL;
		if (err != NULL) {
			*err = ebuf;
			ebuf = NULL;
		}
	}
	free(obuf);
	free(ebuf);
	return rc;
}

/* The last non-empty line of a program's error output, for messages. */
static char *
last_line(const char *text)
{
	const char *end = text + strlen(text), *b;

	while (end > text && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	b = end;
	while (b > text && b[-1] != '\n')
		b--;
	return xstrndup(b, (size_t)(end - b));
}

/* ---- Submission */

static char *
self_binary(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);

	if (n <= 0)
		return xstrdup("synthehr");
	buf[n] = '\0';
	return xstrdup(buf);
}

static char *
abs_dir(const char *dir)
{
	char buf[PATH_MAX];

	if (realpath(dir, buf) == NULL)
		return xstrdup(dir);
	return xstrdup(buf);
}

/* The task's command, as fixed text: only environment variables vary. */
static const char *
stage_body(int stage)
{
	switch (stage) {
	case SLURM_TRAIN:
		return "exec \"$SYNTHEHR_BIN\" train \"$SYNTHEHR_STUDY\" --run \"$SLURM_ARRAY_TASK_ID\"\n";
	case SLURM_GENERATE:
		return "exec \"$SYNTHEHR_BIN\" generate \"$SYNTHEHR_STUDY\"\n";
	case SLURM_EVALUATE:
		return "set -f\n"
		       "set -- $SYNTHEHR_SETS\n"
		       "shift $((SLURM_ARRAY_TASK_ID - 1))\n"
		       "exec \"$SYNTHEHR_BIN\" evaluate \"$SYNTHEHR_STUDY\" --set \"$1\"\n";
	case SLURM_PEERS:
		return "set -f\n"
		       "set -- $SYNTHEHR_SETS\n"
		       "shift $((SLURM_ARRAY_TASK_ID - 1))\n"
		       "exec \"$SYNTHEHR_BIN\" train \"$SYNTHEHR_STUDY\" --method \"$1\"\n";
	default:
		return "\"$SYNTHEHR_BIN\" evaluate \"$SYNTHEHR_STUDY\"\n"
		       "\"$SYNTHEHR_BIN\" rank \"$SYNTHEHR_STUDY\"\n"
		       "exec \"$SYNTHEHR_BIN\" report \"$SYNTHEHR_STUDY\" -o \"$SYNTHEHR_STUDY/eval/report.md\"\n";
	}
}

static char *
script_text(const struct slurm_submit_req *r)
{
	return xsprintf("#!/bin/sh\n"
	    "# %s %s: the '%s' stage of a study, written by synthehr and submitted with sbatch.\n"
	    "# The study and the binary come from the environment (SYNTHEHR_STUDY,\n"
	    "# SYNTHEHR_BIN); resource options are sbatch arguments, see slurm/jobs.json.\n"
	    "#SBATCH --job-name=synthehr-%s\n"
	    "set -eu\n"
	    "umask 077\n"
	    "export OMP_WAIT_POLICY=PASSIVE\n"
	    "# BLAS and OpenMP threads: the CPUs Slurm gave this task\n"
	    "export OPENBLAS_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\" OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n"
	    "# this node's OpenBLAS core, for the task log\n"
	    "\"$SYNTHEHR_BIN\" --version >&2 || true\n"
	    "%s",
	    PACKAGE_NAME, PACKAGE_VERSION, slurm_stage_name(r->stage), slurm_stage_name(r->stage),
	    stage_body(r->stage));
}

struct strv {
	char **v;
	int n, cap;
};

static void
sv_add(struct strv *a, char *s)   /* takes s */
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->v = xreallocarray(a->v, (size_t)a->cap, sizeof *a->v);
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void
sv_free(struct strv *a)
{
	int i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof *a);
}

/* *acc := *acc SEP word (just word when *acc is NULL). */
static void
append_word(char **acc, const char *sep, const char *word)
{
	char *old = *acc;

	*acc = old != NULL ? xsprintf("%s%s%s", old, sep, word) : xstrdup(word);
	free(old);
}

/* A shell-quoted word, for showing a command line (never run by a shell). */
static void
show_word(char **buf, const char *w)
{
	char *q;
	size_t i, n = 0;
	int plain = *w != '\0';

	for (i = 0; w[i] != '\0'; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,%@+", w[i]) == NULL)
			plain = 0;
	if (plain)
		q = xstrdup(w);
	else {
		q = xmalloc(strlen(w) * 4 + 3);
		q[n++] = '\'';
		for (i = 0; w[i] != '\0'; i++) {
			if (w[i] == '\'') {
				memcpy(q + n, "'\\''", 4);
				n += 4;
			} else
				q[n++] = w[i];
		}
		q[n++] = '\'';
		q[n] = '\0';
	}
	append_word(buf, " ", q);
	free(q);
}

static int
record_job(struct study *s, const struct slurm_submit_req *r, const char *jobid, char **cause)
{
	char *p = study_path(s, "slurm/jobs.json"), stamp[32];
	json_t *doc = NULL, *jobs, *job, *tasks = json_array();
	time_t now = time(NULL);
	struct tm tm;
	int i, rc;

	if (util_file_exists(p)) {
		if (js_read_file(p, &doc, cause) != 0) {
			free(p);
			json_decref(tasks);
			return -1;
		}
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		doc = json_pack("{s:i,s:[]}", "synthehr_slurm", 1, "jobs");
	}
	jobs = json_object_get(doc, "jobs");
	if (!json_is_array(jobs)) {
		jobs = json_array();
		json_object_set_new(doc, "jobs", jobs);
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (r->stage == SLURM_TRAIN)
		for (i = 0; i < r->nruns; i++)
			json_array_append_new(tasks, json_integer(r->runs[i]));
	else if (r->stage == SLURM_EVALUATE || r->stage == SLURM_PEERS)
		for (i = 0; i < r->nsets; i++)
			json_array_append_new(tasks, json_string(r->sets[i]));
	job = json_pack("{s:s,s:s,s:o,s:s,s:I}", "id", jobid, "stage", slurm_stage_name(r->stage),
	    "tasks", tasks, "submitted", stamp, "submitted_unix", (json_int_t)now);
	if (r->after != NULL)
		json_object_set_new(job, "after", json_string(r->after));
	json_array_append_new(jobs, job);
	rc = js_write_file(p, doc, cause);
	json_decref(doc);
	free(p);
	return rc;
}

int
slurm_submit(struct study *s, const struct slurm_opts *o, const struct slurm_submit_req *r,
    char **jobid, char **shown, char **cause)
{
	struct strv av = { 0 }, ev = { 0 };
	char *script = NULL, *spath = NULL, *sdir = NULL, *bin = NULL, *out = NULL, *err = NULL;
	char *rel = NULL, *line;
	int i, st, rc = -1;

	*jobid = NULL;
	if (shown != NULL)
		*shown = NULL;
	if ((r->stage == SLURM_TRAIN && r->nruns == 0) ||
	    ((r->stage == SLURM_EVALUATE || r->stage == SLURM_PEERS) && r->nsets == 0))
		return util_fail(cause, "nothing to submit");
	for (i = 0; i < r->nsets; i++) {
		const char *c;

		for (c = r->sets[i]; *c != '\0'; c++)
			if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *c) == NULL)
				return util_fail(cause, "set name \"%s\" cannot be passed to a task", r->sets[i]);
	}
	if (study_mkdir(s, "slurm", cause) != 0)
		return -1;
	sdir = abs_dir(s->dir);
	bin = o->bin != NULL ? xstrdup(o->bin) : self_binary();
	script = script_text(r);
	rel = xsprintf("slurm/%s.sbatch", slurm_stage_name(r->stage));
	spath = study_path(s, rel);

	sv_add(&av, xstrdup("sbatch"));
	sv_add(&av, xstrdup("--parsable"));
	sv_add(&av, xsprintf("--chdir=%s", sdir));
	sv_add(&av, xsprintf("--output=%s/slurm/%s-%%A_%%a.out", sdir, slurm_stage_name(r->stage)));
	if (r->stage == SLURM_TRAIN || r->stage == SLURM_EVALUATE || r->stage == SLURM_PEERS) {
		char *arr = NULL;
		int n = r->stage == SLURM_TRAIN ? r->nruns : r->nsets;

		for (i = 0; i < n; i++) {
			char num[16];

			snprintf(num, sizeof num, "%d", r->stage == SLURM_TRAIN ? r->runs[i] : i + 1);
			append_word(&arr, ",", num);
		}
		sv_add(&av, xsprintf("--array=%s", arr));
		free(arr);
	}
	if (r->after != NULL)
		sv_add(&av, xsprintf("--dependency=afterok:%s", r->after));
	if (o->partition != NULL)
		sv_add(&av, xsprintf("--partition=%s", o->partition));
	if (o->time != NULL)
		sv_add(&av, xsprintf("--time=%s", o->time));
	if (o->cpus > 0)
		sv_add(&av, xsprintf("--cpus-per-task=%d", o->cpus));
	if (o->mem != NULL)
		sv_add(&av, xsprintf("--mem=%s", o->mem));
	for (i = 0; i < o->nsbatch_args; i++)
		sv_add(&av, xstrdup(o->sbatch_args[i]));
	sv_add(&av, xstrdup(spath));

	sv_add(&ev, xsprintf("SYNTHEHR_STUDY=%s", sdir));
	sv_add(&ev, xsprintf("SYNTHEHR_BIN=%s", bin));
	sv_add(&ev, xstrdup("SLURM_UMASK=0077"));
	if (r->stage == SLURM_EVALUATE || r->stage == SLURM_PEERS) {
		char *list = NULL;

		for (i = 0; i < r->nsets; i++)
			append_word(&list, " ", r->sets[i]);
		sv_add(&ev, xsprintf("SYNTHEHR_SETS=%s", list));
		free(list);
	}

	if (o->dry_run) {
		char *cmd = NULL;

		for (i = 0; i < ev.n; i++)
			show_word(&cmd, ev.v[i]);
		for (i = 0; i < av.n; i++)
			show_word(&cmd, av.v[i]);
		if (shown != NULL)
			*shown = xsprintf("%s\n--- %s\n%s", cmd, rel, script);
		free(cmd);
		*jobid = xstrdup("DRYRUN");
		rc = 0;
		goto out;
	}
	if (util_write_file_atomic(spath, script, strlen(script), cause) != 0)
		goto out;
	st = slurm_spawn(av.v, ev.v, &out, &err, cause);
	if (st < 0)
		goto out;
	if (st != 0) {
		line = last_line(err != NULL && *err ? err : out);
		util_fail(cause, "sbatch failed (exit %d): %s", st, *line ? line : "no message");
		free(line);
		goto out;
	}
	out[strcspn(out, ";\n ")] = '\0';
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] < '0' || out[i] > '9')
			break;
	if (out[0] == '\0' || out[i] != '\0') {
		util_fail(cause, "sbatch printed no job id (\"%.40s\")", out);
		goto out;
	}
	if (record_job(s, r, out, cause) != 0) {
		/* the job runs all the same; say which, so it can be followed */
		char *inner = *cause;

		*cause = NULL;
		util_fail(cause, "job %s was submitted, but slurm/jobs.json could not be written: %s", out, inner);
		free(inner);
		goto out;
	}
	*jobid = out;
	out = NULL;
	rc = 0;
out:
	sv_free(&av);
	sv_free(&ev);
	free(script);
	free(spath);
	free(sdir);
	free(bin);
	free(out);
	free(err);
	free(rel);
	return rc;
}

/* ---- Status */

static void
copy(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* One "a|b|c|d|e" line into up to max fields. */
static int
split_fields(char *line, char **f, int max)
{
	int n = 0;

	f[n++] = line;
	while (n < max && (line = strchr(line, '|')) != NULL) {
		*line++ = '\0';
		f[n++] = line;
	}
	return n;
}

static struct slurm_task *
find_task(struct slurm_task *t, int n, const char *id)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].id, id) == 0)
			return &t[i];
	return NULL;
}

/* squeue names a single (non-array) job "J" and an array task "J_T". */
static void
apply_line(struct slurm_task *t, int n, char *line, int is_sacct)
{
	char *f[6];
	struct slurm_task *x;

	if (split_fields(line, f, 6) < (is_sacct ? 4 : 5))
		return;
	if ((x = find_task(t, n, f[0])) == NULL)
		return;
	if (is_sacct) {
		/* "CANCELLED by 0" → CANCELLED */
		copy(x->state, sizeof x->state, f[1], strcspn(f[1], " "));
		copy(x->elapsed, sizeof x->elapsed, f[2], strlen(f[2]));
		copy(x->node, sizeof x->node, f[3], strlen(f[3]));
	} else {
		copy(x->state, sizeof x->state, f[1], strlen(f[1]));
		copy(x->elapsed, sizeof x->elapsed, f[2], strlen(f[2]));
		copy(x->node, sizeof x->node, f[3], strlen(f[3]));
		copy(x->reason, sizeof x->reason, f[4], strcspn(f[4], "\n"));
		if (strcmp(x->reason, "None") == 0)
			x->reason[0] = '\0';
	}
	x->from_files = 0;
}

/* 1 when the study file rel was written at or after time t. */
static int
written_since(struct study *s, const char *rel, long long t)
{
	char *p = study_path(s, rel);
	struct stat sb;
	int r = stat(p, &sb) == 0 && (long long)sb.st_mtime >= t;

	free(p);
	return r;
}

/* A task no longer in the queue and unknown to sacct: what its files say. */
static void
state_from_files(struct study *s, struct slurm_task *t)
{
	const char *st = "ENDED";
	char *p = NULL;

	if (t->stage == SLURM_GENERATE && written_since(s, "runs/baseline-marginals/synthetic.mtx", t->submitted))
		st = "COMPLETED";
	if (t->stage == SLURM_FINISH && written_since(s, "eval/report.md", t->submitted))
		st = "COMPLETED";

	if (t->stage == SLURM_TRAIN) {
		json_t *state = NULL;

		if (train_read_state(s, t->run, &state, NULL) == 0 &&
		    strcmp(js_str(state, "status", ""), "done") == 0)
			st = "COMPLETED";
		json_decref(state);
	} else if (t->stage == SLURM_EVALUATE || t->stage == SLURM_PEERS) {
		char *rel = t->stage == SLURM_PEERS ? xsprintf("runs/peer-%s/synthetic.mtx", t->set) :
		    xsprintf("eval/sets/%s.json", t->set);

		p = study_path(s, rel);
		free(rel);
		if (util_file_exists(p))
			st = "COMPLETED";
	}
	free(p);
	copy(t->state, sizeof t->state, st, strlen(st));
	t->from_files = 1;
}

static int
is_active(const char *state)
{
	return strcmp(state, "PENDING") == 0 || strcmp(state, "RUNNING") == 0 ||
	    strcmp(state, "CONFIGURING") == 0 || strcmp(state, "COMPLETING") == 0 ||
	    strcmp(state, "REQUEUED") == 0 || strcmp(state, "RESIZING") == 0 || strcmp(state, "SUSPENDED") == 0;
}

int
slurm_active(const struct slurm_task *t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (is_active(t[i].state))
			return 1;
	return 0;
}

int
slurm_status(struct study *s, struct slurm_task **out, int *n, char **cause)
{
	char *p = study_path(s, "slurm/jobs.json"), *sq = NULL, *ids = NULL, *line, *save = NULL;
	json_t *doc = NULL, *jobs;
	struct slurm_task *t = NULL;
	size_t i, k;
	int nt = 0, cap = 0, st;

	*out = NULL;
	*n = 0;
	if (!util_file_exists(p)) {
		free(p);
		return 0;
	}
	if (js_read_file(p, &doc, cause) != 0) {
		free(p);
		return -1;
	}
	free(p);
	jobs = json_object_get(doc, "jobs");
	for (i = 0; i < json_array_size(jobs); i++) {
		json_t *job = json_array_get(jobs, i), *tasks = json_object_get(job, "tasks");
		const char *id = js_str(job, "id", "");
		int stage = stage_from_name(js_str(job, "stage", ""));
		size_t nk = json_array_size(tasks);

		if (stage < 0 || *id == '\0')
			continue;
		for (k = 0; k < (nk > 0 ? nk : 1); k++) {
			struct slurm_task *x;

			if (nt == cap) {
				cap = cap ? cap * 2 : 16;
				t = xreallocarray(t, (size_t)cap, sizeof *t);
			}
			x = &t[nt++];
			memset(x, 0, sizeof *x);
			copy(x->job, sizeof x->job, id, strlen(id));
			x->stage = stage;
			x->submitted = js_int(job, "submitted_unix", 0);
			if (nk == 0) {
				snprintf(x->id, sizeof x->id, "%s", id);
			} else if (stage == SLURM_TRAIN) {
				x->run = (int)json_integer_value(json_array_get(tasks, k));
				snprintf(x->id, sizeof x->id, "%s_%d", id, x->run);
			} else {
				const char *nm = json_string_value(json_array_get(tasks, k));

				copy(x->set, sizeof x->set, nm != NULL ? nm : "?", strlen(nm != NULL ? nm : "?"));
				snprintf(x->id, sizeof x->id, "%s_%zu", id, k + 1);
			}
			copy(x->state, sizeof x->state, "UNKNOWN", 7);
		}
		append_word(&ids, ",", id);
	}
	json_decref(doc);
	if (nt == 0) {
		free(ids);
		return 0;
	}
	/* squeue for what is queued or running: no -j (an id that has left the
	 * queue would make it fail), the study's ids are picked out here. */
	{
		char *argv[] = { "squeue", "-h", "-r", "-o", "%i|%T|%M|%N|%r", NULL };

		st = slurm_spawn(argv, NULL, &sq, NULL, cause);
		if (st != 0) {
			if (st > 0)
				util_fail(cause, "squeue failed (exit %d): is slurmctld reachable from here?", st);
			free(sq);
			free(ids);
			free(t);
			return -1;
		}
		for (line = strtok_r(sq, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
			apply_line(t, nt, line, 0);
		free(sq);
		sq = NULL;
	}
	/* sacct for the tasks that left the queue; accounting may be off */
	for (k = 0; k < (size_t)nt; k++)
		if (strcmp(t[k].state, "UNKNOWN") == 0)
			break;
	if (k < (size_t)nt) {
		char *jarg = xsprintf("--jobs=%s", ids);
		char *argv[] = { "sacct", "-n", "-P", "-X", jarg, "-o", "JobID,State,Elapsed,NodeList", NULL };
		char *err = NULL;

		save = NULL;
		if (slurm_spawn(argv, NULL, &sq, &err, NULL) == 0)
			for (line = strtok_r(sq, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
				apply_line(t, nt, line, 1);
		free(sq);
		free(err);
		free(jarg);
		for (k = 0; k < (size_t)nt; k++)
			if (strcmp(t[k].state, "UNKNOWN") == 0)
				state_from_files(s, &t[k]);
	}
	free(ids);
	*out = t;
	*n = nt;
	return 0;
}

int
slurm_cancel(struct study *s, int *ncancelled, char **cause)
{
	struct slurm_task *t;
	struct strv av = { 0 };
	char *out = NULL, *err = NULL, *line;
	int n, i, k, st, rc = -1;

	*ncancelled = 0;
	if (slurm_status(s, &t, &n, cause) != 0)
		return -1;
	sv_add(&av, xstrdup("scancel"));
	for (i = 0; i < n; i++) {
		if (!is_active(t[i].state))
			continue;
		for (k = 1; k < av.n; k++)
			if (strcmp(av.v[k], t[i].job) == 0)
				break;
		if (k == av.n)
			sv_add(&av, xstrdup(t[i].job));
	}
	free(t);
	if (av.n == 1) {
		sv_free(&av);
		return 0;
	}
	st = slurm_spawn(av.v, NULL, &out, &err, cause);
	if (st == 0) {
		*ncancelled = av.n - 1;
		rc = 0;
	} else if (st > 0) {
		line = last_line(err != NULL && *err ? err : out);
		util_fail(cause, "scancel failed (exit %d): %s", st, *line ? line : "no message");
		free(line);
	}
	free(out);
	free(err);
	sv_free(&av);
	return rc;
}

/* ---- Watcher */

struct slurm_watch {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *dir;
	double period;
	int stop;
	unsigned gen;
	struct slurm_task *t;
	int n;
};

static void *
watch_main(void *arg)
{
	struct slurm_watch *w = arg;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		struct slurm_task *t = NULL;
		struct study *s = NULL;
		struct timespec ts;
		char *jobs = util_path_join(w->dir, "slurm/jobs.json");
		int n = 0, have = util_file_exists(jobs);

		free(jobs);
		pthread_mutex_unlock(&w->mu);
		if (have && study_open(w->dir, &s, NULL) == 0) {
			if (slurm_status(s, &t, &n, NULL) != 0) {
				t = NULL;
				n = 0;
			}
			study_free(s);
		}
		pthread_mutex_lock(&w->mu);
		if (have) {
			free(w->t);
			w->t = t;
			w->n = n;
			w->gen++;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)w->period;
		ts.tv_nsec += (long)((w->period - (double)(time_t)w->period) * 1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct slurm_watch *
slurm_watch_start(const char *study_dir, double period_s)
{
	struct slurm_watch *w = xcalloc(1, sizeof *w);

	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->dir = xstrdup(study_dir);
	w->period = period_s > 0.1 ? period_s : 0.1;
	if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		free(w->dir);
		free(w);
		return NULL;
	}
	return w;
}

void
slurm_watch_stop(struct slurm_watch *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w->t);
	free(w->dir);
	free(w);
}

unsigned
slurm_watch_get(struct slurm_watch *w, struct slurm_task **t, int *n)
{
	unsigned gen;

	*t = NULL;
	*n = 0;
	if (w == NULL)
		return 0;
	pthread_mutex_lock(&w->mu);
	if (w->n > 0) {
		*t = xmalloc((size_t)w->n * sizeof **t);
		memcpy(*t, w->t, (size_t)w->n * sizeof **t);
		*n = w->n;
	}
	gen = w->gen;
	pthread_mutex_unlock(&w->mu);
	return gen;
}

void
slurm_watch_counts(struct slurm_watch *w, int *pending, int *running, int *total)
{
	int i;

	*pending = *running = *total = 0;
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	for (i = 0; i < w->n; i++) {
		if (strcmp(w->t[i].state, "PENDING") == 0)
			(*pending)++;
		else if (is_active(w->t[i].state))
			(*running)++;
	}
	*total = w->n;
	pthread_mutex_unlock(&w->mu);
}
