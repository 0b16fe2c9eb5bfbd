/* synthehr — GPL-3.0-or-later.
 * Entry point.  Sets up thread-pool behaviour before any library reads its
 * environment, then hands over to the command line or the TUI. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "synthehr/util.h"

/* libgomp (XGBoost) spins its idle threads by default and on a small
 * machine starves OpenBLAS's threads: steps ran 2-70x slower.  libgomp reads
 * OMP_WAIT_POLICY when it is loaded, before main(), so if the user has not
 * chosen a policy we set PASSIVE and re-execute ourselves once. */
static void
fix_thread_env(char **argv)
{
	if (getenv("OMP_WAIT_POLICY") != NULL || getenv("SYNTHEHR_NO_REEXEC") != NULL)
		return;
	setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
	setenv("SYNTHEHR_NO_REEXEC", "1", 1);
	execv("/proc/self/exe", argv);
	/* If re-execution fails we simply carry on with the default policy. */
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
	return cli_main(argc, argv);
}
