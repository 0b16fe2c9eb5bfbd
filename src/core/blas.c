/* synthehr — GPL-3.0-or-later.
 * OpenBLAS introspection: core name, thread count, wrong-core advice. */
#include "config.h"

#include <cblas.h>
#include <stdio.h>
#include <string.h>

#include "synthehr/blas.h"

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
	if (n > 0)
		openblas_set_num_threads(n);
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
