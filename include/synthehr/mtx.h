/* synthehr — GPL-3.0-or-later.
 * The model matrix: the explicit column layout the generator and the
 * metrics share, and a compact row store.  Group (one-hot) and binary model
 * columns hold 0/1 in one byte per cell; continuous columns hold float32.
 * Numerical code reads float32 row blocks through mtx_get_rows(). */
#ifndef SYNTHEHR_MTX_H
#define SYNTHEHR_MTX_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

enum mcol_kind {
	MCOL_GROUP,   /* one level of a categorical group: softmax block, one-hot */
	MCOL_BINARY,  /* independent 0/1 column: sigmoid head */
	MCOL_CONT,    /* continuous: min–max scaled to [0,1] for the model */
	MCOL_COUNT
};

struct encoding;

/* Column layout of the model matrix.  The tutorial's order is: groups first,
 * then binary columns (label, sex, concepts), then continuous columns. */
struct layout {
	int D;                    /* model columns */
	enum mcol_kind *kind;     /* [D] */
	char **name;              /* [D] header name in CSV output (group level name for groups) */
	char **source;            /* [D] cohort column it decodes to (group: the categorical column) */
	char **level;             /* [D] group: level label; binary: label of 1 (NULL = "1") */
	char **level0;            /* [D] binary: label of 0 (NULL = "0") */
	int *group_of;            /* [D] group index, or -1 */
	uint8_t *concept;         /* [D] 1 for concept (diagnosis) columns */
	double *lo, *hi;          /* [D] continuous range in cohort units (0,1 for others) */
	int ngroups;
	int *group_start;         /* [ngroups] first model column */
	int *group_width;         /* [ngroups] */
	char **group_name;        /* [ngroups] */
	int label;                /* model column of the label, -1 if none */
	int sex;                  /* model column of sex (1 = female), -1 if none */
	struct encoding *enc;     /* generator encodings (prep/encoding.json), NULL if none; owned */
	int enc_on;               /* 1: the generator works on enc's network columns */
};

struct layout *layout_new(int D);
void layout_free(struct layout *l);
/* After filling kind/group_of: recompute group_start/width from group_of. */
void layout_finish(struct layout *l, int ngroups, char **group_names);
int layout_find(const struct layout *l, const char *name);
int layout_count(const struct layout *l, enum mcol_kind k);
json_t *layout_to_json(const struct layout *l);
int layout_from_json(json_t *j, struct layout **out, char **cause);
/* Settings hash: changes when the layout changes (checkpoints record it). */
uint64_t layout_hash(const struct layout *l);

/* Where a matrix file came from (issue 18): written into every .mtx header
 * and checked by the readers of the files derived from it. */
enum mtx_role { MTX_ROLE_NONE, MTX_ROLE_TRAIN, MTX_ROLE_TEST, MTX_ROLE_SYNTH, MTX_ROLE_EXTERNAL };
struct mtx_prov {
	uint32_t role;            /* enum mtx_role */
	uint64_t source;          /* first 64 bits of the cohort's SHA-256 */
	uint64_t plan;            /* hash of the preprocessing plan (split included) */
	uint64_t seed;            /* synthetic: the generation seed */
	uint64_t parent;          /* synthetic: the checkpoint's checksum; external: the CSV's */
	uint64_t train;           /* test and synthetic: checksum of the train.mtx they go with */
	uint64_t companion;       /* synthetic: first 64 bits of the SHA-256 of the
	                           * synthetic.csv written with it (the .mtx is
	                           * written last and names its CSV) */
};

struct mtx {
	size_t n;                 /* rows */
	int D;                    /* columns (= layout D) */
	int nb, nc;               /* byte columns, float columns */
	int *slot;                /* [D] index into b (byte column) or c (float column) */
	uint8_t *is_float;        /* [D] */
	uint8_t *b;               /* [n × nb] row-major, 0/1 */
	float *c;                 /* [n × nc] row-major */
	int scaled;               /* 1: continuous columns in [0,1]; 0: cohort units */
	double *c64;              /* [n × nc] or NULL: the continuous columns' original
	                           * values in cohort units, float64 (the real rows as
	                           * prep left them; see mtx_f64_attach).  When set,
	                           * mtx_unscale() restores c from it, and
	                           * mtx_get_col()/mtx_getd() read it on an unscaled
	                           * matrix. */
	uint64_t lhash;           /* layout_hash() of the layout it was made for */
	uint64_t sum;             /* checksum of the file it was read from (0: none) */
	struct mtx_prov prov;     /* set by writers, filled by mtx_read */
};

