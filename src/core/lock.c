/* synthehr — GPL-3.0-or-later.
 * Study locks (lock.h): fcntl locks on the whole lock file, open-file-
 * description locks (F_OFD_*) where the kernel has them so that two
 * openings in one process conflict too and closing another descriptor of
 * the file releases nothing; each holder writes one line naming itself
 * ("pid HOST STAGE SINCE") for the message a refused writer gets, and the
 * last one to leave empties the file again. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "synthehr/lock.h"
#include "synthehr/util.h"

#ifdef F_OFD_SETLK
#define SETLK F_OFD_SETLK
#define GETLK F_OFD_GETLK
#else
#define SETLK F_SETLK
#define GETLK F_GETLK
#endif

struct study_lock {
	int fd;
};

static int
open_lock(const char *dir, int create)
{
	char *p = util_path_join(dir, LOCK_STUDY);
	int fd = open(p, O_CLOEXEC | O_NOFOLLOW | (create ? O_RDWR | O_CREAT : O_RDONLY), 0600);

	if (fd >= 0 && create)
		fchmod(fd, 0600);   /* whatever the umask */
	free(p);
	return fd;
}

/* Lock, unlock or test bytes [start, start + len) (len 0: to the end). */
static int
set(int fd, int cmd, short type, long long start, long long len, struct flock *fl)
{
	int rc;

	memset(fl, 0, sizeof *fl);
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)start;
	fl->l_len = (off_t)len;
	rc = fcntl(fd, cmd, fl);
#ifdef F_OFD_SETLK
	if (rc != 0 && errno == EINVAL) {
		/* no OFD locks (an old kernel or a filesystem without them) */
		memset(fl, 0, sizeof *fl);
		fl->l_type = type;
		fl->l_whence = SEEK_SET;
		fl->l_start = (off_t)start;
		fl->l_len = (off_t)len;
		rc = fcntl(fd, cmd == F_OFD_SETLK ? F_SETLK : F_GETLK, fl);
	}
#endif
	return rc;
}

long long
lock_slot_name(const char *kind, const char *name)
{
	char *k = xsprintf("%s/%s", kind, name);
	long long slot = 1000 + (long long)(util_hash64(k, strlen(k), 1469598103934665603ULL) % 1000000000ULL);

	free(k);
	return slot;
}

static void
read_holder(int fd, struct lock_holder *h)
{
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	long pid = 0;

	memset(h, 0, sizeof *h);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%ld %63s %31s %lld", &pid, h->host, h->stage, &h->since) >= 1)
		h->pid = (pid_t)pid;
	{
		char host[64] = "";

		gethostname(host, sizeof host - 1);
		h->ours = h->pid == getpid() && strcmp(host, h->host) == 0;
	}
}

void
lock_holder_text(const struct lock_holder *h, char *buf, size_t size)
{
	char when[32] = "?";
	time_t t = (time_t)h->since;
	struct tm tm;

	if (h->since > 0 && localtime_r(&t, &tm) != NULL)
		strftime(when, sizeof when, "%H:%M", &tm);
	if (h->pid > 0)
		snprintf(buf, size, "pid %ld on %s (%s since %s)", (long)h->pid, h->host[0] ? h->host : "?",
		    h->stage[0] ? h->stage : "?", when);
	else
		snprintf(buf, size, "another process");
}

int
lock_take(const char *dir, long long slot, int exclusive, const char *stage,
    struct study_lock **out, char **cause)
{
	struct flock fl;
	struct lock_holder h;
	char line[160], host[64] = "", who[160];
	int fd = open_lock(dir, 1);

	int alone = 1;

	*out = NULL;
	if (fd >= 0 && !exclusive) {
		/* another shared holder keeps its record (it is the one a
		 * refused writer should hear of) */
		struct flock q;

		alone = set(fd, GETLK, F_WRLCK, 0, 0, &q) != 0 || q.l_type == F_UNLCK;
	}
	if (fd < 0) {
		util_fail(cause, "%s/%s: cannot open the lock file: %s", dir, LOCK_STUDY, strerror(errno));
		return -2;
	}
	if (set(fd, SETLK, exclusive ? F_WRLCK : F_RDLCK, slot, 1, &fl) != 0) {
		int e = errno;

		if (e != EAGAIN && e != EACCES) {
			close(fd);
			return util_fail(cause, "%s/%s: cannot lock: %s", dir, LOCK_STUDY, strerror(e));
		}
		read_holder(fd, &h);
		close(fd);
		lock_holder_text(&h, who, sizeof who);
		return util_fail(cause, "%s is being written by %s; wait for it to end (the workbench can"
		    " follow it read-only)", dir, who);
	}
	gethostname(host, sizeof host - 1);
	snprintf(line, sizeof line, "%ld %s %s %lld\n", (long)getpid(), host[0] ? host : "?",
	    stage != NULL ? stage : "?", (long long)time(NULL));
	/* one record at offset 0; shared holders overwrite each other's, which
	 * only changes whom a refusal names */
	if (alone && (pwrite(fd, line, strlen(line), 0) < 0 || ftruncate(fd, (off_t)strlen(line)) != 0)) {
		/* a read-only or full filesystem: the lock still holds */
	}
	*out = xcalloc(1, sizeof **out);
	(*out)->fd = fd;
	return 0;
}

void
lock_release(struct study_lock *l)
{
	struct flock fl;

	if (l == NULL)
		return;
	/* the last holder leaves the file empty, as a writer that was refused
	 * found it (a refused command changes no byte of the study) */
	if (set(l->fd, GETLK, F_WRLCK, 0, 0, &fl) == 0 && fl.l_type == F_UNLCK && ftruncate(l->fd, 0) != 0) {
		/* a read-only or full filesystem: the record stays, naming nobody who holds it */
	}
	close(l->fd);   /* releases the lock */
	free(l);
}

int
lock_probe(const char *dir, struct lock_holder *h)
{
	struct flock fl;
	int fd = open_lock(dir, 0);

	memset(h, 0, sizeof *h);
	if (fd < 0)
		return -1;
	if (set(fd, GETLK, F_WRLCK, LOCK_SLOT_STUDY, 1, &fl) != 0) {
		close(fd);
		return -1;
	}
	if (fl.l_type == F_UNLCK) {
		close(fd);
		return 0;
	}
	read_holder(fd, h);
	close(fd);
	return 1;
}
