/*
 * retention_report.h - `top`, `show`, `path` and `roots` as text and JSON.
 *
 * Nodes are named as DevTools names them ("Foo @123"); sizes in JSON are
 * plain integers (retained_size, self_size) and distances plain integers
 * (DevTools' -5 stays -5 for nodes no search reached).
 */
#ifndef LH_REPORT_RETENTION_REPORT_H
#define LH_REPORT_RETENTION_REPORT_H

#include "../analysis/class_stats.h"
#include "../analysis/paths.h"
#include "../analysis/retention.h"
#include "../analysis/summary.h"
#include "json_writer.h"

struct top_report {
	const char *path;
	const struct heap_snapshot *snapshot;
	const struct retention *retention;
	struct heap_classes *classes;
	const struct class_stats *by_class;  /* set for --by class */
	size_t top;
	bool all;                            /* every node (synthetic too) or class, no limit */
};

void top_print_text(FILE *out, const struct top_report *r);
void top_print_json(FILE *out, const struct top_report *r);

struct show_report {
	const char *path;
	const struct heap_snapshot *snapshot;
	const struct retention *retention;
	struct heap_classes *classes;
	uint32_t node;
	size_t max_edges;                    /* outgoing and incoming edges listed */
};

void show_print_text(FILE *out, const struct show_report *r);
void show_print_json(FILE *out, const struct show_report *r);

struct path_report {
	const char *path;
	const struct heap_snapshot *snapshot;
	uint32_t node;
	size_t count;
	const struct retainer_path *paths;
};

void path_print_text(FILE *out, const struct path_report *r);
void path_print_json(FILE *out, const struct path_report *r);

struct roots_report {
	const char *path;
	const struct heap_snapshot *snapshot;
	const struct heap_summary *summary;     /* the GC roots and their target groups */
	const struct retention *all_edges;      /* RETENTION_ALL_EDGES: what each root holds exclusively */
	const struct retention *devtools;       /* DevTools' retained size, for comparison */
};

void roots_print_text(FILE *out, const struct roots_report *r);
void roots_print_json(FILE *out, const struct roots_report *r);

/*
 * The fields every JSON node object carries: id, index, type, class, name,
 * self_size, and with a retention also retained_size, distance, dominator_id.
 * Without classes, the class is the node's own (no interface inference).
 */
void report_json_node(struct json_writer *w, const struct heap_snapshot *s, struct heap_classes *classes,
		      const struct retention *r, uint32_t n);

#endif
