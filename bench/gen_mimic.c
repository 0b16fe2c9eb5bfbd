/* synthehr — GPL-3.0-or-later.
 * Synthetic MIMIC-IV-shaped hosp tables for the import-mimic benchmark:
 * patients, admissions, diagnoses_icd and omr as gzipped CSV with
 * PhysioNet's headers.  Sizes default to full MIMIC-IV (300,000 patients,
 * ~430,000 admissions, ~5M diagnosis rows, ~7M omr rows).  ICD codes are
 * real: every non-range code of the phecode maps, undotted as MIMIC stores
 * them, drawn with a Zipf-like law over a shuffled list, plus ~3 % codes
 * the maps do not have (V/E/Z-style) and ~2 % one digit longer than a map
 * code; half ICD-9 and half ICD-10 per admission.  Nothing here is patient data.
 *
 * usage: gen_mimic OUT_DIR MAP_DIR [PATIENTS [SEED]]   (writes OUT_DIR/hosp/) */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "synthehr/csvio.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"

struct codes {
	char **c;           /* undotted codes */
	size_t n, cap;
	double *cum;        /* [n] cumulative Zipf weights, last = 1 */
};

static void
codes_add(struct codes *k, const char *s, size_t len)
{
	char buf[32];
	size_t i, n = 0;

	for (i = 0; i < len && n + 1 < sizeof buf; i++)
		if (s[i] != '.')
			buf[n++] = (char)((s[i] >= 'a' && s[i] <= 'z') ? s[i] - 32 : s[i]);
	buf[n] = '\0';
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 4096;
		k->c = xreallocarray(k->c, k->cap, sizeof *k->c);
	}
	k->c[k->n++] = xstrdup(buf);
}

static int
codes_load(struct codes *k, const char *path, struct rng *r)
{
	struct csv_reader *rd;
	char **f, *cause = NULL;
	size_t *l, i, *idx;
	int nf, rc;
	double tot = 0;
	char **perm;

	if ((rd = csvr_open(path, &cause)) == NULL) {
		fprintf(stderr, "gen_mimic: %s\n", cause);
		return -1;
	}
	csvr_next(rd, &f, &l, &nf, &cause);   /* header: vocabulary_id, code, phecode */
	while ((rc = csvr_next(rd, &f, &l, &nf, &cause)) == 1) {
		if (nf < 2 || memchr(f[1], '-', l[1]) != NULL)
			continue;
		codes_add(k, f[1], l[1]);
	}
	csvr_close(rd);
	if (rc < 0) {
		fprintf(stderr, "gen_mimic: %s\n", cause);
		return -1;
	}
	idx = xmalloc(k->n * sizeof *idx);
	for (i = 0; i < k->n; i++)
		idx[i] = i;
	rng_shuffle(r, idx, k->n);
	perm = xmalloc(k->n * sizeof *perm);
	for (i = 0; i < k->n; i++)
		perm[i] = k->c[idx[i]];
	free(k->c);
	k->c = perm;
	free(idx);
	k->cum = xmalloc(k->n * sizeof *k->cum);
	for (i = 0; i < k->n; i++) {
		tot += 1.0 / pow((double)i + 10.0, 1.1);
		k->cum[i] = tot;
	}
	for (i = 0; i < k->n; i++)
		k->cum[i] /= tot;
	return 0;
}

