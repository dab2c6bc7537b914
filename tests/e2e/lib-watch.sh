# Helpers for the watch tests (t60xx); source after lib.sh.
#   watch_service NAME KIND PER_TICK MS [ADDON [LEAKHOUND OPTIONS...]]
# runs tests/e2e/watch/service.js under `leakhound watch --json`; the
# verdict goes to $TEST_TMP/NAME.json, the service's log to $TEST_TMP/NAME.log,
# leakhound's exit status to $watch_status.
command -v node >/dev/null || skip "node is not installed"
[ -d /usr/include/node ] || skip "Node's headers are not in /usr/include/node"
WATCH_DIR="$LEAKHOUND_ROOT/tests/e2e/watch"
CHECK="$WATCH_DIR/check.js"
export CHECK

watch_service() {
	local name=$1 kind=$2 per=$3 ms=$4 addon=${5:-}
	shift $(($# < 5 ? $# : 5))
	watch_status=0
	"$LEAKHOUND" watch --json --quiet -o "$TEST_TMP/$name" "$@" -- \
		node "$WATCH_DIR/service.js" "$kind" "$per" "$ms" "$TEST_TMP/$name.log" $addon \
		>"$TEST_TMP/$name.json" 2>"$TEST_TMP/$name.err" || watch_status=$?
	[ -s "$TEST_TMP/$name.json" ] || fail "watch printed no verdict (exit $watch_status): $(head -c 600 "$TEST_TMP/$name.err")"
}

# build_addon NAME SOURCE: builds a N-API addon into $TEST_TMP/NAME.node.
build_addon() {
	gcc -O1 -g -fPIC -shared -I/usr/include/node -o "$TEST_TMP/$1.node" "$2" || fail "the addon $2 does not build"
}
