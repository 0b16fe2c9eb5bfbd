/* synthehr — GPL-3.0-or-later.
 * Entry point.  Sets up thread-pool behaviour before any library reads its
 * environment, then hands over to one of the two front ends, which know
 * nothing of each other: the workbench (src/tui/) or the command line
 * (src/cli/). */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tui/tui_main.h"
#include "synthehr/util.h"

/* libgomp (XGBoost) spins its idle threads by default and on a small
 * machine starves OpenBLAS's threads: steps ran 2-70x slower.  libgomp reads
 * OMP_WAIT_POLICY when it is loaded, before main(), so if the user has not
 * chosen a policy we set PASSIVE and re-execute ourselves once. */
static void
fix_thread_env(char **argv)
{
	struct rlimit rl;
	int small = getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < ((rlim_t)2 << 30);

	if (getenv("SYNTHEHR_NO_REEXEC") != NULL)
		return;
	/* Under a small address-space limit (ulimit -v) OpenBLAS's per-thread
	 * buffers, reserved when the library loads, do not fit and its threads
	 * spin forever (issue 18): one BLAS thread then, chosen before load. */
	if (small && (getenv("OPENBLAS_NUM_THREADS") == NULL || strcmp(getenv("OPENBLAS_NUM_THREADS"), "1") != 0)) {
		setenv("OPENBLAS_NUM_THREADS", "1", 1);
		if (getenv("OMP_NUM_THREADS") == NULL)
			setenv("OMP_NUM_THREADS", "1", 1);
	} else if (getenv("OMP_WAIT_POLICY") != NULL)
		return;
	if (getenv("OMP_WAIT_POLICY") == NULL)
		setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
	setenv("SYNTHEHR_NO_REEXEC", "1", 1);
	execv("/proc/self/exe", argv);
	/* If re-execution fails we simply carry on with the default policy. */
}

/* The workbench for no arguments, a study directory (not a command's name)
 * with nothing or workbench options after it, or workbench options alone;
 * the command line for everything else. */
static int
wants_tui(int argc, char **argv, const char **study)
{
	*study = NULL;
	if (argc < 2)
		return 1;
	if (argv[1][0] != '-' && cli_find(argv[1]) == NULL && util_dir_exists(argv[1]) &&
	    (argc == 2 || argv[2][0] == '-')) {
		*study = argv[1];
		return 1;
	}
	/* a study named like a command ('synthehr demo' with ./demo a study):
	 * alone on the line it opens the study, since every command needs
	 * arguments; with arguments it is the command */
	if (argc == 2 && argv[1][0] != '-' && util_dir_exists(argv[1])) {
		char *sj = util_path_join(argv[1], "study.json");
		int is_study = util_file_exists(sj);

		free(sj);
		if (is_study) {
			*study = argv[1];
			return 1;
		}
	}
	return strcmp(argv[1], "--theme") == 0 || strcmp(argv[1], "--ascii") == 0 ||
	    strncmp(argv[1], "--theme=", 8) == 0 || strcmp(argv[1], "--frames") == 0;
}

int
main(int argc, char **argv)
{
	fix_thread_env(argv);
	unsetenv("SYNTHEHR_NO_REEXEC");
	util_install_signal_handlers();
	/* A file-size limit (or a full disk) must surface as a write error with
	 * a message, not kill the process half-way. */
	signal(SIGXFSZ, SIG_IGN);
	{
		const char *study;

		if (wants_tui(argc, argv, &study))
			return tui_main(study, argc, argv);
	}
	return cli_main(argc, argv);
}
