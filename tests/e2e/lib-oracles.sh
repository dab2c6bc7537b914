# How the tests run the per-node oracles (DevTools' worker, memlab): where
# they are, and how an oracle's first run is treated. Source it after lib.sh;
# it sets `oracles`.
oracles="$LEAKHOUND_ROOT/tests/oracles"
# first_oracle_run PACKAGE_DIR CMD...: an oracle's first run, which installs its
# pinned npm packages if they are missing: if that could not be done (no npm,
# no registry), the test is skipped; any other failure fails it.
first_oracle_run() {
	local packages=$1
	shift
	"$@" && return 0
	[ -d "$packages" ] || skip "the oracle's npm packages could not be installed (no $packages)"
	fail "the oracle failed: $*"
}
