/* synthehr — GPL-3.0-or-later.
 * Small shared helpers: allocation that never returns NULL, error strings
 * handed back to the caller (tmux's char **cause), atomic file writes and
 * private (0700/0600) study files. */
#ifndef SYNTHEHR_UTIL_H
#define SYNTHEHR_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdarg.h>

#define SH_UNUSED(x) ((void)(x))
#define SH_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SH_MAX(a, b) ((a) > (b) ? (a) : (b))
#define SH_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation: on failure call the fatal hook (restores the terminal) and abort. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
int xasprintf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *xsprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* 64-byte aligned block for numerical arrays; free with free(). */
void *xmalloc_aligned(size_t n);

/* Called before aborting on out-of-memory or a fatal error (the TUI sets it
 * to restore the terminal). */
extern void (*util_fatal_hook)(void);
void fatalx(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Set *cause (if cause != NULL) to a formatted, caller-freed message; returns -1. */
int util_fail(char **cause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "path: strerror(errno)" into *cause; returns -1. */
int util_fail_errno(char **cause, const char *path);

/* Atomic file: writes go to PATH.tmp.XXXXXX in the same directory, created
 * 0600; atomic_commit fsyncs, renames over PATH and fsyncs the directory.
 * atomic_abort removes the temporary file.  Nothing ever truncates PATH. */
struct atomic_file {
	FILE *fp;
	char *path;
	char *tmp;
	int dirfd;               /* the parent directory under a study root, or -1 */
	size_t base;             /* offset of the last component in path and tmp */
};
int atomic_open(struct atomic_file *af, const char *path, char **cause);
int atomic_commit(struct atomic_file *af, char **cause);
void atomic_abort(struct atomic_file *af);
int util_write_file_atomic(const char *path, const void *data, size_t len, char **cause);
/* Whole file into memory (NUL-terminated); -1 with cause on failure. */
int util_read_file(const char *path, char **data, size_t *len, char **cause);

/* A study root: writes, directory creation and util_unlink under it walk
 * from its directory fd with O_NOFOLLOW, so a symbolic link below the root
 * is refused (named in the message) and never written through. */
void util_root_add(const char *dir);
/* -1 with cause when path lies under a root and a link is on its way (or is
 * path itself). */
int util_path_check(const char *path, char **cause);
/* unlink, relative to the study root when path is under one (no links). */
int util_unlink(const char *path);

/* Stage-level atomicity: remove the files of directory dir and dir itself
 * (one level; no links followed); 0 when it is gone. */
int util_rmdir_files(const char *dir);
/* Make the complete directory staging the new final in one step: exchange
 * them atomically (renameat2 RENAME_EXCHANGE where the system has it), then
 * remove the old one, now at staging.  A reader sees the old set or the new
 * one, never a mix; an interruption before the switch leaves the old. */
int util_dir_switch(const char *staging, const char *final, char **cause);
/* Rename from → to (under a study root: from its directory fd, no link
 * followed) and fsync to's directory; -1 (errno kept; ENOENT sets no cause). */
int util_rename(const char *from, const char *to, char **cause);

/* mkdir -p with mode 0700 on every created component (whatever the umask). */
int util_mkdir_private(const char *path, char **cause);
int util_file_exists(const char *path);
int util_dir_exists(const char *path);
char *util_path_join(const char *a, const char *b);
/* SHA-256 of a file as 64 hex characters into out[65]. */
int util_sha256_file(const char *path, char out[65], char **cause);
void util_sha256(const void *data, size_t len, uint8_t out[32]);
/* The first 16 hex digits of s as a number (0 when s is not hex). */
uint64_t util_hex64(const char *s);
/* 64-bit FNV-1a, for settings hashes. */
uint64_t util_hash64(const void *data, size_t len, uint64_t h);
/* n bytes as 2n lower-case hex characters and a NUL into out. */
void util_hex(const uint8_t *bytes, size_t n, char *out);
/* qsort comparators: a total order with NaN last. */
int util_cmp_double(const void *a, const void *b);
/* The p-quantile of sorted s[n] by linear interpolation (numpy's default);
 * NaN when n is 0. */
double util_quantile_sorted(const double *s, size_t n, double p);
int util_cmp_float(const void *a, const void *b);
/* 1-D Wasserstein-1 distance ∫|F_a − F_b| of two ascending samples (NaN
 * last), exactly as scipy's _cdf_distance(1, ...); NaN when a value is NaN
 * or a sample is empty. */
double util_w1_sorted(const double *a, size_t na, const double *b, size_t nb);

/* Refuse clearly (-1 with cause) when an allocation of about `bytes` for
 * `what` cannot fit in available memory or the address-space limit. */
/* Sample standard deviation (n - 1) of the finite values of v; NAN for
 * fewer than two; 0 when the spread is only rounding noise of equal values
 * (the standard errors of resampled metrics). */
double util_sample_sd(const double *v, int n);
int util_mem_check(size_t bytes, const char *what, char **cause);
/* A size for messages: "1.5 GiB" from 1 GiB up, "320 MiB" from 1 MiB up,
 * else "16 KiB". */
void util_fmt_bytes(char *buf, size_t size, double bytes);

/* Monotonic seconds. */
double util_now(void);
/* Peak resident set size in bytes (from getrusage). */
size_t util_peak_rss(void);
/* Locale-independent number parsing of a whole token (leading/trailing
 * blanks allowed). Returns 0 on success, -1 if the token is not a number. */
int util_parse_double(const char *s, size_t len, double *out);
/* Locale-independent "%.*g" formatting, shortest round-trip for floats. */
int util_format_double(char *buf, size_t size, double v);
int util_format_float(char *buf, size_t size, float v);

/* Cooperative cancellation flag: a signal number set by the signal handlers
 * (SIGINT/TERM/HUP), or UTIL_STOP_REQUEST set by the stage runner when a
 * front end cancels a stage.  Long work polls it for non-zero. */
extern volatile int util_interrupted;
#define UTIL_STOP_REQUEST (-1)
/* Set to 1 by long-running work that polls util_interrupted; a second
 * signal, or a signal while nobody polls, terminates at once. */
extern volatile int util_cancel_aware;
void util_install_signal_handlers(void);
/* After the first signal a cancel-aware command has util_cancel_grace_ms
 * (1000; 0 = no limit) to reach a safe point and call util_interrupt_ack();
 * otherwise the process stops there as if nothing watched the signal. */
extern int util_cancel_grace_ms;
void util_interrupt_ack(void);

#endif
