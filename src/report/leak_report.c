/*
 * leak_report.c - see leak_report.h.
 *
 * Frames print as Memcheck prints them ("at" for the first, "by" after,
 * "function (file:line)", "function (in module)" or "??? (in module)"),
 * and stop after main, as Memcheck hides what is below main. The first
 * frame is the allocator's caller: leakhound drops its own frames, where
 * Memcheck shows its malloc replacement first.
 */
#include "leak_report.h"

#include <string.h>
#include <unistd.h>

#include "../common/format.h"

static const char *const kind_words[LH_LEAK_KINDS] = { "definitely lost", "indirectly lost", "possibly lost",
							"still reachable" };
static const char *const kind_names[LH_LEAK_KINDS] = { "definitely_lost", "indirectly_lost", "possibly_lost",
							"still_reachable" };
static const char *const heuristic_names[LH_HEUR_COUNT] = { "stdstring", "length64", "newarray",
							     "multipleinheritance" };

bool leak_parse_kinds(const char *list, unsigned *mask)
{
	static const char *const words[LH_LEAK_KINDS] = { "definite", "indirect", "possible", "reachable" };
	if (!strcmp(list, "all")) {
		*mask = LEAK_KINDS_ALL;
		return true;
	}
	if (!strcmp(list, "none")) {
		*mask = 0;
		return true;
	}
	unsigned m = 0;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		int k = 0;
		while (k < LH_LEAK_KINDS && !(strlen(words[k]) == len && !strncmp(p, words[k], len)))
			k++;
		if (k == LH_LEAK_KINDS)
			return false;
		m |= LEAK_KIND_BIT(k);
		p += len;
		if (*p == ',' && *++p == 0)
			return false;
	}
	*mask = m;
	return m != 0;
}

const struct trace_leak_check *leak_final_check(const struct trace *t)
{
	for (size_t i = t->leak_check_count; i-- > 0;)
		if (t->leak_checks[i].summary.flags & LH_LEAK_CHECK_FINAL)
			return &t->leak_checks[i];
	return NULL;
}

bool leak_check_failed(const struct trace_leak_check *c)
{
	return c->summary.blocks[LH_LEAK_DEFINITE] + c->summary.blocks[LH_LEAK_INDIRECT] > 0;
}

/* print_results' cmp_LossRecords */
static int compare_records(const void *a, const void *b)
{
	const struct lh_rec_loss *x = a, *y = b;
	uint64_t tx = x->bytes + x->indirect_bytes, ty = y->bytes + y->indirect_bytes;
	if (tx != ty)
		return tx < ty ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->blocks != y->blocks)
		return x->blocks < y->blocks ? -1 : 1;
	return (x->stack > y->stack) - (x->stack < y->stack);
}

/* A sorted copy of the check's records; the caller frees it. */
static struct lh_rec_loss *sorted_records(const struct trace_leak_check *c)
{
	struct lh_rec_loss *r = lh_malloc(c->record_count * sizeof(*r) + 1);
	if (c->record_count) {
		memcpy(r, c->records, c->record_count * sizeof(*r));
		qsort(r, c->record_count, sizeof(*r), compare_records);
	}
	return r;
}

static const struct trace_stack *stack_of(const struct trace *t, uint32_t id)
{
	return id && id < t->stack_count && t->stacks[id].defined ? &t->stacks[id] : NULL;
}

static void print_frame(FILE *out, bool first, uint64_t address, const struct sym_frame *f)
{
	fprintf(out, "   %s %#llx: %s", first ? "at" : "by", (unsigned long long)address,
		f->function ? f->function : "???");
	if (f->file)
		fprintf(out, " (%s:%u)\n", f->file, f->line);
	else if (f->module)
		fprintf(out, " (in %s)\n", f->module);
	else
		fputc('\n', out);
}

