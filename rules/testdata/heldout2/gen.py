#!/usr/bin/env python3
"""Second, independent held-out generator for the Veil detection engine.

  python3 rules/testdata/heldout2/gen.py [--n 1200] [--seed 2026] > rules/testdata/heldout2/heldout2.jsonl

Written without reading the engine's name lists or tuning against it. Compared with the dev corpus and
rules/testdata/heldout/gen.py it uses whole messages rather than sentence strings: e-mails with a greeting
line, several paragraphs, a sign-off and a signature block (name, job title, company, phone lines, an
address block over several lines), forwarded headers ("From: Name <mail>", "Van: Name [mailto:..]",
"Verzonden:", "Sent:"), chat turns in lower case with typos, agents introducing themselves, third persons
("my husband Pieter", "collega Fatima"), other name pools (Frisian, Surinamese, Turkish, Moroccan, Polish,
Indian, Chinese, Nigerian, British, Irish, American), other streets/cities, other IBAN countries
(IE AT CH PL PT DK NO FI SE), two-digit-year birth dates, passwords without the word "password"
("my login is", "PIN:", "inlogcode"), secrets in config snippets and URLs, bracketed IPv6 with ports,
and hard negatives (brands, product names, company names containing surnames, cities alone, streets
without numbers, order / tracking / invoice numbers, amounts, versions, times).

Every value is synthetic; checksum types are valid (Luhn, 11-proof, mod-97). Spans are UTF-8 byte
offsets into the field, end exclusive.
"""
import argparse
import base64
import json
import random
import string
import uuid

R = random.Random()

# ------------------------------------------------------------------ names (many origins)
FIRST = {
    "nl": ["Roelof", "Annemieke", "Bastiaan", "Gerbrich", "Teun", "Marieke", "Thijs", "Loes", "Pim", "Rens",
           "Cornelis", "Hendrika", "Dirk-Jan", "Jacoba", "Arjen", "Wendelien", "Gerrit", "Sjaak", "Marijke", "Lambert"],
    "fy": ["Sjoerd", "Wiebe", "Hylke", "Auke", "Jildou", "Aaltje", "Sytske", "Tsjalle", "Durk", "Froukje"],
    "sr": ["Radjesh", "Soenita", "Errol", "Clarence", "Anjali", "Romeo", "Sharmila", "Glenn", "Ramon", "Chandra"],
    "tr": ["Emre", "Burak", "Elif", "Merve", "Hatice", "Osman", "Serkan", "Gül", "Cem", "Esra"],
    "ma": ["Hamza", "Samira", "Khadija", "Nordin", "Bilal", "Imane", "Mustafa", "Naima", "Rachid", "Latifa"],
    "pl": ["Krzysztof", "Agnieszka", "Paweł", "Małgorzata", "Grzegorz", "Katarzyna", "Marek", "Joanna", "Piotr", "Ewa"],
    "in": ["Arjun", "Deepika", "Vikram", "Lakshmi", "Sanjay", "Ananya", "Rohit", "Kavita", "Suresh", "Meera"],
    "cn": ["Wei", "Xiaoming", "Jun", "Hui", "Lei", "Yan", "Mingyu", "Xiu", "Jing", "Bo"],
    "ng": ["Chukwuemeka", "Ngozi", "Adebayo", "Funmilayo", "Emeka", "Tunde", "Chidinma", "Olumide", "Yetunde", "Ifeanyi"],
    "gb": ["Alistair", "Penelope", "Nigel", "Graham", "Josephine", "Hamish", "Poppy", "Archie", "Rupert", "Clementine"],
    "ie": ["Padraig", "Aoife", "Eoin", "Caoimhe", "Ruairi", "Sinead", "Cillian", "Orla", "Fionn", "Grainne"],
    "us": ["Brandon", "Tiffany", "Dwayne", "Courtney", "Jaxon", "Madison", "Cody", "LaToya", "DeShawn", "Brittany"],
}
LAST = {
    "nl": ["Bosman", "Hofstede", "van Rijswijk", "Mulderij", "de Groot-Hendriks", "van den Heuvel", "Kamphuis",
           "Spijkerman", "van Vliet", "Timmerman", "Blom", "van Os", "ter Horst", "Stapel", "Verschuren"],
    "fy": ["Hoekstra-Bakker", "Wiersma", "Sikkema", "Tjeerdsma", "de Vries-Faber", "Dijkema", "Bergsma", "Zijlstra"],
    "sr": ["Ramdin", "Sewdien", "Biharie", "Jagernath", "Lachmon", "Kanhai", "Doelwijt", "Pinas", "Sedney", "Amatmoekrim"],
    "tr": ["Demir", "Çelik", "Şahin", "Aydın", "Arslan", "Doğan", "Koç", "Kılıç"],
    "ma": ["El Idrissi", "Boukhari", "Ait Taleb", "Azzouzi", "Tahiri", "El Khattabi", "Bakkali", "Ouali"],
    "pl": ["Nowak", "Zieliński", "Kamińska", "Lewandowski", "Wójcik", "Dąbrowska", "Mazur", "Szymański"],
    "in": ["Iyer", "Reddy", "Banerjee", "Krishnan", "Mehta", "Agarwal", "Nair", "Srinivasan"],
    "cn": ["Wang", "Zhang", "Liu", "Chen", "Huang", "Zhou", "Wu", "Lin"],
    "ng": ["Okonkwo", "Balogun", "Eze", "Adeleke", "Nwosu", "Obi", "Oyelaran", "Chukwu"],
    "gb": ["Thistlethwaite", "Bainbridge", "Cartwright", "Wainwright", "Ogilvie", "Pennington", "Fairweather", "Beaumont"],
    "ie": ["O'Mahony", "McNamara", "Kavanagh", "Byrne", "Quinlan", "Ó Súilleabháin", "Mac Giolla", "Doyle"],
    "us": ["Jefferson", "Kowalczyk", "Rodriguez", "Hernandez", "Schwartz", "Fitzpatrick", "Brooks", "Jenkins"],
}
ORIGINS_NL = ["nl", "nl", "nl", "fy", "sr", "tr", "ma", "pl", "in", "cn", "ng"]
ORIGINS_GB = ["gb", "gb", "gb", "ie", "ie", "in", "pl", "cn", "ng", "nl"]
ORIGINS_US = ["us", "us", "us", "ie", "in", "cn", "ng", "pl", "gb"]


