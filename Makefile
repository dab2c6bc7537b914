# leakhound - build, test, demo, fuzz, bench.
#
#   make            build build/leakhound
#   make demo       install what is missing, build, and summarise the bundled snapshot
#   make test       install what is missing, build, run unit + end-to-end tests
#   make asan       the test suite under AddressSanitizer + UBSan (build-asan/)
#   make fuzz       a short libFuzzer run of the readers (FUZZ_SECONDS=60)
#   make bench      the benchmarks in bench/ (long: generates GB-sized snapshots)
#   make install    PREFIX=/usr/local DESTDIR=: the binary, what ships beside it, man pages, completion

BUILD ?= build
CC ?= gcc
CFLAGS ?= -O2 -g
override CFLAGS += -std=c17 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 -Wno-format-nonliteral -MMD -MP
LDLIBS += -lz -ldw -lelf -lsodium -pthread
# ISA-L's igzip inflates gzip'd snapshots ~3x faster than zlib; zlib stays the fallback
# (and is used with ISAL=0).
ISAL ?= $(if $(wildcard /usr/include/isa-l/igzip_lib.h),1,0)
ifeq ($(ISAL),1)
override CFLAGS += -DLH_HAVE_ISAL
LDLIBS += -lisal
endif
SANITIZE_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRC := $(wildcard src/common/*.c src/heap/*.c src/analysis/*.c src/report/*.c src/trace/*.c src/watch/*.c)
PRELOAD_SRC := $(wildcard src/native/*.c)
# The preload library is built apart from CFLAGS: never with sanitizers (make asan),
# which cannot run inside an arbitrary program.
PRELOAD_CFLAGS = -O2 -g -fPIC -std=c17 -D_GNU_SOURCE -Wall -Wextra -Wshadow -fvisibility=hidden
CLI_SRC := $(wildcard cli/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:%.c=$(BUILD)/%)

# Installed layout: what run (and other commands) load at run time lives in $(PKGLIBDIR), found
# from the binary as ../lib/leakhound/ (cli_find_lib_file), so the tree can move as a whole.
# A file that must ship next to the preload library (an agent, a helper) goes in PKGLIB_FILES.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
PKGLIBDIR ?= $(PREFIX)/lib/leakhound
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
PKGLIB_FILES = $(BUILD)/libleakhound-preload.so $(BUILD)/leakhound-agent.js $(BUILD)/leakhound-attach.js

.PHONY: all deps demo test unit asan fuzz bench clean man install uninstall
all: $(BUILD)/leakhound $(BUILD)/libleakhound-preload.so $(BUILD)/leakhound-agent.js $(BUILD)/leakhound-attach.js

# watch's agent, found next to the binary (/proc/self/exe) and loaded into node with --require.
$(BUILD)/leakhound-agent.js: src/watch/agent.js
	@mkdir -p $(dir $@)
	cp $< $@

# watch --pid's helper, which speaks the DevTools protocol to the running node.
$(BUILD)/leakhound-attach.js: src/watch/attach.js
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libleakhound.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/leakhound: $(CLI_OBJ) $(BUILD)/libleakhound.a
	$(CC) $(CFLAGS) $^ -o $@ $(LDFLAGS) $(LDLIBS)

$(BUILD)/libleakhound-preload.so: $(PRELOAD_SRC) $(wildcard src/native/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(PRELOAD_CFLAGS) -shared -Wl,-z,defs $(PRELOAD_SRC) -o $@ -lunwind -lm -lz

# Every unit test links the shared snapshot builder (not a test: no test_ prefix).
UNIT_BUILDER := tests/unit/snapshot_builder.c
$(BUILD)/tests/unit/%: tests/unit/%.c $(UNIT_BUILDER) $(UNIT_BUILDER:.c=.h) $(BUILD)/libleakhound.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(UNIT_BUILDER) $(BUILD)/libleakhound.a -o $@ $(LDFLAGS) -lcmocka $(LDLIBS)

deps:
	@bash scripts/setup-deps.sh

demo: deps
	@$(MAKE) --no-print-directory -s all >/dev/null
	@./$(BUILD)/leakhound summary examples/handle-scope-leak/leak.heapsnapshot.gz

unit: $(UNIT_BIN)

test:
	@bash scripts/setup-deps.sh --tests
	@$(MAKE) --no-print-directory all unit
	@LEAKHOUND_BUILD=$(BUILD) bash tests/run.sh

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan CFLAGS="-O1 -g $(SANITIZE_FLAGS)" LDFLAGS="$(SANITIZE_FLAGS)" test

FUZZ_SECONDS ?= 60
# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION: the trace reader takes any CRC, so inputs reach the records behind them.
FUZZ_FLAGS = -std=c17 -D_GNU_SOURCE -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -g -O1 -fsanitize=fuzzer,address,undefined
# The generators (fuzz/program.h) are not the code under test: optimised, and
# left out of the coverage that guides the fuzzer.
FUZZ_GEN_FLAGS = -std=c17 -D_GNU_SOURCE -g -O2 -Wall -Wextra
FUZZ_GEN_SRC = fuzz/program.c fuzz/generate_snapshot.c fuzz/generate_trace.c
fuzz: deps
	@mkdir -p $(BUILD)/fuzz/snapshot-corpus $(BUILD)/fuzz/trace-corpus
	for f in $(FUZZ_GEN_SRC); do clang $(FUZZ_GEN_FLAGS) -c $$f -o $(BUILD)/$${f%.c}.o || exit 1; done
	clang $(FUZZ_FLAGS) $(filter -D%,$(CFLAGS)) fuzz/fuzz_reader.c $(FUZZ_GEN_SRC:%.c=$(BUILD)/%.o) $(LIB_SRC) -o $(BUILD)/fuzz/fuzz_reader $(LDLIBS)
	clang $(FUZZ_FLAGS) $(filter -D%,$(CFLAGS)) fuzz/fuzz_trace.c $(FUZZ_GEN_SRC:%.c=$(BUILD)/%.o) $(LIB_SRC) -o $(BUILD)/fuzz/fuzz_trace $(LDLIBS)
	clang $(FUZZ_FLAGS) $(filter -D%,$(CFLAGS)) fuzz/fuzz_watch.c $(LIB_SRC) -o $(BUILD)/fuzz/fuzz_watch $(LDLIBS)
	$(BUILD)/fuzz/fuzz_reader -max_total_time=$$(( $(FUZZ_SECONDS) * 2 / 3 )) -max_len=65536 -timeout=10 \
		-dict=fuzz/heapsnapshot.dict $(BUILD)/fuzz/snapshot-corpus tests/data/snapshot-seeds
	$(BUILD)/fuzz/fuzz_trace -max_total_time=$$(( $(FUZZ_SECONDS) / 3 )) -max_len=65536 -timeout=10 \
		$(BUILD)/fuzz/trace-corpus tests/data/trace-seeds
	@mkdir -p $(BUILD)/fuzz/watch-corpus
	$(BUILD)/fuzz/fuzz_watch -max_total_time=$$(( $(FUZZ_SECONDS) / 6 + 1 )) -max_len=16384 -timeout=10 \
		$(BUILD)/fuzz/watch-corpus

# Man pages, generated from the commands' option tables by the binary itself.
man: $(BUILD)/leakhound
	@mkdir -p $(BUILD)/man
	$(BUILD)/leakhound --man-page >$(BUILD)/man/leakhound.1
	for c in $$($(BUILD)/leakhound --list-commands); do \
		[ $$c = help ] || $(BUILD)/leakhound $$c --man-page >$(BUILD)/man/leakhound-$$c.1 || exit 1; done

install: all man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(BUILD)/leakhound $(DESTDIR)$(BINDIR)/leakhound
	install -m 644 $(PKGLIB_FILES) $(DESTDIR)$(PKGLIBDIR)/
	install -m 644 $(BUILD)/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 scripts/leakhound-completion.bash $(DESTDIR)$(BASHCOMPDIR)/leakhound

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/leakhound $(DESTDIR)$(MANDIR)/man1/leakhound.1 $(DESTDIR)$(MANDIR)/man1/leakhound-*.1 \
		$(DESTDIR)$(BASHCOMPDIR)/leakhound
	rm -rf $(DESTDIR)$(PKGLIBDIR)

bench: all
	bash bench/summary.sh

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
