#!/usr/bin/env python3
"""Rewrite a labelled corpus with fresh values of the same shape in every gold span.

Cards get new digits with a valid Luhn check (issuer prefix and grouping kept), BSNs new digits that
pass the 11-proof, IBANs a new account part with valid mod-97 check digits, SSNs a new valid number,
IPs new octets or groups, phones new subscriber digits behind the same prefix, e-mail addresses a new
local part, passwords and API keys new characters of the same classes (known prefixes kept), addresses
new house numbers and postcodes, birth dates a new year (and day) in the same notation. Names stay
(see nameswap.py). Offsets are recomputed, so the
output scores with ../shared/eval/score.py like the input. It measures how much detection rests on the
values the corpus happens to hold rather than on their formats and checksums.

  python3 rules/testdata/valueswap.py CORPUS.jsonl [--seed N] > swapped.jsonl
"""
import argparse
import random
import re
import string

from spanswap import rewrite_corpus

R = random.Random()


def digits_with(s, fn):
    """Replace the digits of s, in order, by those fn(list of digits) returns."""
    ds = [c for c in s if c.isdigit()]
    new = iter(fn(ds))
    return "".join(next(new) if c.isdigit() else c for c in s)


def luhn_fix(ds):
    body = ds[:-1]
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + [str((10 - total % 10) % 10)]


def card(s):
    def fn(ds):
        keep = 2 if ds[0] in "35" else 1
        ds = ds[:keep] + [R.choice(string.digits) for _ in ds[keep:]]
        return luhn_fix(ds)
    return digits_with(s, fn)


def bsn(s):
    def fn(ds):
        n = len(ds)
        while True:
            new = [R.choice(string.digits) for _ in range(n)]
            v = new if n == 9 else ["0"] + new
            total = sum(int(d) * w for d, w in zip(v[:8], range(9, 1, -1))) - int(v[8])
            if total % 11 == 0 and int("".join(v)) > 0:
                return new
    return digits_with(s, fn)


def iban(s):
    compact = re.sub(r"\s", "", s)
    cc = compact[:2]
    bban = "".join(R.choice(string.digits) if c.isdigit() else
                   (R.choice(string.ascii_uppercase) if c.isupper() else R.choice(string.ascii_lowercase))
                   for c in compact[4:])
    num = "".join(str(int(c, 36)) for c in (bban + cc.upper() + "00"))
    check = 98 - int(num) % 97
    new = cc + "%02d" % check + bban
    out, k = [], 0
    for c in s:
        if c.isspace():
            out.append(c)
        else:
            out.append(new[k])
            k += 1
    return "".join(out)


def ssn(s):
    def fn(ds):
        while True:
            a = R.randint(1, 899)
            if a != 666:
                break
        v = "%03d%02d%04d" % (a, R.randint(1, 99), R.randint(1, 9999))
        return list(v) if len(ds) == 9 else ds
    return digits_with(s, fn)


def ip(s):
    if ":" in s:
        return re.sub(r"[0-9a-fA-F]{1,4}", lambda m: "%x" % R.randint(1, 0xffff) if m.group(0) not in ("ffff",) else m.group(0), s)
    parts = s.split(".")
    if len(parts) != 4:
        return s
    return ".".join(str(R.randint(1, 254)) for _ in parts)


def phone(s):
    def fn(ds):
        keep = 5 if s.lstrip().startswith(("+", "00", "(")) or (ds and ds[0] == "1") else 3
        return ds[:keep] + [R.choice(string.digits) for _ in ds[keep:]]
    return digits_with(s, fn)


def same_classes(s, keep=0):
    out = list(s[:keep])
    for c in s[keep:]:
        if c.isdigit():
            out.append(R.choice(string.digits))
        elif c.isascii() and c.isupper():
            out.append(R.choice(string.ascii_uppercase))
        elif c.isascii() and c.islower():
            out.append(R.choice(string.ascii_lowercase))
        else:
            out.append(c)
    return "".join(out)


def email(s):
    local, _, dom = s.rpartition("@")
    return same_classes(local) + "@" + dom


def api_key(s):
    if s.startswith("eyJ"):
        return ".".join(p[:4] + same_classes(p[4:]) for p in s.split("."))
    m = re.match(r"^[A-Za-z]{2,8}[_-](?:[a-z]{2,6}[_-])?|^(AKIA|AIza|ASIA)", s)
    return same_classes(s, m.end() if m else 0)


def address(s):
    # The house number first (a number that is not a Dutch postcode), then the postcode digits.
    s = re.sub(r"(?<![\d-])\d{1,4}(?![\d]| ?[A-Z]{2}\b)", lambda m: str(R.randint(1, 10 ** len(m.group(0)) - 1)), s, count=1)
    return re.sub(r"\b[1-9]\d{3}(?= ?[A-Z]{2}\b)", lambda m: str(R.randint(1000, 9999)), s)


def birth_date(s):
    """A new year (and day, where the day is recognisable) in the same notation."""
    groups = list(re.finditer(r"\d+", s))
    out, last = [], 0
    for m in groups:
        g = m.group(0)
        if len(g) == 4:
            new = str(R.randint(1940, 2006))
        elif len(g) <= 2 and int(g) > 12 and int(g) <= 31:
            new = str(R.randint(13, 28))
        elif len(g) == 2 and m.start() > 0 and s[m.start() - 1] in "'’":
            new = "%02d" % R.randint(40, 99)  # '71
        else:
            new = g
        out.append(s[last:m.start()] + new)
        last = m.end()
    return "".join(out) + s[last:]


SWAP = {"CREDIT_CARD": card, "NL_BSN": bsn, "IBAN_CODE": iban, "US_SSN": ssn, "IP_ADDRESS": ip,
        "PHONE_NUMBER": phone, "EMAIL_ADDRESS": email, "PASSWORD": lambda s: same_classes(s),
        "API_KEY": api_key, "ADDRESS": address, "DATE_OF_BIRTH": birth_date}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    R.seed(a.seed)
    rewrite_corpus(a.corpus, lambda typ, text: SWAP[typ](text) if typ in SWAP else text)


if __name__ == "__main__":
    main()
