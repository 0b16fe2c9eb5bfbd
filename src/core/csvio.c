/* synthehr — GPL-3.0-or-later.
 * Streaming CSV/CSV.gz reader and writer on libcsv and zlib.
 *
 * Reading: zlib's gzread reads plain and gzip files alike into a buffer
 * that is cut into physical lines.  A line without a double quote or a
 * stray carriage return (almost every line of a cohort file) is split on
 * commas directly, which is several times faster than a byte-wise state
 * machine; any other line, and the lines that follow while a quoted field
 * stays open, go to libcsv (strict mode), so RFC 4180 quoting, embedded
 * newlines and errors are libcsv's.  Both paths trim blanks around
 * unquoted fields as libcsv does.  Completed records are queued, their
 * bytes in one arena, and handed out one at a time.  Physical line numbers
 * are kept so errors can name the line a record started on.
 *
 * Decompression runs on a thread of its own, a chunk ahead of the parser
 * (two chunk buffers handed over under a mutex), so inflating and parsing
 * share two cores; without a thread gzread is called directly. */
#include "config.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "synthehr/csvio.h"
#include "synthehr/util.h"

/* A completed record in the queue: fields f0..f0+nf-1. */
struct csv_rec {
	size_t f0;
	int nf;
	size_t line;
};

/* Records completed while parsing one chunk are queued.  A field is a
 * pointer and a length: a quote-free line is cut in place in the input
 * buffer (commas become NULs), a field libcsv parsed is copied into the
 * arena.  Both stay put until the queue is drained and more input is read,
 * which is after the caller has moved past every queued record; the arena
 * then keeps only the fields of a record that straddles the chunk end. */
struct csv_reader {
	char *path;
	gzFile gz;
	struct csv_parser p;
	int eof;
	int first_chunk;
	size_t bytes;
	size_t lines_done;        /* '\n' seen in completed records and blank lines */
	size_t pending_nl;        /* '\n' inside fields of the record being built */
	int cur_n;                /* fields of the record being built (libcsv) */
	char *arena;              /* bytes of libcsv fields, NUL-terminated */
	size_t alen, acap;
	char **fptr;              /* [fn] field text (in ib or the arena), NUL-terminated */
	size_t *flen;             /* [fn] field length */
	size_t fn, fcap;
	struct csv_rec *q;        /* queue of completed records */
	size_t qhead, qlen, qcap;
	size_t out_line;
	char *err;
	char *ib;                 /* input buffer: [ibstart, ibend) not yet parsed */
	size_t ibcap, ibstart, ibend;
	/* read-ahead thread (when started): chunk[k] holds len[k] bytes from
	 * offset off[k] when full[k]; a final chunk has len <= 0 and the
	 * message of the end or the error */
	int ra_on, ra_stop, ra_w, ra_r;
	pthread_t ra_th;
	pthread_mutex_t ra_mu;
	pthread_cond_t ra_cv;
	char *ra_chunk[2];
	int ra_len[2], ra_full[2], ra_errnum[2];
	size_t ra_off[2];
	char *ra_msg[2];
};

#define RA_CHUNK (1 << 18)

/* One gzread: n > 0 bytes, 0 at the end, < 0 on a read error; at the end
 * or on an error *errnum and *msg (allocated) say what zlib said (for a
 * read error *msg is already the text to show). */
static int
gz_read_once(gzFile gz, char *dst, unsigned room, int *errnum, char **msg)
{
	int n = gzread(gz, dst, room);

	*msg = NULL;
	*errnum = Z_OK;
	if (n < 0) {
		const char *m = gzerror(gz, errnum);

		*msg = xstrdup(*errnum == Z_ERRNO ? strerror(errno) : m);
	} else if (n == 0) {
		*msg = xstrdup(gzerror(gz, errnum));
	}
	return n;
}

static void *
ra_main(void *arg)
{
	struct csv_reader *r = arg;

	for (;;) {
		int k = r->ra_w, n, errnum;
		char *msg;

		pthread_mutex_lock(&r->ra_mu);
		while (r->ra_full[k] && !r->ra_stop)
			pthread_cond_wait(&r->ra_cv, &r->ra_mu);
		if (r->ra_stop) {
			pthread_mutex_unlock(&r->ra_mu);
			return NULL;
		}
		pthread_mutex_unlock(&r->ra_mu);
		n = gz_read_once(r->gz, r->ra_chunk[k], RA_CHUNK, &errnum, &msg);
		pthread_mutex_lock(&r->ra_mu);
		r->ra_len[k] = n;
		r->ra_off[k] = 0;
		r->ra_errnum[k] = errnum;
		r->ra_msg[k] = msg;
		r->ra_full[k] = 1;
		r->ra_w = k ^ 1;
		pthread_cond_broadcast(&r->ra_cv);
		pthread_mutex_unlock(&r->ra_mu);
		if (n <= 0)
			return NULL;
	}
}

