/*
 * cmd-redact.c - `leakhound redact [--keep-names] [--key-file FILE] IN OUT`.
 */
#include "builtin.h"

#include <errno.h>
#include <sodium.h>
#include <unistd.h>

#include "../src/analysis/redact.h"
#include "../src/report/snapshot_writer.h"

static const char redact_usage[] =
	"usage: leakhound redact [--keep-names] [--key-file FILE] [-f] IN OUT\n"
	"\n"
	"Writes IN, a heap snapshot, to OUT with every string's content replaced by a\n"
	"keyed hash, and the names programs give (classes, functions, properties,\n"
	"variables) replaced by names of the same length unless --keep-names. Sizes,\n"
	"ids, node types and edges are unchanged, so summary, top and check give the\n"
	"same numbers on OUT; snapshots redacted with the same key file still match\n"
	"each other for diff, trend and check. V8's own names ((GC roots), system /\n"
	"Context, internal fields) are kept. OUT is plain JSON ('-' for standard\n"
	"output).\n";

/* The key: the hash of the key file's bytes, or random bytes (said on stderr). */
static int load_key(const char *path, unsigned char key[REDACT_KEY_BYTES])
{
	if (!path) {
		randombytes_buf(key, REDACT_KEY_BYTES);
		fputs("leakhound: redact: no --key-file, so a random key: snapshots redacted in separate runs will not "
		      "match each other\n",
		      stderr);
		return LH_EXIT_OK;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "leakhound: %s: cannot read the key file: %s\n", path, strerror(errno));
		return LH_EXIT_BAD_INPUT;
	}
	unsigned char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf), f);
	bool more = fgetc(f) != EOF;
	fclose(f);
	if (n < 16 || more) {
		fprintf(stderr, "leakhound: %s: a key file holds 16 to 4096 bytes (e.g. head -c 32 /dev/urandom), not %s\n",
			path, more ? "more" : "fewer");
		return LH_EXIT_BAD_INPUT;
	}
	redact_key_from_secret(buf, n, key);
	sodium_memzero(buf, sizeof(buf));
	return LH_EXIT_OK;
}

/* Writes to a temporary file beside OUT, renamed over it once complete: no half-written OUT. */
static int write_output(const char *out_path, const struct heap_snapshot *s, const struct redaction *r)
{
	if (!strcmp(out_path, "-")) {
		snapshot_write(stdout, s, r->strings, r->lengths);
		return cli_finish_output(LH_EXIT_OK);
	}
	size_t len = strlen(out_path) + 16;
	char *tmp = lh_malloc(len);
	snprintf(tmp, len, "%s.tmp%ld", out_path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	bool ok = f && snapshot_write(f, s, r->strings, r->lengths);
	if (f && fclose(f) != 0)
		ok = false;
	if (ok && rename(tmp, out_path) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr, "leakhound: cannot write '%s': %s\n", out_path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok ? LH_EXIT_OK : LH_EXIT_INTERNAL;
}

int cmd_redact(int argc, char **argv)
{
	struct redact_options ro = { .keep_names = false };
	const char *key_file = NULL;
	bool force = false;
	const struct cli_option options[] = {
		CLI_OPT(0, "keep-names", CLI_FLAG, &ro.keep_names, NULL,
			"keep the names of classes, functions, properties and variables (and any string whose "
			"text is such a name: V8 writes each name as a string too)"),
		CLI_OPT(0, "key-file", CLI_STRING, &key_file, "FILE",
			"the secret key (16 to 4096 bytes; e.g. head -c 32 /dev/urandom >FILE): the same key gives "
			"the same replacements, so a series stays comparable. Default: a random key"),
		CLI_OPT('f', "force", CLI_FLAG, &force, NULL, "overwrite OUT if it exists"),
	};
	const struct cli_spec spec = { redact_usage, options, LH_ARRAY_LEN(options), 2, 2, false, NULL };
	int first, status = cli_parse_options(argc, argv, &spec, &first);
	if (status >= 0)
		return status;
	const char *in = argv[first], *out = argv[first + 1];
	if (strcmp(out, "-") && !force && access(out, F_OK) == 0)
		return cli_usage_error("'%s' exists: redact does not overwrite it unless --force is given", out);
	status = load_key(key_file, ro.key);
	if (status != LH_EXIT_OK)
		return status;
	struct lh_error err = { 0 };
	struct heap_snapshot *s = cli_read_snapshot(in, false, &err);
	if (!s)
		return cli_input_error(in, &err);
	struct redaction r;
	if (!redact_strings(s, &ro, &r)) {
		fputs("leakhound: redact: libsodium could not start\n", stderr);
		heap_snapshot_free(s);
		return LH_EXIT_INTERNAL;
	}
	sodium_memzero(ro.key, sizeof(ro.key));
	status = write_output(out, s, &r);
	if (status == LH_EXIT_OK && strcmp(out, "-"))
		fprintf(stderr, "leakhound: redact: %s: %llu strings replaced, %llu kept\n", out,
			(unsigned long long)r.replaced, (unsigned long long)r.kept);
	redaction_free(&r);
	heap_snapshot_free(s);
	return status;
}
