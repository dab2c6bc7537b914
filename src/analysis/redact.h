/*
 * redact.h - a heap snapshot's strings replaced, so that a snapshot can be
 * shared without what the program held: string contents, and (unless
 * keep_names) the names of classes, functions, properties and variables.
 *
 * Each replacement is a keyed hash (BLAKE2b, libsodium) of the original
 * text, so snapshots redacted with one key still match across a series
 * (diff, trend, check), and nobody without the key can test a guess.
 * Sizes, ids and edges are not touched: only the string table changes.
 * With keep_names, a string whose text is also a name stays (V8 writes
 * each name as a string node too, so names cannot be told from those).
 *
 * The names V8 and DevTools give to their own structures ("(GC roots)",
 * "system / Context", internal field names, "__proto__") and the
 * language's built-in classes ("Object", "Map", "Buffer") are kept, since
 * the analyses read them. Names are replaced by text of the
 * same length in UTF-16 units (CJK ideographs; digits and the characters
 * DevTools quotes, such as ',', stay), so DevTools' class naming (which cuts an
 * object's property list at 120 units) groups objects as before; one-unit names are kept (one character reveals nothing and
 * cannot be replaced injectively). Contents become "h:" and 16 hex
 * digits. A DOM node's "<tag attributes>" keeps its tag; WeakMap edge
 * names keep their structure with the class names in them replaced.
 */
#ifndef LH_ANALYSIS_REDACT_H
#define LH_ANALYSIS_REDACT_H

#include "../heap/snapshot.h"

#define REDACT_KEY_BYTES 32

struct redact_options {
	unsigned char key[REDACT_KEY_BYTES];
	bool keep_names;        /* class, function, property and variable names stay */
};

struct redaction {
	char **strings;         /* by string index, each its own allocation */
	size_t *lengths;
	uint32_t count;
	uint64_t replaced, kept;
};

/* Derives the hashing key from a secret of any length (the bytes of a key file). */
void redact_key_from_secret(const void *secret, size_t len, unsigned char key[REDACT_KEY_BYTES]);
/* The new string table for s. False if libsodium cannot start (no entropy source). */
bool redact_strings(const struct heap_snapshot *s, const struct redact_options *o, struct redaction *out);
void redaction_free(struct redaction *r);

#endif
