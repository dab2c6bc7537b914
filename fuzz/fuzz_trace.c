/*
 * fuzz_trace.c - libFuzzer target for the .lhtrace reader.
 *
 * Each input goes to a memfd and through trace_read(); a trace that loads
 * then has every stack's counters read at every snapshot and every frame
 * mapped to its module, the walks `report` makes (symbolization itself is
 * left out: it would open whatever binaries the input names). A failure
 * must always say why.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "../src/trace/trace_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("trace", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct lh_error err = { 0 };
	struct trace *t = trace_read(path, &err);
	if (t) {
		uint64_t sum = 0;
		for (uint32_t id = 0; id < t->stack_count; id++) {
			size_t cursor = 0;
			for (uint32_t snap = 0; snap < t->snapshot_count; snap++)
				sum += (uint64_t)trace_stack_at(t, id, snap, &cursor).live_bytes;
			for (uint32_t f = 0; f < t->stacks[id].frame_count; f++)
				sum += trace_module_of(t, t->stacks[id].frames[f]) != NULL;
		}
		if (sum == 1) /* keep the walks from being optimised away */
			fprintf(stderr, "\n");
		trace_free(t);
	} else if (!err.set) {
		__builtin_trap();
	}
	close(fd);
	return 0;
}
