#!/usr/bin/env python3
"""Writes iban.tsv: the IBAN countries of ISO 13616 with their IBAN length and BBAN structure.

Source: the SWIFT IBAN registry (release 101), as shipped in python-stdnum's stdnum/iban.dat
(PyPI package python-stdnum 2.2). Run: pip install python-stdnum==2.2 && python3 iban.py > iban.tsv
"""
import os
import re

import stdnum

path = os.path.join(os.path.dirname(stdnum.__file__), "iban.dat")
print("# IBAN countries: ISO 3166 code, IBAN length, BBAN structure in the registry's notation")
print("# (n digits, a upper-case letters, c letters or digits; 4!a = exactly four letters).")
print("# Source: SWIFT IBAN registry release 101 as shipped in python-stdnum 2.2 (stdnum/iban.dat);")
print("# regenerate with rules/data/iban.py.")
for line in open(path, encoding="utf-8"):
    m = re.match(r'^([A-Z]{2}) .*bban="([0-9!nac]+)"', line)
    if not m:
        continue
    cc, bban = m.groups()
    n = sum(int(k) for k in re.findall(r"(\d+)!", bban))
    print(f"{cc}\t{n + 4}\t{bban}")
