/* synthehr — GPL-3.0-or-later.
 * OpenBLAS introspection: core name, thread count, wrong-core advice. */
#include "config.h"

#include <cblas.h>
#include <stdio.h>
#include <string.h>

#include <sys/resource.h>
#include <unistd.h>

#include "synthehr/blas.h"
#include "synthehr/util.h"

/* Declared by OpenBLAS's cblas.h; repeated here for other CBLAS headers. */
char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);

const char *
blas_core(void)
{
	return openblas_get_corename();
}

int
blas_threads(void)
{
	return openblas_get_num_threads();
}

void
blas_set_threads(int n)
{
	struct rlimit rl;

	/* Under an address-space limit below 2 GiB main() started OpenBLAS with
	 * one thread; asking for more (even for 1 again, which starts its
	 * thread server) makes its threads spin on buffers that cannot be
	 * mapped (issue 18): keep the one. */
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < ((rlim_t)2 << 30))
		return;
	if (n > 0)
		openblas_set_num_threads(n);
}

int
blas_headroom_check(const char *what, int callers, char **cause)
{
	struct rlimit rl;
	unsigned long long pages = 0;
	size_t used, need;
	FILE *fp;

	if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	if ((fp = fopen("/proc/self/statm", "r")) != NULL) {
		if (fscanf(fp, "%llu", &pages) != 1)
			pages = 0;
		fclose(fp);
	}
	used = (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
	need = (size_t)(callers > 0 ? callers : 1) * ((size_t)144 << 20);
	if (used + need <= rl.rlim_cur)
		return 0;
	return util_fail(cause, "%s needs about %zu MiB more address space than the limit leaves "
	    "(ulimit -v %llu KiB, %zu MiB in use; the BLAS maps 128 MiB per computing thread): raise the "
	    "limit", what, need >> 20, (unsigned long long)(rl.rlim_cur >> 10), used >> 20);
}

void
blas_describe(char *buf, size_t size)
{
	snprintf(buf, size, "%s; core %s; %d thread%s", openblas_get_config(),
	    openblas_get_corename(), openblas_get_num_threads(),
	    openblas_get_num_threads() == 1 ? "" : "s");
}

const char *
blas_core_warning(void)
{
	const char *core = openblas_get_corename();
	int generic = strcasecmp(core, "prescott") == 0 || strcasecmp(core, "core2") == 0 ||
	    strcasecmp(core, "nehalem") == 0 || strcasecmp(core, "atom") == 0 ||
	    strcasecmp(core, "generic") == 0 || strcasecmp(core, "unknown") == 0;

	if (!generic)
		return NULL;
#if defined(__x86_64__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f"))
		return "OpenBLAS runs generic kernels on an AVX-512 CPU; for 5-10x faster training "
		    "start synthehr with OPENBLAS_CORETYPE=SKYLAKEX in the environment";
	if (__builtin_cpu_supports("avx2"))
		return "OpenBLAS runs generic kernels on an AVX2 CPU; for faster training "
		    "start synthehr with OPENBLAS_CORETYPE=HASWELL in the environment";
#endif
	return NULL;
}