/* Up to room bytes of input into dst, as gz_read_once(). */
static int
src_read(struct csv_reader *r, char *dst, size_t room, int *errnum, char **msg)
{
	int k = r->ra_r, n;

	if (!r->ra_on)
		return gz_read_once(r->gz, dst, (unsigned)SH_MIN(room, (size_t)1 << 30), errnum, msg);
	pthread_mutex_lock(&r->ra_mu);
	while (!r->ra_full[k])
		pthread_cond_wait(&r->ra_cv, &r->ra_mu);
	pthread_mutex_unlock(&r->ra_mu);
	if (r->ra_len[k] <= 0) {   /* the last chunk: left full, so the thread stays stopped */
		*errnum = r->ra_errnum[k];
		*msg = r->ra_msg[k] ? xstrdup(r->ra_msg[k]) : NULL;
		return r->ra_len[k];
	}
	n = (int)SH_MIN(room, (size_t)r->ra_len[k] - r->ra_off[k]);
	memcpy(dst, r->ra_chunk[k] + r->ra_off[k], (size_t)n);
	r->ra_off[k] += (size_t)n;
	if (r->ra_off[k] == (size_t)r->ra_len[k]) {
		pthread_mutex_lock(&r->ra_mu);
		r->ra_full[k] = 0;
		r->ra_r = k ^ 1;
		pthread_cond_broadcast(&r->ra_cv);
		pthread_mutex_unlock(&r->ra_mu);
	}
	*errnum = Z_OK;
	*msg = NULL;
	return n;
}

static void
field_push(struct csv_reader *r, char *s, size_t len)
{
	if (r->fn == r->fcap) {
		r->fcap = r->fcap ? r->fcap * 2 : 4096;
		r->fptr = xreallocarray(r->fptr, r->fcap, sizeof(char *));
		r->flen = xreallocarray(r->flen, r->fcap, sizeof(size_t));
	}
	r->fptr[r->fn] = s;
	r->flen[r->fn] = len;
	r->fn++;
}

/* Room for n more arena bytes; fields already in the arena move with it. */
static void
arena_reserve(struct csv_reader *r, size_t n)
{
	char *old = r->arena;
	size_t i;

	if (r->alen + n <= r->acap)
		return;
	while (r->alen + n > r->acap)
		r->acap = r->acap ? r->acap * 2 : 1 << 16;
	r->arena = xrealloc(r->arena, r->acap);
	if (old == NULL || old == r->arena)
		return;
	for (i = 0; i < r->fn; i++) {
		uintptr_t f = (uintptr_t)r->fptr[i], o = (uintptr_t)old;

		if (f >= o && f <= o + r->alen)
			r->fptr[i] = r->arena + (f - o);
	}
}

static void
on_field(void *s, size_t len, void *data)
{
	struct csv_reader *r = data;
	const char *src = s ? s : "";
	char *dst;

	if (s == NULL)
		len = 0;
	arena_reserve(r, len + 1);
	dst = r->arena + r->alen;
	memcpy(dst, src, len);
	dst[len] = '\0';
	r->alen += len + 1;
	field_push(r, dst, len);
	r->cur_n++;
	if (len > 0 && memchr(src, '\n', len) != NULL) {
		for (size_t i = 0; i < len; i++)
			r->pending_nl += src[i] == '\n';
	}
}

static void
rec_push(struct csv_reader *r, int nf, size_t line)
{
	struct csv_rec *rec;

	if (r->qhead + r->qlen == r->qcap) {
		r->qcap = r->qcap ? r->qcap * 2 : 256;
		r->q = xreallocarray(r->q, r->qcap, sizeof *r->q);
	}
	rec = &r->q[r->qhead + r->qlen++];
	rec->f0 = r->fn - nf;
	rec->nf = nf;
	rec->line = line;
}

static void
on_row(int c, void *data)
{
	struct csv_reader *r = data;
	size_t start = r->lines_done + 1;

	r->lines_done += r->pending_nl + (c == '\n');
	r->pending_nl = 0;
	if (r->cur_n == 0)
		return;   /* a blank line (or the '\n' of a CRLF) */
	rec_push(r, r->cur_n, start);
	r->cur_n = 0;
}

