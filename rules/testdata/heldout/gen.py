#!/usr/bin/env python3
"""Held-out generator for the Veil detection engine.

  python3 rules/testdata/heldout/gen.py [--n 1500] [--seed 7] > rules/testdata/heldout/heldout.jsonl

Writes labelled events in the corpus JSONL format (UTF-8 byte offsets, end exclusive) with
phrasings, names, streets, cities and value formats chosen to differ from the dev corpus
(../shared/corpus/dev.jsonl): other greetings and sign-offs, agents' signatures, names with
particles and names outside the engine's lists, lower-case names in chat, foreign IBANs,
phone layouts with NBSP / en-dash / dots / brackets, dotted BSNs, provider API keys, compressed
IPv6, NL/UK/US street lines, birth dates in many notations, HTML bodies, forwarded and quoted
mail, and many look-alikes that are not personal data.

Everything is synthetic; checksum types are valid (Luhn, 11-proof, mod-97).
This file is independent of the engine: it never imports or reads rules/.
"""
import argparse
import html
import json
import random
import string
import uuid

R = random.Random()

# ---------------------------------------------------------------- names
FIRST_NL = ["Willemijn", "Joost", "Maarten", "Floortje", "Gijs", "Marloes", "Koen", "Esmee", "Jeroen",
            "Tijmen", "Wouter", "Hanneke", "Sietske", "Jelle", "Mirjam", "Stijn", "Fleur", "Niels", "Yvonne",
            "Ilse", "Evert", "Margriet", "Rutger", "Lieke", "Hidde", "Fenna", "Siebe", "Tjitske", "Quirijn",
            "Ysbrand", "Marit", "Tjeerd", "Wietske", "Reinier", "Doortje", "Jorrit", "Baukje", "Geert-Jan",
            "Anne-Wil", "Lammert"]
FIRST_EN = ["Rebecca", "Callum", "Siobhan", "Declan", "Imogen", "Rhys", "Bethany", "Ewan", "Megan", "Connor",
            "Hannah", "Liam", "Tobias", "Ashley", "Kayleigh", "Nathaniel", "Brianna", "Tyrone", "Deborah",
            "Gareth", "Niamh", "Fiona", "Angus", "Lorcan", "Saoirse", "Kerensa", "Marcus", "Felicity",
            "Jasper", "Rosalind", "Dominic", "Harriet", "Cormac", "Tamsin", "Leighton"]
FIRST_INTL = ["Mehmet", "Fatima", "Youssef", "Ayşe", "Priyanka", "Wojciech", "Anh", "Kwame", "Oluwaseun",
              "Dragan", "Svetlana", "Giulia", "Joaquín", "Björn", "Zeynep", "Karim", "Nadia", "Rajesh",
              "Mei-Ling", "Tomasz", "Aleksandra", "Ibrahim", "Chiamaka", "Soufiane", "Dilan"]
LAST_NL = ["van der Linden", "de Wit", "Kuipers", "van Leeuwen", "Dijkstra", "Vermeulen", "van 't Hof",
           "Schouten", "Brouwer", "Koster", "van Dam", "Verhoeven", "ten Brink", "Prins", "Huisman", "Postma",
           "de Haan", "Willems", "van der Meer", "Kok", "Hoekstra", "op den Akker", "in 't Veld",
           "Groenewegen", "Zwart", "van Wijngaarden", "Terpstra", "de la Court", "van Beek-Smulders",
           "Oosterhuis", "Veenstra", "Wijnands"]
LAST_EN = ["Fitzgerald", "O'Brien", "MacLeod", "Ashworth", "Pemberton", "Whitfield", "Okafor", "Harrington",
           "Sullivan", "McAllister", "Gallagher", "Kowalski", "Ramirez", "Nakamura", "Fernandes", "Abernathy",
           "Lindqvist", "Montgomery-Smith", "Hartley-Jones", "O'Sullivan", "Featherstone", "Blackwood",
           "Donnelly", "Crawley", "Pritchard"]
LAST_INTL = ["Yılmaz", "El Amrani", "Benali", "Nguyen", "Kaya", "Öztürk", "Pereira", "Wiśniewski", "Mensah",
             "Adeyemi", "Petrović", "Rossi", "Bouzid", "Chaudhry", "Kovalenko", "Haddad", "da Silva",
             "Ben Youssef", "Popescu", "Szabó"]


def first(loc):
    pool = {"nl": FIRST_NL * 3 + FIRST_INTL, "en": FIRST_EN * 3 + FIRST_INTL}[loc[:2]]
    return R.choice(pool)


def last(loc):
    pool = {"nl": LAST_NL * 3 + LAST_INTL, "en": LAST_EN * 3 + LAST_INTL}[loc[:2]]
    return R.choice(pool)


def cap_particle(ln):
    # "van der Linden" after a title is written "Van der Linden" in Dutch.
    return ln[0].upper() + ln[1:]


def full(loc):
    return first(loc) + " " + last(loc)


# ---------------------------------------------------------------- values
def luhn_complete(prefix, n):
    d = [int(c) for c in prefix]
    while len(d) < n - 1:
        d.append(R.randrange(10))
    s = 0
    for i, x in enumerate(reversed(d)):
        if i % 2 == 0:
            x *= 2
            if x > 9:
                x -= 9
        s += x
    d.append((10 - s % 10) % 10)
    return "".join(map(str, d))


def luhn_ok(num):
    s = 0
    for i, c in enumerate(reversed(num)):
        x = int(c)
        if i % 2 == 1:
            x *= 2
            if x > 9:
                x -= 9
        s += x
    return s % 10 == 0


