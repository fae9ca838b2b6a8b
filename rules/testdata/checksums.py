"""Check digits shared by the testdata build scripts: Luhn (cards), the 11-proof (BSN), mod-97 (IBAN)."""
import re


def luhn(digits):
    """True when the digit string passes the Luhn check"""
    t = 0
    for i, c in enumerate(reversed(digits)):
        x = int(c) * (2 if i % 2 else 1)
        t += x - 9 if x > 9 else x
    return t % 10 == 0


def bsn_ok(value):
    d = re.sub(r"\D", "", value)
    return len(d) == 9 and (sum(int(d[i]) * (9 - i) for i in range(8)) - int(d[8])) % 11 == 0


def iban_ok(value):
    s = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    return len(s) > 4 and int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97 == 1
