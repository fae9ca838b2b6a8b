#!/usr/bin/env python3
"""Rewrite a labelled corpus with person names the engine's lists do not hold.

Every name word inside a gold PERSON span (particles kept) is replaced, consistently per word, by a
name drawn from the rarest entries of the 1990 US Census name files that are in none of the lists in
rules/data/. Offsets are recomputed, so the output scores with ../shared/eval/score.py like the input.
It measures how much PERSON recall rests on the lists rather than on context.

  python3 rules/testdata/nameswap.py CORPUS.jsonl CENSUS_DIR [--seed N] > swapped.jsonl

CENSUS_DIR holds dist.male.first, dist.female.first and dist.all.last (see rules/data/census.py).
"""
import argparse
import glob
import os
import random
import re

from spanswap import rewrite_corpus

PARTICLES = {"van", "der", "den", "de", "het", "ter", "ten", "'t", "el", "al", "bin", "ben"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("census")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
    listed, kind = set(), {}
    for p in glob.glob(os.path.join(data, "*.txt")):
        base = os.path.basename(p)
        with open(p) as f:
            for line in f:
                for w in line.split("#")[0].split():
                    listed.add(w.lower())
                    if base.startswith("last_"):
                        kind.setdefault(w.lower(), "last")

    # Census entries that are common words (Man, Will) would test the word, not the name.
    with open(os.path.join(data, "..", "lex.go"), encoding="utf-8") as f:
        for chunk in re.findall(r"`([^`]*)`", f.read()):
            listed.update(w.lower() for w in chunk.split())

    def rare(fn, n):
        with open(os.path.join(a.census, fn)) as f:
            names = [line.split()[0].capitalize() for line in f]
        out = [w for w in reversed(names) if w.lower() not in listed and len(w) >= 3]
        return out[:n]

    firsts = rare("dist.male.first", 300) + rare("dist.female.first", 700)
    lasts = rare("dist.all.last", 1500)
    swap = {}

    def replace(m):
        w = m.group(0)
        if w.lower() in PARTICLES:
            return w
        new = swap.get(w.lower())
        if new is None:
            new = rnd.choice(lasts if kind.get(w.lower()) == "last" else firsts)
            swap[w.lower()] = new
        return new if w[0].isupper() else new.lower()

    def swap_person(typ, text):
        return re.sub(r"[^\W\d_]+(?:'[^\W\d_]+)?", replace, text) if typ == "PERSON" else text

    rewrite_corpus(a.corpus, swap_person)


if __name__ == "__main__":
    main()
