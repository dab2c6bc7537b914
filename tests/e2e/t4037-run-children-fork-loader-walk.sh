#!/usr/bin/env bash
# t4037: `run --children` follows forked children of a process whose other
# threads walk the loader's list throughout (`fork_threads walk`:
# dl_iterate_phdr, as C++ exception unwinding and plugin loaders do), their
# callbacks allocating now and then. glibc does not reset that list's lock
# in a child, and a tracked child walks the list at its first allocation:
# no child may hang (before the preload library bracketed the program's
# walks, every run hung), and child k's own trace holds exactly its leak,
# 10 + k blocks of 100 bytes. Three runs, since a fork lands inside a walk
# only by chance.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native fork_threads fork_threads.c -pthread

for run in 1 2 3; do
	run_fork_threads walk
done
exit 0