def origin(loc):
    return R.choice({"nl-NL": ORIGINS_NL, "en-GB": ORIGINS_GB, "en-US": ORIGINS_US}[loc])


def person(loc):
    o = origin(loc)
    # the surname sometimes comes from another pool (mixed marriages, second generation)
    lo = o if R.random() < 0.75 else origin(loc)
    return R.choice(FIRST[o]), R.choice(LAST[lo])


def full(fn, ln):
    return fn + " " + ln


def cap(ln):
    return ln[0].upper() + ln[1:]


def P(v):
    return ("PERSON", v)


# ------------------------------------------------------------------ checksum values
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
            x = x * 2 - 9 if x * 2 > 9 else x * 2
        s += x
    return s % 10 == 0


def grp(num, sizes, sep):
    out, i = [], 0
    for k in sizes:
        out.append(num[i:i + k])
        i += k
    return sep.join(out)


def card():
    k = R.choice(["visa", "visa", "mc", "mc", "amex", "maestro", "jcb", "diners"])
    if k == "visa":
        n = luhn_complete("4" + str(R.randrange(10000, 99999)), 16)
        return grp(n, [4, 4, 4, 4], R.choice([" ", "-", " ", "", "  "]))
    if k == "mc":
        n = luhn_complete(R.choice(["51", "52", "53", "54", "55", "2223", "2500"]), 16)
        return grp(n, [4, 4, 4, 4], R.choice([" ", "-", ""]))
    if k == "amex":
        n = luhn_complete(R.choice(["34", "37"]), 15)
        return grp(n, [4, 6, 5], R.choice([" ", "-"]))
    if k == "maestro":
        n = luhn_complete(R.choice(["6759", "6761", "5018"]), 16)
        return grp(n, [4, 4, 4, 4], " ")
    if k == "jcb":
        n = luhn_complete("3528", 16)
        return grp(n, [4, 4, 4, 4], R.choice([" ", "-"]))
    n = luhn_complete("36", 14)
    return grp(n, [4, 6, 4], " ")


def elf_ok(num):
    if len(num) != 9:
        return False
    s = sum(int(c) * w for c, w in zip(num[:8], range(9, 1, -1))) - int(num[8])
    return s % 11 == 0


def bsn():
    while True:
        n = "".join(R.choice(string.digits) for _ in range(9))
        if n[0] in "12345678" and elf_ok(n):
            break
    return R.choice([n, n, n[:3] + "." + n[3:6] + "." + n[6:], n[:3] + " " + n[3:6] + " " + n[6:], n[:2] + "." + n[2:5] + "." + n[5:]])


def ssn():
    while True:
        a = R.randrange(1, 900)
        if a != 666:
            break
    a, g, s = "%03d" % a, "%02d" % R.randrange(1, 100), "%04d" % R.randrange(1, 10000)
    return R.choice([a + "-" + g + "-" + s, a + "-" + g + "-" + s, a + " " + g + " " + s])


IBAN_FMT = {"NL": (4, 10), "IE": (4, 14), "AT": (0, 16), "CH": (0, 17), "PL": (0, 24), "PT": (0, 21),
            "DK": (0, 14), "NO": (0, 11), "FI": (0, 14), "SE": (0, 20)}
BANKS = {"NL": ["KNAB", "SNSB", "BUNQ", "RBRB", "FVLB"], "IE": ["AIBK", "BOFI"]}


def iban():
    cc = R.choice(["NL", "NL", "NL", "IE", "AT", "CH", "PL", "PT", "DK", "NO", "FI", "SE"])
    nl, nd = IBAN_FMT[cc]
    bban = (R.choice(BANKS[cc]) if nl else "") + "".join(R.choice(string.digits) for _ in range(nd))
    num = "".join(str(int(c, 36)) for c in bban + cc + "00")
    s = cc + "%02d" % (98 - int(num) % 97) + bban
    r = R.random()
    if r < 0.4:
        s = " ".join(s[i:i + 4] for i in range(0, len(s), 4))
    if R.random() < 0.3:
        s = s.lower()
    return s


# ------------------------------------------------------------------ phones
def dg(n):
    return "".join(R.choice(string.digits) for _ in range(n))


def phone(loc):
    if loc == "nl-NL":
        m = dg(8)
        a = R.choice(["20", "10", "50", "58", "26", "43", "15", "35", "45", "13"])
        r = str(R.randrange(2, 10)) + dg(6)
        return R.choice(["06 %s %s" % (m[:4], m[4:]), "0%s %s" % ("6", m), "+31 6 %s %s %s %s" % (m[:2], m[2:4], m[4:6], m[6:]),
                         "+31(0)6 %s" % m, "0%s-%s" % (a, r), "+31 (0)%s %s %s" % (a, r[:3], r[3:]),
                         "0%s - %s %s %s" % (a, r[:3], r[3:5], r[5:]), "06%s" % m, "+316-%s" % m])
    if loc == "en-GB":
        r = dg(6)
        return R.choice(["07%s %s" % (dg(3), r), "+44 (0) 7%s %s %s" % (dg(3), r[:3], r[3:]),
                         "01632 %s" % r, "+44 113 %s %s" % (dg(3), dg(4)), "0131 %s %s" % (dg(3), dg(4)),
                         "028 90%s %s" % (dg(2), dg(4)), "+44 7%s%s" % (dg(3), r)])
    a = R.choice(["212", "646", "415", "312", "617", "503", "404", "713", "206", "919"])
    x, y = str(R.randrange(2, 10)) + dg(2), dg(4)
    return R.choice(["(%s) %s-%s" % (a, x, y), "%s-%s-%s" % (a, x, y), "+1 %s %s %s" % (a, x, y),
                     "%s.%s.%s" % (a, x, y), "1 (%s) %s-%s" % (a, x, y), "+1 (%s) %s %s" % (a, x, y)])


