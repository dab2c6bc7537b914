/*
 * symbolize.h - names for the return addresses of a trace: function,
 * file:line and module, with elfutils' libdwfl.
 *
 * Every module the trace recorded (the executable, each shared object,
 * ones dlopen'd later included) is reported to libdwfl at its recorded
 * load bias, so a module's DWARF (in the file, or found by build-id under
 * /usr/lib/debug) gives the innermost function (inlined ones included) and
 * file:line. Without DWARF the ELF symbol tables (.symtab, .dynsym) still
 * name the function; with no symbol either, the frame is module+offset.
 * C++ names are demangled with libstdc++'s __cxa_demangle when that
 * library can be loaded (optional: leakhound does not link it). Frames in
 * no module are JIT code: with node's perf map (/tmp/perf-PID.map, written
 * under `run --js-frames`) they get the JS function's name and script.
 *
 * The modules must still be on disk at the same paths (report on the
 * machine that ran the program, before upgrading it). A module whose file
 * is not the one that ran (the trace records each one's build-id, size
 * and mtime) is left out, so its frames are module+offset rather than
 * another build's lines; symbolizer_stale() lists them.
 */
#ifndef LH_TRACE_SYMBOLIZE_H
#define LH_TRACE_SYMBOLIZE_H

#include "trace_reader.h"

struct sym_frame {
	const char *function;   /* NULL when unknown */
	const char *file;       /* NULL when there is no line information */
	unsigned line;
	const char *module;     /* the module's file name (no folder), NULL outside every module */
	uint64_t module_offset; /* the address minus the module's load bias */
	bool runtime;           /* in libc, ld.so, the C++ runtime or leakhound itself */
};

/* "function (file:line)", "function (module)", "module+0x1234", or "(no stack)" for NULL. */
void sym_frame_text(char *buf, size_t size, const struct sym_frame *f);

struct symbolizer;

/* Never fails: modules that cannot be opened just leave their frames unnamed. */
struct symbolizer *symbolizer_new(const struct trace *t);
/*
 * The names for a frame (a return address, as recorded). The result and
 * its strings live as long as the symbolizer; repeated addresses are
 * looked up once.
 */
const struct sym_frame *symbolizer_lookup(struct symbolizer *s, uint64_t return_address);
/*
 * The GNU build-id of a module of the trace in hex, read from the file at
 * its recorded path; NULL when the file is gone, replaced by another
 * (a different name at that address) or has none. Lives as long as s.
 */
const char *symbolizer_build_id(struct symbolizer *s, const struct trace_module *m);
/* A module whose file on disk is not the one that ran: its frames are left unnamed. */
struct sym_stale {
	const char *path;       /* the trace's */
	const char *why;        /* "the file is gone", "its build-id differs", ... (static) */
};
const struct sym_stale *symbolizer_stale(const struct symbolizer *s, size_t *count);
/* symbolizer_lookup(s, ret)->runtime without resolving the frame (no debug information read). */
bool symbolizer_is_runtime(struct symbolizer *s, uint64_t return_address);
void symbolizer_free(struct symbolizer *s);

#endif
