#!/bin/sh
# Record `veil scan` output (findings and redacted events) of a veil binary on the dev corpus,
# the held-out sets and the fuzz corpora, to compare two builds byte for byte.
#
#   go build -o /tmp/veil-before ./cmd/veil && rules/testdata/behaviour/record.sh /tmp/veil-before /tmp/out-before
#   ... change the engine ...
#   go build -o /tmp/veil-after ./cmd/veil && rules/testdata/behaviour/record.sh /tmp/veil-after /tmp/out-after
#   diff -r /tmp/out-before /tmp/out-after && echo identical
set -eu
bin=$1
out=$2
here=$(dirname "$0")
rules=$here/../..
mkdir -p "$out"
python3 "$here/fuzzinput.py" > "$out/fuzz.input.jsonl"
for set in dev:$rules/../../shared/corpus/dev.jsonl heldout:$rules/testdata/heldout/heldout.jsonl \
	heldout2:$rules/testdata/heldout2/heldout2.jsonl fuzz:$out/fuzz.input.jsonl; do
	name=${set%%:*}
	in=${set#*:}
	if [ ! -f "$in" ]; then
		echo "missing $in" >&2
		exit 1
	fi
	"$bin" scan -in "$in" > "$out/$name.findings.jsonl"
	"$bin" scan -redact -in "$in" > "$out/$name.redacted.jsonl"
	# The same events again with the locale removed, so the locale-free path is covered too.
	python3 -c 'import json,sys
for l in sys.stdin:
    e=json.loads(l); e["locale"]=""; print(json.dumps(e, ensure_ascii=False))' < "$in" > "$out/$name.nolocale.input.jsonl"
	"$bin" scan -in "$out/$name.nolocale.input.jsonl" > "$out/$name.nolocale.findings.jsonl"
done
wc -l "$out"/*.findings.jsonl
