#!/bin/sh
# Run BenchmarkShort of an old commit and of the work tree alternately in one session, so both
# see the same machine load, and print per side the median and best CPU nanoseconds per op
# (user+system time of the process: on a shared machine wall time mostly measures the wait for
# a core) and the ratios. The work tree's bench_short_test.go is copied into the old tree, so
# both run the same benchmark code on their own engine.
#
#   rules/testdata/behaviour/abbench.sh faa3d6f 8
#
# The old commit is unpacked with git archive into a temporary directory (no worktree is added
# to the repository). Both trees must contain rules/bench_short_test.go.
set -eu
old=$1
rounds=${2:-8}
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$root" archive "$old" | tar -x -C "$tmp"
cp "$root/rules/bench_short_test.go" "$tmp/rules/"
(cd "$tmp" && go test -c -o "$tmp/old.test" ./rules/)
(cd "$root" && go test -c -o "$tmp/new.test" ./rules/)
for r in $(seq "$rounds"); do
	for side in old new; do
		dir=$tmp
		[ "$side" = new ] && dir=$root
		(cd "$dir/rules" && "$tmp/$side.test" -test.run XXX -test.bench Short -test.count 1 -test.benchtime 0.5s) |
			sed -n "s/^BenchmarkShort\/\([a-z]*\)-[0-9]*.* \([0-9.]*\) cpu-ns\/op.*/$side \1 \2/p"
	done
done | tee "$tmp/results"
python3 - "$tmp/results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    side, bench, mbs = line.split()
    runs.setdefault((side, bench), []).append(float(mbs))
med = {k: statistics.median(v) for k, v in runs.items()}
best = {k: min(v) for k, v in runs.items()}
for k in sorted(med):
    print("%-4s %-6s cpu-ns/op median %11.0f best %11.0f over %d runs" % (k[0], k[1], med[k], best[k], len(runs[k])))
for name, m in (("median", med), ("best", best)):
    print("%-6s veil time new/old: %.3f   regexp/veil speed-up old: %.1fx new: %.1fx" % (
        name, m[("new", "veil")] / m[("old", "veil")],
        m[("old", "regexp")] / m[("old", "veil")], m[("new", "regexp")] / m[("new", "veil")]))
PY