# ------------------------------------------------------------------ network / secrets
def ip():
    r = R.random()
    if r < 0.55:
        return "%d.%d.%d.%d" % (R.choice([62, 77, 84, 86, 94, 141, 178, 195, 212, 217, 24, 98, 73]),
                                R.randrange(256), R.randrange(256), R.randrange(1, 255))
    if r < 0.65:
        return "172.%d.%d.%d" % (R.randrange(16, 32), R.randrange(256), R.randrange(1, 255))
    h = lambda: "%x" % R.randrange(1, 0x10000)
    return R.choice(["2a02:%s:%s:%s::%s" % (h(), h(), h(), h()), "2001:1c00:%s:%s:%s:%s:%s:%s" % tuple(h() for _ in range(6)),
                     "::ffff:%d.%d.%d.%d" % (R.choice([84, 94]), R.randrange(256), R.randrange(256), R.randrange(1, 255)),
                     "2600:1700:%s::%s" % (h(), h()), "fd00::%s:%s" % (h(), h())])


ALNUM = string.ascii_letters + string.digits


def rnd(n, al=ALNUM):
    return "".join(R.choice(al) for _ in range(n))


def apikey():
    k = R.choice(["sk_test", "openai", "sendgrid", "github_pat", "aws", "hex32", "mixed", "jwt", "twilio", "mailgun", "anthropic"])
    if k == "sk_test":
        return "sk_test_" + rnd(24)
    if k == "openai":
        return "sk-" + rnd(48)
    if k == "anthropic":
        return "sk-ant-api03-" + rnd(40, ALNUM + "-_")
    if k == "sendgrid":
        return "SG." + rnd(22, ALNUM + "-_") + "." + rnd(43, ALNUM + "-_")
    if k == "github_pat":
        return "github_pat_" + rnd(22) + "_" + rnd(59)
    if k == "aws":
        return "ASIA" + rnd(16, string.ascii_uppercase + "234567")
    if k == "hex32":
        return rnd(32, "0123456789abcdef")
    if k == "twilio":
        return "SK" + rnd(32, "0123456789abcdef")
    if k == "mailgun":
        return "key-" + rnd(32, "0123456789abcdef")
    if k == "jwt":
        hdr = base64.urlsafe_b64encode(b'{"typ":"JWT","alg":"RS256"}').decode().rstrip("=")
        body = base64.urlsafe_b64encode(('{"uid":%d,"exp":%d}' % (R.randrange(10 ** 5), R.randrange(10 ** 9))).encode()).decode().rstrip("=")
        return hdr + "." + body + "." + rnd(86, ALNUM + "-_")
    return rnd(R.choice([24, 36]))


PW_BASE = ["Zeilboot", "Kaasschaaf", "Molenwiek", "Teapot", "Bluebell", "Hurling", "Kookaburra", "Pelikaan",
           "Narwhal", "Stroopwafel", "Bagpipe", "Thunderbird"]


def password():
    w = R.choice(PW_BASE)
    r = R.random()
    if r < 0.25:
        return w + str(R.randrange(1950, 2025)) + R.choice("!?#.")
    if r < 0.45:
        return w.lower() + "." + R.choice(PW_BASE).lower()
    if r < 0.65:
        return rnd(R.randrange(9, 14), ALNUM + "!$%&*-+")
    if r < 0.8:
        return "".join(c.upper() if R.random() < 0.3 else c for c in w.lower()) + dg(2)
    return w[:4] + "@" + dg(4)


def pin():
    return dg(R.choice([4, 4, 5, 6]))


# ------------------------------------------------------------------ places
NL_STREETS = ["Kanaalstraat", "Amstelveenseweg", "Van Oldenbarneveltlaan", "Nobelstraat", "Catharijnesingel",
              "Rijksstraatweg", "Zeestraat", "Torenstraat", "Professor Kamerlingh Onneslaan", "Stationsplein",
              "Bilderdijkkade", "Hoofdweg", "Johan de Wittlaan", "Nieuwe Gracht", "Slingerweg", "Dr. Lelylaan",
              "Ruiterskwartier", "Burgemeester de Withstraat", "Brink", "Emmasingel"]
NL_CITIES = ["Groningen", "Haarlem", "Arnhem", "Almere", "Zoetermeer", "Ede", "Sneek", "Heerenveen",
             "'s-Hertogenbosch", "Bergen op Zoom", "Hoogeveen", "Purmerend", "Vlaardingen", "Oss", "Roermond"]
UK_STREETS = ["Gloucester Road", "Meadow Bank", "St Mary's Road", "Riverside Drive", "Windmill Hill",
              "Harbour Street", "Abbey Close", "Beech Avenue", "Lonsdale Place", "Nightingale Rise", "Orchard Mews",
              "Castle Wynd"]
UK_TOWNS = [("Sheffield", "S10 2TN"), ("Nottingham", "NG7 2RD"), ("Oxford", "OX1 3BG"), ("Belfast", "BT9 5AG"),
            ("Aberdeen", "AB10 1XG"), ("Bath", "BA1 2QH"), ("Exeter", "EX4 4QJ"), ("Coventry", "CV1 5FB"),
            ("Swansea", "SA1 8PP"), ("Inverness", "IV2 3HH")]
US_STREETS = ["Oak Ridge Road", "W 42nd St", "N Michigan Ave", "Peachtree St NE", "Birch Hollow Lane",
              "Old Mill Road", "Meridian Street", "Sycamore Ct", "Bayview Blvd", "Chestnut Pl", "E 7th Street",
              "Forest Hills Dr"]
