/* synthehr — GPL-3.0-or-later.
 * Background jobs for the TUI: a chain of synthehr subcommands (prep, train,
 * generate, evaluate, rank...) run as child processes of this same binary,
 * in their own process group, with output appended to STUDY/ui-job.log.
 * The UI thread never blocks: job_poll() reaps with WNOHANG.  Pause and
 * resume are SIGSTOP/SIGCONT; stop is SIGINT, on which every stage saves
 * its state and exits 130 (resumable).  The stages write their products
 * into the study, which the screens read while the job runs. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "synthehr/util.h"
#include "tui/tui.h"

char **
job_argv(const char *first, ...)
{
	va_list ap;
	const char *s;
	char **v = NULL;
	int n = 0;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *)) {
		v = xreallocarray(v, n + 2, sizeof *v);
		v[n++] = xstrdup(s);
	}
	va_end(ap);
	v = xreallocarray(v, n + 1, sizeof *v);
	v[n] = NULL;
	return v;
}

static void
free_steps(struct job *j)
{
	int i;
	char **p;

	for (i = 0; i < j->nsteps; i++) {
		for (p = j->steps[i]; p != NULL && *p != NULL; p++)
			free(*p);
		free(j->steps[i]);
		j->steps[i] = NULL;
	}
	j->nsteps = 0;
}

int
job_running(const struct app *a)
{
	return a->job.pid > 0;
}

static int
spawn(struct app *a, char **argv, char **cause)
{
	pid_t pid;
	int n = 0;

	while (argv[n] != NULL)
		n++;
	pid = fork();
	if (pid < 0)
		return util_fail_errno(cause, "fork");
	if (pid == 0) {
		char **full = xcalloc(n + 2, sizeof *full);
		int fd, i;

		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) { dup2(fd, 0); close(fd); }
		fd = open(a->job.log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); close(fd); }
		full[0] = a->exe;
		for (i = 0; i < n; i++)
			full[i + 1] = argv[i];
		setenv("OMP_WAIT_POLICY", getenv("OMP_WAIT_POLICY") ? getenv("OMP_WAIT_POLICY") : "PASSIVE", 1);
		execv(a->exe, full);
		_exit(127);
	}
	setpgid(pid, pid);
	a->job.pid = pid;
	a->job.step_t0 = util_now();
	return 0;
}

int
job_start(struct app *a, const char *label, void (*done)(struct app *, int), char **const *steps,
    int nsteps, char **cause)
{
	struct job *j = &a->job;
	int i;

	if (job_running(a)) {
		for (i = 0; i < nsteps; i++) {
			char **p;

			for (p = steps[i]; *p != NULL; p++)
				free(*p);
			free(steps[i]);
		}
		return util_fail(cause, "'%s' is still running (x stops it)", j->label);
	}
	free_steps(j);
	free(j->log);
	j->log = a->st != NULL ? study_path(a->st, "ui-job.log") : xsprintf("%s/synthehr-ui-job.%d.log",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	{
		/* start each job with a fresh log */
		int fd = open(j->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0)
			close(fd);
	}
	snprintf(j->label, sizeof j->label, "%s", label);
	for (i = 0; i < nsteps && i < JOB_MAX_STEPS; i++)
		j->steps[i] = steps[i];
	j->nsteps = i;
	j->step = 0;
	j->done = done;
	j->paused = 0;
	j->paused_total = 0;
	j->t0 = util_now();
	if (spawn(a, j->steps[0], cause) != 0) {
		free_steps(j);
		return -1;
	}
	return 0;
}

void
job_poll(struct app *a)
{
	struct job *j = &a->job;
	int status, rc;
	pid_t r;

	if (j->pid <= 0)
		return;
	r = waitpid(j->pid, &status, WNOHANG);
	if (r == 0 || (r < 0 && errno == EINTR))
		return;
	rc = r < 0 ? EXIT_FAIL : WIFEXITED(status) ? WEXITSTATUS(status) :
	    WIFSIGNALED(status) && WTERMSIG(status) == SIGINT ? EXIT_INTERRUPTED : EXIT_FAIL;
	j->pid = 0;
	if (rc == 0 && j->step + 1 < j->nsteps) {
		char *cause = NULL;

		j->step++;
		if (spawn(a, j->steps[j->step], &cause) == 0)
			return;
		app_error(a, cause);
		rc = EXIT_FAIL;
	}
	app_study_reload(a);
	if (rc != 0) {
		char *tail = job_log_tail(a);

		if (rc == EXIT_INTERRUPTED)
			app_status(a, "%s stopped; its state is saved (resume with the same command)", j->label);
		else
			app_error(a, xsprintf("%s failed (exit %d): %s", j->label, rc,
			    tail != NULL ? tail : "see ui-job.log in the study"));
		free(tail);
	}
	if (j->done != NULL)
		j->done(a, rc);
}

void
job_pause(struct app *a)
{
	if (!job_running(a) || a->job.paused)
		return;
	kill(-a->job.pid, SIGSTOP);
	a->job.paused = 1;
	a->job.paused_at = util_now();
}

void
job_resume(struct app *a)
{
	if (!job_running(a) || !a->job.paused)
		return;
	kill(-a->job.pid, SIGCONT);
	a->job.paused = 0;
	a->job.paused_total += util_now() - a->job.paused_at;
}

void
job_stop(struct app *a)
{
	if (!job_running(a))
		return;
	/* no further steps after a stop */
	a->job.nsteps = a->job.step + 1;
	kill(-a->job.pid, SIGINT);
	if (a->job.paused) {
		kill(-a->job.pid, SIGCONT);
		a->job.paused = 0;
	}
}

double
job_elapsed(const struct app *a)
{
	double now = a->job.paused ? a->job.paused_at : util_now();

	return now - a->job.t0 - a->job.paused_total;
}

char *
job_log_tail(const struct app *a)
{
	char *data = NULL, *p, *end, *start;
	size_t len;

	if (a->job.log == NULL || util_read_file(a->job.log, &data, &len, NULL) != 0)
		return NULL;
	end = data + len;
	while (end > data && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	*end = '\0';
	start = end;
	while (start > data && start[-1] != '\n' && start[-1] != '\r')
		start--;
	p = *start != '\0' ? xstrdup(start) : NULL;
	free(data);
	return p;
}
