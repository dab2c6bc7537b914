/* leak_addon.c - a node addon (N-API) that leaks 1000 bytes per call of
 * leak(), at the line marked LEAK-SITE, for tests/e2e/t4070. */
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

static void *volatile last;

static napi_value leak(napi_env env, napi_callback_info info)
{
	(void)env;
	(void)info;
	char *block = malloc(1000); /* LEAK-SITE */
	memset(block, 1, 1000);
	last = block;
	return NULL;
}

NAPI_MODULE_INIT()
{
	napi_value fn;
	napi_create_function(env, "leak", NAPI_AUTO_LENGTH, leak, NULL, &fn);
	napi_set_named_property(env, exports, "leak", fn);
	return exports;
}
