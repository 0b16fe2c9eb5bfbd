/* synthehr — GPL-3.0-or-later.
 * Shared helpers: allocation wrappers, error strings, atomic writes,
 * private directories, hashing, timing and locale-independent numbers. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "synthehr/util.h"

void (*util_fatal_hook)(void);
volatile int util_interrupted;

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	if (util_fatal_hook != NULL)
		util_fatal_hook();
	fputs("synthehr: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* An allocation failed: the last resort after the estimates (issue 18).
 * Not an internal error, so no abort (exit 134, a core): say how much was
 * asked, what the limit is, and exit 1 like any refusal for memory.  Every
 * file is written atomically, so what is on disk stays complete. */
static void
oom(double bytes)
{
	struct rlimit rl;
	char need[32], lim[32];

	if (util_fatal_hook != NULL)
		util_fatal_hook();
	util_fmt_bytes(need, sizeof need, bytes);
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		util_fmt_bytes(lim, sizeof lim, (double)rl.rlim_cur);
		fprintf(stderr, "synthehr: out of memory: %s more could not be allocated under the "
		    "address-space limit of %s (ulimit -v); stopped, files already written are complete\n",
		    need, lim);
	} else
		fprintf(stderr, "synthehr: out of memory: %s more could not be allocated; stopped, files "
		    "already written are complete\n", need);
	fflush(stderr);
	_exit(1);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom((double)n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom((double)n * (double)size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom((double)n);
	return q;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		fatalx("allocation overflow (%zu x %zu)", n, size);
	return xrealloc(p, n * size);
}

void *
xmalloc_aligned(size_t n)
{
	void *p = NULL;

	n = (n + 63) & ~(size_t)63;
	if (posix_memalign(&p, 64, n ? n : 64) != 0)
		oom((double)n);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int
xvasprintf(char **out, const char *fmt, va_list ap)
{
	int n = vasprintf(out, fmt, ap);

	if (n < 0)
		oom(strlen(fmt) + 64.0);   /* the text's length is unknown */
	return n;
}

int
xasprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = xvasprintf(out, fmt, ap);
	va_end(ap);
	return n;
}

char *
xsprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	return s;
}

int
util_fail(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause == NULL)
		return -1;
	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
	return -1;
}

int
util_fail_errno(char **cause, const char *path)
{
	return util_fail(cause, "%s: %s", path, strerror(errno));
}

/* Directory part of path ("." when none), caller-freed. */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, slash - path);
}

/* ---- Study roots: writes under a study directory never follow a link.
 * Each registered root keeps an open directory fd; a path under it is
 * walked component by component with openat(O_NOFOLLOW | O_DIRECTORY), so
 * a symbolic link anywhere below the root (runs/ -> /elsewhere) is refused
 * instead of written through, and no rename or lstat race can redirect it.
 * Paths outside every root (demo -o FILE, import --out) are the user's
 * choice and are written as named, still atomically and 0600. */

#define UTIL_MAX_ROOTS 16
static struct util_root {
	char *dir;       /* as given, without trailing slashes */
	int fd;
} util_roots[UTIL_MAX_ROOTS];
static int util_nroots;

void
util_root_add(const char *dir)
{
	size_t n = strlen(dir);
	int i, fd;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < util_nroots; i++)
		if (strlen(util_roots[i].dir) == n && strncmp(util_roots[i].dir, dir, n) == 0) {
			/* the same name may now be another directory (removed and
			 * created again): always hold the current one */
			close(util_roots[i].fd);
			util_roots[i].fd = fd;
			return;
		}
	if (util_nroots == UTIL_MAX_ROOTS) {
		close(fd);
		return;
	}
	util_roots[util_nroots].dir = xstrndup(dir, n);
	util_roots[util_nroots].fd = fd;
	util_nroots++;
}

