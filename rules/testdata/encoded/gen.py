#!/usr/bin/env python3
"""Write encoded.jsonl: labelled sentences with personal data in the encodings Veil decodes.

  python3 rules/testdata/encoded/gen.py > rules/testdata/encoded/encoded.jsonl

Every sentence is written here, in Dutch, English, German and French; every value is made up by
this script (e-mail addresses on example domains, Luhn-valid card numbers, mod-97-valid IBANs,
phone numbers in each country's mobile range). Each sentence comes in eight variants, tagged
"encoding":

  plain    the sentence as it is (the reference: what Veil finds without any encoding)
  html     an HTML e-mail body: accents as named entities, '@' and '.' of addresses as numeric
           (or named) character references, spaces inside numbers as &nbsp;
  qp       a quoted-printable mail body: non-ASCII as =C3=A9, '=' as =3D, lines wrapped at 40
           columns with soft line breaks (which may fall inside a value)
  json     a JSON document whose string holds the sentence: non-ASCII as \\uXXXX, '@' as \\u0040
           in half of them, '"' as \\", line breaks as \\n
  percent  a link whose query value is the sentence percent-encoded (%20, %40, %2B, %C3%A9)
  nested   an HTML body whose entities were escaped once more (&amp;#64;)
  htmlfull an HTML body with each value written wholly as character references, decimal and hex
           mixed (&#106;&#x61;...), as address obfuscators do
  jsonhtml the HTML body inside a JSON string, with <, > and & escaped as \u003c, \u003e, \u0026
           (as Go's encoding/json writes them): two encodings, one inside the other

Negatives hold look-alikes of the encodings and no personal data (a=b, 50%, & in prose, base64
padding, URLs with %-escapes); they carry no spans. Offsets are UTF-8 byte offsets into "body".
"""
import json
import random
import sys

SEED = 11

EMAIL_LOCAL = ["j.smit", "m.bakker", "anna.k", "p.mueller", "c.dubois", "kontakt.m", "l.martin", "r.vos", "s.weber", "t.moreau"]
EMAIL_DOMAIN = ["example.nl", "example.com", "beispiel.de", "exemple.fr", "mail.example.org"]

TEMPLATES = {
    "nl": [
        "Mijn e-mailadres is {email}, stuur de factuur daarheen.",
        "U kunt het bedrag overmaken naar {iban} onder vermelding van het ordernummer.",
        "Ik heb met kaart {card} betaald maar zie geen bevestiging.",
        "Bel me gerust terug op {phone} na vijf uur.",
        "Graag één keer contact via {email} of {phone}, dank je wel.",
    ],
    "en": [
        "Please send the confirmation to {email} instead of my old address.",
        "The refund should go to {iban}, thanks in advance.",
        "I paid with card {card} yesterday and was charged twice.",
        "You can reach me on {phone} during office hours.",
        "My café account uses {email}; the card on file is {card}.",
    ],
    "de": [
        "Bitte schicken Sie die Rechnung an {email}, danke schön.",
        "Überweisen Sie den Betrag bitte auf {iban}.",
        "Ich habe mit der Karte {card} bezahlt, aber nichts erhalten.",
        "Rückruf bitte unter {phone}, ich bin ab 14 Uhr erreichbar.",
        "Für Rückfragen: {email}, Konto {iban}.",
    ],
    "fr": [
        "Merci d'envoyer le reçu à {email}, c'est plus simple.",
        "Le remboursement doit être versé sur {iban}.",
        "J'ai payé avec la carte {card} mais la commande n'apparaît pas.",
        "Vous pouvez me rappeler au {phone} après midi.",
        "Écrivez-moi à {email} ou appelez le {phone}.",
    ],
}

