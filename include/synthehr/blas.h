/* synthehr — GPL-3.0-or-later.
 * Which BLAS core runs, how many threads, and a warning when OpenBLAS fell
 * back to generic kernels on a CPU that has faster ones. */
#ifndef SYNTHEHR_BLAS_H
#define SYNTHEHR_BLAS_H

#include <stddef.h>

/* "OpenBLAS 0.3.21, core Haswell, 2 threads" into buf. */
void blas_describe(char *buf, size_t size);
const char *blas_core(void);
int blas_threads(void);
void blas_set_threads(int n);
/* OpenBLAS maps a buffer of about 128 MiB for each thread that calls it and
 * retries forever when it cannot (issue 18): -1 with "needs about N MiB of
 * address space, have M (ulimit -v)" when `callers` such threads will not
 * fit under the address-space limit; 0 when there is no limit. */
int blas_headroom_check(const char *what, int callers, char **cause);
/* A one-line advice when the core looks wrong for this CPU, else NULL. */
const char *blas_core_warning(void);

#endif