/* The root path is under, and the relative rest (points into path). */
static const struct util_root *
root_of(const char *path, const char **rel)
{
	const struct util_root *best = NULL;
	size_t bl = 0;
	int i;

	for (i = 0; i < util_nroots; i++) {
		size_t n = strlen(util_roots[i].dir);

		if (n > bl && strncmp(path, util_roots[i].dir, n) == 0 && path[n] == '/') {
			best = &util_roots[i];
			bl = n;
		}
	}
	if (best != NULL) {
		*rel = path + bl;
		while (**rel == '/')
			(*rel)++;
	}
	return best;
}

/* Open the directory holding the last component of rel (relative to the
 * root fd), refusing links; with mk, create missing directories 0700.
 * Returns an fd or -1 with cause naming the offending path. */
static int
walk_dir(const struct util_root *rt, const char *path, const char *rel, int mk, int whole, char **cause)
{
	char *copy = xstrdup(rel), *p = copy, *slash;
	int fd = dup(rt->fd);

	if (fd < 0) {
		free(copy);
		return util_fail_errno(cause, rt->dir);
	}
	for (;;) {
		int nfd;

		slash = strchr(p, '/');
		if (slash == NULL && !whole)
			break;
		if (slash != NULL)
			*slash = '\0';
		if (*p != '\0' && strcmp(p, ".") != 0) {
			if (strcmp(p, "..") == 0) {
				close(fd);
				free(copy);
				return util_fail(cause, "%s: \"..\" inside a study path", path);
			}
			if (mk && mkdirat(fd, p, 0700) == 0) {
				/* 0700 whatever the umask */
				nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (nfd >= 0)
					fchmod(nfd, 0700);
			} else
				nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (nfd < 0) {
				int e = errno;
				struct stat st;
				size_t plen = (size_t)(p - copy) + strlen(p);
				char *shown = xsprintf("%s/%.*s", rt->dir, (int)plen, rel);

				if (fstatat(fd, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
					util_fail(cause, "%s: a symbolic link inside the study; synthehr writes only "
					    "inside the study directory and never through a link (remove it)", shown);
				else if (e == ENOTDIR || (e == ELOOP))
					util_fail(cause, "%s: not a directory", shown);
				else
					util_fail(cause, "%s: %s", shown, strerror(e));
				free(shown);
				close(fd);
				free(copy);
				return -1;
			}
			close(fd);
			fd = nfd;
		}
		if (slash == NULL)
			break;
		*slash = '/';
		p = slash + 1;
	}
	free(copy);
	return fd;
}

/* fd of the directory that will hold path (AT_FDCWD-like -2 when outside
 * every root: then plain paths are used). */
static int
parent_fd(const char *path, const char **base, int mk, char **cause)
{
	const char *rel;
	const struct util_root *rt = root_of(path, &rel);
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	if (rt == NULL)
		return -2;
	return walk_dir(rt, path, rel, mk, 0, cause);
}

int
util_path_check(const char *path, char **cause)
{
	const char *base;
	int fd = parent_fd(path, &base, 0, cause);

	if (fd == -1)
		return -1;
	if (fd >= 0) {
		struct stat st;

		if (fstatat(fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
			close(fd);
			return util_fail(cause, "%s: a symbolic link inside the study; synthehr never reads "
			    "or writes through a link (remove it)", path);
		}
		close(fd);
	}
	return 0;
}

int
util_unlink(const char *path)
{
	const char *base;
	int fd = parent_fd(path, &base, 0, NULL), rc;

	if (fd == -1)
		return -1;
	if (fd == -2)
		return unlink(path);
	rc = unlinkat(fd, base, 0);
	close(fd);
	return rc;
}

#ifdef SYNTHEHR_FAULTINJECT
/* The crash-consistency harness (configure --enable-faultinject, in the
 * manner of SQLite's I/O-error tests): every atomic write passes three
 * points, its write (the flush of its data), its fsync and its rename.
 * SYNTHEHR_FAULT=KIND:N makes the Nth point of any kind (counted from 1
 * over the whole process) fail with ENOSPC/EIO (KIND write, fsync, rename:
 * that point fails whatever its kind) or, with KIND die, ends the process
 * there with SIGKILL.  "synthehr: faultinject: point N" on stderr says it
 * fired; without it the run passed fewer points. */
static int
fi_point(const char *what)
{
	static long n, at = -1;
	static int die;
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	long here;

	pthread_mutex_lock(&mu);
	if (at < 0) {
		const char *v = getenv("SYNTHEHR_FAULT"), *c = v ? strchr(v, ':') : NULL;

		at = c != NULL ? atol(c + 1) : 0;
		die = v != NULL && strncmp(v, "die:", 4) == 0;
	}
	here = ++n;
	pthread_mutex_unlock(&mu);
	if (at <= 0 || here != at)
		return 0;
	fprintf(stderr, "synthehr: faultinject: point %ld (%s)%s\n", here, what, die ? ", dying" : "");
	fflush(stderr);
	if (die)
		raise(SIGKILL);
	errno = strcmp(what, "write") == 0 ? ENOSPC : EIO;
	return 1;
}
#define FI_WRITE(fp) fi_point("write")
#define FI_FSYNC() fi_point("fsync")
#define FI_RENAME() fi_point("rename")
#else
#define FI_WRITE(fp) 0
#define FI_FSYNC() 0
#define FI_RENAME() 0
#endif

int
atomic_open(struct atomic_file *af, const char *path, char **cause)
{
	static unsigned counter;
	const char *base;
	int fd = -1, dfd, tries;

	memset(af, 0, sizeof *af);
	af->dirfd = -1;
	dfd = parent_fd(path, &base, 0, cause);
	if (dfd == -1)
		return -1;
	af->path = xstrdup(path);
	if (dfd == -2) {
		xasprintf(&af->tmp, "%s.tmp.XXXXXX", path);
		fd = mkstemp(af->tmp);
	} else {
		/* a fresh name, created exclusively and never through a link */
		for (tries = 0; tries < 100 && fd < 0; tries++) {
			uint64_t r = util_hash64(&counter, sizeof counter,
			    (uint64_t)getpid() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(util_now() * 1e9));

			counter++;
			free(af->tmp);
			xasprintf(&af->tmp, "%s.tmp.%06llx", path, (unsigned long long)(r & 0xffffff));
			fd = openat(dfd, af->tmp + (base - path), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0600);
			if (fd < 0 && errno != EEXIST)
				break;
		}
		af->dirfd = dfd;
		af->base = base - path;
	}
	if (fd < 0) {
		util_fail_errno(cause, af->tmp);
		atomic_abort(af);
		return -1;
	}
	fchmod(fd, 0600);
	af->fp = fdopen(fd, "wb");
	if (af->fp == NULL) {
		util_fail_errno(cause, af->tmp);
		close(fd);
		atomic_abort(af);
		return -1;
	}
	return 0;
}

static void
fsync_dir(const char *path)
{
	char *d = dir_of(path);
	int fd = open(d, O_RDONLY | O_DIRECTORY);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(d);
}

int
atomic_commit(struct atomic_file *af, char **cause)
{
	int rc = 0;

	if (af->fp == NULL)
		return util_fail(cause, "%s: not open", af->path ? af->path : "?");
	errno = 0;
	if (FI_WRITE(af->fp) || fflush(af->fp) != 0 || ferror(af->fp) || FI_FSYNC() ||
	    fsync(fileno(af->fp)) != 0) {
		rc = util_fail(cause, "%s: write failed: %s", af->path, strerror(errno ? errno : EIO));
		fclose(af->fp);
		af->fp = NULL;
	} else if (fclose(af->fp) != 0) {
		af->fp = NULL;
		rc = util_fail_errno(cause, af->path);
	} else {
		af->fp = NULL;
		if (af->dirfd >= 0) {
			if (FI_RENAME() || renameat(af->dirfd, af->tmp + af->base, af->dirfd, af->path + af->base) != 0)
				rc = util_fail_errno(cause, af->path);
			else
				fsync(af->dirfd);
		} else if (FI_RENAME() || rename(af->tmp, af->path) != 0)
			rc = util_fail_errno(cause, af->path);
		else
			fsync_dir(af->path);
	}
	if (rc != 0) {
		atomic_abort(af);
		return rc;
	}
	if (af->dirfd >= 0)
		close(af->dirfd);
	free(af->path);
	free(af->tmp);
	memset(af, 0, sizeof *af);
	af->dirfd = -1;
	return rc;
}

void
atomic_abort(struct atomic_file *af)
{
	if (af->fp != NULL)
		fclose(af->fp);
	if (af->tmp != NULL) {
		if (af->dirfd >= 0)
			unlinkat(af->dirfd, af->tmp + af->base, 0);
		else
			unlink(af->tmp);
	}
	if (af->dirfd >= 0)
		close(af->dirfd);
	free(af->path);
	free(af->tmp);
	memset(af, 0, sizeof *af);
	af->dirfd = -1;
}

int
util_write_file_atomic(const char *path, const void *data, size_t len, char **cause)
{
	struct atomic_file af;

	if (atomic_open(&af, path, cause) != 0)
		return -1;
	errno = 0;
	if (len > 0 && fwrite(data, 1, len, af.fp) != len) {
		util_fail(cause, "%s: write failed: %s", path, strerror(errno ? errno : EIO));
		atomic_abort(&af);
		return -1;
	}
	return atomic_commit(&af, cause);
}

int
util_read_file(const char *path, char **data, size_t *len, char **cause)
{
	FILE *fp = fopen(path, "rb");
	size_t cap = 65536, n = 0, got;
	char *buf;

	if (fp == NULL)
		return util_fail_errno(cause, path);
	buf = xmalloc(cap + 1);
	while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
	}
	if (ferror(fp)) {
		util_fail_errno(cause, path);
		fclose(fp);
		free(buf);
		return -1;
	}
	fclose(fp);
	buf[n] = '\0';
	*data = buf;
	if (len != NULL)
		*len = n;
	return 0;
}

int
util_mkdir_private(const char *path, char **cause)
{
	char *p, *s;
	const char *rel;
	const struct util_root *rt = root_of(path, &rel);
	struct stat st;

	if (rt != NULL) {
		int fd = walk_dir(rt, path, rel, 1, 1, cause);

		if (fd < 0)
			return -1;
		close(fd);
		return 0;
	}
	p = xstrdup(path);
	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0700) == 0)
				chmod(p, 0700);   /* 0700 whatever the umask */
			else if (errno != EEXIST) {
				util_fail_errno(cause, p);
				free(p);
				return -1;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
		util_fail(cause, "%s: not a directory", p);
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

int
util_rmdir_files(const char *dir)
{
	const char *base;
	int pfd = parent_fd(dir, &base, 0, NULL), fd, rc;
	DIR *d;
	struct dirent *e;

	if (pfd == -1)
		return -1;
	fd = pfd == -2 ? open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) :
	    openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ENOENT ? 0 : -1;
		if (pfd >= 0)
			close(pfd);
		return rc;
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		if (pfd >= 0)
			close(pfd);
		return -1;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rc = pfd == -2 ? rmdir(dir) : unlinkat(pfd, base, AT_REMOVEDIR);
	if (pfd >= 0)
		close(pfd);
	return rc;
}

/* Rename a file or directory (from and to under the same kind of root),
 * walking from the study's fd like every write; the parent of to is
 * fsynced.  A fault-injection rename point.  -1 with errno kept. */
int
util_rename(const char *from, const char *to, char **cause)
{
	const char *fb, *tb;
	int ffd = parent_fd(from, &fb, 0, cause), tfd, rc, e;

	if (ffd == -1)
		return -1;
	tfd = parent_fd(to, &tb, 0, cause);
	if (tfd == -1) {
		if (ffd >= 0)
			close(ffd);
		return -1;
	}
	if (FI_RENAME()) {
		rc = -1;
		errno = EIO;
	} else if (ffd == -2 || tfd == -2)
		rc = rename(from, to);
	else
		rc = renameat(ffd, fb, tfd, tb);
	e = errno;
	if (rc == 0 && tfd >= 0)
		fsync(tfd);
	if (ffd >= 0)
		close(ffd);
	if (tfd >= 0)
		close(tfd);
	errno = e;
	if (rc != 0 && e != ENOENT)
		util_fail(cause, "%s: cannot rename to %s: %s", from, to, strerror(e));
	return rc;
}

int
util_dir_switch(const char *staging, const char *final, char **cause)
{
	const char *sb, *fb;
	int sfd = parent_fd(staging, &sb, 0, cause), ffd, rc;

	if (sfd == -1)
		return -1;
	ffd = parent_fd(final, &fb, 0, cause);
	if (ffd == -1) {
		if (sfd >= 0)
			close(sfd);
		return -1;
	}
	if (FI_RENAME()) {
		rc = -1;   /* the fault injector's failed switch */
	} else if (sfd == -2 || ffd == -2) {
		/* outside a study root (not used by synthehr itself) */
		rc = rename(staging, final);
	} else {
#ifdef RENAME_EXCHANGE
		rc = renameat2(sfd, sb, ffd, fb, RENAME_EXCHANGE);
		if (rc != 0 && errno == ENOENT)
			rc = renameat(sfd, sb, ffd, fb);   /* no old one: a plain rename */
		else if (rc != 0 && (errno == EINVAL || errno == ENOSYS))
#else
		rc = -1;
		if (1)
#endif
		{
			/* no exchange: old aside, new in (a reader may find no
			 * directory for a moment, never a mix) */
			char *old = xsprintf("%s.tmp.old", fb);

			if (renameat(ffd, fb, ffd, old) == 0 || errno == ENOENT) {
				rc = renameat(sfd, sb, ffd, fb);
				if (rc == 0)
					renameat(ffd, old, sfd, sb);
			}
			free(old);
		}
		if (rc == 0)
			fsync(ffd);
	}
	if (rc != 0)
		util_fail(cause, "%s: cannot switch to the new set: %s", final, strerror(errno));
	if (sfd >= 0)
		close(sfd);
	if (ffd >= 0)
		close(ffd);
	if (rc == 0)
		util_rmdir_files(staging);   /* the old set */
	return rc;
}

int
util_file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
util_dir_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *
util_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	if (la > 0 && a[la - 1] == '/')
		return xsprintf("%s%s", a, b);
	return xsprintf("%s/%s", a, b);
}