NEGATIVES = {
    "nl": [
        "Met de code a=b in de instellingen werkt het weer, en 50% korting geldt tot vrijdag.",
        "De R&D-afdeling kijkt ernaar; zie https://example.org/zoek?q=fiets%20bel&p=2 voor de handleiding.",
    ],
    "en": [
        "Set timeout=30 and retries=5, then the upload reaches 100% without errors.",
        "Fish & chips are on the menu; the token ends in YWJjZGVm== if that helps.",
    ],
    "de": [
        "Der Rabatt von 20% gilt nur für Artikel mit farbe=rot in der Liste.",
        "Unter https://example.org/hilfe?thema=versand%20kosten steht alles zur Lieferung.",
    ],
    "fr": [
        "La remise de 30% s'applique si code=ETE dans le panier.",
        "Le service R&D répond sous 48 h ; la page https://example.org/aide?q=colis%20perdu explique tout.",
    ],
}

LOCALE = {"nl": "nl-NL", "en": "en-GB", "de": "de-DE", "fr": "fr-FR"}
PHONE_CC = {"nl": "+31 6", "en": "+44 7700", "de": "+49 151", "fr": "+33 6"}


def luhn_complete(digits):
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return digits + str((10 - total % 10) % 10)


def card(rng):
    prefix = rng.choice(["4", "51", "52", "53", "54", "55"])
    body = prefix + "".join(rng.choice("0123456789") for _ in range(15 - len(prefix)))
    num = luhn_complete(body)
    return " ".join(num[i:i + 4] for i in range(0, 16, 4))


def iban(rng, lang):
    if lang == "de":
        country, bban = "DE", "".join(rng.choice("0123456789") for _ in range(18))
    else:
        country = "NL"
        bban = rng.choice(["ABNA", "RABO", "INGB", "TRIO"]) + "".join(rng.choice("0123456789") for _ in range(10))
    moved = bban + country + "00"
    num = int("".join(str(int(c, 36)) for c in moved))
    s = country + "%02d" % (98 - num % 97) + bban
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def phone(rng, lang):
    cc = PHONE_CC[lang]
    if lang == "fr":
        return cc + " " + " ".join("%02d" % rng.randrange(100) for _ in range(4))
    if lang == "en":
        return cc + " " + "%06d" % rng.randrange(10**6)
    if lang == "de":
        return cc + " " + "%08d" % rng.randrange(10**8)
    return cc + " " + "%08d" % rng.randrange(10**7, 10**8)


def email(rng):
    return rng.choice(EMAIL_LOCAL) + "@" + rng.choice(EMAIL_DOMAIN)


TYPES = {"email": "EMAIL_ADDRESS", "card": "CREDIT_CARD", "iban": "IBAN_CODE", "phone": "PHONE_NUMBER"}


def pieces(template, values):
    """Split a template into (text, type or None) pieces with the values filled in."""
    out, rest = [], template
    while "{" in rest:
        pre, rest = rest.split("{", 1)
        key, rest = rest.split("}", 1)
        out.append((pre, None))
        out.append((values[key], TYPES[key]))
    out.append((rest, None))
    return out


def html_piece(text, typ, rng):
    out = []
    named_at = rng.random() < 0.5
    for ch in text:
        if typ and ch == "@":
            out.append("&commat;" if named_at else "&#64;")
        elif typ and ch == "." and rng.random() < 0.5:
            out.append("&period;" if named_at else "&#46;")
        elif typ and ch == " ":
            out.append("&nbsp;")
        elif ch == "'":
            out.append("&#39;")
        elif ch == "&":
            out.append("&amp;")
        elif ord(ch) > 127:
            out.append(HTML_NAMES.get(ch, "&#%d;" % ord(ch)))
        else:
            out.append(ch)
    return "".join(out)


HTML_NAMES = {"é": "&eacute;", "è": "&egrave;", "ë": "&euml;", "ü": "&uuml;", "Ü": "&Uuml;", "ö": "&ouml;",
              "ä": "&auml;", "ç": "&ccedil;", "É": "&Eacute;", "à": "&agrave;", "î": "&icirc;"}