struct csv_reader *
csvr_open(const char *path, char **cause)
{
	struct csv_reader *r;
	gzFile gz;

	if (util_dir_exists(path)) {
		util_fail(cause, "%s: is a directory, expected a CSV file", path);
		return NULL;
	}
	gz = gzopen(path, "rb");
	if (gz == NULL) {
		util_fail_errno(cause, path);
		return NULL;
	}
	gzbuffer(gz, 1 << 17);
	r = xcalloc(1, sizeof *r);
	r->path = xstrdup(path);
	r->gz = gz;
	r->first_chunk = 1;
	if (csv_init(&r->p, CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		fatalx("csv_init failed");
	csv_set_realloc_func(&r->p, xrealloc);
	pthread_mutex_init(&r->ra_mu, NULL);
	pthread_cond_init(&r->ra_cv, NULL);
	r->ra_chunk[0] = xmalloc(RA_CHUNK);
	r->ra_chunk[1] = xmalloc(RA_CHUNK);
	r->ra_on = pthread_create(&r->ra_th, NULL, ra_main, r) == 0;
	return r;
}

/* A line with no quote and no CR inside: cut in place on commas.  The byte
 * after the line's text (its CR or LF, or spare room at the end of the
 * buffer) becomes a comma sentinel, then every comma a NUL. */
static void
split_line(struct csv_reader *r, char *p, size_t len)
{
	char *end = p + len, *q;
	int n = 0;

	if (len > 0 && end[-1] == '\n')
		end--;
	if (end > p && end[-1] == '\r')
		end--;
	r->lines_done++;
	if (end == p)
		return;   /* a blank line */
	*end = ',';
	/* a line of len bytes has at most len + 1 fields: room for all of
	 * them first, then the fields are stored without a call each */
	while (r->fn + len + 2 > r->fcap) {
		r->fcap = r->fcap ? r->fcap * 2 : 4096;
		r->fptr = xreallocarray(r->fptr, r->fcap, sizeof(char *));
		r->flen = xreallocarray(r->flen, r->fcap, sizeof(size_t));
	}
	{
		char **fp = r->fptr + r->fn;
		size_t *fl = r->flen + r->fn;

		for (q = p;; q++) {
			char *f = q, *b;

			if (q[0] != ',' && q[1] == ',' && q[0] != ' ' && q[0] != '\t') {
				/* a one-byte field (0 or 1 in most cells) */
				q[1] = '\0';
				fp[n] = q;
				fl[n] = 1;
				n++;
				if (++q == end)
					break;
				continue;
			}
			while (*q != ',')
				q++;
			b = q;
			*q = '\0';
			if (*f == ' ' || *f == '\t' || (b > f && (b[-1] == ' ' || b[-1] == '\t'))) {
				while (f < b && (*f == ' ' || *f == '\t'))
					f++;
				while (b > f && (b[-1] == ' ' || b[-1] == '\t'))
					*--b = '\0';
			}
			fp[n] = f;
			fl[n] = (size_t)(b - f);
			n++;
			if (q == end)
				break;
		}
	}
	r->fn += (size_t)n;
	rec_push(r, n, r->lines_done);
}

/* Parse one physical line (with its '\n' unless it ends the file). */
static int
parse_line(struct csv_reader *r, char *p, size_t len)
{
	const char *cr;

	if (r->p.pstate == 0 && memchr(p, '"', len) == NULL &&
	    ((cr = memchr(p, '\r', len)) == NULL || cr + 1 == p + len ||
	    (cr + 2 == p + len && cr[1] == '\n'))) {
		split_line(r, p, len);
		return 0;
	}
	if (csv_parse(&r->p, p, len, on_field, on_row, r) != len) {
		xasprintf(&r->err, "%s:%zu:%d: malformed quoting (%s; expected a quote only at the "
		    "start of a field, doubled inside it)", r->path, r->lines_done + 1 + r->pending_nl,
		    r->cur_n + 1, csv_strerror(csv_error(&r->p)));
		return -1;
	}
	return 0;
}

/* Read more input and parse the complete lines in it; -1 with r->err set
 * on a parse or read error.  Called only when no queued record is left. */
static int
feed(struct csv_reader *r)
{
	char *nl, *zmsg;
	int n, errnum;

	if (r->ibstart > 0) {
		memmove(r->ib, r->ib + r->ibstart, r->ibend - r->ibstart);
		r->ibend -= r->ibstart;
		r->ibstart = 0;
	}
	/* keep 64 KiB free: a read's worth, and room for the last line's sentinel */
	if (r->ibend + (1 << 16) + 1 > r->ibcap) {
		r->ibcap = r->ibcap ? r->ibcap * 2 : 1 << 20;
		r->ib = xrealloc(r->ib, r->ibcap);
	}
	n = src_read(r, r->ib + r->ibend, r->ibcap - r->ibend - 1, &errnum, &zmsg);
	if (n < 0) {
		xasprintf(&r->err, "%s: read error: %s", r->path, zmsg ? zmsg : "?");
		free(zmsg);
		return -1;
	}
	if (n == 0) {
		if (errnum != Z_OK && errnum != Z_STREAM_END) {
			xasprintf(&r->err, "%s:%zu: compressed data is damaged or truncated (%s)",
			    r->path, r->lines_done + 1, zmsg ? zmsg : "?");
			free(zmsg);
			return -1;
		}
		free(zmsg);
		r->eof = 1;
		if (r->ibend > r->ibstart && parse_line(r, r->ib + r->ibstart, r->ibend - r->ibstart) != 0)
			return -1;
		r->ibstart = r->ibend;
		if (csv_fini(&r->p, on_field, on_row, r) != 0) {
			xasprintf(&r->err, "%s:%zu:%d: unterminated quoted field (expected a closing '\"')",
			    r->path, r->lines_done + 1, r->cur_n + 1);
			return -1;
		}
		return 0;
	}
	if (memchr(r->ib + r->ibend, '\0', (size_t)n) != NULL) {
		const char *p = r->ib + r->ibstart, *at = memchr(r->ib + r->ibend, '\0', (size_t)n);
		size_t line = r->lines_done + 1 + r->pending_nl;

		for (; p < at; p++)
			line += *p == '\n';
		xasprintf(&r->err, "%s:%zu: NUL byte in the file (expected text CSV)", r->path, line);
		return -1;
	}
	r->bytes += (size_t)n;
	r->ibend += (size_t)n;
	if (r->first_chunk && r->ibend >= 3) {
		r->first_chunk = 0;
		if ((unsigned char)r->ib[0] == 0xEF && (unsigned char)r->ib[1] == 0xBB &&
		    (unsigned char)r->ib[2] == 0xBF)
			r->ibstart = 3;
	}
	while ((nl = memchr(r->ib + r->ibstart, '\n', r->ibend - r->ibstart)) != NULL) {
		size_t len = (size_t)(nl + 1 - (r->ib + r->ibstart));

		if (parse_line(r, r->ib + r->ibstart, len) != 0)
			return -1;
		r->ibstart += len;
	}
	return 0;
}

/* Drop the consumed records; keep the partial (libcsv) record's fields,
 * which are the last cur_n fields, all in the arena. */
static void
arena_reset(struct csv_reader *r)
{
	size_t first = r->fn - r->cur_n, base, i;

	r->qhead = 0;
	if (r->cur_n == 0) {
		r->fn = 0;
		r->alen = 0;
		return;
	}
	base = (size_t)(r->fptr[first] - r->arena);
	memmove(r->arena, r->arena + base, r->alen - base);
	r->alen -= base;
	for (i = 0; i < (size_t)r->cur_n; i++) {
		r->fptr[i] = r->fptr[first + i] - base;
		r->flen[i] = r->flen[first + i];
	}
	r->fn = r->cur_n;
}

int
csvr_next(struct csv_reader *r, char ***fields, size_t **lens, int *nfields, char **cause)
{
	struct csv_rec *rec;

	while (r->qlen == 0) {
		if (r->err != NULL)
			return util_fail(cause, "%s", r->err);
		if (r->eof)
			return 0;
		arena_reset(r);
		if (feed(r) != 0)
			return util_fail(cause, "%s", r->err);
	}
	rec = &r->q[r->qhead++];
	r->qlen--;
	r->out_line = rec->line;
	*fields = r->fptr + rec->f0;
	*lens = r->flen + rec->f0;
	*nfields = rec->nf;
	return 1;
}

size_t
csvr_line(const struct csv_reader *r)
{
	return r->out_line;
}

const char *
csvr_path(const struct csv_reader *r)
{
	return r->path;
}

size_t
csvr_bytes(const struct csv_reader *r)
{
	return r->bytes;
}

void
csvr_close(struct csv_reader *r)
{
	if (r == NULL)
		return;
	if (r->ra_on) {
		pthread_mutex_lock(&r->ra_mu);
		r->ra_stop = 1;
		pthread_cond_broadcast(&r->ra_cv);
		pthread_mutex_unlock(&r->ra_mu);
		pthread_join(r->ra_th, NULL);
	}
	pthread_mutex_destroy(&r->ra_mu);
	pthread_cond_destroy(&r->ra_cv);
	free(r->ra_chunk[0]);
	free(r->ra_chunk[1]);
	free(r->ra_msg[0]);
	free(r->ra_msg[1]);
	free(r->arena);
	free(r->ib);
	free(r->fptr);
	free(r->flen);
	free(r->q);
	csv_free(&r->p);
	gzclose(r->gz);
	free(r->err);
	free(r->path);
	free(r);
}

/* Writer */

struct csv_writer {
	struct atomic_file af;
	gzFile gz;
	char *buf;
	size_t len, cap;
	int nfield;
	int last_empty;           /* the last field written was empty */
	int failed;
};

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

struct csv_writer *
csvw_open(const char *path, char **cause)
{
	struct csv_writer *w = xcalloc(1, sizeof *w);

	if (atomic_open(&w->af, path, cause) != 0) {
		free(w);
		return NULL;
	}
	if (ends_with(path, ".gz")) {
		w->gz = gzdopen(dup(fileno(w->af.fp)), "wb6");
		if (w->gz == NULL) {
			util_fail(cause, "%s: cannot start gzip stream", path);
			atomic_abort(&w->af);
			free(w);
			return NULL;
		}
	}
	w->cap = 1 << 16;
	w->buf = xmalloc(w->cap);
	return w;
}

static void
w_flush(struct csv_writer *w)
{
	if (w->len == 0)
		return;
	if (w->failed)
		;   /* after a failed write the rest is dropped (the buffer must still drain) */
	else if (w->gz != NULL) {
		if (gzwrite(w->gz, w->buf, (unsigned)w->len) != (int)w->len)
			w->failed = errno ? errno : EIO;
	} else if (fwrite(w->buf, 1, w->len, w->af.fp) != w->len)
		w->failed = errno ? errno : EIO;
	w->len = 0;
}

static void
w_put(struct csv_writer *w, const char *s, size_t n)
{
	if (w->len + n > w->cap) {
		w_flush(w);
		if (n > w->cap) {
			w->cap = n;
			w->buf = xrealloc(w->buf, w->cap);
		}
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

void
csvw_field(struct csv_writer *w, const char *s)
{
	size_t n = strlen(s), i;
	int quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');

	if (w->nfield++ > 0)
		w_put(w, ",", 1);
	w->last_empty = n == 0;
	for (i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote) {
		w_put(w, s, n);
		return;
	}
	w_put(w, "\"", 1);
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			w_put(w, "\"", 1);
		w_put(w, s + i, 1);
	}
	w_put(w, "\"", 1);
}

void
csvw_field_raw(struct csv_writer *w, const char *s, size_t n)
{
	w->last_empty = n == 0;   /* else a 0/1 cell after a missing row was written 0"" */
	if (w->nfield++ > 0) {
		if (w->len + n + 1 <= w->cap) {
			w->buf[w->len++] = ',';
			memcpy(w->buf + w->len, s, n);
			w->len += n;
			return;
		}
		w_put(w, ",", 1);
	}
	w_put(w, s, n);
}

void
csvw_field_num(struct csv_writer *w, double v)
{
	char buf[64];

	util_format_double(buf, sizeof buf, v);
	csvw_field(w, buf);
}

void
csvw_end_row(struct csv_writer *w)
{
	/* A row of one empty field would read back as a blank line: quote it. */
	if (w->nfield == 1 && w->last_empty)
		w_put(w, "\"\"", 2);
	w_put(w, "\n", 1);
	w->nfield = 0;
}

int
csvw_commit(struct csv_writer *w, char **cause)
{
	int rc;

	w_flush(w);
	if (w->gz != NULL && gzclose(w->gz) != Z_OK && !w->failed)
		w->failed = errno ? errno : EIO;
	w->gz = NULL;
	if (w->failed) {
		util_fail(cause, "%s: write failed: %s", w->af.path, strerror(w->failed));
		atomic_abort(&w->af);
		free(w->buf);
		free(w);
		return -1;
	}
	rc = atomic_commit(&w->af, cause);
	free(w->buf);
	free(w);
	return rc;
}

void
csvw_abort(struct csv_writer *w)
{
	if (w == NULL)
		return;
	if (w->gz != NULL)
		gzclose(w->gz);
	atomic_abort(&w->af);
	free(w->buf);
	free(w);
}
