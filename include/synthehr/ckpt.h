/* synthehr — GPL-3.0-or-later.
 * Versioned binary checkpoints of a training run: a fixed little-endian
 * header (magic, version, dimensions, settings and layout hashes, epoch,
 * the run's rng state, selection scores) followed by the raw float32 state
 * of the model (wgan_state_get) and a CRC-32 of header and payload.
 * Reading checks everything and names what does not match. */
#ifndef SYNTHEHR_CKPT_H
#define SYNTHEHR_CKPT_H

#include <stddef.h>
#include <stdint.h>
#include "synthehr/rng.h"

#define CKPT_MAGIC "SHCKPT\r\n"   /* 8 bytes; \r\n catches text-mode damage */
#define CKPT_VERSION 1

struct ckpt_header {
	uint32_t version;        /* CKPT_VERSION when written */
	uint64_t settings_hash;  /* train_settings_hash() of the run */
	uint64_t layout_hash;    /* layout_hash() of the model matrix */
	int32_t D, zdim, width, depth, ngroups;   /* model dimensions */
	int32_t epoch;           /* completed epochs (1-based count) */
	struct rng rng;          /* the run's rng after `epoch` epochs */
	double score;            /* selection score at this epoch (NAN if none) */
	double best_score;       /* best score so far (checkpoint rule state) */
	int32_t best_epoch;      /* epoch of best_score, 0 if none */
	uint64_t nfloats;        /* payload length in floats */
	uint64_t data_hash;      /* checksum of the train.mtx trained on (0: not recorded,
	                          * as in checkpoints written before issue 18) */
};

/* Write header + data[nfloats] atomically (0600). */
int ckpt_write(const char *path, const struct ckpt_header *h, const float *data, char **cause);
/* Read and check magic, version, length and CRC; *data is caller-freed
 * (xmalloc_aligned, free with free()); data may be NULL to read the
 * header only (the CRC is then not checked). */
int ckpt_read(const char *path, struct ckpt_header *h, float **data, char **cause);
/* Compare a read header with the expected dimensions and hashes; the
 * message names the file and every field that differs. */
int ckpt_check(const char *path, const struct ckpt_header *got, const struct ckpt_header *want,
    char **cause);

#endif