def group(num, sizes, sep):
    out, i = [], 0
    for k in sizes:
        out.append(num[i:i + k])
        i += k
    return sep.join(out)


def card():
    kind = R.choice(["visa", "visa", "mc", "mc2", "amex", "visa19", "disc"])
    if kind == "visa":
        n = luhn_complete("4" + str(R.randrange(100, 999)), 16)
        return group(n, [4, 4, 4, 4], R.choice([" ", "-", "", " "]))
    if kind == "visa19":
        n = luhn_complete("4" + str(R.randrange(100, 999)), 19)
        return group(n, [4, 4, 4, 4, 3], R.choice([" ", ""]))
    if kind == "mc":
        n = luhn_complete(str(R.randrange(51, 56)), 16)
        return group(n, [4, 4, 4, 4], R.choice([" ", "-", ""]))
    if kind == "mc2":
        n = luhn_complete(str(R.randrange(2221, 2721)), 16)
        return group(n, [4, 4, 4, 4], R.choice([" ", "."]))
    if kind == "disc":
        n = luhn_complete("6011", 16)
        return group(n, [4, 4, 4, 4], " ")
    n = luhn_complete(R.choice(["34", "37"]), 15)
    return group(n, [4, 6, 5], R.choice([" ", "-", ""]))


def bsn_digits():
    while True:
        d = [R.randrange(10) for _ in range(8)]
        if d[0] == 0 and R.random() < 0.8:
            continue
        s = sum(x * w for x, w in zip(d, range(9, 1, -1)))
        last_d = s % 11
        if last_d < 10:
            num = "".join(map(str, d)) + str(last_d)
            if num != "000000000":
                return num


def elf_ok(num):
    if len(num) != 9:
        return False
    s = sum(int(c) * w for c, w in zip(num[:8], range(9, 1, -1))) - int(num[8])
    return s % 11 == 0


def bsn():
    n = bsn_digits()
    f = R.choice(["plain", "plain", "dots", "space", "dots2"])
    if f == "dots":
        return n[:4] + "." + n[4:6] + "." + n[6:]
    if f == "dots2":
        return n[:3] + "." + n[3:6] + "." + n[6:]
    if f == "space":
        return n[:3] + " " + n[3:6] + " " + n[6:]
    return n


def ssn():
    while True:
        a = R.randrange(1, 900)
        if a != 666:
            break
    return "%03d-%02d-%04d" % (a, R.randrange(1, 100), R.randrange(1, 10000))


def iban_check(cc, bban):
    s = bban + cc + "00"
    num = "".join(str(int(c, 36)) for c in s)
    return "%02d" % (98 - int(num) % 97)


def iban():
    cc = R.choice(["BE", "DE", "FR", "GB", "ES", "NL", "IT", "LU"])
    digits = lambda n: "".join(R.choice(string.digits) for _ in range(n))
    if cc == "BE":
        bban = digits(12)
    elif cc == "DE":
        bban = digits(18)
    elif cc == "FR":
        bban = digits(23)
    elif cc == "GB":
        bban = R.choice(["NWBK", "HBUK", "MIDL", "LOYD", "BARC"]) + digits(14)
    elif cc == "ES":
        bban = digits(20)
    elif cc == "IT":
        bban = R.choice(string.ascii_uppercase) + digits(22)
    elif cc == "LU":
        bban = digits(16)
    else:
        bban = R.choice(["ABNA", "INGB", "RABO", "TRIO", "ASNB"]) + digits(10)
    s = cc + iban_check(cc, bban) + bban
    f = R.random()
    if f < 0.45:
        s = " ".join(s[i:i + 4] for i in range(0, len(s), 4))
    if R.random() < 0.25:
        s = s.lower()
    return s


def nl_mobile():
    rest = "".join(R.choice(string.digits) for _ in range(8))
    f = R.choice(["06-%s %s" % (rest[:4], rest[4:]), "+31 6 %s %s" % (rest[:4], rest[4:]),
                  "+31 (0)6-%s" % rest, "0031 6 %s %s %s %s" % (rest[:2], rest[2:4], rest[4:6], rest[6:]),
                  "06–%s" % rest, "06\u00a0%s" % rest, "06.%s.%s.%s.%s" % (rest[:2], rest[2:4], rest[4:6], rest[6:]),
                  "(06) %s" % rest, "+316%s" % rest, "06 %s %s" % (rest[:4], rest[4:]),
                  "+31\u00a06\u00a0%s\u00a0%s" % (rest[:4], rest[4:]), "06 – %s" % rest])
    return f


def nl_land():
    area = R.choice(["010", "020", "030", "033", "040", "050", "070", "071", "073", "076", "0118", "0297", "0522", "0592"])
    n = 10 - len(area)
    rest = str(R.randrange(2, 10)) + "".join(R.choice(string.digits) for _ in range(n - 1))
    return R.choice(["%s-%s" % (area, rest), "%s %s" % (area, rest), "(%s) %s" % (area, rest),
                     "+31 %s %s" % (area[1:], rest), "%s – %s" % (area, rest)])


def be_phone():
    r = "".join(R.choice(string.digits) for _ in range(6))
    return R.choice(["+32 47%s %s %s %s" % (R.randrange(10), r[:2], r[2:4], r[4:]),
                     "0032 49%s %s %s %s" % (R.randrange(10), r[:2], r[2:4], r[4:]),
                     "+32 (0)2 %s %s %s" % (r[:3], r[3:5], r[5:] + str(R.randrange(10)))])


