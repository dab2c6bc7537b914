/*
 * symbolize.c - see symbolize.h.
 *
 * Each module's ELF symbol table is read once into an array sorted by
 * address and binary-searched: libdwfl's dwfl_module_addrinfo scans every
 * symbol at each call, and node's executable (no DWARF, 100k+ symbols) made
 * that most of report's time (2.6 s on a few-MB node trace). DWARF lookups
 * stay libdw's; callers that only need to know whether a frame is in the
 * runtime ask symbolizer_is_runtime(), which reads the trace's module list
 * and no debug information.
 */
#include "symbolize.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <dlfcn.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <libelf.h>
#include <dwarf.h>
#include <unistd.h>

#include "../common/strmap.h"

struct cached {
	uint64_t addr;      /* 0: empty slot */
	struct sym_frame *frame; /* its own allocation, so results never move */
};

/* A function symbol of a module: [start, end) at run-time addresses. */
struct func_symbol {
	uint64_t start, end;
	const char *name;
	int rank;                 /* binding: 0 global, 1 weak, 2 local (libdwfl's preference at one address) */
};

/* A module's function symbols, sorted by start (then rank). */
struct module_symbols {
	Dwfl_Module *mod;
	struct func_symbol *syms;
	size_t count;
};

struct symbolizer {
	const struct trace *trace;
	struct module_symbols *modsyms;
	size_t modsym_count, modsym_cap;
	Dwfl *dwfl;
	struct strmap strings;
	struct cached *cache;
	size_t cache_cap, cache_count;
	char *(*demangle)(const char *, char *, size_t *, int *);
	void *libstdcxx;
	struct jit_symbol { uint64_t start, end; char *name; } *jit; /* V8's perf map, by start */
	size_t jit_count;
	struct sym_stale *stale;
	size_t stale_count;
};

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static bool is_runtime_module(const char *name)
{
	static const char *const prefixes[] = {
		"libc.so", "ld-linux", "libstdc++.so", "libleakhound-preload", "libunwind", "libgcc_s", "libc++",
	};
	for (size_t i = 0; i < LH_ARRAY_LEN(prefixes); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static int by_start(const void *a, const void *b)
{
	const struct jit_symbol *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

/*
 * Reads /tmp/perf-PID.map, which node writes under `run --js-frames`: a line
 * "START SIZE NAME" (hex, hex, text) per JIT-compiled or interpreted JS
 * function. Only for a trace made with --js-frames, and only a regular
 * file (no symlink) owned by the tracked program's user: /tmp is anyone's,
 * and a FIFO or a device planted there would hang or flood the reader. A
 * missing or odd file just leaves JS frames unnamed.
 */
static void load_perf_map(struct symbolizer *s, const struct trace *t)
{
	char path[64];
	if (!t->js_frames)
		return;
	snprintf(path, sizeof(path), "/tmp/perf-%llu.map", (unsigned long long)t->pid);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != t->uid) {
		close(fd);
		return;
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return;
	}
	size_t cap = 0;
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		char *end;
		uint64_t start = strtoull(line, &end, 16);
		uint64_t size = strtoull(end, &end, 16);
		while (*end == ' ')
			end++;
		end[strcspn(end, "\n")] = '\0';
		if (!size || !*end || start + size < start)
			continue;
		lh_grow((void **)&s->jit, &cap, s->jit_count + 1, sizeof(*s->jit));
		s->jit[s->jit_count++] = (struct jit_symbol){ start, start + size, lh_strdup(end) };
	}
	fclose(f);
	if (s->jit_count)
		qsort(s->jit, s->jit_count, sizeof(*s->jit), by_start);
}

/* The JS function whose code holds pc (the latest one mapped there: V8 reuses code space), or NULL. */
static const char *jit_function(const struct symbolizer *s, uint64_t pc)
{
	size_t lo = 0, hi = s->jit_count;
	while (lo < hi) { /* the first entry starting after pc */
		size_t mid = lo + (hi - lo) / 2;
		if (s->jit[mid].start <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && pc < s->jit[lo - 1].end ? s->jit[lo - 1].name : NULL;
}

/* The GNU build-id of the ELF file at path (libdwelf), or -1. */
static ssize_t file_build_id(const char *path, const void **id, Elf **elf, int *fd)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	*elf = *fd >= 0 ? elf_begin(*fd, ELF_C_READ_MMAP, NULL) : NULL;
	return *elf ? dwelf_elf_gnu_build_id(*elf, id) : -1;
}

/*
 * Why the file at m's path is not the one that ran, or NULL: gone, or its
 * build-id (when the process's had one), else its size or mtime, differs
 * from what the trace recorded.
 */
static const char *file_changed(const struct trace_module *m)
{
	if (!m->file_known || m->path[0] != '/')
		return NULL; /* nothing to compare (an older trace), or not a file (the vDSO) */
	struct stat st;
	if (stat(m->path, &st) != 0)
		return "the file is gone";
	if (m->build_id_len) {
		const void *id = NULL;
		Elf *elf;
		int fd;
		ssize_t len = file_build_id(m->path, &id, &elf, &fd);
		bool same = len == (ssize_t)m->build_id_len && !memcmp(id, m->build_id, m->build_id_len);
		if (elf)
			elf_end(elf);
		if (fd >= 0)
			close(fd);
		return same ? NULL : "its build-id differs";
	}
	uint64_t mtime = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
	return (uint64_t)st.st_size != m->file_size || mtime != m->file_mtime_ns ? "no build-id, and its size or time differs" : NULL;
}

/* Reports to libdwfl the modules whose files are the ones that ran; lists the others. */
static void report_modules(struct symbolizer *s, const struct trace *t)
{
	size_t cap = 0;
	elf_version(EV_CURRENT);
	dwfl_report_begin(s->dwfl);
	for (size_t i = 0; i < t->module_count; i++) {
		const struct trace_module *m = &t->modules[i];
		const char *why = file_changed(m);
		if (why) {
			lh_grow((void **)&s->stale, &cap, s->stale_count + 1, sizeof(*s->stale));
			s->stale[s->stale_count++] = (struct sym_stale){ m->path, why };
		} else if (access(m->path, R_OK) == 0) { /* not the vDSO, nor a file deleted since */
			dwfl_report_elf(s->dwfl, base_name(m->path), m->path, -1, m->bias, false);
		}
	}
	dwfl_report_end(s->dwfl, NULL, NULL);
}

struct symbolizer *symbolizer_new(const struct trace *t)
{
	struct symbolizer *s = lh_calloc(1, sizeof(*s));
	s->trace = t;
	s->dwfl = dwfl_begin(&offline_callbacks);
	if (s->dwfl)
		report_modules(s, t);
	s->libstdcxx = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
	if (s->libstdcxx)
		*(void **)&s->demangle = dlsym(s->libstdcxx, "__cxa_demangle");
	s->cache_cap = 1024;
	s->cache = lh_calloc(s->cache_cap, sizeof(*s->cache));
	load_perf_map(s, t);
	return s;
}

static const char *intern(struct symbolizer *s, const char *str)
{
	if (!str)
		return NULL;
	uint32_t id = strmap_intern(&s->strings, str); /* may move names[]: index after */
	return s->strings.names[id];
}

static const char *demangled(struct symbolizer *s, const char *name)
{
	if (!name || !s->demangle || name[0] != '_' || name[1] != 'Z')
		return intern(s, name);
	int status = -1;
	char *d = s->demangle(name, NULL, NULL, &status);
	const char *out = intern(s, status == 0 && d ? d : name);
	free(d);
	return out;
}

static int by_symbol_start(const void *a, const void *b)
{
	const struct func_symbol *x = a, *y = b;
	if (x->start != y->start)
		return (x->start > y->start) - (x->start < y->start);
	return (x->rank > y->rank) - (x->rank < y->rank);
}

/* The sorted function symbols of mod, read on first use. */
static const struct module_symbols *module_symbols(struct symbolizer *s, Dwfl_Module *mod)
{
	for (size_t i = 0; i < s->modsym_count; i++)
		if (s->modsyms[i].mod == mod)
			return &s->modsyms[i];
	lh_grow((void **)&s->modsyms, &s->modsym_cap, s->modsym_count + 1, sizeof(*s->modsyms));
	struct module_symbols *m = &s->modsyms[s->modsym_count++];
	*m = (struct module_symbols){ mod, NULL, 0 };
	int n = dwfl_module_getsymtab(mod);
	size_t cap = 0;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
		int type = GELF_ST_TYPE(sym.st_info), bind = GELF_ST_BIND(sym.st_info);
		if (!name || !*name || sym.st_size == 0 || (type != STT_FUNC && type != STT_GNU_IFUNC))
			continue;
		lh_grow((void **)&m->syms, &cap, m->count + 1, sizeof(*m->syms));
		m->syms[m->count++] = (struct func_symbol){ addr, addr + sym.st_size, name,
							    bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2 };
	}
	if (m->count)
		qsort(m->syms, m->count, sizeof(*m->syms), by_symbol_start);
	return m;
}

/* The function symbol holding pc, by binary search; NULL if none (then libdwfl's own lookup decides). */
static const char *symtab_function(struct symbolizer *s, Dwfl_Module *mod, uint64_t pc)
{
	const struct module_symbols *m = module_symbols(s, mod);
	size_t lo = 0, hi = m->count;
	while (lo < hi) { /* the first symbol starting after pc */
		size_t mid = lo + (hi - lo) / 2;
		if (m->syms[mid].start <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Back over the symbols starting at or before pc: the nearest that holds it, the preferred of its address. */
	for (size_t i = lo, tries = 0; i > 0 && tries < 16; i--, tries++) {
		const struct func_symbol *f = &m->syms[i - 1];
		if (pc < f->end) {
			while (i > 1 && m->syms[i - 2].start == f->start)
				f = &m->syms[--i - 1];
			return f->name;
		}
	}
	return NULL;
}

/* The innermost function (inlined or not) at pc from DWARF, or NULL. */
static const char *dwarf_function(Dwfl_Module *mod, Dwarf_Addr pc)
{
	Dwarf_Addr bias;
	Dwarf_Die *cu = dwfl_module_addrdie(mod, pc, &bias);
	if (!cu)
		return NULL;
	Dwarf_Die *scopes = NULL;
	int n = dwarf_getscopes(cu, pc - bias, &scopes);
	const char *name = NULL;
	for (int i = 0; i < n && !name; i++) {
		int tag = dwarf_tag(&scopes[i]);
		if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine)
			continue;
		Dwarf_Attribute attr;
		if (dwarf_attr_integrate(&scopes[i], DW_AT_linkage_name, &attr) ||
		    dwarf_attr_integrate(&scopes[i], DW_AT_MIPS_linkage_name, &attr))
			name = dwarf_formstring(&attr);
		if (!name)
			name = dwarf_diename(&scopes[i]);
	}
	free(scopes);
	return name;
}

static void resolve(struct symbolizer *s, uint64_t ret, struct sym_frame *f)
{
	uint64_t pc = ret ? ret - 1 : 0; /* inside the call instruction */
	memset(f, 0, sizeof(*f));
	const struct trace_module *tm = trace_module_of(s->trace, pc);
	if (tm) {
		f->module = intern(s, base_name(tm->path));
		f->module_offset = pc - tm->bias;
		f->runtime = is_runtime_module(f->module);
	}
	Dwfl_Module *mod = s->dwfl ? dwfl_addrmodule(s->dwfl, pc) : NULL;
	if (!mod) {
		f->function = tm ? NULL : intern(s, jit_function(s, pc));
		if (f->function)
			f->module = intern(s, "[JIT]");
		return;
	}
	const char *name = dwarf_function(mod, pc);
	if (!name)
		name = symtab_function(s, mod, pc);
	if (!name) {
		GElf_Off off;
		GElf_Sym sym;
		name = dwfl_module_addrinfo(mod, pc, &off, &sym, NULL, NULL, NULL);
	}
	f->function = demangled(s, name);
	Dwfl_Line *line = dwfl_module_getsrc(mod, pc);
	if (line) {
		int lineno = 0;
		const char *file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
		if (file && lineno > 0) {
			f->file = intern(s, file);
			f->line = (unsigned)lineno;
		}
	}
}

static size_t slot_of(const struct symbolizer *s, uint64_t addr)
{
	uint64_t h = addr * 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 20) & (s->cache_cap - 1);
}

const struct sym_frame *symbolizer_lookup(struct symbolizer *s, uint64_t ret)
{
	uint64_t key = ret + 1; /* 0 marks an empty slot */
	size_t i = slot_of(s, key);
	while (s->cache[i].addr) {
		if (s->cache[i].addr == key)
			return s->cache[i].frame;
		i = (i + 1) & (s->cache_cap - 1);
	}
	if (2 * (s->cache_count + 1) > s->cache_cap) {
		struct cached *old = s->cache;
		size_t old_cap = s->cache_cap;
		s->cache_cap *= 2;
		s->cache = lh_calloc(s->cache_cap, sizeof(*s->cache));
		for (size_t j = 0; j < old_cap; j++) {
			if (!old[j].addr)
				continue;
			size_t k = slot_of(s, old[j].addr);
			while (s->cache[k].addr)
				k = (k + 1) & (s->cache_cap - 1);
			s->cache[k] = old[j];
		}
		free(old);
		i = slot_of(s, key);
		while (s->cache[i].addr)
			i = (i + 1) & (s->cache_cap - 1);
	}
	s->cache[i].addr = key;
	s->cache[i].frame = lh_malloc(sizeof(struct sym_frame));
	resolve(s, ret, s->cache[i].frame);
	s->cache_count++;
	return s->cache[i].frame;
}

bool symbolizer_is_runtime(struct symbolizer *s, uint64_t ret)
{
	const struct trace_module *tm = trace_module_of(s->trace, ret ? ret - 1 : 0);
	return tm && is_runtime_module(base_name(tm->path));
}

const char *symbolizer_build_id(struct symbolizer *s, const struct trace_module *m)
{
	Dwfl_Module *mod = s->dwfl && m->hi > m->lo ? dwfl_addrmodule(s->dwfl, m->lo) : NULL;
	const char *name = mod ? dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL) : NULL;
	if (!name || strcmp(name, base_name(m->path)) != 0)
		return NULL;
	const unsigned char *bits;
	GElf_Addr vaddr;
	int len = dwfl_module_build_id(mod, &bits, &vaddr);
	if (len <= 0)
		return NULL;
	char hex[2 * 64 + 1];
	int n = LH_MIN(len, 64);
	for (int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", bits[i]);
	return intern(s, hex);
}

const struct sym_stale *symbolizer_stale(const struct symbolizer *s, size_t *count)
{
	*count = s->stale_count;
	return s->stale;
}

void symbolizer_free(struct symbolizer *s)
{
	if (!s)
		return;
	free(s->stale);
	if (s->dwfl)
		dwfl_end(s->dwfl);
	if (s->libstdcxx)
		dlclose(s->libstdcxx);
	strmap_free(&s->strings);
	for (size_t i = 0; i < s->modsym_count; i++)
		free(s->modsyms[i].syms);
	free(s->modsyms);
	for (size_t i = 0; i < s->jit_count; i++)
		free(s->jit[i].name);
	free(s->jit);
	for (size_t i = 0; i < s->cache_cap; i++)
		free(s->cache[i].frame);
	free(s->cache);
	free(s);
}

void sym_frame_text(char *buf, size_t size, const struct sym_frame *f)
{
	if (!f)
		snprintf(buf, size, "(no stack)");
	else if (f->function && f->file)
		snprintf(buf, size, "%s (%s:%u)", f->function, f->file, f->line);
	else if (f->function)
		snprintf(buf, size, "%s (%s)", f->function, f->module ? f->module : "?");
	else
		snprintf(buf, size, "%s+%#llx", f->module ? f->module : "?", (unsigned long long)f->module_offset);
}
