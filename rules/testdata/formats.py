"""Values of real formats for the generators under rules/testdata/ (short/, locales/).

Every function takes the generator's random.Random, so a seeded generator stays deterministic.
  digits   n random decimal digits
  iban     an IBAN with valid mod-97 check digits for a country code and BBAN
  fr_bban  a French BBAN (bank, branch, account) with a valid RIB key
  be_bban  a Belgian BBAN with its national mod-97 check
  luhn     a Luhn-valid card number of n digits with an issuer prefix
"""


def digits(r, n):
    return "".join(r.choice("0123456789") for _ in range(n))


def mod97(s):
    return int("".join(str(int(c, 36)) for c in s)) % 97


def iban(cc, bban):
    return "%s%02d%s" % (cc, 98 - mod97(bban + cc + "00"), bban)


def fr_bban(r):
    bank, branch, acct = digits(r, 5), digits(r, 5), digits(r, 11)
    return bank + branch + acct + "%02d" % (97 - (89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97)


def be_bban(r):
    a = digits(r, 10)
    return a + "%02d" % (int(a) % 97 or 97)


def luhn(r, prefix, n):
    d = [int(c) for c in prefix] + [r.randrange(10) for _ in range(n - 1 - len(prefix))]
    s = 0
    for i, x in enumerate(reversed(d)):
        if i % 2 == 0:
            x = x * 2 - 9 if x * 2 > 9 else x * 2
        s += x
    return "".join(map(str, d)) + str((10 - s % 10) % 10)
