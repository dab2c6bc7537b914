/*
 * fuzz_trace.c - libFuzzer target for the .lhtrace reader.
 *
 * Each input becomes a file (a memfd) read through trace_read(). An input
 * that starts with 'G' is a program (program.h) for the generator below,
 * which writes a trace as the writer does (modules, then batches of new
 * stacks and a snapshot of the stacks that changed, a leak check at the
 * end), with the program's choice of counts, of damage to ids, counts and
 * sizes, and then byte edits: up to ~10 MB, tens of thousands of stacks.
 * Other inputs are read as they are. A trace that loads then has every
 * stack's counters read at every snapshot and every frame mapped to its
 * module, the walks `report` makes (symbolization itself is left out: it
 * would open whatever binaries the input names). A failure must always
 * say why.
 */
#include <unistd.h>

#include "../src/trace/trace_reader.h"
#include "program.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* MARK: - The target */

static void walk(const struct trace *t)
{
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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct text g = { 0 };
	if (size && data[0] == 'G') {
		struct program pr = { data + 1, size - 1 };
		generate_trace(&pr, &g);
		program_edit(&pr, &g);
		program_generated("trace", g.data, g.len);
		data = (const uint8_t *)g.data;
		size = g.len;
	}
	char path[64];
	int fd = program_file(data, size, path, sizeof(path));
	if (fd >= 0) {
		struct lh_error err = { 0 };
		struct trace *t = trace_read(path, &err);
		if (t)
			walk(t);
		else if (!err.set)
			__builtin_trap();
		trace_free(t);
		close(fd);
	}
	free(g.data);
	return 0;
}
