/*
 * fuzz_reader.c - libFuzzer target for the snapshot reader.
 *
 * Each input is written to a memfd and read through the public entry point
 * heap_snapshot_read(), so the byte source (gzip sniffing, inflate), the
 * JSON lexer and the snapshot grammar are all exercised. A snapshot that
 * loads is then summarised, which walks every column: the reader's promise
 * that a loaded snapshot needs no further checks is what is fuzzed there.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "../src/analysis/findings.h"
#include "../src/analysis/summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("snapshot", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct lh_error err = { 0 };
	struct heap_read_options opts = { .lenient_edges = size % 2 == 0 };
	struct heap_snapshot *s = heap_snapshot_read(path, &opts, &err);
	if (s) {
		struct summary_options sopts = { .top = 5 };
		struct heap_summary *sum = heap_summary_compute(s, &sopts);
		struct findings findings;
		findings_compute(s, sum, &findings_default_thresholds, &findings);
		heap_summary_free(sum);
		heap_snapshot_free(s);
	} else if (!err.set) {
		__builtin_trap(); /* a failure must always say why */
	}
	close(fd);
	return 0;
}
