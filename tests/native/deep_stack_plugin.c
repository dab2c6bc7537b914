/* deep_stack_plugin.c - a shared object deep_stack dlopen's after start-up,
 * so its unwind tables are found late (tests/e2e/t4080). */
static volatile int sink;

__attribute__((noinline)) int plugin_descend(int depth, void (*at_bottom)(void))
{
	if (depth == 0) {
		at_bottom();
		return 1;
	}
	int r = plugin_descend(depth - 1, at_bottom);
	sink = r;
	return r * 3 + depth;
}
