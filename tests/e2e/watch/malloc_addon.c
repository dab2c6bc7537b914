// malloc_addon.c - a native addon that leaks: remember(i) mallocs 4 KiB,
// writes it (so it is resident) and never frees it. Built by t6010 with
// gcc against /usr/include/node (N-API).
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

static void **kept;
static size_t kept_count, kept_cap;

static napi_value remember(napi_env env, napi_callback_info info)
{
	(void)info;
	if (kept_count == kept_cap) {
		kept_cap = kept_cap ? kept_cap * 2 : 1024;
		kept = realloc(kept, kept_cap * sizeof(*kept));
	}
	char *block = malloc(4096); /* THE LEAK */
	memset(block, 1, 4096);
	kept[kept_count++] = block;
	napi_value undefined;
	napi_get_undefined(env, &undefined);
	return undefined;
}

NAPI_MODULE_INIT()
{
	napi_value fn;
	napi_create_function(env, "remember", NAPI_AUTO_LENGTH, remember, NULL, &fn);
	napi_set_named_property(env, exports, "remember", fn);
	return exports;
}
