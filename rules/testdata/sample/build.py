#!/usr/bin/env python3
"""Build sample.jsonl, Veil's own small labelled sample, from sample.src.

  python3 rules/testdata/sample/build.py          # rewrites sample.jsonl beside this script

sample.src holds one event a line, LOCALE<TAB>BODY or LOCALE<TAB>SUBJECT<TAB>BODY, with
[[TYPE|value]] around each labelled span and \\n for a line break. Every sentence, name and
value in it was written for this repository. The script refuses a card number that fails Luhn,
a BSN that fails the 11-proof, an IBAN that fails mod-97 and an unknown type, so a label is
never a typo. Offsets in the output are UTF-8 byte offsets, end exclusive, as in the corpus.
"""
import hashlib
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checksums import bsn_ok, iban_ok, luhn  # noqa: E402

TYPES = {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "NL_BSN", "US_SSN", "IP_ADDRESS",
         "PASSWORD", "API_KEY", "PERSON", "ADDRESS", "DATE_OF_BIRTH"}
MARK = re.compile(r"\[\[([A-Z_]+)\|(.+?)\]\]")


def check(typ, value):
    d = re.sub(r"[^0-9A-Za-z]", "", value)
    if typ == "CREDIT_CARD":
        return d.isdigit() and 13 <= len(d) <= 19 and luhn(d)
    if typ == "NL_BSN":
        return d.isdigit() and bsn_ok(d)
    if typ == "IBAN_CODE":
        return iban_ok(d)
    return True


def field(text, where):
    """returns the text without marks and its spans (byte offsets)"""
    out, spans, pos = [], [], 0
    text = text.replace("\\n", "\n")
    for m in MARK.finditer(text):
        typ, value = m.group(1), m.group(2)
        if typ not in TYPES:
            sys.exit(f"{where}: unknown type {typ}")
        if not check(typ, value):
            sys.exit(f"{where}: {typ} fails its checksum")
        out.append(text[pos:m.start()])
        start = len("".join(out).encode())
        out.append(value)
        spans.append((start, start + len(value.encode()), typ, value))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), spans


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    events = []
    with open(os.path.join(here, "sample.src"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) not in (2, 3):
                sys.exit(f"sample.src:{n}: want LOCALE<TAB>[SUBJECT<TAB>]BODY")
            ev = {"event_id": "sample-%03d-%s" % (len(events) + 1, hashlib.sha1(line.encode()).hexdigest()[:8]),
                  "locale": parts[0]}
            spans = []
            for name, text in zip(("subject", "body") if len(parts) == 3 else ("body",), parts[1:]):
                ev[name], sp = field(text, f"sample.src:{n}")
                spans += [{"field": name, "start": s, "end": e, "type": t, "text": v} for s, e, t, v in sp]
            ev["spans"] = spans
            events.append(ev)
    with open(os.path.join(here, "sample.jsonl"), "w", encoding="utf-8") as f:
        for ev in events:
            f.write(json.dumps(ev, ensure_ascii=False) + "\n")
    print(f"{len(events)} events, {sum(len(e['spans']) for e in events)} spans", file=sys.stderr)


if __name__ == "__main__":
    main()