US_TOWNS = [("Columbus", "OH", "43215"), ("Phoenix", "AZ", "85004"), ("Minneapolis", "MN", "55401"),
            ("Nashville", "TN", "37203"), ("Raleigh", "NC", "27601"), ("Salt Lake City", "UT", "84111"),
            ("Miami", "FL", "33131"), ("Pittsburgh", "PA", "15222"), ("Albany", "NY", "12207"), ("Tucson", "AZ", "85701")]


def nl_pc(space=True):
    return "%d%s%s" % (R.randrange(1000, 10000), " " if space else "", rnd(2, "ABCEGHJKLMNPRSTVWXZ"))


def address(loc, block=False):
    """Returns the address text; block=True puts street and town on separate lines."""
    sep = "\n" if block else ", "
    if loc == "nl-NL":
        st, city = R.choice(NL_STREETS), R.choice(NL_CITIES)
        no = str(R.randrange(1, 250)) + R.choice(["", "", "", "-A", " II", "K", "-14", " rood"])
        if block:
            town = city.upper() if R.random() < 0.2 else city
            return st + " " + no + "\n" + nl_pc(R.random() < 0.8) + " " + town
        return R.choice(["%s %s, %s %s" % (st, no, nl_pc(), city), "%s %s" % (st, no), "%s %s %s %s" % (st, no, nl_pc(), city),
                         "%s %s, %s" % (st, no, city)])
    if loc == "en-GB":
        st = R.choice(UK_STREETS)
        town, pc = R.choice(UK_TOWNS)
        no = str(R.randrange(1, 180))
        pre = R.choice(["", "", "", "Flat %d, " % R.randrange(1, 30), "Apartment %d, " % R.randrange(1, 30), "%d/%d " % (R.randrange(1, 9), 1)])
        if pre.endswith("1 "):
            pre, no = "", "%d/%d" % (R.randrange(1, 9), R.randrange(1, 40))
        if block:
            return pre + no + " " + st + "\n" + town + "\n" + pc
        return R.choice(["%s%s %s, %s %s" % (pre, no, st, town, pc), "%s%s %s, %s, %s" % (pre, no, st, town, pc),
                         "%s%s %s" % (pre, no, st), "%s%s %s, %s" % (pre, no, st, town)])
    st = R.choice(US_STREETS)
    town, stt, z = R.choice(US_TOWNS)
    no = str(R.randrange(100, 20000))
    unit = R.choice(["", "", "", " Unit %d" % R.randrange(1, 40), ", Apt. %d%s" % (R.randrange(1, 20), R.choice("ABC")), " #%d" % R.randrange(100, 999)])
    if block:
        return no + " " + st + unit + "\n" + town + ", " + stt + " " + z
    return R.choice(["%s %s%s, %s, %s %s" % (no, st, unit, town, stt, z), "%s %s%s, %s %s %s" % (no, st, unit, town, stt, z),
                     "%s %s%s" % (no, st, unit)])


# ------------------------------------------------------------------ dates
NL_M = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"]
EN_M = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