def de_phone():
    return R.choice(["+49 15%d %s" % (R.randrange(10), "".join(R.choice(string.digits) for _ in range(8))),
                     "+49 (0)30 %s" % "".join(R.choice(string.digits) for _ in range(8)),
                     "0049 89 %s" % "".join(R.choice(string.digits) for _ in range(7))])


def uk_phone():
    r = "".join(R.choice(string.digits) for _ in range(6))
    return R.choice(["07%d%d%d %s" % (R.randrange(4, 10), R.randrange(10), R.randrange(10), r),
                     "+44 7%d%d%d %s" % (R.randrange(4, 10), R.randrange(10), R.randrange(10), r),
                     "+44 (0)7%d%d%d %s %s" % (R.randrange(4, 10), R.randrange(10), R.randrange(10), r[:3], r[3:]),
                     "0161 %s %s" % (r[:3], r[3:] + str(R.randrange(10))),
                     "020 %s %s" % ("7" + r[:3], r[3:] + str(R.randrange(10))),
                     "0117 %s %s" % (r[:3], r[3:] + str(R.randrange(10)))])


def us_phone():
    a = "%d%02d" % (R.randrange(2, 10), R.randrange(0, 100))
    if a[1:] == "11":
        a = a[0] + "12"
    x = "%d%02d" % (R.randrange(2, 10), R.randrange(0, 100))
    y = "%04d" % R.randrange(10000)
    return R.choice(["(%s) %s-%s" % (a, x, y), "%s.%s.%s" % (a, x, y), "+1 (%s) %s-%s" % (a, x, y),
                     "1-%s-%s-%s" % (a, x, y), "+1-%s-%s-%s" % (a, x, y), "%s %s %s" % (a, x, y),
                     "(%s)%s-%s" % (a, x, y)])


def phone(loc):
    if loc == "nl-NL":
        return R.choice([nl_mobile, nl_mobile, nl_mobile, nl_land, be_phone, de_phone])()
    if loc == "en-GB":
        return R.choice([uk_phone, uk_phone, uk_phone, nl_mobile])()
    return R.choice([us_phone, us_phone, us_phone, uk_phone])()


def ipaddr():
    f = R.random()
    if f < 0.55:
        return R.choice(["%d.%d.%d.%d" % (R.choice([81, 83, 145, 185, 213, 109, 5, 37]), R.randrange(256), R.randrange(256), R.randrange(1, 255)),
                         "192.168.%d.%d" % (R.randrange(256), R.randrange(1, 255)),
                         "10.%d.%d.%d" % (R.randrange(256), R.randrange(256), R.randrange(1, 255))])
    h = lambda: "%x" % R.randrange(1, 0x10000)
    return R.choice(["2001:db8::%s" % h(), "fe80::%s:%s:%s:%s" % (h(), h(), h(), h()),
                     "2a02:%s:%s::%s" % (h(), h(), h()), "2001:0db8:85a3:0000:0000:8a2e:0370:%04x" % R.randrange(65536),
                     "2a10:%s:%s:%s:%s:%s:%s:%s" % tuple(h() for _ in range(7)), "2001:db8:%s::1" % h()])


ALNUM = string.ascii_letters + string.digits


def rnd(n, al=ALNUM):
    return "".join(R.choice(al) for _ in range(n))


def apikey():
    k = R.choice(["gh", "stripe", "slack", "google", "aws", "jwt", "hex", "b64", "stripe_test", "glpat"])
    if k == "gh":
        return "ghp_" + rnd(36)
    if k == "stripe":
        return "sk_live_" + rnd(R.choice([24, 32, 99]))
    if k == "stripe_test":
        return "rk_live_" + rnd(24)
    if k == "slack":
        return "xoxb-%d-%d-%s" % (R.randrange(10 ** 10, 10 ** 11), R.randrange(10 ** 11, 10 ** 12), rnd(24))
    if k == "google":
        return "AIza" + rnd(35, ALNUM + "-_")
    if k == "aws":
        return "AKIA" + rnd(16, string.ascii_uppercase + "234567")
    if k == "glpat":
        return "glpat-" + rnd(20)
    if k == "jwt":
        import base64
        hdr = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
        body = base64.urlsafe_b64encode(('{"sub":"%d","iat":%d}' % (R.randrange(10 ** 6), R.randrange(10 ** 9))).encode()).decode().rstrip("=")
        return hdr + "." + body + "." + rnd(43, ALNUM + "-_")
    if k == "hex":
        return rnd(40, "0123456789abcdef")
    return rnd(R.choice([28, 32, 40]))


PW_WORDS = ["Tulpen", "Fietsbel", "Hockey", "Pannenkoek", "Dragon", "Sunflower", "Marmite", "Yankees", "Kanarie",
            "Regenboog", "Liverpool", "Cheddar", "Vlinder", "Boomhut", "Rocket"]


def password():
    f = R.random()
    w = R.choice(PW_WORDS)
    if f < 0.3:
        return w + R.choice("!@#$%&*") + str(R.randrange(10, 9999))
    if f < 0.5:
        return w.lower() + str(R.randrange(1, 999))
    if f < 0.7:
        return rnd(R.randrange(10, 16), ALNUM + "!@#$%^*")
    if f < 0.85:
        return w + "_" + R.choice(PW_WORDS).lower() + str(R.randrange(10, 99))
    return R.choice(PW_WORDS).upper()[:3] + rnd(5, string.digits) + "?"


def pincode():
    return "%04d" % R.randrange(10000)


