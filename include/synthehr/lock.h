/* synthehr — GPL-3.0-or-later.
 * Study locks: advisory byte-range locks (fcntl, open-file-description
 * locks where the kernel has them) on lock files inside the study, so that
 * two processes, CLI or workbench, never write the same study at once.
 *
 * Semantics (doc/internals.md, "Study locks"):
 * - STUDY/.lock is the one lock file; its bytes are the locks.  Byte 0 is
 *   the study lock: every writing stage (prep, generate, evaluate, report,
 *   and the settings a command saves first) holds it exclusively for the
 *   stage's duration; training and one-set evaluations (a cluster's tasks)
 *   hold it shared, plus an exclusive lock on their own part's byte (run K,
 *   a peer, an evaluated set).  So trainings of different runs may share a
 *   study (the unit of work a cluster hands to a node), while prep,
 *   generate or evaluate wait for every training to end.  Parts are bytes
 *   and not files so that a refused stage creates no directory.
 * - A lock is never waited for: a second writer is refused at once with the
 *   holder's pid, host, stage and start time (the lock file's content,
 *   written by each holder).
 * - The kernel releases a lock when its holder exits or crashes; a stale
 *   lock file is therefore harmless and is never deleted.
 * - fcntl locks are forwarded to the server by NFS (v4, or v3 with lockd),
 *   which is what makes them work across nodes on a shared filesystem;
 *   the holder's host is recorded because a pid alone names nothing there.
 * - Reading never takes a lock: the workbench opens a locked study
 *   read-only and follows what the holder writes (every write is atomic). */
#ifndef SYNTHEHR_LOCK_H
#define SYNTHEHR_LOCK_H

#include <sys/types.h>

struct study_lock;

struct lock_holder {
	pid_t pid;                /* 0 when unknown */
	char host[64];
	char stage[32];
	long long since;          /* time(NULL) when taken */
	int ours;                 /* held by this process */
};

/* Take slot `slot` of DIR/.lock (created 0600): exclusive or shared,
 * without waiting.  On conflict -1 with *cause "DIR is being written by
 * pid N on HOST (STAGE since HH:MM)..."; -2 when the lock file cannot be
 * opened (a read-only study: nobody writes it). */
int lock_take(const char *dir, long long slot, int exclusive, const char *stage,
    struct study_lock **out, char **cause);
void lock_release(struct study_lock *l);
/* Whether another holder keeps the study lock (slot 0) from being taken
 * exclusively: 1 (h filled), 0 free, -1 no lock file or an error. */
int lock_probe(const char *dir, struct lock_holder *h);
/* "pid N on HOST (STAGE since HH:MM)" for messages. */
void lock_holder_text(const struct lock_holder *h, char *buf, size_t size);

/* Slots: the study, run K, any other named part (a peer, a set; hashed). */
#define LOCK_SLOT_STUDY 0
#define LOCK_SLOT_RUN(k) (1 + (long long)(k))
long long lock_slot_name(const char *kind, const char *name);

#define LOCK_STUDY ".lock"

#endif
