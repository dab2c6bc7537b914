/*
 * digest.h - what leak detection keeps of one snapshot, so that a series
 * of multi-GB snapshots can be compared while only one is in memory.
 *
 * A digest holds totals, per-class counts and sizes (under class ids shared
 * by the whole series), the edge count of every GC sub-root, detached and
 * string totals, and the sorted ids of all nodes with a fingerprint of what
 * each id names (to tell whether two snapshots come from one process, and
 * which objects are new), their classes, types and sizes: about 21 bytes
 * per node, which a series keeps for its newest snapshot only
 * (digest_drop_ids). A series digest also counts objects by holder group
 * (class and retainer path shape, holders.h) and tags each id with its group.
 */
#ifndef LH_ANALYSIS_DIGEST_H
#define LH_ANALYSIS_DIGEST_H

#include "../common/error.h"
#include "../common/strmap.h"
#include "../heap/snapshot.h"

struct digest_class {
	uint64_t count;
	uint64_t self_size;
};

/*
 * The holder groups of a series: keys (holders.h) interned to dense ids
 * shared by its digests, in an open-addressing table kept at most half full
 * (distinct keys are few next to nodes: a snapshot needs 12 bytes a node to
 * be grouped, its keys and their ids).
 */
struct series_groups {
	size_t count;                   /* groups, ids 0 .. count-1 */
	size_t slots;                   /* a power of two */
	uint64_t *slot_key;
	uint32_t *slot_id;              /* UINT32_MAX: empty */
	uint32_t *cls;                  /* series class id of each group */
	size_t cls_cap;
};

struct snapshot_digest {
	char *path;
	double time;                    /* file modification time, seconds; 0 if unknown */
	uint64_t nodes, edges, self_size;
	uint64_t detached_count, detached_size;
	uint64_t string_count, string_size;
	uint32_t max_id;                /* largest id of a V8 object (odd ids) */
	size_t class_len;               /* entries in classes[] (series class ids) */
	struct digest_class *classes;
	size_t root_count;              /* GC sub-roots by position */
	char **root_names;
	uint64_t *root_edges;
	size_t id_count;
	uint64_t *ids;                  /* sorted: id << 32 | fingerprint of (type, name) */
	uint32_t *id_class;             /* series class id of each entry of ids[] */
	uint64_t *id_size;              /* self size of each entry */
	uint8_t *id_type;               /* node type (index into type_names) of each entry */
	uint32_t *id_group;             /* holder group of each entry; NULL without groups */
	size_t group_len;               /* entries in groups[] (series group ids) */
	struct digest_class *groups;    /* objects and bytes by holder group */
	unsigned type_count;
	char *type_names[HEAP_MAX_TYPES];
};

/*
 * Digests snapshot s read from path. Class names are interned in the
 * series-wide map `classes`, so digests of one series share class ids;
 * holder groups likewise in `groups`, or not counted when it is NULL.
 */
void digest_build(struct snapshot_digest *d, const struct heap_snapshot *s, const char *path, struct strmap *classes,
		  struct series_groups *groups);
void series_groups_free(struct series_groups *g);
void digest_free(struct snapshot_digest *d);

/* Frees the per-node arrays once only the totals are needed. */
void digest_drop_ids(struct snapshot_digest *d);

/* Index of id in d->ids, or SIZE_MAX. */
size_t digest_find(const struct snapshot_digest *d, uint32_t id);

/*
 * Whether the object of entry `at` of digest a is also in digest b: the
 * same id naming the same kind of object (V8 can give a dead object's id
 * to a new one at its address).
 */
bool digest_same_object_in(const struct snapshot_digest *a, size_t at, const struct snapshot_digest *b);

/*
 * Whether b can be a later snapshot of the process that wrote a: V8's
 * object ids (odd; embedders number theirs apart) only grow, and an id both
 * share names the same kind of object (1 in 20 may differ: V8 renames a
 * few internal objects). False with a message in err otherwise.
 */
bool digest_same_process(const struct snapshot_digest *a, const struct snapshot_digest *b, struct lh_error *err);

/* Edge count of the GC sub-root with this name, the `nth` of that name (0-based), or 0. */
uint64_t digest_root_edges(const struct snapshot_digest *d, const char *name, size_t nth);

#endif