NL_STREETS = ["Lindengracht", "Beukenlaan", "Van Speijkstraat", "Prinsengracht", "Oudegracht", "Vondelstraat",
              "Wilhelminapark", "Hoogstraat", "Nieuwe Binnenweg", "Zuidsingel", "Burgemeester Reigerstraat",
              "Koningin Julianaweg", "Sint Jacobsstraat", "Bloemendaalseweg", "Havenkade", "Spoorlaan",
              "Lange Nieuwstraat", "Marktplein", "Grote Markt", "Willem de Zwijgerlaan", "Tolsteegsingel",
              "Eikenhorst", "Vissersdijk", "Karel Doormanstraat"]
NL_CITIES = ["Utrecht", "Leiden", "Zwolle", "Amersfoort", "Den Haag", "Nijmegen", "Tilburg", "Delft", "Alkmaar",
             "Leeuwarden", "Apeldoorn", "Maastricht", "Den Bosch", "Alphen aan den Rijn", "Capelle aan den IJssel",
             "Hilversum", "Deventer", "Breda", "Enschede"]
UK_STREETS = ["Cranbrook Road", "Victoria Terrace", "Elm Grove", "Church Lane", "Queensway", "Mill Road",
              "Albert Crescent", "Princes Street", "Kingsley Avenue", "Holloway Road", "Clifton Gardens",
              "Chapel Close", "Marine Parade", "Park View", "Cathedral Walk"]
UK_CITIES = [("London", "N7 8DB"), ("Bristol", "BS6 7BS"), ("Leeds", "LS2 9JT"), ("Manchester", "M14 5RQ"),
             ("Edinburgh", "EH2 4AD"), ("Cardiff", "CF10 1EP"), ("Glasgow", "G12 8QQ"), ("York", "YO1 7HH"),
             ("Brighton", "BN1 1EE"), ("Norwich", "NR2 4TR")]
US_STREETS = ["Pennsylvania Ave NW", "Evergreen Terrace", "Fifth Avenue", "Maple Drive", "Sunset Blvd",
              "Lakeshore Dr", "Pine Street", "Elm St", "Washington Boulevard", "Cedar Lane", "Hillcrest Road",
              "Ocean Parkway", "Magnolia Court", "Willow Way"]
US_CITIES = [("Washington", "DC", "20500"), ("Portland", "OR", "97205"), ("New York", "NY", "10118"),
             ("Austin", "TX", "78701"), ("Denver", "CO", "80202"), ("Seattle", "WA", "98101"),
             ("Boston", "MA", "02108"), ("Chicago", "IL", "60614"), ("San Diego", "CA", "92101"),
             ("Atlanta", "GA", "30303")]


def nl_pc():
    return "%d %s" % (R.randrange(1000, 9999), "".join(R.choice("ABCDEGHJKLMNPRSTVWXZ") for _ in range(2)))


def address(loc):
    if loc == "nl-NL":
        st = R.choice(NL_STREETS)
        no = str(R.randrange(1, 400)) + R.choice(["", "", "", "a", "B", "-2", " hs", "bis", "-III"])
        city = R.choice(NL_CITIES)
        return R.choice(["%s %s, %s %s" % (st, no, nl_pc(), city), "%s %s, %s" % (st, no, nl_pc().replace(" ", "") + " " + city),
                         "%s %s in %s" % (st, no, city), "%s %s, %s" % (st, no, city), "%s %s" % (st, no),
                         "%s %s te %s" % (st, no, city)])
    if loc == "en-GB":
        st = R.choice(UK_STREETS)
        city, pc = R.choice(UK_CITIES)
        no = str(R.randrange(1, 300)) + R.choice(["", "", "A", "B"])
        return R.choice(["%s %s, %s %s" % (no, st, city, pc), "Flat %d, %s %s, %s %s" % (R.randrange(1, 40), no, st, city, pc),
                         "%s %s, %s" % (no, st, city), "%s %s" % (no, st)])
    st = R.choice(US_STREETS)
    city, state, z = R.choice(US_CITIES)
    no = str(R.randrange(10, 9999))
    return R.choice(["%s %s, %s, %s %s" % (no, st, city, state, z), "%s %s, Apt %d, %s, %s %s" % (no, st, R.randrange(1, 30), city, state, z),
                     "%s %s, %s, %s" % (no, st, city, state), "%s %s" % (no, st)])


NL_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


