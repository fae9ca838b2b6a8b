#!/usr/bin/env python3
"""Turn the fuzz corpora of rules/ into `veil scan` input (JSONL events), one event per input.

  python3 rules/testdata/behaviour/fuzzinput.py > /tmp/fuzz.jsonl

Inputs: the seed strings of FuzzDetect and FuzzRender in rules/fuzz_test.go and the saved
corpus files under rules/testdata/fuzz/ (format "go test fuzz v1"). A FuzzDetect entry carries
its own locale; every text is also emitted once per locale in LOCALES so the locale paths run.
Invalid UTF-8 is written with U+FFFD, as the JSON decoder of veil scan would read it anyway.
"""
import glob
import json
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
LOCALES = ["", "nl-NL", "en-GB", "en-US"]
ESC = {"n": 10, "t": 9, "r": 13, '"': 34, "\\": 92, "'": 39, "a": 7, "b": 8, "f": 12, "v": 11}


def go_string(lit):
    """Decode a Go interpreted string literal body (without quotes) to bytes."""
    out = bytearray()
    i = 0
    while i < len(lit):
        c = lit[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        k = lit[i + 1]
        if k == "x":
            out.append(int(lit[i + 2:i + 4], 16))
            i += 4
        elif k in "uU":
            n = 4 if k == "u" else 8
            out += chr(int(lit[i + 2:i + 2 + n], 16)).encode()
            i += 2 + n
        elif k in "01234567":
            out.append(int(lit[i + 1:i + 4], 8))
            i += 4
        else:
            out.append(ESC[k])
            i += 2
    return bytes(out)


LIT = re.compile(r'"((?:[^"\\]|\\.)*)"')


def seeds():
    src = open(os.path.join(ROOT, "fuzz_test.go"), encoding="utf-8").read()
    for fn in ("FuzzDetect", "FuzzRender"):
        body = src.split("func " + fn, 1)[1]
        block = body.split("range []string{", 1)[1].split("} {", 1)[0]
        for m in LIT.finditer(block):
            yield fn, [go_string(m.group(1))]


def corpus():
    for path in sorted(glob.glob(os.path.join(ROOT, "testdata", "fuzz", "*", "*"))):
        fn = os.path.basename(os.path.dirname(path))
        vals = []
        for line in open(path, encoding="utf-8").read().splitlines()[1:]:
            m = re.fullmatch(r'string\("((?:[^"\\]|\\.)*)"\)', line.strip())
            if m:
                vals.append(go_string(m.group(1)))
        yield fn, vals


def main():
    n = 0
    for fn, vals in list(seeds()) + list(corpus()):
        if not vals:
            continue
        text = vals[0].decode("utf-8", "replace")
        locales = list(LOCALES)
        if fn == "FuzzDetect" and len(vals) > 1:
            locales.insert(0, vals[1].decode("utf-8", "replace"))
        for loc in locales:
            ev = {"event_id": "fuzz-%04d" % n, "conversation_id": "fuzz", "locale": loc, "body": text}
            sys.stdout.write(json.dumps(ev, ensure_ascii=False) + "\n")
            n += 1


if __name__ == "__main__":
    main()