static const char *
codes_draw(const struct codes *k, struct rng *r)
{
	double u = rng_uniform(r);
	size_t lo = 0, hi = k->n - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (k->cum[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return k->c[lo];
}

static gzFile
open_gz(const char *dir, const char *name, const char *header)
{
	char *p = xsprintf("%s/hosp/%s.csv.gz", dir, name);
	gzFile gz = gzopen(p, "wb1");

	if (gz == NULL) {
		perror(p);
		exit(1);
	}
	gzbuffer(gz, 1 << 18);
	free(p);
	gzputs(gz, header);
	return gz;
}

static const char *const races[] = { "WHITE", "WHITE", "WHITE", "WHITE", "WHITE", "WHITE", "WHITE",
	"WHITE - OTHER EUROPEAN", "BLACK/AFRICAN AMERICAN", "BLACK/CAPE VERDEAN", "ASIAN",
	"ASIAN - CHINESE", "HISPANIC/LATINO - PUERTO RICAN", "HISPANIC OR LATINO", "UNKNOWN",
	"UNABLE TO OBTAIN", "OTHER", "PATIENT DECLINED TO ANSWER", "SOUTH AMERICAN", "MULTIPLE RACE/ETHNICITY" };

int
main(int argc, char **argv)
{
	static const char *const extra9[] = { "V1582", "V1582", "V1582", "E8497", "E8497", "V707", "E8782",
		"V4986", "79902", NULL };
	static const char *const extra10[] = { "Z66", "Z66", "Y929", "Y929", "Y92230", "Z781", "W19XXXA",
		"Z8249", "Z590", NULL };
	struct codes k9 = { 0 }, k10 = { 0 };
	struct rng r;
	size_t npat = argc > 3 ? strtoul(argv[3], NULL, 10) : 300000, i, nadm = 0, ndiag = 0, nomr = 0;
	uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
	gzFile gp, ga, gd, go;
	char *p, *cause = NULL;
	uint64_t hadm = 20000000;

	if (argc < 3) {
		fprintf(stderr, "usage: gen_mimic OUT_DIR MAP_DIR [PATIENTS [SEED]]\n");
		return 2;
	}
	rng_seed(&r, seed);
	p = xsprintf("%s/hosp", argv[1]);
	if (util_mkdir_private(p, &cause) != 0) {
		fprintf(stderr, "gen_mimic: %s\n", cause);
		return 1;
	}
	free(p);
	p = xsprintf("%s/phecode_map_icd9cm.csv", argv[2]);
	if (codes_load(&k9, p, &r) != 0)
		return 1;
	free(p);
	p = xsprintf("%s/phecode_map_icd10cm.csv", argv[2]);
	if (codes_load(&k10, p, &r) != 0)
		return 1;
	free(p);

	gp = open_gz(argv[1], "patients", "subject_id,gender,anchor_age,anchor_year,anchor_year_group,dod\n");
	ga = open_gz(argv[1], "admissions", "subject_id,hadm_id,admittime,dischtime,deathtime,admission_type,"
	    "admit_provider_id,admission_location,discharge_location,insurance,language,marital_status,race,"
	    "edregtime,edouttime,hospital_expire_flag\n");
	gd = open_gz(argv[1], "diagnoses_icd", "subject_id,hadm_id,seq_num,icd_code,icd_version\n");
	go = open_gz(argv[1], "omr", "subject_id,chartdate,seq_num,result_name,result_value\n");
	for (i = 0; i < npat; i++) {
		uint64_t subj = 10000000 + i * 33 + rng_below(&r, 33);
		int age = 18 + (int)rng_below(&r, 74), year = 2110 + (int)rng_below(&r, 100);
		int nadm_p = 0, a, died, n, j;
		int g0 = 2008 + 3 * (int)rng_below(&r, 4);

		/* ~63 % of patients have admissions, 1 + geometric(0.55) of them. */
		if (rng_uniform(&r) < 0.634) {
			nadm_p = 1;
			while (rng_uniform(&r) < 0.55 && nadm_p < 40)
				nadm_p++;
		}
		gzprintf(gp, "%llu,%c,%d,%d,%d - %d,", (unsigned long long)subj, rng_uniform(&r) < 0.52 ? 'F' : 'M',
		    age, year, g0, g0 + 2);
		if (rng_uniform(&r) < 0.11)
			gzprintf(gp, "%d-%02d-%02d", year + 3, 1 + (int)rng_below(&r, 12), 1 + (int)rng_below(&r, 28));
		gzputs(gp, "\n");
		for (a = 0; a < nadm_p; a++) {
			int y = year + (int)rng_below(&r, 3), mo = 1 + (int)rng_below(&r, 12), d = 1 + (int)rng_below(&r, 20);
			int last = a == nadm_p - 1, v10 = rng_uniform(&r) < 0.5;
			const struct codes *k = v10 ? &k10 : &k9;

			died = last && rng_uniform(&r) < 0.05;
			hadm++;
			gzprintf(ga, "%llu,%llu,%d-%02d-%02d 08:%02d:00,%d-%02d-%02d 14:%02d:00,", (unsigned long long)subj,
			    (unsigned long long)hadm, y, mo, d, (int)rng_below(&r, 60), y, mo, d + 1 + (int)rng_below(&r, 7),
			    (int)rng_below(&r, 60));
			if (died)
				gzprintf(ga, "%d-%02d-%02d 13:00:00", y, mo, d + 2);
			gzprintf(ga, ",URGENT,P%05d,EMERGENCY ROOM,%s,Medicare,ENGLISH,MARRIED,%s,,,%d\n",
			    (int)rng_below(&r, 99999), died ? "DIED" : "HOME", races[rng_below(&r, SH_NELEM(races))], died);
			nadm++;
			n = 1 + (int)rng_below(&r, 23);
			for (j = 0; j < n; j++) {
				const char *const *extra = v10 ? extra10 : extra9;
				double u = rng_uniform(&r);
				const char *code = codes_draw(k, &r), *tail = "";

				/* ~3 % codes the maps lack, ~2 % one digit longer than a
				 * map code (matched by truncation retry). */
				if (u < 0.03)
					code = extra[rng_below(&r, 9)];
				else if (u < 0.05 && strlen(code) < (v10 ? 7u : 5u))
					tail = "1";
				gzprintf(gd, "%llu,%llu,%d,%s%s,%d\n", (unsigned long long)subj, (unsigned long long)hadm, j + 1,
				    code, tail, v10 ? 10 : 9);
				ndiag++;
			}
		}
		/* omr: ~23 rows per patient. */
		n = (int)rng_below(&r, 49);
		for (j = 0; j < n; j++) {
			double u = rng_uniform(&r);
			int y = year + (int)rng_below(&r, 4), seq = rng_uniform(&r) < 0.9 ? 1 : 2;

			gzprintf(go, "%llu,%d-%02d-%02d,%d,", (unsigned long long)subj, y, 1 + (int)rng_below(&r, 12),
			    1 + (int)rng_below(&r, 28), seq);
			if (u < 0.35)
				gzprintf(go, "Blood Pressure,%d/%d\n", 90 + (int)rng_below(&r, 80), 50 + (int)rng_below(&r, 50));
			else if (u < 0.6)
				gzprintf(go, "BMI (kg/m2),%.1f\n", 15 + rng_uniform(&r) * 35);
			else if (u < 0.9)
				gzprintf(go, "Weight (Lbs),%.1f\n", 90 + rng_uniform(&r) * 200);
			else if (u < 0.98)
				gzprintf(go, "Height (Inches),%d\n", 58 + (int)rng_below(&r, 20));
			else
				gzprintf(go, "Blood Pressure Sitting,%d/%d\n", 90 + (int)rng_below(&r, 80), 50 + (int)rng_below(&r, 50));
			nomr++;
		}
	}
	gzclose(gp);
	gzclose(ga);
	gzclose(gd);
	gzclose(go);
	fprintf(stderr, "gen_mimic: %zu patients, %zu admissions, %zu diagnoses_icd rows, %zu omr rows "
	    "(%zu ICD-9 and %zu ICD-10 codes to draw from)\n", npat, nadm, ndiag, nomr, k9.n, k10.n);
	return 0;
}