def ordinal(d):
    return str(d) + ("th" if 11 <= d <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th"))


def date(loc, y0=1940, y1=2006):
    y, m, d = R.randrange(y0, y1), R.randrange(1, 13), R.randrange(1, 29)
    if loc == "nl-NL":
        return R.choice(["%d %s %d" % (d, NL_MONTHS[m - 1], y), "%02d-%02d-%d" % (d, m, y), "%d-%d-%d" % (d, m, y),
                         "%02d.%02d.%d" % (d, m, y), "%d/%d/%d" % (d, m, y), "%d-%02d-%02d" % (y, m, d),
                         "%d %s %d" % (d, NL_MONTHS[m - 1][:3] + ".", y)])
    if loc == "en-GB":
        return R.choice(["%d %s %d" % (d, EN_MONTHS[m - 1], y), "%s %s %d" % (ordinal(d), EN_MONTHS[m - 1], y),
                         "%02d/%02d/%d" % (d, m, y), "%d-%02d-%02d" % (y, m, d), "%d %s %d" % (d, EN_MONTHS[m - 1][:3], y),
                         "the %s of %s %d" % (ordinal(d), EN_MONTHS[m - 1], y)])
    return R.choice(["%s %d, %d" % (EN_MONTHS[m - 1], d, y), "%s %s, %d" % (EN_MONTHS[m - 1], ordinal(d), y),
                     "%02d/%02d/%d" % (m, d, y), "%d/%d/%d" % (m, d, y), "%d-%02d-%02d" % (y, m, d),
                     "%s %d, %d" % (EN_MONTHS[m - 1][:3] + ".", d, y)])


def email_for(name=None):
    fn = (name or R.choice(FIRST_NL + FIRST_EN)).split()[0]
    fn = fn.lower().replace("'", "").replace("ş", "s").replace("ö", "o").replace("ı", "i").replace("é", "e").replace("í", "i").replace("ó", "o").replace("ú", "u").replace("ä", "a").replace("ñ", "n").replace("ń", "n").replace("á", "a")
    ln = R.choice(["dijkstra", "okafor", "vdlinden", "fitz", "kaya", "brouwer", "mcallister", "rossi", "nguyen"])
    dom = R.choice(["planet.nl", "home.nl", "telfort.nl", "btinternet.com", "sky.com", "aol.com", "comcast.net",
                    "skynet.be", "web.de", "gmx.de", "fastmail.fm", "mail.uni-leiden.nl", "student.hva.nl",
                    "verzekeringen-noord.nl", "Example.ORG", "post.cz", "me.com", "quicknet.nl"])
    local = R.choice(["%s.%s" % (fn, ln), "%s_%s" % (fn[0], ln), "%s%d" % (fn, R.randrange(1, 99)), "%s-%s" % (fn, ln),
                      "%s.%s+shop" % (fn, ln), "%s" % fn.capitalize(), "%s.%s" % (ln, fn)])
    return local + "@" + dom


# ---------------------------------------------------------------- negatives
def order_no():
    while True:
        n = str(R.randrange(10 ** 8, 10 ** 9))
        if not elf_ok(n):
            return n


def tracking16():
    while True:
        n = str(R.randrange(10 ** 15, 10 ** 16))
        if not luhn_ok(n):
            return n


def giftcard():
    return group(luhn_complete(R.choice(["6036", "6280", "7777", "5045", "4000"]), 16), [4, 4, 4, 4], R.choice([" ", "-", ""]))


def amount(loc):
    a = R.randrange(1, 4000)
    c = R.randrange(100)
    if loc == "nl-NL":
        return R.choice(["€ %s,%02d" % ("{:,}".format(a).replace(",", "."), c), "€%d,%02d" % (a, c), "EUR %d,%02d" % (a, c), "%d,%02d euro" % (a, c)])
    if loc == "en-GB":
        return R.choice(["£%s.%02d" % ("{:,}".format(a), c), "GBP %d.%02d" % (a, c)])
    return R.choice(["$%s.%02d" % ("{:,}".format(a), c), "USD %d.%02d" % (a, c)])


def version():
    return R.choice(["v%d.%d.%d" % (R.randrange(1, 20), R.randrange(30), R.randrange(30)),
                     "%d.%d.%d.%d" % (R.randrange(1, 12), R.randrange(10), R.randrange(10), R.randrange(100)),
                     "%d.%d" % (R.randrange(1, 20), R.randrange(10))])


# ---------------------------------------------------------------- templates
# A template returns a list of parts: str (plain text) or (TYPE, value).
def P(v):
    return ("PERSON", v)


def T_nl(loc):
    fn, nm = first(loc), full(loc)
    tpl = [
        lambda: ["Goedemiddag ", P(nm), ", fijn dat u contact opneemt."],
        lambda: ["Hee ", P(fn.lower()), ", zou je even willen kijken naar mijn retour?"],
        lambda: ["Dit is ", P(fn.lower()), " hier, mijn pakket is kwijt"],
        lambda: ["ik ben ", P(fn.lower()), " en mijn bestelling is nog niet binnen"],
        lambda: ["Met hartelijke groet,\n", P(nm), "\nTeam Klantcontact"],
        lambda: ["Vriendelijke groeten,\n\n", P(nm)],
        lambda: ["Gr. ", P(fn)],
        lambda: ["Mvg ", P(nm)],
        lambda: ["Alvast bedankt! ", P(fn)],
        lambda: ["U spreekt met ", P(nm), " van de afdeling facturatie."],
        lambda: ["Mijn collega ", P(fn), " neemt morgen contact met u op."],
        lambda: ["Geachte heer ", P(cap_particle(last(loc))), ","],
        lambda: ["Beste mevrouw ", P(cap_particle(last(loc))), ", hartelijk dank voor uw geduld."],
        lambda: ["De rekening staat op naam van ", P(nm), "."],
        lambda: ["Bij de buren (", P(nm), ") mag het pakket ook afgegeven worden."],
        lambda: ["Kunt u het wachtwoord resetten? Mijn gebruikersnaam is ", ("EMAIL_ADDRESS", email_for(fn)), "."],
        lambda: ["Je kunt me mailen op ", ("EMAIL_ADDRESS", email_for(fn)), " of bellen naar ", ("PHONE_NUMBER", phone(loc)), "."],
        lambda: ["Mijn mobiele nummer is veranderd, het is nu ", ("PHONE_NUMBER", phone(loc))],
        lambda: ["Tel: ", ("PHONE_NUMBER", phone(loc))],
        lambda: ["Graag terugbellen op ", ("PHONE_NUMBER", phone(loc)), " na 17.00 uur."],
        lambda: ["Ik ben overdag bereikbaar via ", ("PHONE_NUMBER", phone(loc)), ", 's avonds niet."],
        lambda: ["Het geld mag naar ", ("IBAN_CODE", iban()), " (ten name van ", P(nm), ")."],
        lambda: ["IBAN: ", ("IBAN_CODE", iban())],
        lambda: ["mijn rekeningnr is ", ("IBAN_CODE", iban()), " graag vandaag nog"],
        lambda: ["De incasso moet van ", ("IBAN_CODE", iban()), " afgeschreven worden, niet van de oude rekening."],
        lambda: ["Ik heb met mijn creditcard (", ("CREDIT_CARD", card()), ") betaald maar het staat er dubbel."],
        lambda: ["Creditcard: ", ("CREDIT_CARD", card()), " geldig tot 08/27"],
        lambda: ["De afschrijving ging via kaartnummer ", ("CREDIT_CARD", card()), "."],
        lambda: ["BSN-nummer: ", ("NL_BSN", bsn())],
        lambda: ["burgerservicenummer: ", ("NL_BSN", bsn()), ", geboren ", ("DATE_OF_BIRTH", date(loc)), "."],
        lambda: ["Voor de zorgverzekering: mijn burgerservicenummer is ", ("NL_BSN", bsn()), "."],
        lambda: ["bsn ", ("NL_BSN", bsn()), " (dat van mijn dochter)"],
        lambda: ["Mijn sofinr. is ", ("NL_BSN", bsn())],
        lambda: ["Het wachtwoord is ", ("PASSWORD", password()), ", dat heb ik net aangemaakt."],
        lambda: ["ww: ", ("PASSWORD", password())],
        lambda: ["inloggen lukt niet met wachtwoord ", ("PASSWORD", password())],
        lambda: ["Mijn pincode is ", ("PASSWORD", pincode()), " maar die wordt geweigerd."],
        lambda: ["het wachtwoord van de wifi is '", ("PASSWORD", password()), "'"],
        lambda: ["Gebruikersnaam ", ("EMAIL_ADDRESS", email_for(fn)), ", wachtwoord: ", ("PASSWORD", password())],
        lambda: ["Mijn IP is volgens de router ", ("IP_ADDRESS", ipaddr()), "."],
        lambda: ["Ik log in vanaf ", ("IP_ADDRESS", ipaddr()), " en krijg een foutmelding."],
        lambda: ["In de logs zie ik verbindingen vanaf ", ("IP_ADDRESS", ipaddr()), " en ", ("IP_ADDRESS", ipaddr()), "."],
        lambda: ["Onze token is ", ("API_KEY", apikey()), ", kunnen jullie die intrekken?"],
        lambda: ["Per ongeluk de sleutel gedeeld: ", ("API_KEY", apikey())],
        lambda: ["In de config staat ", ("API_KEY", apikey()), " als key."],
        lambda: ["Ik ben verhuisd naar de ", ("ADDRESS", address(loc)), "."],
        lambda: ["Bezorgen op ", ("ADDRESS", address(loc)), " graag, daar ben ik thuis."],
        lambda: ["Het factuuradres is ", ("ADDRESS", address(loc)), "."],
        lambda: ["Ik woon op de ", ("ADDRESS", address(loc)), " sinds vorig jaar."],
        lambda: ["Ik ben geboren op ", ("DATE_OF_BIRTH", date(loc)), "."],
        lambda: ["geb. ", ("DATE_OF_BIRTH", date(loc))],
        lambda: ["Mijn geboortedatum staat fout, het moet ", ("DATE_OF_BIRTH", date(loc)), " zijn."],
        lambda: ["Geboortedatum: ", ("DATE_OF_BIRTH", date(loc)), " (niet 1-1-1900)"],
        lambda: ["Mijn zoon ", P(fn), " is geboren op ", ("DATE_OF_BIRTH", date(loc, 2000, 2020)), "."],
    ]
    return R.choice(tpl)()


def T_en(loc):
    fn, nm = first(loc), full(loc)
    tpl = [
        lambda: ["Good morning ", P(nm), ", thanks for getting in touch."],
        lambda: ["hey, ", P(fn.lower()), " here - still waiting on my refund"],
        lambda: ["this is ", P(fn.lower()), ", my parcel never showed up"],
        lambda: ["Many thanks,\n", P(nm), "\nCustomer Care Team"],
        lambda: ["Warm regards,\n\n", P(nm)],
        lambda: ["Best wishes, ", P(fn)],
        lambda: ["All the best,\n", P(fn)],
        lambda: ["— ", P(fn), " (Support)"],
        lambda: ["You're speaking with ", P(nm), " from the billing team."],
        lambda: ["My colleague ", P(fn), " will follow up tomorrow."],
        lambda: ["Dear Ms ", P(last(loc)), ","],
        lambda: ["Dear Mr. ", P(last(loc)), ", we have received your complaint."],
        lambda: ["The account holder is ", P(nm), "."],
        lambda: ["Please leave it with my neighbour ", P(nm), " if I'm out."],
        lambda: ["Please send the invoice to ", ("EMAIL_ADDRESS", email_for(fn)), " instead."],
        lambda: ["Drop me a line at ", ("EMAIL_ADDRESS", email_for(fn)), " or ring ", ("PHONE_NUMBER", phone(loc)), "."],
        lambda: ["My new mobile is ", ("PHONE_NUMBER", phone(loc))],
        lambda: ["Tel: ", ("PHONE_NUMBER", phone(loc))],
        lambda: ["Best number to reach me: ", ("PHONE_NUMBER", phone(loc)), " (evenings)."],
        lambda: ["Could someone phone me back on ", ("PHONE_NUMBER", phone(loc)), "?"],
        lambda: ["Please pay the refund into ", ("IBAN_CODE", iban()), "."],
        lambda: ["IBAN ", ("IBAN_CODE", iban()), ", account name ", P(nm)],
        lambda: ["I paid with my Amex ", ("CREDIT_CARD", card()), " and was charged twice."],
        lambda: ["Card no. ", ("CREDIT_CARD", card()), " exp 11/28"],
        lambda: ["The charge went through on ", ("CREDIT_CARD", card()), " yesterday."],
        lambda: ["Social security number: ", ("US_SSN", ssn())],
        lambda: ["For the W-9 my SSN# is ", ("US_SSN", ssn()), "."],
        lambda: ["ssn ", ("US_SSN", ssn()), " (my husband's)"],
        lambda: ["The password is ", ("PASSWORD", password()), " if you need to log in."],
        lambda: ["pass: ", ("PASSWORD", password())],
        lambda: ["I tried logging in with password ", ("PASSWORD", password()), " but no luck."],
        lambda: ["my PIN is ", ("PASSWORD", pincode())],
        lambda: ["The Wi-Fi password is \"", ("PASSWORD", password()), "\"."],
        lambda: ["Login: ", ("EMAIL_ADDRESS", email_for(fn)), " / password: ", ("PASSWORD", password())],
        lambda: ["My IP address shows as ", ("IP_ADDRESS", ipaddr()), " on your status page."],
        lambda: ["Requests come from ", ("IP_ADDRESS", ipaddr()), " and get blocked."],
        lambda: ["Our server is at ", ("IP_ADDRESS", ipaddr()), "."],
        lambda: ["Our token is ", ("API_KEY", apikey()), " - can you revoke it?"],
        lambda: ["I accidentally pasted the key: ", ("API_KEY", apikey())],
        lambda: ["Authorization: Bearer ", ("API_KEY", apikey())],
        lambda: ["I've moved to ", ("ADDRESS", address(loc)), "."],
        lambda: ["Please deliver to ", ("ADDRESS", address(loc)), " instead."],
        lambda: ["Billing address: ", ("ADDRESS", address(loc))],
        lambda: ["My address is now ", ("ADDRESS", address(loc)), "."],
        lambda: ["I was born on ", ("DATE_OF_BIRTH", date(loc)), "."],
        lambda: ["DOB: ", ("DATE_OF_BIRTH", date(loc))],
        lambda: ["d.o.b. ", ("DATE_OF_BIRTH", date(loc))],
        lambda: ["Your records have my date of birth wrong; it should be ", ("DATE_OF_BIRTH", date(loc)), "."],
        lambda: ["Birthdate ", ("DATE_OF_BIRTH", date(loc)), ", member since 2019."],
        lambda: ["My daughter ", P(fn), " was born ", ("DATE_OF_BIRTH", date(loc, 2000, 2020)), "."],
    ]
    return R.choice(tpl)()


def T_neg(loc):
    nl = loc == "nl-NL"
    tpl_nl = [
        lambda: ["Uw retour met ordernummer ", order_no(), " is ontvangen."],
        lambda: ["Track & trace: ", tracking16(), ", verwachte levering donderdag."],
        lambda: ["Het saldo op tegoedbon ", giftcard(), " is nog ", amount(loc), "."],
        lambda: ["Ik heb een waardebon ", giftcard(), " gekregen maar die doet het niet."],
        lambda: ["Er is ", amount(loc), " afgeschreven in plaats van ", amount(loc), "."],
        lambda: ["Sinds de update naar ", version(), " start de app niet meer."],
        lambda: ["De monteur komt tussen 13:00 en 15:30."],
        lambda: ["Artikelnummer ", "%07d-%03d" % (R.randrange(10 ** 7), R.randrange(1000)), " is uitverkocht."],
        lambda: ["Besteld op ", date(loc, 2023, 2026), ", nog steeds niets ontvangen."],
        lambda: ["Het contract loopt af op ", date(loc, 2025, 2028), "."],
        lambda: ["Klantnummer ", order_no(), ", factuur ", "F%d-%05d" % (R.randrange(2023, 2026), R.randrange(10 ** 5)), "."],
        lambda: ["Ik heb 2 stuks besteld, maat 42, kleur blauw."],
        lambda: ["Referentie ", order_no(), " graag vermelden bij betaling."],
        lambda: ["Onze KvK is ", str(R.randrange(10 ** 7, 10 ** 8)), " en ons btw-nummer NL", str(R.randrange(10 ** 8, 10 ** 9)), "B01."],
        lambda: ["Groeten van het hele team!"],
        lambda: ["Bedankt voor het wachten, ik zoek het voor u uit."],
        lambda: ["Wachtwoord vergeten? Klik op de link in de mail."],
        lambda: ["Zendingnummer 3S", rnd(4, string.ascii_uppercase), str(R.randrange(10 ** 8, 10 ** 9)), " staat bij het afhaalpunt."],
        lambda: ["Op ", date(loc, 2024, 2026), " is het bedrag teruggestort."],
        lambda: ["Openingstijden: ma-vr 8.30 - 17.00 uur, za 10.00 - 14.00 uur."],
        lambda: ["Code SKU-", rnd(2, string.ascii_uppercase), "-", str(R.randrange(1000, 9999)), " is weer op voorraad."],
    ]
    tpl_en = [
        lambda: ["Your return for order ", order_no(), " has been processed."],
        lambda: ["Tracking number ", tracking16(), ", expected Thursday."],
        lambda: ["The gift card ", giftcard(), " still has ", amount(loc), " on it."],
        lambda: ["I got an e-gift voucher ", giftcard(), " for my birthday but it won't redeem."],
        lambda: ["You charged me ", amount(loc), " instead of ", amount(loc), "."],
        lambda: ["Since updating to ", version(), " the app keeps crashing."],
        lambda: ["The engineer will arrive between 1pm and 3:30pm."],
        lambda: ["Item ", "%07d-%03d" % (R.randrange(10 ** 7), R.randrange(1000)), " is out of stock."],
        lambda: ["Ordered on ", date(loc, 2023, 2026), ", still nothing."],
        lambda: ["Your plan renews on ", date(loc, 2025, 2028), "."],
        lambda: ["Customer ref ", order_no(), ", invoice ", "INV/%d/%05d" % (R.randrange(2023, 2026), R.randrange(10 ** 5)), "."],
        lambda: ["I ordered 2 pairs, size 10, in navy."],
        lambda: ["Case number ", order_no(), " has been closed."],
        lambda: ["Company no. ", str(R.randrange(10 ** 7, 10 ** 8)), ", VAT GB", str(R.randrange(10 ** 8, 10 ** 9)), "."],
        lambda: ["Cheers from all of us at the help desk!"],
        lambda: ["Thanks for bearing with me while I look into this."],
        lambda: ["Forgot your password? Use the reset link we emailed you."],
        lambda: ["Parcel 1Z", rnd(6, string.ascii_uppercase + string.digits), str(R.randrange(10 ** 9, 10 ** 10)), " is at the depot."],
        lambda: ["We refunded you on ", date(loc, 2024, 2026), "."],
        lambda: ["We're open Mon-Fri 8:30am - 5pm, Sat 10am - 2pm."],
        lambda: ["Promo code SPRING", str(R.randrange(10, 99)), " gives 15% off orders over ", amount(loc), "."],
    ]
    return R.choice(tpl_nl if nl else tpl_en)()


def render(parts):
    """Join parts into (text, spans) with UTF-8 byte offsets."""
    out, spans, pos = [], [], 0
    for p in parts:
        if isinstance(p, tuple):
            t, v = p
            b = len(v.encode())
            spans.append({"start": pos, "end": pos + b, "type": t, "text": v, "field": "body"})
            out.append(v)
            pos += b
        else:
            out.append(p)
            pos += len(p.encode())
    return "".join(out), spans


def htmlize(parts):
    """Escape parts for an HTML body; keep labels on the escaped values."""
    res = ["<div dir=\"ltr\"><p>"]
    for p in parts:
        if isinstance(p, tuple):
            res.append((p[0], html.escape(p[1], quote=True).replace("&#x27;", "&#39;")))
        else:
            s = html.escape(p, quote=False).replace("'", "&#39;").replace("\n", "<br>\n")
            s = s.replace(" ", "&nbsp;", 1) if R.random() < 0.2 else s
            res.append(s)
    res.append("</p></div>")
    return res


def sentence(loc):
    r = R.random()
    if r < 0.3:
        return T_neg(loc)
    return T_nl(loc) if loc == "nl-NL" else T_en(loc)


def quote_block(loc, prev):
    who = full(loc)
    addr = email_for(who)
    if loc == "nl-NL":
        hdr = R.choice([["-----Oorspronkelijk bericht-----\nVan: ", P(who), " <", ("EMAIL_ADDRESS", addr), ">\nVerzonden: dinsdag 4 maart 2025 10:12\nAan: klantenservice\n"],
                        ["\n\n", P(who), " <", ("EMAIL_ADDRESS", addr), "> schreef op wo 5 mrt. 2025 om 09:41:\n"]])
    else:
        hdr = R.choice([["-----Original Message-----\nFrom: ", P(who), " <", ("EMAIL_ADDRESS", addr), ">\nSent: Tuesday, March 4, 2025 10:12 AM\nTo: Support\n"],
                        ["\n\nOn Wed, 5 Mar 2025 at 09:41, ", P(who), " <", ("EMAIL_ADDRESS", addr), "> wrote:\n"]])
    body = []
    for p in prev:
        if isinstance(p, str):
            body.append(p.replace("\n", "\n> "))
        else:
            body.append(p)
    return ["\n\n"] + hdr + ["> "] + body


def event(i, loc, channel):
    n = R.choice([1, 1, 2, 2, 3])
    parts = []
    for k in range(n):
        if k:
            parts.append(R.choice([" ", " ", "\n", "\n\n"]))
        parts += sentence(loc)
    if channel == "email" and R.random() < 0.2:
        parts += quote_block(loc, sentence(loc))
    if channel == "email" and R.random() < 0.15:
        parts = htmlize(parts)
    body, spans = render(parts)
    ev = {"event_id": str(uuid.UUID(int=R.getrandbits(128))), "conversation_id": "ho-%s-%05d" % (channel, i // 4),
          "customer_id": "ho-cust-%05d" % R.randrange(100000), "channel": channel, "locale": loc,
          "author_role": R.choice(["customer", "agent"]), "sent_at": "2025-%02d-%02dT%02d:%02d:00Z" % (
              R.randrange(1, 13), R.randrange(1, 29), R.randrange(24), R.randrange(60)),
          "body": body, "spans": spans}
    if channel == "email":
        ev["subject"] = R.choice(["Vraag over mijn factuur", "Re: retourzending", "Klacht", "Refund request",
                                  "Re: your enquiry", "Wijziging gegevens", "Account locked", "Fwd: delivery"])
    return ev


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    R.seed(a.seed)
    for i in range(a.n):
        loc = R.choice(["nl-NL", "nl-NL", "en-GB", "en-US"])
        ch = R.choice(["chat", "email"])
        ev = event(i, loc, ch)
        for s in ev["spans"]:
            assert ev["body"].encode()[s["start"]:s["end"]].decode() == s["text"], s
        print(json.dumps(ev, ensure_ascii=False))


if __name__ == "__main__":
    main()