static void print_stack(FILE *out, const struct trace *t, uint32_t id, struct symbolizer *sym)
{
	const struct trace_stack *st = stack_of(t, id);
	if (!st || st->frame_count == 0) {
		fprintf(out, "   (no stack: %s)\n",
			id ? "it had no frames"
			   : "the stack table was full, or the block was being allocated when its thread was stopped");
		return;
	}
	for (uint32_t i = 0; i < st->frame_count; i++) {
		const struct sym_frame *f = symbolizer_lookup(sym, st->frames[i]);
		print_frame(out, i == 0, trace_real_address(t, st->frames[i]), f);
		if (f->function && !strcmp(f->function, "main"))
			break; /* Memcheck hides the frames below main */
	}
}

static void print_record(FILE *out, const struct trace *t, const struct lh_rec_loss *r, size_t index, size_t count,
			 struct symbolizer *sym)
{
	char a[32], b[32], c[32], d[32], e[32], f[32];
	fmt_count(e, sizeof(e), index);
	fmt_count(f, sizeof(f), count);
	if (r->indirect_bytes)
		fprintf(out, "%s (%s direct, %s indirect) bytes in %s blocks are %s in loss record %s of %s\n",
			fmt_count(a, sizeof(a), r->bytes + r->indirect_bytes), fmt_count(b, sizeof(b), r->bytes),
			fmt_count(c, sizeof(c), r->indirect_bytes), fmt_count(d, sizeof(d), r->blocks),
			kind_words[r->kind], e, f);
	else
		fprintf(out, "%s bytes in %s blocks are %s in loss record %s of %s\n", fmt_count(a, sizeof(a), r->bytes),
			fmt_count(b, sizeof(b), r->blocks), kind_words[r->kind], e, f);
	print_stack(out, t, r->stack, sym);
	fputc('\n', out);
}

static void print_summary(FILE *out, const struct lh_rec_leak_check *s)
{
	static const char *const labels[LH_LEAK_KINDS] = { "   definitely lost", "   indirectly lost",
							    "     possibly lost", "   still reachable" };
	char a[32], b[32];
	fprintf(out, "LEAK SUMMARY:\n");
	for (int k = 0; k < LH_LEAK_KINDS; k++) {
		fprintf(out, "%s: %s bytes in %s blocks\n", labels[k], fmt_count(a, sizeof(a), s->bytes[k]),
			fmt_count(b, sizeof(b), s->blocks[k]));
		if (k != LH_LEAK_REACHABLE)
			continue;
		bool any = false;
		for (int h = 0; h < LH_HEUR_COUNT; h++)
			any |= s->heuristic_blocks[h] != 0;
		if (any)
			fprintf(out, "                      of which reachable via heuristic:\n");
		for (int h = 0; any && h < LH_HEUR_COUNT; h++)
			if (s->heuristic_blocks[h])
				fprintf(out, "                        %-19s: %s bytes in %s blocks\n", heuristic_names[h],
					fmt_count(a, sizeof(a), s->heuristic_bytes[h]),
					fmt_count(b, sizeof(b), s->heuristic_blocks[h]));
	}
}

static void print_notes(FILE *out, const struct lh_rec_leak_check *s, unsigned kinds)
{
	if (!(kinds & LEAK_KIND_BIT(LH_LEAK_REACHABLE)) && s->blocks[LH_LEAK_REACHABLE])
		fprintf(out, "Reachable blocks (those to which a pointer was found) are not shown.\n"
			     "To see them, add --show-kinds all.\n");
	if (s->threads_not_stopped)
		fprintf(out, "warning: %u thread%s did not stop for the scan (blocking leakhound's real-time signal?); "
			     "their whole stacks were read\n",
			s->threads_not_stopped, s->threads_not_stopped == 1 ? "" : "s");
	if (s->flags & LH_LEAK_CHECK_HEAP_CORRUPT)
		fprintf(out, "warning: the program overwrote a block header (a heap buffer overflow): blocks after it "
			     "were not checked\n");
}