def ordn(d):
    return str(d) + ("th" if 11 <= d <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th"))


def date(loc, y0=1938, y1=2007):
    y, m, d = R.randrange(y0, y1), R.randrange(1, 13), R.randrange(1, 29)
    if loc == "nl-NL":
        return R.choice(["%d %s %d" % (d, NL_M[m - 1], y), "%02d-%02d-%d" % (d, m, y), "%d %s '%02d" % (d, NL_M[m - 1], y % 100),
                         "%02d/%02d/%d" % (d, m, y), "%d-%d-%02d" % (d, m, y % 100), "%s %d %s %d" % (R.choice(["maandag", "woensdag", "zondag"]), d, NL_M[m - 1], y),
                         "%d %s. %d" % (d, NL_M[m - 1][:3], y)])
    if loc == "en-GB":
        return R.choice(["%d %s %d" % (d, EN_M[m - 1], y), "%s %s %d" % (ordn(d), EN_M[m - 1], y), "%02d/%02d/%d" % (d, m, y),
                         "%02d.%02d.%d" % (d, m, y), "%d/%d/%02d" % (d, m, y % 100), "%d %s %d" % (d, EN_M[m - 1][:3], y)])
    return R.choice(["%s %d, %d" % (EN_M[m - 1], d, y), "%s %d %d" % (EN_M[m - 1], d, y), "%d/%d/%02d" % (m, d, y % 100),
                     "%02d-%02d-%d" % (m, d, y), "%s %s, %d" % (EN_M[m - 1][:3], ordn(d), y), "%d/%d/%d" % (m, d, y)])


# ------------------------------------------------------------------ e-mail
DOMAINS = ["ziggo.nl", "kpnplanet.nl", "zeelandnet.nl", "hetnet.nl", "yahoo.co.uk", "ntlworld.com", "virginmedia.com",
           "verizon.net", "att.net", "protonmail.com", "pm.me", "live.nl", "eircom.net", "rug.nl", "nhs.net",
           "bakkerij-dekker.nl", "acme-logistics.co.uk", "example.com"]


def ascii_fold(s):
    tbl = str.maketrans("çğışöüłąęśźżńóéíúáÓ", "cgisoulaeszznoeiuaO")
    return s.translate(tbl).lower().replace("'", "").replace(" ", "")


def email(fn, ln):
    f, l = ascii_fold(fn), ascii_fold(ln.split()[-1])
    loc = R.choice(["%s.%s" % (f, l), "%s%s" % (f[0], l), "%s.%s%d" % (f, l, R.randrange(60, 99)), "%s_%s" % (l, f[0]),
                    "%s" % f, "%s.%s" % (f[0], l), "info+%s" % f])
    d = R.choice(DOMAINS)
    if R.random() < 0.1:
        loc = loc.capitalize()
    return loc + "@" + d


# ------------------------------------------------------------------ companies and signatures
COMPANIES_NL = ["Fietsenwinkel De Spaak B.V.", "Energiek Thuis", "ZorgVerzekeraar Noord", "Woonwinkel Lijnbaan",
                "Telecom Plus Nederland", "Groenrijk Tuincentra"]
COMPANIES_EN = ["Brightwater Utilities Ltd", "Northgate Insurance", "Harbourline Telecom", "Parcelwise Inc.",
                "Summit Home Energy", "Kettle & Crumb Ltd"]
TITLES_NL = ["Klantenservicemedewerker", "Teamleider Klantcontact", "Medewerker Debiteurenbeheer", "Adviseur Zakelijk"]
TITLES_EN = ["Customer Care Advisor", "Senior Support Specialist", "Billing Team Lead", "Account Manager",
             "Customer Experience Associate"]


def signature(loc, fn, ln, agent):
    nl = loc == "nl-NL"
    out = [P(full(fn, ln)), "\n"]
    if agent:
        out += [R.choice(TITLES_NL if nl else TITLES_EN), "\n", R.choice(COMPANIES_NL if nl else COMPANIES_EN), "\n"]
        if R.random() < 0.6:
            out += [R.choice(["T ", "Tel: ", "Direct: ", "t. "]), ("PHONE_NUMBER", phone(loc)), "\n"]
        if R.random() < 0.4:
            out += [R.choice(["E ", "Email: ", "e. "]), ("EMAIL_ADDRESS", email(fn, ln)), "\n"]
        if R.random() < 0.4:
            out += [("ADDRESS", address(loc, block=True)), "\n"]
    else:
        if R.random() < 0.5:
            out += [R.choice(["Mob: ", "M: ", "Mobiel: " if nl else "Mobile: ", "", "Tel. "]), ("PHONE_NUMBER", phone(loc)), "\n"]
        if R.random() < 0.35:
            out += [("ADDRESS", address(loc, block=True)), "\n"]
        if R.random() < 0.15:
            out += ["Sent from my iPhone\n"]
    return out


# ------------------------------------------------------------------ content sentences
def pii_sentence(loc, me, agent):
    fn, ln = me
    nl = loc == "nl-NL"
    of, ol = person(loc)
    if nl:
        tpl = [
            lambda: ["Mijn BSN is ", ("NL_BSN", bsn()), ", dat vroegen jullie toch?"],
            lambda: ["burgerservicenr: ", ("NL_BSN", bsn())],
            lambda: ["Voor de toeslag: BSN-nr ", ("NL_BSN", bsn()), " (van mijn man ", P(of), ")."],
            lambda: ["Graag terugstorten op ", ("IBAN_CODE", iban()), " t.n.v. ", P(full(fn, ln)), "."],
            lambda: ["rekeningnr is ", ("IBAN_CODE", iban())],
            lambda: ["Het nieuwe rekeningnummer wordt ", ("IBAN_CODE", iban()), "."],
            lambda: ["Mijn creditcard: ", ("CREDIT_CARD", card()), ", geldig tot 08/29."],
            lambda: ["Er is twee keer afgeschreven van kaart ", ("CREDIT_CARD", card()), "."],
            lambda: ["Het wachtwoord dat ik gebruik is ", ("PASSWORD", password()), " maar dat werkt niet meer."],
            lambda: ["mn inlogcode is ", ("PASSWORD", password())],
            lambda: ["Mijn pincode is ", ("PASSWORD", pin()), ", kan die gewijzigd worden?"],
            lambda: ["Tijdelijk wachtwoord: ", ("PASSWORD", password()), " (graag direct wijzigen)"],
            lambda: ["Ik log in met ", ("EMAIL_ADDRESS", email(fn, ln)), " en wachtwoord ", ("PASSWORD", password()), "."],
            lambda: ["Ik ben geboren op ", ("DATE_OF_BIRTH", date(loc)), " in Paramaribo."],
            lambda: ["mijn geboortedatum is ", ("DATE_OF_BIRTH", date(loc)), " en niet wat er nu staat"],
            lambda: ["Geb.datum: ", ("DATE_OF_BIRTH", date(loc))],
            lambda: ["Mijn zoon ", P(of), " is geboren op ", ("DATE_OF_BIRTH", date(loc, 2008, 2022)), "."],
            lambda: ["Ik ben verhuisd naar de ", ("ADDRESS", address(loc)), "."],
            lambda: ["Bezorgadres: ", ("ADDRESS", address(loc))],
            lambda: ["Kunt u de monteur naar ", ("ADDRESS", address(loc)), " sturen?"],
            lambda: ["Bel me gerust op ", ("PHONE_NUMBER", phone(loc)), ", ik ben thuis na vijven."],
            lambda: ["mijn nummer is ", ("PHONE_NUMBER", phone(loc))],
            lambda: ["Stuur de bevestiging naar ", ("EMAIL_ADDRESS", email(fn, ln)), " alstublieft."],
            lambda: ["Mijn collega ", P(of), " heeft het ook geprobeerd, zelfde foutmelding."],
            lambda: ["Mijn vrouw ", P(full(of, ln)), " staat ook op het contract."],
            lambda: ["Ik heb dit al besproken met uw collega ", P(of), " vorige week."],
            lambda: ["Mijn buurman, meneer ", P(cap(ol)), ", heeft het pakket aangenomen."],
            lambda: ["Onze router geeft IP ", ("IP_ADDRESS", ip()), " maar geen internet."],
            lambda: ["Vanaf ", ("IP_ADDRESS", ip()), " kan ik niet inloggen op het portaal."],
            lambda: ["De koppeling gebruikt deze sleutel: ", ("API_KEY", apikey()), " - is die nog geldig?"],
            lambda: ["Zie https://portal.example.com/export?api_key=", ("API_KEY", apikey()), "&fmt=csv"],
        ]
    else:
        us = loc == "en-US"
        tpl = [
            lambda: ["My SSN is ", ("US_SSN", ssn()), " if you need it for the credit check."] if us else ["My card is ", ("CREDIT_CARD", card()), ", expiring 03/28."],
            lambda: ["Social: ", ("US_SSN", ssn())] if us else ["Sort it out via IBAN ", ("IBAN_CODE", iban()), " please."],
            lambda: ["Please refund to ", ("IBAN_CODE", iban()), " (account holder ", P(full(fn, ln)), ")."],
            lambda: ["I paid with ", ("CREDIT_CARD", card()), " and got charged twice."],
            lambda: ["card number ", ("CREDIT_CARD", card()), " exp 11/27"],
            lambda: ["My login is ", ("PASSWORD", password()), " btw"],
            lambda: ["PIN: ", ("PASSWORD", pin())],
            lambda: ["I reset my password to ", ("PASSWORD", password()), " yesterday and it's still rejected."],
            lambda: ["The password I've been using is ", ("PASSWORD", password()), "."],
            lambda: ["passcode ", ("PASSWORD", pin()), " for the voicemail doesn't work either"],
            lambda: ["I was born ", ("DATE_OF_BIRTH", date(loc)), ", so I'm over the age limit."],
            lambda: ["My birthday is ", ("DATE_OF_BIRTH", date(loc)), " - the form shows the wrong one."],
            lambda: ["Date of birth (as on my passport): ", ("DATE_OF_BIRTH", date(loc))],
            lambda: ["DOB ", ("DATE_OF_BIRTH", date(loc))],
            lambda: ["My husband ", P(of), " was born on ", ("DATE_OF_BIRTH", date(loc)), "."],
            lambda: ["Please send it to ", ("ADDRESS", address(loc)), " instead."],
            lambda: ["We've moved - new address is ", ("ADDRESS", address(loc)), "."],
            lambda: ["Ship to: ", ("ADDRESS", address(loc))],
            lambda: ["You can reach me on ", ("PHONE_NUMBER", phone(loc)), " after 6pm."],
            lambda: ["cell ", ("PHONE_NUMBER", phone(loc))],
            lambda: ["Please reply to ", ("EMAIL_ADDRESS", email(fn, ln)), " as I no longer use the old one."],
            lambda: ["My wife ", P(of), " handles the bills, so please copy her in."],
            lambda: ["I spoke to your colleague ", P(of), " on Tuesday and she promised a call back."],
            lambda: ["My neighbour Mrs ", P(cap(ol)), " took the parcel in."],
            lambda: ["Our office IP is ", ("IP_ADDRESS", ip()), ", could you whitelist it?"],
            lambda: ["Connection from [", ("IP_ADDRESS", ip()), "]:443 is refused."],
            lambda: ["Here's the key from our config: ", ("API_KEY", apikey())],
            lambda: ["The webhook URL is https://hooks.example.io/v1/notify?token=", ("API_KEY", apikey())],
        ]
    return R.choice(tpl)()


def config_block(loc):
    lines = []
    for _ in range(R.randrange(2, 4)):
        k = R.random()
        if k < 0.35:
            lines += [R.choice(["API_KEY=", "api_key: ", "STRIPE_SECRET_KEY=", "\"apiKey\": \"", "x-api-key: "]), ("API_KEY", apikey()), "\n"]
        elif k < 0.55:
            lines += [R.choice(["DB_PASSWORD=", "password: ", "smtp_pass = ", "\"password\": \""]), ("PASSWORD", password()), "\n"]
        elif k < 0.7:
            lines += [R.choice(["host: ", "SERVER_IP=", "bind_address = "]), ("IP_ADDRESS", ip()), "\n"]
        else:
            lines += [R.choice(["timeout: 30\n", "region: eu-west-1\n", "retries = 3\n", "version: 2.4.1\n", "port: 5432\n", "user: admin\n"])]
    # close quotes on json-ish lines
    out = []
    for i, p in enumerate(lines):
        if p == "\n" and isinstance(lines[i - 2], str) and lines[i - 2].endswith("\""):
            out.append("\",\n")
        else:
            out.append(p)
    return ["```\n"] + out + ["```\n"]


def order_no():
    while True:
        n = str(R.randrange(10 ** 8, 10 ** 9))
        if not elf_ok(n):
            return n


def track16():
    while True:
        n = str(R.randrange(10 ** 15, 10 ** 16))
        if not luhn_ok(n):
            return n


def money(loc):
    a, c = R.randrange(2, 2500), R.randrange(100)
    if loc == "nl-NL":
        return R.choice(["€%d,%02d" % (a, c), "€ %d,-" % a, "%d,%02d EUR" % (a, c)])
    if loc == "en-GB":
        return R.choice(["£%d.%02d" % (a, c), "%dp" % R.randrange(10, 99)])
    return "$%d.%02d" % (a, c)


def neg_sentence(loc):
    nl = loc == "nl-NL"
    city = R.choice(NL_CITIES if nl else [t[0] for t in (UK_TOWNS if loc == "en-GB" else US_TOWNS)])
    if nl:
        tpl = [
            lambda: ["Ik heb de Philips Hue startset besteld bij jullie filiaal in ", city, "."],
            lambda: ["Bestelnummer ", order_no(), " - factuur 2025-", dg(5), " - bedrag ", money(loc), "."],
            lambda: ["Het T&T-nummer is ", track16(), ", maar PostNL zegt dat het onbekend is."],
            lambda: ["De winkel aan de ", R.choice(NL_STREETS), " was gesloten toen ik langskwam."],
            lambda: ["Sinds firmware ", "%d.%d.%d" % (R.randrange(1, 9), R.randrange(20), R.randrange(100)), " valt de verbinding om 21:15 steeds weg."],
            lambda: ["Ik was vorige week bij Albert Heijn en daarna bij de Jumbo, maar nergens te koop."],
            lambda: ["Mijn Samsung Galaxy A54 laadt niet meer op."],
            lambda: ["Op ", date(loc, 2024, 2027), " besteld, op ", date(loc, 2024, 2027), " geleverd."],
            lambda: ["Wij bezorgen niet op de Waddeneilanden (postcodes 8880 t/m 8899)."],
            lambda: ["Uw klantnummer is ", order_no(), "; bewaar dit nummer goed."],
            lambda: ["De storing in ", city, " is om 14.40 uur verholpen."],
            lambda: ["Ik heb ", str(R.randrange(2, 6)), " dozen Douwe Egberts koffie besteld voor ", money(loc), "."],
            lambda: ["Is de Van Moof S5 nog leverbaar in het grijs?"],
            lambda: ["Ticket #", dg(6), " is doorgezet naar de tweede lijn."],
            lambda: ["Mijn wachtwoord werkt niet meer sinds gisteren, kunt u het resetten?"],
            lambda: ["Jansen Installatietechniek komt donderdag tussen 8 en 12 uur."],
            lambda: ["De Marktplaats-advertentie van 12 maart is verwijderd."],
            lambda: ["Uw abonnement Basis 50 Mbit kost ", money(loc), " per maand."],
        ]
    else:
        tpl = [
            lambda: ["I bought the Dyson V15 from your ", city, " store last month."],
            lambda: ["Order ", order_no(), " / invoice INV-", dg(6), " / total ", money(loc), "."],
            lambda: ["Tracking ", track16(), " hasn't moved since Monday."],
            lambda: ["The branch on ", R.choice([s for s in UK_STREETS + US_STREETS]), " told me to contact you."],
            lambda: ["After the update to version ", "%d.%d.%d" % (R.randrange(1, 9), R.randrange(20), R.randrange(100)), " the app crashes at 9:45pm."],
            lambda: ["I shop at Marks & Spencer and Tesco mostly, never had this issue."],
            lambda: ["My iPhone 15 Pro won't pair with the Apple Watch."],
            lambda: ["Ordered on ", date(loc, 2024, 2027), ", delivered ", date(loc, 2024, 2027), "."],
            lambda: ["We don't deliver to BT or IV postcodes at the moment."],
            lambda: ["Your account number is ", order_no(), "."],
            lambda: ["The outage in ", city, " was fixed at 14:40."],
            lambda: ["I ordered ", str(R.randrange(2, 6)), " jars of Ben & Jerry's for ", money(loc), "."],
            lambda: ["Is the Ford Fiesta trim still available in grey?"],
            lambda: ["Case #", dg(7), " has been escalated to tier 2."],
            lambda: ["I forgot my password again, can you send a reset link?"],
            lambda: ["Johnson & Johnson and Procter & Gamble products are excluded from the offer."],
            lambda: ["Your Premium Plus plan costs ", money(loc), " a month."],
            lambda: ["Washington Mutual closed my old account years ago."],
            lambda: ["The Jackson Hole resort booking (ref ", rnd(6, string.ascii_uppercase + string.digits), ") was cancelled."],
        ]
    return R.choice(tpl)()


# ------------------------------------------------------------------ whole messages
def greeting(loc, other, agent):
    ofn, oln = other
    nl = loc == "nl-NL"
    if nl:
        return R.choice([["Beste ", P(ofn), ",\n\n"], ["Geachte mevrouw ", P(cap(oln)), ",\n\n"], ["Geachte heer ", P(cap(oln)), ",\n\n"],
                         ["Hallo ", P(full(ofn, oln)), ",\n\n"], ["Goedemorgen,\n\n"], ["Beste klantenservice,\n\n"],
                         ["Dag ", P(ofn), ",\n\n"], ["L.S.,\n\n"]])
    return R.choice([["Dear ", P(ofn), ",\n\n"], ["Dear Ms ", P(cap(oln)), ",\n\n"], ["Dear Mr. ", P(cap(oln)), ",\n\n"],
                     ["Hi ", P(ofn), ",\n\n"], ["Good afternoon,\n\n"], ["To whom it may concern,\n\n"], ["Hello ", P(full(ofn, oln)), ",\n\n"],
                     ["Dear Sir/Madam,\n\n"]])


def signoff(loc):
    if loc == "nl-NL":
        return R.choice(["Met vriendelijke groet,\n", "Vriendelijke groeten,\n", "Groet,\n", "Hartelijke groet,\n", "Mvg,\n", "Met vriendelijke groeten,\n\n"])
    return R.choice(["Kind regards,\n", "Best wishes,\n", "Many thanks,\n", "Sincerely,\n", "Thanks,\n", "Regards,\n\n", "Cheers,\n"])


def fwd_header(loc, who, to_team=True):
    fn, ln = who
    addr = email(fn, ln)
    if loc == "nl-NL":
        return R.choice([
            ["Van: ", P(full(fn, ln)), " <", ("EMAIL_ADDRESS", addr), ">\nVerzonden: vrijdag 14 november 2025 16:03\nAan: Klantenservice <", ("EMAIL_ADDRESS", "service@example.nl"), ">\nOnderwerp: Re: storing\n\n"],
            ["Van: ", P(full(fn, ln)), " [mailto:", ("EMAIL_ADDRESS", addr), "]\nDatum: 3 oktober 2025 om 11:27\nAan: ", ("EMAIL_ADDRESS", "info@example.nl"), "\n\n"],
            ["---------- Doorgestuurd bericht ---------\nVan: \"", P(full(fn, ln)), "\" <", ("EMAIL_ADDRESS", addr), ">\nDatum: ma 6 okt 2025 09:12\n\n"],
        ])
    return R.choice([
        ["From: ", P(full(fn, ln)), " <", ("EMAIL_ADDRESS", addr), ">\nSent: Friday, 14 November 2025 16:03\nTo: Customer Services <", ("EMAIL_ADDRESS", "help@example.co.uk"), ">\nSubject: RE: outage\n\n"],
        ["---------- Forwarded message ---------\nFrom: ", P(full(fn, ln)), " <", ("EMAIL_ADDRESS", addr), ">\nDate: Mon, Oct 6, 2025 at 9:12 AM\nSubject: Fwd: refund\n\n"],
        ["From: \"", P(cap(ln) + ", " + fn), "\" <", ("EMAIL_ADDRESS", addr), ">\nDate: 10/03/2025 11:27\n\n"],
    ])


def paragraph(loc, me, agent):
    parts = []
    for k in range(R.randrange(1, 4)):
        if k:
            parts.append(" ")
        parts += pii_sentence(loc, me, agent) if R.random() < 0.6 else neg_sentence(loc)
    return parts


def email_msg(loc, agent):
    me, other = person(loc), person(loc)
    parts = []
    if R.random() < 0.2:
        parts += fwd_header(loc, person(loc))
    parts += greeting(loc, other, agent)
    if agent and R.random() < 0.5:
        fn = me[0]
        parts += (["Mijn naam is ", P(fn), " en ik help u graag verder. "] if loc == "nl-NL" else
                  ["My name is ", P(fn), " and I'll be looking after your case. "])
    for k in range(R.randrange(1, 4)):
        parts += paragraph(loc, me, agent) + ["\n\n"]
    if R.random() < 0.12:
        parts += config_block(loc) + ["\n"]
    parts += [signoff(loc)]
    parts += signature(loc, me[0], me[1], agent) if R.random() < 0.75 else [P(me[0]), "\n"]
    return parts


TYPO = {"the": "teh", "you": "u", "your": "ur", "please": "pls", "thanks": "thx", "mijn": "mn", "niet": "nie", "bedankt": "bedankt!!",
        "because": "coz", "wachtwoord": "ww"}


def typo(s):
    words = s.split(" ")
    return " ".join(TYPO.get(w, w) if R.random() < 0.5 else w for w in words)


def chat_msg(loc, agent):
    me, other = person(loc), person(loc)
    nl = loc == "nl-NL"
    lower = not agent and R.random() < 0.45
    parts = []
    r = R.random()
    if agent:
        if r < 0.5:
            parts += (R.choice([["Goedemiddag, je spreekt met ", P(me[0]), ". "], ["Hoi! Ik ben ", P(me[0]), " van de klantenservice. "],
                                ["Welkom, u chat met ", P(me[0]), ". "]]) if nl else
                      R.choice([["Hi there, you're chatting with ", P(me[0]), ". "], ["Hello, ", P(me[0]), " here from the support team. "],
                                ["Thanks for waiting, my name's ", P(me[0]), ". "]]))
        elif r < 0.7:
            parts += (["Dank je ", P(other[0]), ", "] if nl else ["Thanks ", P(other[0]), ", "])
    else:
        if r < 0.35:
            nm = full(*me) if R.random() < 0.6 else me[0]
            parts += (R.choice([["hoi, met ", P(nm.lower() if lower else nm), ". "], ["Hallo, ik ben ", P(nm.lower() if lower else nm), ". "],
                                ["goedendag, u spreekt met ", P(nm), ". "]]) if nl else
                      R.choice([["hi its ", P(nm.lower() if lower else nm), " here. "], ["Hello, my name is ", P(nm), ". "],
                                ["hey, ", P(nm.lower() if lower else nm), " again. "]]))
    for k in range(R.randrange(1, 3)):
        s = pii_sentence(loc, me, agent) if R.random() < 0.6 else neg_sentence(loc)
        if lower:
            s = [x.lower() if isinstance(x, str) else x for x in s]
            s = [typo(x) if isinstance(x, str) and R.random() < 0.5 else x for x in s]
        parts += s + [" "]
    if agent and R.random() < 0.3:
        parts += (["Fijne dag nog! ", P(me[0])] if nl else ["Have a great day! ", P(me[0])])
    return parts


def render(parts):
    out, spans, pos = [], [], 0
    for p in parts:
        if isinstance(p, tuple):
            t, v = p
            b = len(v.encode())
            spans.append({"field": "body", "start": pos, "end": pos + b, "type": t, "text": v})
            out.append(v)
            pos += b
        else:
            out.append(p)
            pos += len(p.encode())
    return "".join(out), spans


def event(i, loc, ch):
    agent = R.random() < 0.4
    parts = email_msg(loc, agent) if ch == "email" else chat_msg(loc, agent)
    body, spans = render(parts)
    # strip trailing whitespace without touching spans
    body2 = body.rstrip()
    assert all(s["end"] <= len(body2.encode()) for s in spans)
    ev = {"event_id": str(uuid.UUID(int=R.getrandbits(128))), "conversation_id": "h2-%s-%05d" % (ch, i // 3),
          "customer_id": "h2-cust-%05d" % R.randrange(100000), "channel": ch, "locale": loc,
          "author_role": "agent" if agent else "customer",
          "sent_at": "2025-%02d-%02dT%02d:%02d:00Z" % (R.randrange(1, 13), R.randrange(1, 29), R.randrange(24), R.randrange(60)),
          "body": body2, "spans": spans}
    if ch == "email":
        ev["subject"] = R.choice(["Re: uw aanvraag", "Adreswijziging", "Fw: storing internet", "Terugbetaling", "Re: Your account",
                                  "Complaint ref 2291", "FW: refund", "Change of details", "Login problem"])
    return ev


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1200)
    ap.add_argument("--seed", type=int, default=2026)
    a = ap.parse_args()
    R.seed(a.seed)
    for i in range(a.n):
        loc = R.choice(["nl-NL", "nl-NL", "en-GB", "en-US"])
        ch = R.choice(["chat", "email", "email"])
        ev = event(i, loc, ch)
        b = ev["body"].encode()
        for s in ev["spans"]:
            assert b[s["start"]:s["end"]].decode() == s["text"], s
        print(json.dumps(ev, ensure_ascii=False))


if __name__ == "__main__":
    main()
