/*
 * fuzz_reader.c - libFuzzer target for the snapshot reader.
 *
 * Each input becomes a file (a memfd) read through the public entry point
 * heap_snapshot_read(), so the byte source (gzip sniffing, inflate), the
 * JSON lexer and the snapshot grammar are all exercised. An input that
 * starts with 'G' is a program (program.h) for generate_snapshot.c, which
 * writes a snapshot of up to ~10 MB in V8's grammar with the program's
 * choice of layout, counts, order, whitespace, compression and damage;
 * any other input is read as it is (the dictionary-driven path, and the
 * seeds). A snapshot that loads then goes through every analysis
 * (summary, classes, retention in one of its modes, retainer paths): the
 * reader's promise that a loaded snapshot needs no further checks, and the
 * analyses' robustness to odd graphs (cycles, orphans, self-loops), are
 * what is fuzzed there.
 */
#include <unistd.h>

#include "../src/analysis/class_stats.h"
#include "../src/analysis/findings.h"
#include "../src/analysis/paths.h"
#include "../src/analysis/summary.h"
#include "program.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* MARK: - The target */

static void analyse(struct heap_snapshot *s, size_t size)
{
	struct summary_options sopts = { .top = 5 };
	struct heap_summary *sum = heap_summary_compute(s, &sopts);
	struct findings findings;
	findings_compute(s, sum, &findings_default_thresholds, &findings);
	heap_summary_free(sum);
	struct retention *r = retention_compute(s, (enum retention_mode)(size % 3));
	struct heap_classes *classes = heap_classes_compute(s);
	class_stats_free(class_stats_compute(s, r, classes));
	struct path_tree *tree = path_tree_build(s, size % 5 == 0);
	struct retainer_path paths[3];
	size_t found = paths_to(s, tree, s->node_count - 1, 3, paths);
	for (size_t i = 0; i < found; i++) {
		free(path_describe(s, &paths[i]));
		free(paths[i].edges);
	}
	path_tree_free(tree);
	heap_classes_free(classes);
	retention_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct text t = { 0 };
	if (size && data[0] == 'G') {
		struct program pr = { data + 1, size - 1 };
		unsigned mode = program_byte(&pr);
		generate_snapshot(&pr, &t);
		if (mode & 1) { /* gzip'd, edited before or after compression */
			if (mode & 2)
				program_edit(&pr, &t);
			program_gzip(&pr, &t);
		}
		program_edit(&pr, &t);
		program_generated("snapshot", t.data, t.len);
		data = (const uint8_t *)t.data;
		size = t.len;
	}
	char path[64];
	int fd = program_file(data, size, path, sizeof(path));
	if (fd >= 0) {
		struct lh_error err = { 0 };
		/* A third of the inputs have their edges array read on a second thread, as big files do. */
		struct heap_read_options opts = { .lenient_edges = size % 2 == 0, .split_min_bytes = size % 3 == 0 ? 1 : 0 };
		struct heap_snapshot *s = heap_snapshot_read(path, &opts, &err);
		if (s)
			analyse(s, size);
		else if (!err.set)
			__builtin_trap(); /* a failure must always say why */
		heap_snapshot_free(s);
		close(fd);
	}
	free(t.data);
	return 0;
}
