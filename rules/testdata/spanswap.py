"""Shared by nameswap.py and valueswap.py: rewrite the gold spans of a labelled corpus."""
import json


def rewrite_corpus(path, fn):
    """Print each event of the JSON-lines corpus at path with the text of every gold span replaced by
    fn(span_type, text); the fields and the span offsets (UTF-8 bytes) are rebuilt to match."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            ev = json.loads(line)
            for field in ("body", "subject"):
                if ev.get(field):
                    rewrite_field(ev, field, fn)
            print(json.dumps(ev, ensure_ascii=False))


def rewrite_field(ev, field, fn):
    src = ev[field].encode()
    spans = sorted((s for s in ev["spans"] if s.get("field", "body") == field), key=lambda s: s["start"])
    out, pos, kept = b"", 0, []
    for s in spans:
        out += src[pos:s["start"]]
        text = fn(s["type"], src[s["start"]:s["end"]].decode())
        ns = dict(s, start=len(out), text=text)
        out += text.encode()
        ns["end"] = len(out)
        kept.append(ns)
        pos = s["end"]
    ev[field] = (out + src[pos:]).decode()
    ev["spans"] = [s for s in ev["spans"] if s.get("field", "body") != field] + kept