void leak_print_check(FILE *out, const struct trace *t, const struct trace_leak_check *c, struct symbolizer *sym,
		      unsigned kinds)
{
	struct lh_rec_loss *r = sorted_records(c);
	for (size_t i = 0; i < c->record_count; i++)
		if (kinds & LEAK_KIND_BIT(r[i].kind))
			print_record(out, t, &r[i], i + 1, c->record_count, sym);
	free(r);
	print_summary(out, &c->summary);
	print_notes(out, &c->summary, kinds);
}

static const char *check_name(const struct lh_rec_leak_check *s)
{
	return s->flags & LH_LEAK_CHECK_FINAL ? "at exit" : "on request (SIGUSR2)";
}

void leak_print_checks(FILE *out, const struct trace *t, struct symbolizer *sym, unsigned kinds)
{
	if (t->leak_check_count == 0)
		return;
	char a[32], b[32];
	fprintf(out, "\nLeak checks (%zu):\n", t->leak_check_count);
	for (size_t i = 0; i < t->leak_check_count; i++) {
		const struct lh_rec_leak_check *s = &t->leak_checks[i].summary;
		fprintf(out, "  %8.3f s  %-20s  definitely lost %s B in %s blocks, scan %.1f ms\n", (double)s->time_ns / 1e9,
			check_name(s), fmt_count(a, sizeof(a), s->bytes[LH_LEAK_DEFINITE]),
			fmt_count(b, sizeof(b), s->blocks[LH_LEAK_DEFINITE]), (double)s->scan_ns / 1e6);
	}
	const struct trace_leak_check *last = &t->leak_checks[t->leak_check_count - 1];
	fprintf(out, "\nThe last leak check (%.3f s, %s):\n\n", (double)last->summary.time_ns / 1e9,
		check_name(&last->summary));
	leak_print_check(out, t, last, sym, kinds);
}

static void json_amount(struct json_writer *w, const char *key, uint64_t bytes, uint64_t blocks)
{
	jw_key(w, key);
	jw_object_begin(w);
	jw_key_uint(w, "bytes", bytes);
	jw_key_uint(w, "blocks", blocks);
	jw_object_end(w);
}

