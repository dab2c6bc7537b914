# A tiny hand-written snapshot for the bad-input tests (t10xx), and how to
# find byte offsets in it; source after lib.sh.
export LC_ALL=C # ${#var} counts bytes

# A small valid snapshot (4 nodes, 3 edges, V8's layout): $meta, $base.
meta='{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],'
meta+='"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic",'
meta+='"concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number",'
meta+='"number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element",'
meta+='"property","internal","hidden","shortcut","weak"],"string_or_number","node"]}'
base='{"snapshot":{"meta":'"$meta"',"node_count":4,"edge_count":3,"trace_function_count":0},
"nodes":[9,1,1,0,2,0,0
,9,2,3,0,1,0,0
,3,3,5,32,0,0,0
,2,4,7,24,0,0,0],
"edges":[1,1,7
,2,5,21
,2,5,14],
"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[],
"strings":["<dummy>","","(GC roots)","Foo","hello","x"]}'

# offset TEXT NEEDLE: byte offset of the first NEEDLE in TEXT.
offset() {
	local prefix=${1%%"$2"*}
	[ "$prefix" != "$1" ] || fail "offset: '$2' not found"
	echo ${#prefix}
}

