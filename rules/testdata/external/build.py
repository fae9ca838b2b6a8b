#!/usr/bin/env python3
"""Rebuild the external set (rules/testdata/external/*.jsonl) from public peers' test material.

  python3 rules/testdata/external/build.py \\
      --presidio MIRROR/microsoft+presidio/repo \\
      --gitleaks MIRROR/gitleaks+gitleaks/repo \\
      --stdnum MIRROR/arthurdejong+python-stdnum/repo \\
      --email-validator MIRROR/JoshData+python-email-validator/repo

Each --REPO is a git directory (bare is fine) read at HEAD with `git show`. The PyPI packages
`phonenumbers` (libphonenumber's metadata and example numbers) and `python-stdnum` (the validators
that classify stdnum's values) must be installed; Go's own tests of net/netip are read from the
installed Go toolchain (`go env GOROOT`). gitleaks's true and false positives are built by
gitleaks's own generator: the script exports gitleaks's source to a temporary directory, adds a
hook to its rule validator that writes every example with the secret gitleaks finds in it, and runs
`go run ./cmd/generate/config` (Go modules come from the module proxy). `--gitleaks-cases FILE`
reuses such a dump instead. gitleaks generates most of its examples at random; the script seeds
that generator (reggen, copied beside the export and patched) with a counter, so a rebuild gives the
same examples. Two rules (jwt-base64, sentry-org-token) still differ between runs, as gitleaks builds
their examples from other random sources; the other sources rebuild byte for byte.

The peers give values and whether they are valid. The sentences around them are ours
(carriers.py), and SCOPE.md says which cases are in scope and why. Every event records where its
value came from in "origin" (project, commit or version, file, test).
"""
import argparse
import ast
import collections
import ipaddress
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType
import stdnum
from stdnum import iban as std_iban
from stdnum.us import ssn as std_ssn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from carriers import BARE, CONTEXT, LOCALE  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checksums import luhn  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LANGS = ["nl", "en", "de", "fr"]

# The locale whose country a national phone notation belongs to (PHONE-2).
REGION_LOCALE = {"NL": "nl-NL", "BE": "nl-BE", "DE": "de-DE", "AT": "de-AT", "CH": "de-CH", "FR": "fr-FR",
                 "LU": "fr-LU", "GB": "en-GB", "US": "en-US", "IE": "en-IE", "CA": "en-CA"}


def git_show(repo, path):
    return subprocess.run(["git", "--git-dir", repo, "show", "HEAD:" + path], check=True,
                          capture_output=True, text=True).stdout


