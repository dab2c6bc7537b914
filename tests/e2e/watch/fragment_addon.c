// fragment_addon.c - a burst that leaves glibc's heap fragmented while
// live memory hardly grows: burst(MB) allocates MB MiB in 1 KiB blocks
// (filled), keeps every 64th block and frees the rest. The kept blocks cut
// the freed memory into 63 KiB holes that glibc can neither merge nor give
// back to the system, and that only smaller requests can reuse: the pattern
// of a batch job's temporaries interleaved with a few long-lived objects.
// Returns the bytes it freed and the bytes it kept. Built by t6040 with gcc
// against /usr/include/node (N-API).
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 1024
#define KEEP_EVERY 64

static napi_value burst(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value arg, result, v;
	napi_get_cb_info(env, info, &argc, &arg, NULL, NULL);
	uint32_t mb = 0;
	napi_get_value_uint32(env, arg, &mb);
	size_t count = (size_t)mb * 1024 * 1024 / BLOCK, freed = 0, kept = 0;
	void **blocks = malloc(count * sizeof(*blocks));
	for (size_t i = 0; i < count; i++) {
		blocks[i] = malloc(BLOCK);
		memset(blocks[i], 1, BLOCK);
	}
	for (size_t i = 0; i < count; i++) {
		if (i % KEEP_EVERY == KEEP_EVERY - 1)
			kept += BLOCK; /* never freed: a long-lived object */
		else {
			free(blocks[i]);
			freed += BLOCK;
		}
	}
	free(blocks);
	napi_create_object(env, &result);
	napi_create_double(env, (double)freed, &v);
	napi_set_named_property(env, result, "freed", v);
	napi_create_double(env, (double)kept, &v);
	napi_set_named_property(env, result, "kept", v);
	return result;
}

NAPI_MODULE_INIT()
{
	napi_value fn;
	napi_create_function(env, "burst", NAPI_AUTO_LENGTH, burst, NULL, &fn);
	napi_set_named_property(env, exports, "burst", fn);
	return exports;
}
