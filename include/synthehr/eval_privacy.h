/* synthehr — GPL-3.0-or-later.
 * Privacy metrics (SPEC §4.8–4.10): membership inference (MI), attribute
 * inference (AI) and nearest-neighbour adversarial accuracy (NNAA).  Every
 * pairwise distance's binary part is a Hamming distance computed in blocks,
 * either through the GEMM identity |x|+|s|−2x·s (cblas_sgemm) or through
 * posting lists over the sparse 0/1 columns; memory stays flat in both.
 * Matrices may be scaled (layout lo/hi) or in cohort units; the metrics work
 * in cohort units as the tutorial does.  The "release the real data"
 * baseline is the same call with S := R. */
#ifndef SYNTHEHR_EVAL_PRIVACY_H
#define SYNTHEHR_EVAL_PRIVACY_H

#include <stddef.h>
#include <stdint.h>

#include "synthehr/mtx.h"

enum priv_backend {
	PRIV_AUTO,     /* the fastest: posting lists (see doc/eval.md) */
	PRIV_GEMM,     /* ‖x‖² + ‖s‖² − 2 x·s through cblas_sgemm in row blocks */
	PRIV_SPARSE,   /* posting lists over S's 1s, one dot-product row per target */
	PRIV_BRUTE,    /* pair by pair (tests) */
	PRIV_COUNT
};

struct privacy_opts {
	size_t mi_members;      /* member targets drawn from R; 0 = all (tutorial) */
	size_t mi_nonmembers;   /* non-member targets from T; 0 = all, or in
	                           proportion |T|/|R| when mi_members is set */
	double mi_threshold;    /* claim "member" if d ≤ this (5) */
	int ai_top;             /* most prevalent concepts known to the attacker;
	                           0 = scale with the cohort as SPEC 4.9 does
	                           (256 of 1,448: round(concepts × 256/1448)) */
	size_t ai_targets;      /* attacked records drawn from R; 0 = all (tutorial) */
	double ai_tol;          /* continuous attribute correct within ±tol·true (0.1) */
	size_t nnaa_n;          /* NNAA sample size cap; 0 = |T| (BENCH) */
	int nnaa_rounds;        /* 0 = ceil(|R|/|T|) (BENCH) */
	enum priv_backend backend;
	uint64_t seed;          /* target sampling */
	/* Optional progress in [0,1] (called from the computing thread). */
	void (*progress)(void *arg, double frac);
	void *progress_arg;
};

/* "tutorial": every target; "fast": ≤ 5,000 members + the proportional
 * non-members, ≤ 5,000 AI targets, NNAA samples ≤ 2,000 in 3 rounds. */
int privacy_opts_preset(struct privacy_opts *o, const char *preset);

struct mi_result {
	double f1;              /* TP / (TP + (FP+FN)/2), lower is better */
	double precision, recall;
	size_t tp, fp, fn, tn;
	size_t nmembers, nnonmembers;
	double se;              /* bootstrap SE of f1 over the targets */
};

/* Resamples behind the attacks' standard errors; AI resamples groups of
 * targets (PRIVACY_SE_GROUPS disjoint groups, so it needs no per-target
 * record). */
#define PRIVACY_SE_REPS 200
#define PRIVACY_SE_GROUPS 20

struct ai_result {
	double risk;            /* Σ w_j·score_j, lower is better */
	double bin_part, cont_part;
	int nknown, nsensitive; /* columns */
	int known_concepts;     /* concepts among the known columns */
	int concepts;           /* concept columns the attacker chooses from */
	int age_col;            /* model column used as "age", -1 if none */
	size_t ntargets;
	double mean_neighbours; /* average size of the 1-NN set (ties included) */
	double se;              /* bootstrap SE of risk over groups of targets */
};

struct nnaa_result {
	double aa_train, aa_test;  /* adversarial accuracy (0.5 = indistinguishable) */
	double privacy_loss;       /* aa_test − aa_train, lower is better */
	int rounds;
	size_t n;                  /* sample size per round */
	double se;                 /* SE of privacy_loss over the rounds (sd/sqrt(rounds)); NAN for 1 round */
};

/* Membership inference of R (members) and T (non-members) against S. */
int eval_mi(const struct layout *l, const struct mtx *R, const struct mtx *T, const struct mtx *S,
    const struct privacy_opts *o, struct mi_result *out, char **cause);
/* Attribute inference of R's records from S. */
int eval_ai(const struct layout *l, const struct mtx *R, const struct mtx *S, const struct privacy_opts *o,
    struct ai_result *out, char **cause);
/* NNAA privacy loss (BENCH Synthetic_risk_model_nnaa.py). */
int eval_nnaa(const struct layout *l, const struct mtx *R, const struct mtx *T, const struct mtx *S,
    const struct privacy_opts *o, struct nnaa_result *out, char **cause);

/* Memorisation (issue 18): of X's rows, how many copy a row of R exactly
 * (every model column; continuous values compared as stored, so both
 * matrices must be unscaled or both scaled) and how many repeat a row of
 * R's whole discrete profile (every group, binary and concept column). */
struct memo_result {
	size_t rows;                 /* rows of X */
	size_t exact_rows, profile_rows;
	double exact, profile;       /* shares of X's rows */
};
int eval_memorisation(const struct layout *l, const struct mtx *R, const struct mtx *X, struct memo_result *out,
    char **cause);

/* The column used as age: a continuous column named AGE (any case), else the
 * first continuous column; -1 if there is none. */
int privacy_age_column(const struct layout *l);
/* Known attributes of the AI attacker into known[D] (1 = known): every group
 * column, label, sex, age and the top most prevalent concept columns of R
 * (ties: lower column first; top ≤ 0: privacy_ai_known(concepts, 0)).
 * Returns the count. */
int privacy_known_columns(const struct layout *l, const struct mtx *R, int top, uint8_t *known);
/* Concepts the AI attacker knows out of `concepts`: top when > 0 (capped),
 * else the tutorial's share, round(concepts × 256 / 1448), at least 1 when
 * there are concepts (256 on the tutorial's 1,448). */
int privacy_ai_known(int concepts, int top);

/* Bytes one nearest-neighbour pass of the attacks (MI, AI, NNAA) holds at
 * its peak (issue 18), for nx targets against ns rows like m's: both
 * sides' scaled continuous values, the target samples, distances and
 * minima, and the backend's working set (GEMM: row blocks × columns and a
 * block of products; posting lists: S's 1s, counted on up to 10,000 of
 * m's rows, and per-row weights and distances). */
size_t privacy_need(const struct layout *l, const struct mtx *m, size_t nx, size_t ns, enum priv_backend be);

/* Squared Euclidean nearest distances (binary Hamming + continuous columns
 * scaled by S's range) from every row of X to S, into dmin[X->n]: the
 * primitive under MI, exposed for tests and benchmarks. */
int privacy_nearest(const struct layout *l, const struct mtx *X, const struct mtx *S, enum priv_backend b,
    double *dmin, char **cause);

#endif