static void json_frames(struct json_writer *w, const struct trace *t, uint32_t id, struct symbolizer *sym)
{
	const struct trace_stack *st = stack_of(t, id);
	jw_key(w, "frames");
	jw_array_begin(w);
	for (uint32_t i = 0; st && i < st->frame_count; i++) {
		const struct sym_frame *f = symbolizer_lookup(sym, st->frames[i]);
		char text[64];
		jw_object_begin(w);
		snprintf(text, sizeof(text), "%#llx", (unsigned long long)trace_real_address(t, st->frames[i]));
		jw_key_string(w, "address", text);
		if (!f->function) /* a name is always there: module+offset without a symbol */
			snprintf(text, sizeof(text), "%s+%#llx", f->module ? f->module : "?",
				 (unsigned long long)f->module_offset);
		jw_key_string(w, "function", f->function ? f->function : text);
		jw_key(w, "file");
		f->file ? jw_string(w, f->file) : jw_null(w);
		jw_key(w, "line");
		f->file ? jw_uint(w, f->line) : jw_null(w);
		jw_key(w, "module");
		f->module ? jw_string(w, f->module) : jw_null(w);
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void json_check(struct json_writer *w, const struct trace *t, const struct trace_leak_check *c,
		       struct symbolizer *sym)
{
	const struct lh_rec_leak_check *s = &c->summary;
	jw_object_begin(w);
	jw_key_uint(w, "time_ns", s->time_ns);
	jw_key_bool(w, "final", (s->flags & LH_LEAK_CHECK_FINAL) != 0);
	jw_key_uint(w, "scan_ns", s->scan_ns);
	jw_key_uint(w, "scan_cpu_ns", s->scan_cpu_ns);
	jw_key_uint(w, "root_bytes", s->root_bytes);
	jw_key_uint(w, "threads", s->threads);
	jw_key_uint(w, "threads_not_stopped", s->threads_not_stopped);
	jw_key_bool(w, "heap_corrupt", (s->flags & LH_LEAK_CHECK_HEAP_CORRUPT) != 0);
	jw_key(w, "summary");
	jw_object_begin(w);
	for (int k = 0; k < LH_LEAK_KINDS; k++)
		json_amount(w, kind_names[k], s->bytes[k], s->blocks[k]);
	jw_key(w, "reachable_via_heuristic");
	jw_object_begin(w);
	for (int h = 0; h < LH_HEUR_COUNT; h++)
		json_amount(w, heuristic_names[h], s->heuristic_bytes[h], s->heuristic_blocks[h]);
	jw_object_end(w);
	jw_object_end(w);
	jw_key(w, "records");
	jw_array_begin(w);
	struct lh_rec_loss *r = sorted_records(c);
	for (size_t i = 0; i < c->record_count; i++) {
		jw_object_begin(w);
		jw_key_string(w, "kind", kind_names[r[i].kind]);
		jw_key_uint(w, "bytes", r[i].bytes + r[i].indirect_bytes); /* Memcheck's record header total */
		jw_key_uint(w, "blocks", r[i].blocks);
		jw_key_uint(w, "direct_bytes", r[i].bytes);
		jw_key_uint(w, "indirect_bytes", r[i].indirect_bytes);
		jw_key_uint(w, "stack", r[i].stack);
		json_frames(w, t, r[i].stack, sym);
		jw_object_end(w);
	}
	free(r);
	jw_array_end(w);
	jw_object_end(w);
}

void leak_write_json(struct json_writer *w, const struct trace *t, struct symbolizer *sym)
{
	jw_key(w, "leak_checks");
	jw_array_begin(w);
	for (size_t i = 0; i < t->leak_check_count; i++)
		json_check(w, t, &t->leak_checks[i], sym);
	jw_array_end(w);
}

/* MARK: - Memcheck's XML (protocol 4) */

static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
				fputc(*s, out);
		}
	}
}

static void xml_element(FILE *out, const char *indent, const char *tag, const char *text)
{
	fprintf(out, "%s<%s>", indent, tag);
	xml_text(out, text);
	fprintf(out, "</%s>\n", tag);
}

static void xml_frame(FILE *out, const struct trace *t, uint64_t ret, const struct sym_frame *f)
{
	char ip[32];
	snprintf(ip, sizeof(ip), "0x%llX", (unsigned long long)trace_real_address(t, ret));
	fputs("    <frame>\n", out);
	xml_element(out, "      ", "ip", ip);
	const struct trace_module *m = trace_module_of(t, ret ? ret - 1 : 0);
	if (m)
		xml_element(out, "      ", "obj", m->path);
	if (f->function)
		xml_element(out, "      ", "fn", f->function);
	if (f->file) { /* Memcheck splits the path: <dir> and <file> */
		const char *slash = strrchr(f->file, '/');
		if (slash) {
			char dir[1024];
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - f->file), f->file);
			xml_element(out, "      ", "dir", dir);
		}
		xml_element(out, "      ", "file", slash ? slash + 1 : f->file);
		fprintf(out, "      <line>%u</line>\n", f->line);
	}
	fputs("    </frame>\n", out);
}