/* New zeroed matrix of n rows with the layout's column kinds. */
struct mtx *mtx_new(size_t n, const struct layout *l);
void mtx_free(struct mtx *m);
/* Rows r0..r0+nr-1 as dense float32 [nr × D] into out. */
void mtx_get_rows(const struct mtx *m, size_t r0, size_t nr, float *out);
/* Gather rows idx[0..nr-1] as dense float32 [nr × D]. */
void mtx_gather_rows(const struct mtx *m, const size_t *idx, size_t nr, float *out);
/* Store one dense row; byte columns store (v >= 0.5). */
void mtx_set_row(struct mtx *m, size_t r, const float *row);
float mtx_get(const struct mtx *m, size_t r, int j);
/* Cell as a double: the float64 original when the matrix carries one and is
 * unscaled, else the stored value. */
double mtx_getd(const struct mtx *m, size_t r, int j);
void mtx_set(struct mtx *m, size_t r, int j, float v);
/* Column j as doubles into out[n]. */
void mtx_get_col(const struct mtx *m, int j, double *out);
/* Convert continuous columns between cohort units and [0,1] with layout lo/hi:
 * scale: (v-lo)/(hi-lo); unscale: (1-s)*lo + s*hi (the tutorial's formula). */
void mtx_scale(struct mtx *m, const struct layout *l);
void mtx_unscale(struct mtx *m, const struct layout *l);
/* Copy of rows idx[0..nr-1]. */
struct mtx *mtx_subset(const struct mtx *m, const size_t *idx, size_t nr);
/* Binary file, format 2: a 128-byte header (magic "SHMTX\0", version, n,
 * D, nb, nc, scaled, the layout hash, the provenance, a CRC-32 of the
 * payload and one of the header), the kinds, the byte block and the float
 * block.  Atomic write.  mtx_read checks the magic, the format (a format-1
 * file written before checksums is refused: re-run prep), both CRCs, the
 * layout hash against the study's layout, every byte cell 0/1 and every
 * float finite; m->sum is the payload CRC (what derived files record). */
int mtx_write(const char *path, const struct mtx *m, char **cause);
/* A matrix of n rows written in row blocks (each blk a matrix of the same
 * layout; rows appended in order) and committed atomically with proto's
 * scaling, layout hash and provenance; abort leaves nothing behind. */
struct mtx_stream;
struct mtx_stream *mtx_stream_open(const char *path, const struct mtx *proto, size_t n, char **cause);
int mtx_stream_rows(struct mtx_stream *st, const struct mtx *blk, char **cause);
int mtx_stream_commit(struct mtx_stream *st, const struct mtx *proto, char **cause);
void mtx_stream_abort(struct mtx_stream *st);
int mtx_read(const char *path, const struct layout *l, struct mtx **out, char **cause);
/* The payload checksum mtx_write will record for m (m->sum after reading). */
uint64_t mtx_checksum(const struct mtx *m);
/* Check a matrix read from path against what it should be: its role, and
 * (when train != NULL) that it was made with that train.mtx.  The message
 * names the file and what it was made from. */
int mtx_expect(const struct mtx *m, const char *path, enum mtx_role role, const struct mtx *train,
    char **cause);
const char *mtx_role_name(uint32_t role);
/* Only the header: provenance, the recorded payload checksum and the layout
 * hash (nothing verified but the header's own CRC). */
int mtx_read_header(const char *path, struct mtx_prov *prov, uint64_t *sum, uint64_t *lhash,
    char **cause);
/* -1 with "PATH: damaged matrix: row R, column C ..." when a byte cell is not
 * 0/1 or a float cell is not finite. */
int mtx_validate(const struct mtx *m, const struct layout *l, const char *path, char **cause);
/* CSV in cohort units with the layout's header names (groups as their 0/1
 * columns).  Continuous values are written unscaled. */
int mtx_write_csv(const char *path, const struct mtx *m, const struct layout *l, char **cause);
/* Read a CSV with exactly the layout's header (any column order); values of
 * group/binary columns must be 0/1 (a probability ≥ 0.5 is taken as 1).
 * Differences between the header and the layout are listed in *cause. */
int mtx_read_csv(const char *path, const struct layout *l, struct mtx **out, char **cause);

/* Float64 sidecar of a matrix (prep/train.f64 beside prep/train.mtx): the
 * continuous columns' original values, so evaluation never sees them through
 * float32 scaling.  It records the row and column counts and a hash of the
 * matrix's float block as stored, so a sidecar that does not belong to the
 * matrix is refused.  mtx_f64_alloc() gives m a zeroed c64 block. */
void mtx_f64_alloc(struct mtx *m);
int mtx_f64_write(const char *path, const struct mtx *m, char **cause);
/* Attach PATH's values to m (as read from its .mtx, before unscaling):
 * 0 attached; -1 with cause when absent, damaged or not m's. */
int mtx_f64_attach(const char *path, struct mtx *m, char **cause);

#endif
