/* synthehr — GPL-3.0-or-later.
 * Fuzz harness: the model matrix readers.  The first byte picks the
 * reader (even: binary mtx_read, odd: mtx_read_csv); the rest is the file.
 * The layout is fixed: a race group of two levels, sex, a diagnosis and
 * age in [18, 90].  A matrix that reads back must be usable. */
#include "config.h"

#include "fuzz_common.h"
#include "synthehr/mtx.h"

static const char layout_json[] =
    "{\"columns\":["
    "{\"name\":\"race_WHITE\",\"kind\":\"group\",\"source\":\"race\",\"level\":\"WHITE\",\"group\":0},"
    "{\"name\":\"race_BLACK\",\"kind\":\"group\",\"source\":\"race\",\"level\":\"BLACK\",\"group\":0},"
    "{\"name\":\"sex\",\"kind\":\"binary\",\"source\":\"sex\",\"level\":\"F\",\"level0\":\"M\"},"
    "{\"name\":\"250.2\",\"kind\":\"binary\",\"concept\":true},"
    "{\"name\":\"age\",\"kind\":\"continuous\",\"lo\":18,\"hi\":90}],"
    "\"groups\":[\"race\"],\"label\":-1,\"sex\":2}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct layout *l;
	char *path, *cause = NULL;
	struct mtx *m = NULL;
	int rc;

	if (l == NULL) {
		json_error_t e;
		json_t *j = json_loads(layout_json, 0, &e);

		if (j == NULL || layout_from_json(j, &l, &cause) != 0)
			abort();
		json_decref(j);
	}
	if (size < 1)
		return 0;
	path = fuzz_tmpfile(data + 1, size - 1, data[0] & 1 ? ".csv" : ".mtx");
	rc = data[0] & 1 ? mtx_read_csv(path, l, &m, &cause) : mtx_read(path, l, &m, &cause);
	if (rc == 0) {
		float *row = malloc(sizeof(float) * (size_t)l->D);   /* [D] */
		size_t r;

		for (r = 0; r < m->n; r++)
			mtx_get_rows(m, r, 1, row);
		free(row);
		mtx_free(m);
	} else if (cause == NULL)
		abort();
	free(cause);
	unlink(path);
	return 0;
}