/* SHA-256 (FIPS 180-4), small and portable. */
struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t fill;
};

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void
sha256_block(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		    w[i - 7] + (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
	e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void
sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(s->h, iv, sizeof iv);
	s->len = 0;
	s->fill = 0;
}

static void
sha256_update(struct sha256 *s, const void *data, size_t n)
{
	const uint8_t *p = data;

	s->len += n;
	while (n > 0) {
		size_t take = SH_MIN(n, 64 - s->fill);

		memcpy(s->buf + s->fill, p, take);
		s->fill += take;
		p += take;
		n -= take;
		if (s->fill == 64) {
			sha256_block(s, s->buf);
			s->fill = 0;
		}
	}
}

static void
sha256_final(struct sha256 *s, uint8_t out[32])
{
	uint64_t bits = s->len * 8;
	uint8_t pad = 0x80, zero = 0, lenb[8];
	int i;

	sha256_update(s, &pad, 1);
	while (s->fill != 56)
		sha256_update(s, &zero, 1);
	for (i = 0; i < 8; i++)
		lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(s, lenb, 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void
util_sha256(const void *data, size_t len, uint8_t out[32])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, out);
}

int
util_sha256_file(const char *path, char out[65], char **cause)
{
	FILE *fp = fopen(path, "rb");
	struct sha256 s;
	uint8_t buf[65536], dig[32];
	size_t n;

	if (fp == NULL)
		return util_fail_errno(cause, path);
	sha256_init(&s);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sha256_update(&s, buf, n);
	if (ferror(fp)) {
		fclose(fp);
		return util_fail_errno(cause, path);
	}
	fclose(fp);
	sha256_final(&s, dig);
	util_hex(dig, 32, out);
	return 0;
}

void
util_hex(const uint8_t *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

int
util_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	return (x > y) - (x < y);
}

double
util_quantile_sorted(const double *s, size_t n, double p)
{
	double hpos, f;
	size_t i;

	if (n == 0)
		return NAN;
	hpos = (n - 1) * p;
	f = floor(hpos);
	i = (size_t)f;
	if (i + 1 >= n)
		return s[n - 1];
	return s[i] + (hpos - f) * (s[i + 1] - s[i]);
}

int
util_cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	return (x > y) - (x < y);
}