def git_head(repo):
    return subprocess.run(["git", "--git-dir", repo, "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


def git_ls(repo, folder):
    out = subprocess.run(["git", "--git-dir", repo, "ls-tree", "--name-only", "HEAD", folder + "/"], check=True,
                         capture_output=True, text=True).stdout
    return out.split()


# ---- validity checks (G1) ------------------------------------------------------------------

def card_ok(v):
    d = re.sub(r"[ -]", "", v)
    return d.isdigit() and 12 <= len(d) <= 19 and luhn(d)


EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.([A-Za-z]{2,}|xn--[a-z0-9]+)$")


def ip_ok(v):
    v = v.strip("[]")
    try:
        ipaddress.ip_address(v)
        return True
    except ValueError:
        return False


def ssn_ok(v):
    return bool(re.fullmatch(r"\d{3}([- ]?)\d{2}\1\d{4}", v)) and std_ssn.is_valid(v.replace(" ", "-"))


def phone_region(v, hints):
    """the region of a valid phone number, or None"""
    s = v.strip()
    if s.startswith("00"):
        s = "+" + s[2:]
    for region in ([None] if s.startswith("+") else hints):
        try:
            n = phonenumbers.parse(s, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(n):
            return phonenumbers.region_code_for_number(n)
    return None


# ---- notations ---------------------------------------------------------------------------

def groups(s, sizes):
    out, i = [], 0
    for n in sizes:
        out.append(s[i:i + n])
        i += n
    if i < len(s):
        out.append(s[i:])
    return [g for g in out if g]


def card_notation(v, style):
    d = re.sub(r"\D", "", v)
    sizes = [4, 6, 5] if len(d) == 15 and d[:2] in ("34", "37") else [4] * 5
    return {"compact": d, "spaced": " ".join(groups(d, sizes)), "dashed": "-".join(groups(d, sizes))}[style]


def iban_notation(v, style):
    c = re.sub(r"[^0-9A-Za-z]", "", v).upper()
    p = " ".join(c[i:i + 4] for i in range(0, len(c), 4))
    return {"compact": c, "print": p, "lower": p.lower()}[style]


def bsn_notation(v, style):
    d = re.sub(r"\D", "", v)
    return {"compact": d, "dotted": f"{d[:4]}.{d[4:6]}.{d[6:]}", "spaced": f"{d[:3]} {d[3:6]} {d[6:]}"}[style]


# ---- events ------------------------------------------------------------------------------

class Out:
    """collects the events of one source"""

    def __init__(self, source, rng):
        self.source, self.rng, self.events, self.seen = source, rng, [], set()

    def lang(self):
        return self.rng.choice(LANGS)

    def add(self, origin, template, values, label, scope, rule, kind, lang, locale=None, notation="as-given"):
        """values fill {v} (and {w}); label is the gold type or None for a negative"""
        parts = re.split(r"(\{v\}|\{w\})", template.replace("{{", "\x00").replace("}}", "\x01"))
        body, spans, vals = "", [], iter(values)
        for p in parts:
            if p in ("{v}", "{w}"):
                v = next(vals)
                start = len(body.encode())
                body += v
                if label:
                    spans.append({"field": "body", "start": start, "end": len(body.encode()), "type": label, "text": v})
            else:
                body += p.replace("\x00", "{").replace("\x01", "}")
        key = (body, locale or LOCALE[lang])
        if key in self.seen:
            return
        self.seen.add(key)
        self.events.append({
            "event_id": "ext-%s-%04d" % (self.source, len(self.events) + 1),
            "locale": locale or LOCALE[lang],
            "body": body,
            "spans": spans,
            "tags": {"source": self.source, "scope": scope, "rule": rule, "kind": kind, "notation": notation,
                     "lang": lang},
            "origin": origin,
        })

    def context(self, typ, lang):
        return self.rng.choice(CONTEXT[typ][lang])

    def bare(self, lang):
        return self.rng.choice(BARE[lang])

    def write(self):
        path = os.path.join(HERE, self.source + ".jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for ev in self.events:
                f.write(json.dumps(ev, ensure_ascii=False) + "\n")
        c = collections.Counter(ev["tags"]["scope"] for ev in self.events)
        print(f"{path}: {len(self.events)} events ({c['in']} in scope)", file=sys.stderr)


# ---- Presidio ----------------------------------------------------------------------------

PRESIDIO = {
    "test_credit_card_recognizer.py": ("CREDIT_CARD", None),
    "test_iban_recognizer.py": ("IBAN_CODE", None),
    "test_email_recognizer.py": ("EMAIL_ADDRESS", None),
    "test_ip_recognizer.py": ("IP_ADDRESS", None),
    "test_us_ssn_recognizer.py": ("US_SSN", None),
    "test_phone_recognizer.py": ("PHONE_NUMBER", ["US", "GB", "IL", "JP", "CN", "BR", "IN", "DE", "FR", "NL"]),
    "test_tr_phone_number_recognizer.py": ("PHONE_NUMBER", ["TR"]),
    "test_ph_mobile_number_recognizer.py": ("PHONE_NUMBER", ["PH"]),
}


def presidio_cases(repo):
    """yields (file, test, case, type, hints, value, positive) from parametrized recognizer tests"""
    for fname, (typ, hints) in PRESIDIO.items():
        path = "presidio-analyzer/tests/" + fname
        tree = ast.parse(git_show(repo, path))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            for dec in fn.decorator_list:
                if not (isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "parametrize"):
                    continue
                try:
                    names = [n.strip() for n in ast.literal_eval(dec.args[0]).split(",")]
                except (ValueError, SyntaxError, IndexError):
                    continue
                if "expected_len" not in names or not isinstance(dec.args[1], ast.List):
                    continue
                li = names.index("expected_len")
                pi = next((i for i, n in enumerate(names) if "position" in n or n == "expected_res"), None)
                for k, elt in enumerate(dec.args[1].elts):
                    try:
                        row = ast.literal_eval(elt)
                    except ValueError:
                        continue  # built by a function call
                    text, n = row[0], row[li]
                    if not isinstance(text, str):
                        continue
                    pos = [p for p in (row[pi] if pi is not None else ()) if len(p) == 2]
                    if n > 0 and pos and len(pos) == n:
                        for s, e in pos:
                            yield path, fn.name, k, typ, hints, text[s:e], True
                    elif n == 1 and not pos and not re.search(r"\s", text.strip()):
                        yield path, fn.name, k, typ, hints, text.strip(), True
                    elif n == 0:
                        v = negative_candidate(text, typ)
                        if v:
                            yield path, fn.name, k, typ, hints, v, False


def negative_candidate(text, typ):
    """the value-like part of a peer's negative example"""
    toks = text.split()
    if typ == "EMAIL_ADDRESS":
        c = [t.strip(".,;") for t in toks if "@" in t]
        return c[0] if c else None
    if typ == "IP_ADDRESS":
        c = [t for t in toks if re.search(r"\d", t) and re.search(r"[.:]", t)]
        return max(c, key=len) if c else None
    runs, cur = [], []
    for t in toks:
        if re.search(r"\d", t):
            cur.append(t)
        else:
            if cur:
                runs.append(" ".join(cur))
            cur = []
    if cur:
        runs.append(" ".join(cur))
    return max(runs, key=len) if runs else None


def build_presidio(repo, rng):
    out = Out("presidio", rng)
    commit = git_head(repo)
    seen = set()
    for path, test, k, typ, hints, v, positive in presidio_cases(repo):
        if (typ, v, positive) in seen:
            continue
        seen.add((typ, v, positive))
        origin = {"project": "microsoft/presidio", "commit": commit, "file": path, "test": test, "case": k,
                  "expected": "match" if positive else "no match"}
        lang = out.lang()
        if typ == "PHONE_NUMBER":
            region = phone_region(v, hints)
            intl = v.lstrip().startswith(("+", "00"))
            if not positive:
                scope, rule = ("in", "G2") if region is None else ("out", "G3")
                out.add(origin, out.context(typ, lang), [v], None, scope, rule, "invalid", lang)
                continue
            if region is None:
                out.add(origin, out.context(typ, lang), [v], typ, "out", "G3", "valid", lang)
            elif intl:
                out.add(origin, out.context(typ, lang), [v], typ, "in", "PHONE-1", "valid", lang, notation="international")
            elif region in REGION_LOCALE:
                loc = REGION_LOCALE[region]
                out.add(origin, out.context(typ, loc[:2]), [v], typ, "in", "PHONE-2", "valid", loc[:2], loc, "national")
            else:
                out.add(origin, out.context(typ, lang), [v], typ, "out", "PHONE-3", "valid", lang, notation="national")
            continue
        ok = {"CREDIT_CARD": card_ok, "IBAN_CODE": std_iban.is_valid, "EMAIL_ADDRESS": EMAIL.match,
              "IP_ADDRESS": ip_ok, "US_SSN": lambda x: std_ssn.is_valid(re.sub(r"[ .]", "-", x))}[typ](v)
        if not positive:
            scope, rule = ("in", "G2") if not ok else ("out", "G3")
            out.add(origin, out.context(typ, lang), [v], None, scope, rule, "invalid", lang)
            continue
        if not ok:
            out.add(origin, out.context(typ, lang), [v], typ, "out", "G3", "valid", lang)
            continue
        if typ == "US_SSN":
            if ssn_ok(v):
                out.add(origin, out.context(typ, "en"), [v], typ, "in", "SSN-1", "valid", "en", "en-US")
            else:
                out.add(origin, out.context(typ, "en"), [v], typ, "out", "SSN-2", "valid", "en", "en-US", "other grouping")
            out.add(origin, out.bare("en"), [v], typ, "out", "SSN-2", "valid", "en", "en-US", "bare")
        elif typ == "IP_ADDRESS":
            rule = "IP-2" if v == "::" else "IP-1"
            scope = "out" if v == "::" else "in"
            out.add(origin, out.context(typ, lang), [v], typ, scope, rule, "valid", lang)
            l2 = out.lang()
            out.add(origin, out.bare(l2), [v], typ, scope, rule, "valid", l2, notation="bare")
        elif typ == "CREDIT_CARD":
            out.add(origin, out.context(typ, lang), [v], typ, "in", "CARD-1", "valid", lang)
            style = rng.choice(["compact", "spaced", "dashed"])
            l2 = out.lang()
            out.add(origin, out.bare(l2), [card_notation(v, style)], typ, "in", "CARD-1", "valid", l2, notation=style)
        elif typ == "IBAN_CODE":
            out.add(origin, out.context(typ, lang), [v], typ, "in", "IBAN-1", "valid", lang)
            style = rng.choice(["compact", "print", "lower"])
            l2 = out.lang()
            out.add(origin, out.bare(l2), [iban_notation(v, style)], typ, "in", "IBAN-1", "valid", l2, notation=style)
        else:
            out.add(origin, out.context(typ, lang), [v], typ, "in", "EMAIL-1", "valid", lang)
    return out


# ---- gitleaks ----------------------------------------------------------------------------

HOOK = '''
func dumpCases(d *detect.Detector, rule string, tps, fps []string) {
	f, err := os.OpenFile(os.Getenv("GITLEAKS_CASES"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	for _, tp := range tps {
		var secrets, matches []string
		for _, x := range d.DetectString(tp) {
			secrets = append(secrets, x.Secret)
			matches = append(matches, x.Match)
		}
		enc.Encode(map[string]any{"rule": rule, "kind": "tp", "text": tp, "secrets": secrets, "matches": matches})
	}
	for _, fp := range fps {
		enc.Encode(map[string]any{"rule": rule, "kind": "fp", "text": fp})
	}
}
'''


def gitleaks_dump(repo, dump):
    """runs gitleaks's rule generator with a hook that writes every example to dump"""
    with tempfile.TemporaryDirectory() as src:
        subprocess.run(f"git --git-dir '{repo}' archive HEAD | tar -x -C '{src}'", shell=True, check=True)
        vpath = os.path.join(src, "cmd/generate/config/utils/validate.go")
        s = open(vpath).read()
        s = s.replace('import (\n\t"strings"\n', 'import (\n\t"encoding/json"\n\t"os"\n\t"strings"\n', 1)
        anchor = "\td := createSingleRuleDetector(r)\n\tfor _, tp := range truePositives {"
        if anchor not in s:
            sys.exit("gitleaks: validate.go changed; update the hook in build.py")
        s = s.replace(anchor, "\td := createSingleRuleDetector(r)\n\tdumpCases(d, r.RuleID, truePositives, falsePositives)\n"
                      "\tfor _, tp := range truePositives {", 1) + HOOK
        open(vpath, "w").write(s)
        # Seed gitleaks's secret generator (reggen) deterministically, so a rebuild gives the same secrets.
        subprocess.run(["go", "mod", "download", "github.com/lucasjones/reggen"], cwd=src, check=True)
        moddir = subprocess.run(["go", "list", "-m", "-f", "{{.Dir}}", "github.com/lucasjones/reggen"], cwd=src,
                                check=True, capture_output=True, text=True).stdout.strip()
        regen = os.path.join(src, "third_party", "reggen")
        shutil.copytree(moddir, regen)
        os.chmod(regen, 0o755)
        rpath = os.path.join(regen, "reggen.go")
        os.chmod(rpath, 0o644)
        r = open(rpath).read()
        if "rand.NewSource(time.Now().UnixNano())" not in r:
            sys.exit("gitleaks: reggen changed; update the seeding in build.py")
        r = r.replace("rand.NewSource(time.Now().UnixNano())", "rand.NewSource(nextSeed())")
        r += "\nvar _ = time.Now // the seed no longer reads the clock\n\nvar seedCount int64\n\n" \
             "func nextSeed() int64 { seedCount++; return seedCount }\n"
        open(rpath, "w").write(r)
        if not os.path.exists(os.path.join(regen, "go.mod")):
            open(os.path.join(regen, "go.mod"), "w").write("module github.com/lucasjones/reggen\n\ngo 1.13\n")
        subprocess.run(["go", "mod", "edit", "-replace", "github.com/lucasjones/reggen=./third_party/reggen"], cwd=src,
                       check=True)
        if os.path.exists(dump):
            os.remove(dump)
        env = dict(os.environ, GITLEAKS_CASES=os.path.abspath(dump))
        # The generator writes gitleaks.toml last; the examples are dumped before that.
        subprocess.run(["go", "run", ".", os.path.join(src, "gitleaks.toml")], cwd=os.path.join(src, "cmd/generate/config"),
                       env=env, check=False)
    if not os.path.exists(dump):
        sys.exit("gitleaks: the generator wrote no examples")


PLACEHOLDER = re.compile(r"(.)\1{3}|x{4}|X{4}|\*{3}|\$\{|<[^>]*>|example|EXAMPLE|placeholder|dummy|test_?key", re.I)
PREFIXED = re.compile(r"^(?:[A-Za-z]{2,12}[_-]|AKIA|ASIA|AIza|eyJ)")


def entropy(s):
    c = collections.Counter(s)
    return -sum(n / len(s) * math.log2(n / len(s)) for n in c.values())


def longest_token(text):
    toks = re.split(r"[\s\"'`=:,;(){}\[\]<>|\\]+", text)
    toks = [t for t in toks if len(t) >= 8]
    return max(toks, key=len) if toks else None


def build_gitleaks(repo, dump, rng):
    out = Out("gitleaks", rng)
    commit = git_head(repo)
    by_rule = collections.defaultdict(lambda: {"tp": [], "fp": []})
    with open(dump) as f:
        for line in f:
            c = json.loads(line)
            by_rule[c["rule"]][c["kind"]].append(c)
    for rule in sorted(by_rule):
        file_of = "cmd/generate/config/rules/ (rule %s)" % rule
        origin = {"project": "gitleaks/gitleaks", "commit": commit, "file": file_of, "test": "utils.Validate true positives"}
        typ = "PASSWORD" if re.search(r"(?<![0-9])password|passwd|basic-auth|curl-auth-user", rule) else "API_KEY"
        secrets = []
        for c in by_rule[rule]["tp"]:
            for s, m in zip(c["secrets"] or [], c["matches"] or []):
                # A short secret group is a fragment of the token (jwt-base64): take the whole match.
                if len(s) < 16 and re.fullmatch(r"[^\s\"'=:,;]+", m or ""):
                    s = m
                if s and s not in secrets:
                    secrets.append(s)
        rng.shuffle(secrets)
        for i, s in enumerate(secrets[:3]):
            lang = out.lang()
            block = "\n" in s or "BEGIN" in s
            scope, rule_id = ("out", "KEY-3") if block else ("in", "KEY-1")
            out.add(dict(origin, rule=rule), out.context(typ, lang), [s], typ, scope, rule_id, "valid", lang)
            if i == 0:
                l2 = out.lang()
                if block:
                    scope, rule_id = "out", "KEY-3"
                elif PREFIXED.match(s):
                    scope, rule_id = "in", "KEY-2"
                else:
                    scope, rule_id = "out", "KEY-2"
                out.add(dict(origin, rule=rule), out.bare(l2), [s], typ, scope, rule_id, "valid", l2, notation="bare")
        fps = []
        for c in by_rule[rule]["fp"]:
            v = longest_token(c["text"])
            if v and v not in fps:
                fps.append(v)
        for v in fps[:2]:
            lang = out.lang()
            ph = bool(PLACEHOLDER.search(v)) or entropy(v) < 3
            origin = {"project": "gitleaks/gitleaks", "commit": commit, "file": file_of,
                      "test": "utils.Validate false positives", "rule": rule}
            out.add(origin, out.context("API_KEY", lang), [v], None, "in" if ph else "out", "KEY-4",
                    "placeholder" if ph else "rejected", lang)
    return out


# ---- libphonenumber (PyPI phonenumbers) ----------------------------------------------------

def build_libphonenumber(rng):
    out = Out("libphonenumber", rng)
    version = phonenumbers.__version__
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        def origin(what):
            return {"project": "google/libphonenumber (PyPI phonenumbers %s)" % version,
                    "file": "resources/PhoneNumberMetadata.xml (phonenumbers/data/region_%s.py)" % region,
                    "test": what}
        nums = {}
        for t, name in ((PhoneNumberType.MOBILE, "MOBILE"), (PhoneNumberType.FIXED_LINE, "FIXED_LINE")):
            n = phonenumbers.example_number_for_type(region, t)
            if n is None or not phonenumbers.is_valid_number(n):
                continue
            nums[name] = n
            what = "example_number_for_type(%s, %s)" % (region, name)
            lang = out.lang()
            intl = phonenumbers.format_number(n, PhoneNumberFormat.INTERNATIONAL)
            notation = rng.choice(["international", "e164", "00"])
            if notation == "e164":
                intl = phonenumbers.format_number(n, PhoneNumberFormat.E164)
            elif notation == "00":
                intl = "00" + intl[1:]
            out.add(origin(what), out.context("PHONE_NUMBER", lang), [intl], "PHONE_NUMBER", "in", "PHONE-1", "valid",
                    lang, notation=notation)
            nat = phonenumbers.format_number(n, PhoneNumberFormat.NATIONAL)
            if region in REGION_LOCALE:
                loc = REGION_LOCALE[region]
                out.add(origin(what), out.context("PHONE_NUMBER", loc[:2]), [nat], "PHONE_NUMBER", "in", "PHONE-2",
                        "valid", loc[:2], loc, "national")
            else:
                l2 = out.lang()
                out.add(origin(what), out.context("PHONE_NUMBER", l2), [nat], "PHONE_NUMBER", "out", "PHONE-3",
                        "valid", l2, notation="national")
        if region in REGION_LOCALE and len(nums) == 2:
            loc = REGION_LOCALE[region]
            vals = [phonenumbers.format_number(nums[k], PhoneNumberFormat.NATIONAL) for k in ("MOBILE", "FIXED_LINE")]
            out.add(origin("example_number_for_type(%s, MOBILE and FIXED_LINE)" % region),
                    rng.choice(CONTEXT["PHONE_LIST"][loc[:2]]), vals, "PHONE_NUMBER", "in", "PHONE-4", "valid", loc[:2],
                    loc, "national list")
        bad = phonenumbers.invalid_example_number(region)
        if bad is not None and not phonenumbers.is_valid_number(bad):
            lang = out.lang()
            v = phonenumbers.format_number(bad, PhoneNumberFormat.INTERNATIONAL)
            out.add(origin("invalid_example_number(%s)" % region), out.context("PHONE_NUMBER", lang), [v], None, "in",
                    "G2", "invalid", lang, notation="international")
    return out


# ---- python-stdnum -------------------------------------------------------------------------

# module, what the value is in Veil's terms, files in the repository that hold its examples
STDNUM = [
    ("iban", "IBAN_CODE", ["tests/test_iban.doctest", "stdnum/iban.py"]),
    ("be.iban", "IBAN_CODE", ["tests/test_be_iban.doctest", "stdnum/be/iban.py"]),
    ("nl.bsn", "NL_BSN", ["stdnum/nl/bsn.py"]),
    ("us.ssn", "US_SSN", ["stdnum/us/ssn.py"]),
    ("imei", "IMEI", ["tests/test_imei.doctest", "stdnum/imei.py"]),
    ("isbn", "ISBN", ["stdnum/isbn.py"]),
    ("ean", "EAN", ["tests/test_ean.doctest", "stdnum/ean.py"]),
    ("nl.btw", "VAT", ["stdnum/nl/btw.py"]),
    ("be.vat", "VAT", ["tests/test_be_vat.doctest", "stdnum/be/vat.py"]),
    ("fr.tva", "VAT", ["tests/test_fr_tva.doctest", "stdnum/fr/tva.py"]),
    ("de.vat", "VAT", ["stdnum/de/vat.py"]),
    ("gb.vat", "VAT", ["tests/test_gb_vat.doctest", "stdnum/gb/vat.py"]),
    ("fr.siren", "COMPANY", ["tests/test_fr_siren.doctest", "stdnum/fr/siren.py"]),
    ("fr.siret", "COMPANY", ["tests/test_fr_siret.doctest", "stdnum/fr/siret.py"]),
]
# At most this many values per module (a random sample), so that no one file outweighs the rest.
CAP = {"iban": 160, "be.iban": 60}


def stdnum_values(text):
    """values in a doctest: lines of numbers = '''...''' blocks and quoted arguments of >>> calls"""
    vals, block = [], False
    for line in text.splitlines():
        s = line.strip()
        if re.match(r">>> numbers = '''", s):
            block = True
            continue
        if block:
            if not s.startswith("...") or s.startswith("... '''"):
                block = False
                continue
            v = re.split(r"\s{2,}|\t", s[3:].strip())[0]  # a second column is another value (a BIC)
            if v and not v.startswith("#"):
                vals.append(v)
            continue
        m = re.match(r">>> \w+(?:\.\w+)*\(\s*'([^']+)'", s)
        if m:
            vals.append(m.group(1))
    return vals


def build_stdnum(repo, rng):
    import importlib
    out = Out("stdnum", rng)
    commit = git_head(repo)
    names = set(git_ls(repo, "tests")) | set(git_ls(repo, "stdnum")) | set(git_ls(repo, "stdnum/nl")) | \
        set(git_ls(repo, "stdnum/us")) | set(git_ls(repo, "stdnum/be")) | set(git_ls(repo, "stdnum/fr")) | \
        set(git_ls(repo, "stdnum/de")) | set(git_ls(repo, "stdnum/gb"))
    for modname, what, files in STDNUM:
        mod = importlib.import_module("stdnum." + modname)
        seen, cases = set(), []
        for path in files:
            if path not in names:
                continue
            for v in stdnum_values(git_show(repo, path)):
                if v not in seen:
                    seen.add(v)
                    cases.append((path, v))
        if len(cases) > CAP.get(modname, 40):
            cases = rng.sample(cases, CAP.get(modname, 40))
        for path, v in cases:
            valid = mod.is_valid(v)
            origin = {"project": "arthurdejong/python-stdnum", "commit": commit, "file": path,
                      "test": "stdnum.%s example, is_valid=%s (python-stdnum %s)" % (modname, valid, stdnum.__version__)}
            lang = out.lang()
            if what in ("VAT", "COMPANY", "IMEI", "ISBN", "EAN"):
                out.add(origin, out.context(what, lang), [v], None, "in", "G4", what.lower(), lang)
                continue
            if not valid:
                loc = "en-US" if what == "US_SSN" else None
                lg = "en" if what == "US_SSN" else lang
                out.add(origin, out.context(what, lg), [v], None, "in", "G2", "invalid", lg, loc)
                continue
            if what == "IBAN_CODE":
                out.add(origin, out.context(what, lang), [v], what, "in", "IBAN-1", "valid", lang)
                if rng.random() < 0.5:
                    style = rng.choice(["compact", "print", "lower"])
                    l2 = out.lang()
                    out.add(origin, out.bare(l2), [iban_notation(v, style)], what, "in", "IBAN-1", "valid", l2,
                            notation=style)
            elif what == "NL_BSN":
                out.add(origin, out.context(what, "nl"), [v], what, "in", "BSN-1", "valid", "nl")
                style = rng.choice(["compact", "dotted", "spaced"])
                out.add(origin, out.context(what, lang), [bsn_notation(v, style)], what, "in", "BSN-1", "valid", lang,
                        notation=style)
                out.add(origin, out.bare("nl"), [v], what, "out", "BSN-2", "valid", "nl", notation="bare")
            elif what == "US_SSN":
                rule, scope = ("SSN-1", "in") if ssn_ok(v) else ("SSN-2", "out")
                out.add(origin, out.context(what, "en"), [v], what, scope, rule, "valid", "en", "en-US")
                out.add(origin, out.bare("en"), [v], what, "out", "SSN-2", "valid", "en", "en-US", "bare")
    return out


# ---- email-validator -----------------------------------------------------------------------

# test function -> whether its inputs are valid addresses
EMAIL_TESTS = {"test_email_valid": True, "test_email_valid_intl_local_part": True,
               "test_email_valid_only_if_quoted_local_part": True, "test_email_invalid_syntax": False,
               "test_email_invalid_syntax_strict": False}
EMAIL_SHAPE = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@.]+\.?$")  # a trailing dot reads as the sentence's


def build_email_validator(repo, rng):
    out = Out("emailvalidator", rng)
    commit = git_head(repo)
    path = "tests/test_syntax.py"
    tree = ast.parse(git_show(repo, path))
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef) or fn.name not in EMAIL_TESTS:
            continue
        valid = EMAIL_TESTS[fn.name]
        for dec in fn.decorator_list:
            if not (isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "parametrize"):
                continue
            for k, elt in enumerate(dec.args[1].elts):
                first = elt.elts[0] if isinstance(elt, (ast.Tuple, ast.List)) else elt
                try:
                    v = ast.literal_eval(first)
                except ValueError:
                    continue
                if not isinstance(v, str) or not v.strip() or "\n" in v or "<" in v:
                    continue  # display-name forms ("Name <addr>") hold more than an address
                origin = {"project": "JoshData/python-email-validator", "commit": commit, "file": path, "test": fn.name,
                          "case": k, "expected": "valid" if valid else "invalid"}
                lang = out.lang()
                tpl = out.context("EMAIL_ADDRESS", lang)
                if valid:
                    if "@[" in v:
                        scope, rule = "out", "EMAIL-3"
                    elif v.startswith('"'):
                        scope, rule = "in", "EMAIL-4"
                    else:
                        scope, rule = "in", "EMAIL-1"
                    out.add(origin, tpl, [v], "EMAIL_ADDRESS", scope, rule, "valid", lang)
                    l2 = out.lang()
                    out.add(origin, out.bare(l2), [v], "EMAIL_ADDRESS", scope, rule, "valid", l2, notation="bare")
                elif EMAIL_SHAPE.match(v):
                    out.add(origin, tpl, [v], None, "out", "EMAIL-2", "near-miss", lang)
                else:
                    out.add(origin, tpl, [v], None, "in", "G2", "invalid", lang)
    return out


# ---- Go's net/netip tests ------------------------------------------------------------------

def netip_prefix_valid(v):
    """True when v is a valid address followed by a zone, port or other tail, or an IPv4 address
    written with leading zeros: a notation of a real address"""
    for i in range(len(v) - 1, 0, -1):
        if v[i] in "%/]" and ip_ok(v[:i]):
            return True
    if ":" in v and ip_ok(v.rsplit(":", 1)[1]):
        return True  # too many IPv6 fields before a valid embedded IPv4
    parts = v.split(".")
    return len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)


def build_netip(goroot, rng):
    out = Out("gonetip", rng)
    path = "src/net/netip/netip_test.go"
    with open(os.path.join(goroot, path), encoding="utf-8") as f:
        src = f.read()
    body = src[src.index("func TestParseAddr("):]
    body = body[:body.index("\n}\n")]
    valid_block = body[body.index("var validIPs"):body.index("var invalidIPs")]
    invalid_block = body[body.index("var invalidIPs"):]
    invalid_block = invalid_block[:invalid_block.index("\n\t}\n")]
    version = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True, check=True).stdout.strip()
    cases = []
    for entry in re.split(r"\n\t\t\{", valid_block)[1:]:
        m = re.search(r'\bin:\s+"([^"]*)"', entry)
        if m:
            cases.append((m.group(1), "wantErr" not in entry, "TestParseAddr validIPs"))
    for m in re.finditer(r'^\t\t"([^"]*)",', invalid_block, re.M):
        cases.append((m.group(1), False, "TestParseAddr invalidIPs"))
    for k, (v, valid, test) in enumerate(cases):
        if not re.search(r"\d", v):
            continue
        origin = {"project": "golang/go (Go toolchain source, %s)" % version, "file": path, "test": test, "case": k,
                  "expected": "valid" if valid else "invalid"}
        lang = out.lang()
        tpl = out.context("IP_ADDRESS", lang)
        if valid and ip_ok(v):
            scope, rule = ("out", "IP-2") if v in ("::", "0.0.0.0") else ("in", "IP-1")
            out.add(origin, tpl, [v], "IP_ADDRESS", scope, rule, "valid", lang)
            l2 = out.lang()
            out.add(origin, out.bare(l2), [v], "IP_ADDRESS", scope, rule, "valid", l2, notation="bare")
        elif valid:
            out.add(origin, tpl, [v], "IP_ADDRESS", "out", "G3", "valid", lang)
        elif ip_ok(v):
            out.add(origin, tpl, [v], None, "out", "G3", "invalid", lang)
        elif netip_prefix_valid(v):
            out.add(origin, tpl, [v], None, "out", "IP-3", "invalid", lang)
        else:
            out.add(origin, tpl, [v], None, "in", "G2", "invalid", lang)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--presidio", required=True, help="git dir of microsoft/presidio")
    ap.add_argument("--gitleaks", required=True, help="git dir of gitleaks/gitleaks")
    ap.add_argument("--stdnum", required=True, help="git dir of arthurdejong/python-stdnum")
    ap.add_argument("--email-validator", required=True, help="git dir of JoshData/python-email-validator")
    ap.add_argument("--gitleaks-cases", help="reuse this dump of gitleaks's examples (written when missing)")
    ap.add_argument("--seed", type=int, default=13616)
    a = ap.parse_args()
    dump = a.gitleaks_cases or os.path.join(tempfile.gettempdir(), "gitleaks-cases.jsonl")
    if not a.gitleaks_cases or not os.path.exists(dump):
        gitleaks_dump(a.gitleaks, dump)
    build_presidio(a.presidio, random.Random(a.seed)).write()
    build_gitleaks(a.gitleaks, dump, random.Random(a.seed + 1)).write()
    build_libphonenumber(random.Random(a.seed + 2)).write()
    build_stdnum(a.stdnum, random.Random(a.seed + 3)).write()
    build_email_validator(a.email_validator, random.Random(a.seed + 4)).write()
    goroot = subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip()
    build_netip(goroot, random.Random(a.seed + 5)).write()


if __name__ == "__main__":
    main()
