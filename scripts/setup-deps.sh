#!/usr/bin/env bash
# Installs the Debian packages leakhound needs to build, test and fuzz, and only
# those that are missing, so a machine that has them all is left untouched.
# usage: scripts/setup-deps.sh [--tests]   (--tests: also Chromium and the test oracles' npm packages)
set -euo pipefail

packages=(
	gcc g++ make pkg-config     # build, and the example/test addons built against /usr/include/node
	zlib1g-dev                  # gzip'd snapshots
	libisal-dev                 # ISA-L's igzip: gzip'd snapshots inflated ~3x faster than zlib (optional at build time)
	libsodium-dev               # redact: keyed hashing (BLAKE2b)
	libunwind-dev libdw-dev     # native tracker: stack capture (preload library), symbolization (report)
	libcmocka-dev               # unit tests
	valgrind                    # "leakhound leaks nothing" test
	clang libclang-rt-14-dev    # libFuzzer target, sanitizers in CI
	time                        # /usr/bin/time -v in bench/
)

# With --tests: a browser, for the tests on browser heaps (t2030, t3050), and Go for its pprof
# (t4100 reads report --format pprof with go tool pprof). Wanted, not required: if they cannot be
# installed, those tests say so and skip.
wanted=()
# And the other allocators t4570 runs programs linked with (jemalloc, tcmalloc, mimalloc).
[ "${1:-}" = "--tests" ] && wanted+=(chromium golang-go libjemalloc-dev libgoogle-perftools-dev libmimalloc-dev)

is_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}
missing=() missing_wanted=()
for p in "${packages[@]}"; do is_installed "$p" || missing+=("$p"); done
for p in "${wanted[@]}"; do is_installed "$p" || missing_wanted+=("$p"); done

if [ $((${#missing[@]} + ${#missing_wanted[@]})) -gt 0 ]; then
	sudo=""
	[ "$(id -u)" -ne 0 ] && sudo="sudo"
	$sudo apt-get update -qq
	if [ ${#missing[@]} -gt 0 ]; then
		echo "setup: installing ${missing[*]}" >&2
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
	# One at a time: a wanted package that cannot be installed must not keep the others out.
	for p in "${missing_wanted[@]}"; do
		echo "setup: installing $p" >&2
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$p" >/dev/null ||
			echo "setup: could not install $p; the tests that need it will skip" >&2
	done
fi

command -v node >/dev/null || { echo "setup: node (20.x) is required for the tests and is not on PATH" >&2; exit 1; }
[ -f /usr/include/node/node.h ] || { echo "setup: Node.js headers (/usr/include/node) are required" >&2; exit 1; }

# With --tests: the test oracles' npm packages (DevTools' heap snapshot code, memlab), pinned by
# their lock files. `make demo` does not need them.
[ "${1:-}" = "--tests" ] || exit 0
root=$(cd "$(dirname "$0")/.." && pwd)
for oracle in "$root/tests/oracles/devtools" "$root/tests/oracles/memlab"; do
	if [ -f "$oracle/package-lock.json" ] && [ ! -d "$oracle/node_modules" ]; then
		echo "setup: npm ci in ${oracle#"$root"/}" >&2
		(cd "$oracle" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	fi
done
