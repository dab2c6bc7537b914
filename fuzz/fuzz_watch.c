/*
 * fuzz_watch.c - libFuzzer target for a watch directory read back
 * (watch_verdict_load, src/watch/watch.h): its key=value files and TSV
 * tables, which a killed watch leaves cut anywhere and a user may edit.
 *
 * The first byte picks the file the rest of the input becomes (watch.info,
 * timeline.tsv, snapshots.tsv, js.tsv or end.info); the others hold small
 * valid contents, so every reader is reached with the rest in place. There
 * is no native trace (its reader has fuzz_trace.c). A failure must say why.
 */
#include <stdlib.h>
#include <unistd.h>

#include "../src/watch/watch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "watch.info", "timeline.tsv", "snapshots.tsv", "js.tsv", "end.info" };
static const char *const valid[] = {
	"mode=start\npid=7\ncommand=node app.js\nstart_unix=1000\ninterval_ms=1000\nwarmup_ms=1000\nmin_growth=0\n",
	"0.5\t1000.5\t50000000\t20000000\t10000000\t100000\t4096\t1\t8000000\t9000000\t9500000\t1000000\t900000\t100\n"
	"1.5\t1001.5\t52000000\t20000000\t10000000\t100000\t4096\t1\t9000000\t10000000\t10500000\t1000000\t900000\t100\n"
	"2.5\t1002.5\t54000000\t20000000\t10000000\t100000\t4096\t1\t10000000\t11000000\t11500000\t1000000\t900000\t100\n"
	"3.5\t1003.5\t56000000\t20000000\t10000000\t100000\t4096\t0\t0\t0\t0\t0\t0\t0\n",
	"begin\t1.0\t1000\t200000\t\nend\t1.2\t150.5 ok=1\n",
	"finding\taccumulation\t100\tSession objects accumulate\t+100\twhy\t(GC roots) -> Map\tSession\tMap `m`\n"
	"class\tSession\t10\t110\t1000\t11000\nroot\t(Handle scope)\t100\t2100\n",
	"ended=the program exited with status 0\nend_unix=1004\n",
};

static char dir[64];

static void put(const char *name, const void *data, size_t size)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/lh-fuzz-watch.XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	if (!size)
		return 0;
	size_t pick = data[0] % 5;
	for (size_t i = 0; i < 5; i++) {
		if (i == pick)
			put(names[i], data + 1, size - 1);
		else
			put(names[i], valid[i], strlen(valid[i]));
	}
	struct lh_error err = { 0 };
	struct watch_thresholds th = { 0 };
	struct watch_verdict *v = watch_verdict_load(dir, &th, &err);
	if (!v && !err.set)
		abort(); /* a failure must say why */
	watch_verdict_free(v);
	return 0;
}