double
util_w1_sorted(const double *a, size_t na, const double *b, size_t nb)
{
	size_t i = 0, k = 0;
	double prev, sum = 0;

	if (na == 0 || nb == 0 || isnan(a[na - 1]) || isnan(b[nb - 1]))
		return NAN;   /* sorted NaN-last: a NaN anywhere has no distance */
	prev = a[0] < b[0] ? a[0] : b[0];
	while (i < na || k < nb) {
		size_t i0 = i, k0 = k;
		double x;

		if (k >= nb || (i < na && a[i] <= b[k]))
			x = a[i];
		else
			x = b[k];
		/* F_a, F_b on [prev, x): counts of values <= prev */
		sum += fabs((double)i / (double)na - (double)k / (double)nb) * (x - prev);
		while (i < na && a[i] == x)
			i++;
		while (k < nb && b[k] == x)
			k++;
		if (i == i0 && k == k0)
			return NAN;   /* x compares unequal to itself: never loop on it */
		prev = x;
	}
	return sum;
}

uint64_t
util_hex64(const char *s)
{
	uint64_t v = 0;
	int i;

	for (i = 0; s != NULL && i < 16 && s[i] != '\0'; i++) {
		int c = s[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return 0;
		v = v << 4 | (uint64_t)d;
	}
	return v;
}

uint64_t
util_hash64(const void *data, size_t len, uint64_t h)
{
	const uint8_t *p = data;
	size_t i;

	if (h == 0)
		h = 0xcbf29ce484222325ULL;
	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

double
util_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

size_t
util_peak_rss(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (size_t)ru.ru_maxrss * 1024;
}

/* strtod is locale-dependent; synthehr never calls setlocale(LC_NUMERIC),
 * but the TUI sets LC_CTYPE only, so "C" numeric rules always apply. */
int
util_parse_double(const char *s, size_t len, double *out)
{
	char buf[128], *end;
	size_t a = 0, b = len;
	double v;

	while (a < b && (s[a] == ' ' || s[a] == '\t'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r'))
		b--;
	if (b == a || b - a >= sizeof buf)
		return -1;
	memcpy(buf, s + a, b - a);
	buf[b - a] = '\0';
	/* Reject hex floats, "inf"/"nan" words and similar: digits, sign, dot, exponent only. */
	for (size_t i = 0; i < b - a; i++) {
		char c = buf[i];

		if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
			return -1;
	}
	errno = 0;
	v = strtod(buf, &end);
	if (*end != '\0' || end == buf || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int
util_format_double(char *buf, size_t size, double v)
{
	int prec;

	if (isnan(v)) {
		if (size > 0)
			buf[0] = '\0';
		return 0;
	}
	if (fabs(v) < 1e15 && v == (double)(long long)v)   /* range first: the cast is UB outside it */
		return snprintf(buf, size, "%lld", (long long)v);
	for (prec = 6; prec < 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return snprintf(buf, size, "%.*g", prec, v);
}

int
util_format_float(char *buf, size_t size, float v)
{
	int prec;

	if (isnan(v)) {
		if (size > 0)
			buf[0] = '\0';
		return 0;
	}
	if (v == (float)(long)v && fabsf(v) < 1e7f)
		return snprintf(buf, size, "%ld", (long)v);
	for (prec = 4; prec < 9; prec++) {
		snprintf(buf, size, "%.*g", prec, (double)v);
		if (strtof(buf, NULL) == v)
			break;
	}
	return snprintf(buf, size, "%.*g", prec, (double)v);
}

volatile int util_cancel_aware;

/* A command that polls util_interrupted sets util_cancel_aware; otherwise a
 * signal ends the process the usual way (nothing half-written survives,
 * because every write is atomic). */
/* "1.5 GiB" from 1 GiB up, "320 MiB" from 1 MiB up, else "16 KiB". */
void
util_fmt_bytes(char *buf, size_t size, double bytes)
{
	if (bytes >= 1073741824.0)
		snprintf(buf, size, "%.1f GiB", bytes / 1073741824.0);
	else if (bytes >= 1048576.0)
		snprintf(buf, size, "%.0f MiB", ceil(bytes / 1048576.0));
	else
		snprintf(buf, size, "%.0f KiB", ceil(bytes / 1024.0));
}

int
util_mem_check(size_t bytes, const char *what, char **cause)
{
	FILE *fp = fopen("/proc/meminfo", "r");
	unsigned long long avail_kb = 0;
	struct rlimit rl;
	char line[256];

	if (fp != NULL) {
		while (fgets(line, sizeof line, fp) != NULL)
			if (sscanf(line, "MemAvailable: %llu kB", &avail_kb) == 1)
				break;
		fclose(fp);
	}
	char need[32], have[32];

	if (avail_kb > 0 && bytes / 1024 > avail_kb) {
		util_fmt_bytes(need, sizeof need, (double)bytes);
		util_fmt_bytes(have, sizeof have, (double)avail_kb * 1024);
		return util_fail(cause, "%s needs about %s of memory but only %s is available", what, need, have);
	}
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && bytes > rl.rlim_cur) {
		util_fmt_bytes(need, sizeof need, (double)bytes);
		util_fmt_bytes(have, sizeof have, (double)rl.rlim_cur);
		return util_fail(cause, "%s needs about %s of memory but only %s is available (the "
		    "address-space limit, ulimit -v)", what, need, have);
	}
	return 0;
}

int util_cancel_grace_ms = 1000;
static volatile sig_atomic_t watchdog_armed;

/* The watchdog: a cancel-aware command that has not reached a safe point
 * (util_interrupt_ack) within the grace period after a signal ends the way
 * an unwatched signal does.  Every write is atomic, so nothing is left
 * half-written; only work since the last saved state is lost. */
static void
on_alarm(int sig)
{
	static const char msg[] = "synthehr: no safe point within a second of the signal; "
	    "stopping now (files stay as they were)\n";
	int s = util_interrupted;

	(void)sig;
	if (!watchdog_armed || s == 0)
		return;
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
		/* nothing to do */
	}
	signal(s, SIG_DFL);
	raise(s);
}

static void
watchdog_set(long ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof it);
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

void
util_interrupt_ack(void)
{
	if (watchdog_armed) {
		watchdog_armed = 0;
		watchdog_set(0);
	}
}

static void
on_signal(int sig)
{
	if (!util_cancel_aware || util_interrupted > 0) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	util_interrupted = sig;
	if (util_cancel_grace_ms > 0) {
		watchdog_armed = 1;
		watchdog_set(util_cancel_grace_ms);
	}
}

void
util_install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
}

double
util_sample_sd(const double *v, int n)
{
	double m = 0, ss = 0;
	int i, k = 0;

	for (i = 0; i < n; i++)
		if (isfinite(v[i])) {
			m += v[i];
			k++;
		}
	if (k < 2)
		return NAN;
	m /= k;
	for (i = 0; i < n; i++)
		if (isfinite(v[i]))
			ss += (v[i] - m) * (v[i] - m);
	ss = sqrt(ss / (k - 1));
	return ss < 1e-12 * (fabs(m) > 1 ? fabs(m) : 1) ? 0 : ss;   /* rounding noise of equal values */
}
