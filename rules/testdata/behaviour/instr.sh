#!/bin/sh
# Count the instructions Detect and DetectTurn execute per pass over the 400 messages of
# BenchmarkShort (rules/testdata/short/short.jsonl), under callgrind (valgrind), so two builds
# can be compared without the noise of a shared machine. Each argument is a test binary of
# ./rules, built with `go test -c`:
#
#   go test -c -o /tmp/new.test ./rules/ && rules/testdata/behaviour/instr.sh /tmp/old.test /tmp/new.test
#
# Only the instructions inside Engine.detectAll (what Detect runs; BenchmarkShort/veil) and
# inside Engine.turn (what DetectTurn runs: DetectTurn itself is inlined, so callgrind does not
# see it; BenchmarkConversationTurns) are counted, over 31 passes (the
# benchmark's first run of one pass, then 30), with the garbage collector off (its work would be
# counted in whichever call it interrupts). Other threads of the process (sysmon) may still be
# counted now and then, so each count is the least of three runs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
rules=$here/../..
bytes=$(python3 -c 'import json,sys
print(sum(len(json.loads(l)["text"].encode()) for l in open(sys.argv[1])))' "$rules/testdata/short/short.jsonl")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for bin in "$@"; do
	for m in 'detectAll Short$/veil' 'turn ConversationTurns'; do
		fn=${m%% *}
		bench=${m#* }
		ir=
		for run in 1 2 3; do
			(cd "$rules" && GOGC=off GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --toggle-collect="*rules.(*Engine).$fn" \
				--callgrind-out-file="$tmp/cg.out" "$bin" -test.run XXX -test.bench "$bench" -test.benchtime 30x >/dev/null 2>&1)
			n=$(callgrind_annotate "$tmp/cg.out" | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
			if [ -z "$ir" ] || [ "$n" -lt "$ir" ]; then
				ir=$n
			fi
		done
		python3 -c 'import sys
b, fn, ir, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
print("%s %-10s %9d instructions per pass, %.1f per byte" % (b, fn, ir / 31, ir / 31 / n))' "$bin" "$fn" "$ir" "$bytes"
	done
done