static void xml_record(FILE *out, const struct trace *t, const struct lh_rec_loss *r, size_t index, size_t count,
		       struct symbolizer *sym)
{
	static const char *const kinds[LH_LEAK_KINDS] = { "Leak_DefinitelyLost", "Leak_IndirectlyLost",
							  "Leak_PossiblyLost", "Leak_StillReachable" };
	char text[256];
	if (r->indirect_bytes)
		snprintf(text, sizeof(text), "%llu (%llu direct, %llu indirect) bytes in %llu blocks are %s in loss record %zu of %zu",
			 (unsigned long long)(r->bytes + r->indirect_bytes), (unsigned long long)r->bytes,
			 (unsigned long long)r->indirect_bytes, (unsigned long long)r->blocks, kind_words[r->kind], index,
			 count);
	else
		snprintf(text, sizeof(text), "%llu bytes in %llu blocks are %s in loss record %zu of %zu",
			 (unsigned long long)r->bytes, (unsigned long long)r->blocks, kind_words[r->kind], index, count);
	fprintf(out, "<error>\n  <unique>0x%zx</unique>\n  <tid>1</tid>\n  <kind>%s</kind>\n  <xwhat>\n", index - 1,
		kinds[r->kind]);
	xml_element(out, "    ", "text", text);
	fprintf(out, "    <leakedbytes>%llu</leakedbytes>\n    <leakedblocks>%llu</leakedblocks>\n  </xwhat>\n",
		(unsigned long long)(r->bytes + r->indirect_bytes), (unsigned long long)r->blocks);
	fputs("  <stack>\n", out);
	const struct trace_stack *st = stack_of(t, r->stack);
	for (uint32_t i = 0; st && i < st->frame_count; i++) {
		const struct sym_frame *f = symbolizer_lookup(sym, st->frames[i]);
		xml_frame(out, t, st->frames[i], f);
		if (f->function && !strcmp(f->function, "main"))
			break; /* as Memcheck, nothing below main */
	}
	fputs("  </stack>\n</error>\n", out);
}

void leak_write_xml(FILE *out, const struct trace *t, const struct trace_leak_check *c, struct symbolizer *sym,
		    unsigned kinds, char *const *argv)
{
	fputs("<?xml version=\"1.0\"?>\n\n<valgrindoutput>\n\n<protocolversion>4</protocolversion>\n"
	      "<protocoltool>memcheck</protocoltool>\n\n<preamble>\n", out);
	xml_element(out, "  ", "line", "leakhound run --leak-check, Memcheck's leak categories");
	fputs("  <line>Command:", out);
	for (char *const *a = argv; *a; a++) {
		fputc(' ', out);
		xml_text(out, *a);
	}
	fputs("</line>\n</preamble>\n\n", out);
	fprintf(out, "<pid>%llu</pid>\n<ppid>%ld</ppid>\n<tool>memcheck</tool>\n\n<args>\n  <vargv>\n    <exe>leakhound</exe>\n"
		     "  </vargv>\n  <argv>\n", (unsigned long long)t->pid, (long)getpid());
	for (char *const *a = argv; *a; a++)
		xml_element(out, "    ", a == argv ? "exe" : "arg", *a);
	fputs("  </argv>\n</args>\n\n<status>\n  <state>RUNNING</state>\n  <time>00:00:00:00.000 </time>\n</status>\n\n", out);
	if (c) {
		struct lh_rec_loss *r = sorted_records(c);
		for (size_t i = 0; i < c->record_count; i++)
			if (kinds & LEAK_KIND_BIT(r[i].kind))
				xml_record(out, t, &r[i], i + 1, c->record_count, sym);
		free(r);
	}
	uint64_t ns = t->snapshot_count ? t->snapshots[t->snapshot_count - 1].time_ns : 0;
	fprintf(out, "\n<status>\n  <state>FINISHED</state>\n  <time>%02llu:%02llu:%02llu:%02llu.%03llu </time>\n</status>\n\n",
		(unsigned long long)(ns / 86400000000000ull), (unsigned long long)(ns / 3600000000000ull % 24),
		(unsigned long long)(ns / 60000000000ull % 60), (unsigned long long)(ns / 1000000000ull % 60),
		(unsigned long long)(ns / 1000000ull % 1000));
	fputs("<errorcounts>\n</errorcounts>\n\n<suppcounts>\n</suppcounts>\n\n</valgrindoutput>\n\n", out);
}
