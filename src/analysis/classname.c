/*
 * classname.c - DevTools' class naming rules (see classname.h).
 */
#include "classname.h"

bool heap_class_is_named(enum heap_node_kind kind)
{
	return kind == HEAP_NODE_OBJECT || kind == HEAP_NODE_NATIVE;
}

/* "<div class=x>" -> "<div>", also after a "Detached " prefix, as DevTools does (HeapSnapshot.ts, getNodeClassIndex). */
char *heap_class_of_name(const char *name)
{
	size_t skip = !strncmp(name, "Detached <", 10) ? 10 : name[0] == '<' ? 1 : 0;
	const char *space = skip ? strchr(name + skip, ' ') : NULL;
	if (!space)
		return lh_strdup(name);
	size_t keep = (size_t)(space - name);
	char *out = lh_malloc(keep + 2);
	memcpy(out, name, keep);
	out[keep] = '>';
	out[keep + 1] = '\0';
	return out;
}

char *heap_class_name(const struct heap_snapshot *s, uint32_t n)
{
	char buf[64];
	switch (heap_node_kind(s, n)) {
	case HEAP_NODE_HIDDEN:
		return lh_strdup("(system)");
	case HEAP_NODE_OBJECT:
	case HEAP_NODE_NATIVE:
		return heap_class_of_name(heap_node_name(s, n));
	case HEAP_NODE_CODE:
		return lh_strdup("(compiled code)");
	case HEAP_NODE_CLOSURE:
		return lh_strdup("Function");
	case HEAP_NODE_REGEXP:
		return lh_strdup("RegExp");
	default:
		snprintf(buf, sizeof(buf), "(%s)", heap_node_type_name(s, n));
		return lh_strdup(buf);
	}
}
