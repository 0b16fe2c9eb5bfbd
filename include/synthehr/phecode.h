/* synthehr — GPL-3.0-or-later.
 * ICD-9-CM / ICD-10-CM → phecode mapping (PheWAS phecode map 1.2) as the
 * tutorial does it: dot repair of MIMIC's undotted codes, exact match,
 * truncation retry, optional ICD-10 range rows, every phecode of a code
 * that maps to several, and roll-up to the ancestors
 * (phecode_rollup_map.csv: 401.1 ⇒ 401).  Also a small string interning
 * table the importers share. */
#ifndef SYNTHEHR_PHECODE_H
#define SYNTHEHR_PHECODE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* String interning: string → dense id 0..n-1 (open addressing, FNV-1a). */
struct phecode_strtab;
struct phecode_strtab *phecode_strtab_new(void);
void phecode_strtab_free(struct phecode_strtab *t);
/* Id of s[0..len), added if absent (*added = 1 then; added may be NULL). */
uint32_t phecode_strtab_add(struct phecode_strtab *t, const char *s, size_t len, int *added);
/* Id or -1 when absent. */
int64_t phecode_strtab_find(const struct phecode_strtab *t, const char *s, size_t len);
const char *phecode_strtab_name(const struct phecode_strtab *t, uint32_t id);
uint32_t phecode_strtab_count(const struct phecode_strtab *t);

enum phecode_vocab {
	PHECODE_ICD9,     /* ICD-9-CM (MIMIC icd_version 9) */
	PHECODE_ICD10,    /* ICD-10-CM (MIMIC icd_version 10) */
	PHECODE_VOCAB_COUNT
};

/* How a code was matched. */
enum phecode_how {
	PHECODE_UNMATCHED,
	PHECODE_EXACT,      /* the dotted code is a row of the map */
	PHECODE_TRUNCATED,  /* a shorter prefix is a row (truncation retry) */
	PHECODE_RANGE,      /* the 3-character category falls in a range row (A00-A09) */
	PHECODE_HOW_COUNT
};

/* Per-vocabulary counts of lookups (rows) and of distinct codes. */
struct phecode_stats {
	size_t rows[PHECODE_VOCAB_COUNT][PHECODE_HOW_COUNT];      /* lookups by outcome */
	size_t distinct[PHECODE_VOCAB_COUNT][PHECODE_HOW_COUNT];  /* distinct codes by outcome */
};

struct phecode_map;

/* Load MAP_DIR/phecode_map_icd9cm.csv, phecode_map_icd10cm.csv,
 * phecode_rollup_map.csv and, when present, phecode_info.csv (names).
 * rollup: add each phecode's ancestors; ranges: use ICD-10 range rows as
 * the last fallback (the tutorial never matches them). */
struct phecode_map *phecode_map_load(const char *dir, int rollup, int ranges, char **cause);
void phecode_map_free(struct phecode_map *m);

/* Phecodes known to the map (ids 0..n-1): every phecode named by a map,
 * the roll-up table or the info table. */
uint32_t phecode_count(const struct phecode_map *m);
const char *phecode_name(const struct phecode_map *m, uint32_t id);
/* Description from phecode_info.csv, or NULL. */
const char *phecode_description(const struct phecode_map *m, uint32_t id);
int64_t phecode_find(const struct phecode_map *m, const char *phecode);

/* The descriptions of DIR/phecode_info.csv alone, without loading the ICD
 * maps (for naming concept columns): 0, or -1 with *cause when the file
 * cannot be read. */
struct phecode_info {
	int n;
	char **code, **desc;      /* [n] each */
};
int phecode_info_read(const char *dir, struct phecode_info *pi, char **cause);
/* The description of a phecode ("250.2"), or NULL. */
const char *phecode_info_find(const struct phecode_info *pi, const char *code);
void phecode_info_done(struct phecode_info *pi);

/* A study's concept names (phecode_names.c): the folder study.json
 * report.phecodes names, else $SYNTHEHR_PHECODES (phecode_names_dir; NULL
 * when neither), else for a demo study the names built into the binary.
 * phecode_names_read returns 0 with *pi filled (*from: the folder, or
 * PHECODE_NAMES_BUILTIN), 1 when there is no source of names, -1 with
 * *cause when the named folder cannot be read. */
#define PHECODE_NAMES_BUILTIN "built in (the demo cohort's phecode map 1.2)"
const char *phecode_names_dir(json_t *cfg);
int phecode_names_read(json_t *cfg, struct phecode_info *pi, const char **from, char **cause);

/* Vocabulary from a vocabulary/version field: "9", "ICD9", "ICD9CM",
 * "ICD-9-CM" → PHECODE_ICD9; "10", "ICD10", "ICD10CM", ... → PHECODE_ICD10;
 * -1 otherwise (case and blanks ignored). */
int phecode_vocab_parse(const char *s, size_t len);
const char *phecode_vocab_name(int vocab);   /* "ICD-9-CM", "ICD-10-CM" */

/* Normalise a code to its dotted form: blanks and dots removed, upper
 * case, then the dot put back (ICD-9 after 3 characters, after 4 for E
 * codes; ICD-10 after 3; none when nothing follows).  Returns the length
 * written to out (NUL-terminated); 0 if the code is empty or longer than
 * size allows. */
size_t phecode_dot(int vocab, const char *code, size_t len, char *out, size_t size);

/* Map one code: *ids gets the phecode ids (sorted, unique, rolled up when
 * the map was loaded with rollup) and the return value is their count
 * (0 when unmatched).  *ids stays valid until phecode_map_free.  Results
 * are cached per distinct code, and counted in the map's statistics.
 * how may be NULL. */
int phecode_lookup(struct phecode_map *m, int vocab, const char *code, size_t len,
    const uint32_t **ids, enum phecode_how *how);
void phecode_get_stats(const struct phecode_map *m, struct phecode_stats *st);
/* The n most frequent unmatched codes of a vocabulary (dotted), most
 * frequent first; returns how many were written. */
int phecode_top_unmatched(const struct phecode_map *m, int vocab, int n,
    const char **codes, size_t *counts);

#endif