def json_piece(text, typ, at_escape):
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif typ and ch == "@" and at_escape:
            out.append("\\u0040")
        elif ord(ch) > 127:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def gojson(text):
    """Escape text as the content of a JSON string the way Go's encoding/json does."""
    return json.dumps(text)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def pct_piece(text):
    out = []
    for b in text.encode("utf-8"):
        c = chr(b)
        if c.isalnum() and b < 128 or c in "-._~":
            out.append(c)
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def qp_body(encoded_pieces, width=40):
    """Join QP-encoded pieces and wrap at width with soft line breaks, tracking the spans."""
    flat, marks = "", []
    for text, typ in encoded_pieces:
        marks.append((len(flat), len(flat) + len(text), typ))
        flat += text
    out, pos_map, col, i = [], [], 0, 0
    while i < len(flat):
        unit = flat[i:i + 3] if flat[i] == "=" else flat[i]
        if col + len(unit) > width - 1:
            out.append("=\r\n")
            col = 0
        for k in range(len(unit)):
            pos_map.append(len("".join(out)) + k)
        out.append(unit)
        col += len(unit)
        i += len(unit)
    body = "".join(out)
    spans = [(pos_map[s], pos_map[e - 1] + 1, typ) for s, e, typ in marks if typ]
    return body, spans


def qp_piece(text):
    out = []
    for b in text.encode("utf-8"):
        if b == ord("=") or b > 126:
            out.append("=%02X" % b)
        else:
            out.append(chr(b))
    return "".join(out)


def build(parts, variant, rng):
    """Return the body and its spans (byte offsets) for one variant."""
    if variant == "qp":
        body, spans = qp_body([(qp_piece(t), typ) for t, typ in parts])
        return body, spans
    if variant == "html":
        enc = [(html_piece(t, typ, rng), typ) for t, typ in parts]
        pre, post = "<p>", "</p>"
    elif variant == "nested":
        enc = [(html_piece(t, typ, rng).replace("&", "&amp;"), typ) for t, typ in parts]
        pre, post = "<p>", "</p>"
    elif variant == "htmlfull":
        enc = [("".join(("&#%d;" if i % 2 else "&#x%x;") % ord(c) for i, c in enumerate(t)) if typ else html_piece(t, typ, rng), typ)
               for t, typ in parts]
        pre, post = "<p>", "</p>"
    elif variant == "jsonhtml":
        enc = [(gojson(html_piece(t, typ, rng)), typ) for t, typ in parts]
        pre, post = '{"html":"' + gojson("<p>"), gojson("</p>") + '"}'
    elif variant == "json":
        at = rng.random() < 0.5
        enc = [(json_piece(t, typ, at), typ) for t, typ in parts]
        pre, post = '{"channel":"chat","text":"', '"}'
    elif variant == "percent":
        enc = [(pct_piece(t), typ) for t, typ in parts]
        pre, post = "Zie https://support.example.org/contact?msg=", " (link)"
    else:
        enc = parts
        pre, post = "", ""
    body, spans = pre.encode(), []
    for text, typ in enc:
        b = text.encode("utf-8")
        if typ:
            spans.append((len(body), len(body) + len(b), typ))
        body += b
    body += post.encode()
    return body.decode("utf-8"), spans


VARIANTS = ["plain", "html", "qp", "json", "percent", "nested", "htmlfull", "jsonhtml"]


def main():
    rng = random.Random(SEED)
    n = 0
    for lang, templates in TEMPLATES.items():
        for rep in range(3):
            for t in templates:
                values = {"email": email(rng), "card": card(rng), "iban": iban(rng, lang), "phone": phone(rng, lang)}
                parts = pieces(t, values)
                for variant in VARIANTS:
                    body, spans = build(parts, variant, rng)
                    n += 1
                    emit(n, lang, variant, body, spans, "positive")
    for lang, sentences in NEGATIVES.items():
        for s in sentences:
            for variant in VARIANTS:
                body, spans = build([(s, None)], variant, rng)
                n += 1
                emit(n, lang, variant, body, spans, "negative")


def emit(n, lang, variant, body, spans, kind):
    raw = body.encode("utf-8")
    ev = {
        "event_id": "enc-%04d" % n,
        "locale": LOCALE[lang],
        "body": body,
        "spans": [{"field": "body", "start": s, "end": e, "type": typ, "text": raw[s:e].decode("utf-8")} for s, e, typ in spans],
        "tags": {"encoding": variant, "lang": lang, "kind": kind},
    }
    sys.stdout.write(json.dumps(ev, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
