#!/usr/bin/env python3
"""German, French and Belgian evaluation sets for the Veil detection engine.

  python3 rules/testdata/locales/gen.py [--seed 11] > rules/testdata/locales/locales.jsonl

Writes labelled events in the corpus JSONL format (UTF-8 byte offsets, end exclusive) in
de-DE, fr-FR, nl-BE and fr-BE. The sentences are written for this set. Values have real
formats: IBANs with valid mod-97 check digits (DE, FR with a valid RIB key, BE with its
national check), Luhn-valid cards with real issuer prefixes, phone numbers from the German,
French and Belgian numbering plans, real postcode ranges and towns, documentation IP ranges.
Names are the most frequent family and given names of the national statistics (Destatis and
the Gesellschaft für deutsche Sprache for Germany, INSEE for France, Statbel for Belgium),
with the particles von, zu, de, du, Le and d'. Seeded and deterministic; independent of rules/.
"""
import argparse
import json
import os
import sys
import random

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import formats  # noqa: E402

R = random.Random(11)


def digits(n):
    return formats.digits(R, n)


LAST = {
    "de": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
           "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
           "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange"],
    "fr": ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
           "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
           "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau"],
    "be": ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters",
           "De Smet", "Dubois", "Lambert", "Dupont", "Martin", "Simon"],
}
FIRST = {
    "de": ["Ursula", "Monika", "Petra", "Sabine", "Claudia", "Andrea", "Julia", "Anna", "Lena", "Sophie",
           "Thomas", "Michael", "Andreas", "Stefan", "Klaus", "Jürgen", "Lukas", "Jonas", "Felix", "Paul"],
    "fr": ["Marie", "Nathalie", "Isabelle", "Sylvie", "Camille", "Léa", "Manon", "Chloé", "Émilie", "Hélène",
           "Jean", "Pierre", "Philippe", "Michel", "Alain", "François", "Nicolas", "Jérôme", "Louis", "Gabriel"],
    "be": ["Marie", "Anna", "Lotte", "Elise", "Sarah", "Luc", "Jan", "Marc", "Pieter", "Thomas"],
}
PARTICLE = {"de": ["von", "zu", "von der"], "fr": ["de", "du", "Le", "d'"], "be": ["De", "Van", "Le"]}
PARTICLE_LAST = {"de": ["Bergen", "Hohenberg", "Linde", "Weizsäcker"],
                 "fr": ["Villiers", "Pont", "Gall", "Amboise", "Fontaine"],
                 "be": ["Wilde", "Damme", "Clercq"]}
STREETS = {
    "de": [("Hauptstraße", "10115", "Berlin"), ("Bahnhofstraße", "80335", "München"), ("Gartenweg", "50667", "Köln"),
           ("Lindenallee", "20095", "Hamburg"), ("Schillerstraße", "60313", "Frankfurt am Main"),
           ("Am Marktplatz", "70173", "Stuttgart"), ("Goethestraße", "04109", "Leipzig")],
    "fr": [("rue de la Paix", "75002", "Paris"), ("avenue Victor Hugo", "69002", "Lyon"),
           ("boulevard Saint-Michel", "75005", "Paris"), ("rue du Faubourg", "13001", "Marseille"),
           ("place de la République", "33000", "Bordeaux"), ("chemin des Vignes", "31000", "Toulouse")],
    "nl-BE": [("Kerkstraat", "2000", "Antwerpen"), ("Stationsstraat", "9000", "Gent"), ("Grote Markt", "3000", "Leuven")],
    "fr-BE": [("Rue de la Loi", "1000", "Bruxelles"), ("Avenue Louise", "1050", "Ixelles"), ("Rue Neuve", "4000", "Liège")],
}
MONTHS = {"de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                 "Oktober", "November", "Dezember"],
          "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                 "oktober", "november", "december"],
          "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                 "octobre", "novembre", "décembre"]}

















def grouped(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))





def phone(lang):
    if lang == "de":
        return R.choice(["+49 151 " + digits(8), "030 " + digits(8), "0171 " + digits(7),
                         "+49 (0)89 " + digits(7), "0221 " + digits(3) + " " + digits(4)])
    if lang == "fr":
        pairs = lambda: " ".join(digits(2) for _ in range(4))
        return R.choice(["06 " + pairs(), "07 " + pairs(), "01 " + pairs(), "+33 6 " + pairs(),
                         "06." + ".".join(digits(2) for _ in range(4))])
    return R.choice(["+32 470 " + digits(2) + " " + digits(2) + " " + digits(2), "0470 " + digits(2) + " " +
                     digits(2) + " " + digits(2), "02 " + digits(3) + " " + digits(2) + " " + digits(2)])


def person(lang):
    key = "be" if lang.endswith("BE") else lang[:2]
    if R.random() < 0.2:
        p = R.choice(PARTICLE[key])
        return R.choice(FIRST[key]) + " " + p + ("" if p == "d'" else " ") + R.choice(PARTICLE_LAST[key])
    return R.choice(FIRST[key]) + " " + R.choice(LAST[key])


def dob(lang):
    d, m, y = R.randint(1, 28), R.randint(1, 12), R.randint(1940, 2004)
    if lang.startswith("de"):
        return R.choice(["%02d.%02d.%d" % (d, m, y), "%d. %s %d" % (d, MONTHS["de"][m - 1], y)])
    months = MONTHS["nl" if lang == "nl-BE" else "fr"]
    return R.choice(["%02d/%02d/%d" % (d, m, y), "%d %s %d" % (d, months[m - 1], y)])


def email(lang):
    key = "be" if lang.endswith("BE") else lang[:2]
    f = R.choice(FIRST[key]).lower().replace("é", "e").replace("è", "e").replace("ü", "ue").replace("ö", "oe")
    l = R.choice(LAST[key]).lower().replace(" ", "").replace("ü", "ue").replace("ä", "ae").replace("ö", "oe")
    return "%s.%s@%s" % (f, l, R.choice(["example.de", "example.fr", "example.be", "example.com"]))


def pw():
    return R.choice(["Sonne", "Soleil", "Maison", "Haus", "Blume", "Fleur"]) + digits(2) + R.choice("!#$%&") + digits(1)


def address(lang):
    street, pc, city = R.choice(STREETS[lang if lang.endswith("BE") else lang[:2]])
    n = str(R.randint(1, 180))
    if lang == "fr-FR":
        return "%s %s, %s %s" % (n, street, pc, city)
    return "%s %s, %s %s" % (street, n, pc, city)


T = {
    "de": [
        "Hallo, mein Name ist {PERSON}.", "Meine IBAN lautet {IBAN_CODE}.", "Sie erreichen mich unter {PHONE_NUMBER}.",
        "Meine neue Adresse: {ADDRESS}.", "Ich bin am {DATE_OF_BIRTH} geboren.", "Geburtsdatum: {DATE_OF_BIRTH}",
        "Mein Passwort ist {PASSWORD}", "Kennwort: {PASSWORD}", "Mit freundlichen Grüßen\n{PERSON}",
        "Viele Grüße, {PERSON}", "Schreiben Sie mir bitte an {EMAIL_ADDRESS}.",
        "Meine Kreditkarte {CREDIT_CARD} wurde abgelehnt.", "Meine IP-Adresse ist {IP_ADDRESS}.",
        "Sehr geehrte Frau {PERSON}, vielen Dank für Ihre Nachricht.", "geboren am {DATE_OF_BIRTH} in Hamburg",
        "Bitte rufen Sie mich an: {PHONE_NUMBER}", "Lieferadresse:\n{ADDRESS_BLOCK}",
    ],
    "fr": [
        "Bonjour, je m'appelle {PERSON}.", "Mon IBAN est {IBAN_CODE}.", "Vous pouvez me joindre au {PHONE_NUMBER}.",
        "Ma nouvelle adresse : {ADDRESS}.", "Je suis née le {DATE_OF_BIRTH}.", "Date de naissance : {DATE_OF_BIRTH}",
        "Mon mot de passe est {PASSWORD}", "mdp : {PASSWORD}", "Cordialement,\n{PERSON}",
        "Bien à vous, {PERSON}", "Écrivez-moi à {EMAIL_ADDRESS}, merci.",
        "Ma carte bancaire {CREDIT_CARD} a été refusée.", "Mon adresse IP est {IP_ADDRESS}.",
        "Bonjour Madame {PERSON}, merci pour votre message.", "né le {DATE_OF_BIRTH} à Lyon",
        "Appelez-moi au {PHONE_NUMBER} s'il vous plaît.",
    ],
}
T["fr-BE"] = T["fr"]
T["nl-BE"] = [
    "Hallo, mijn naam is {PERSON}.", "Mijn rekeningnummer is {IBAN_CODE}.", "U kunt mij bereiken op {PHONE_NUMBER}.",
    "Mijn nieuwe adres is {ADDRESS}.", "Geboren op {DATE_OF_BIRTH}.", "Met vriendelijke groeten,\n{PERSON}",
    "Mijn wachtwoord is {PASSWORD}", "Mail mij op {EMAIL_ADDRESS}.",
]
NEG = {
    "de": ["Ihre Bestellnummer 4839201 wurde am 12.03.2024 versandt.", "Der Betrag von 49,90 € wurde erstattet.",
           "Die App ist jetzt auf Version 2.3.1 aktualisiert.", "Die Lieferung kommt am Montag zwischen 8 und 12 Uhr.",
           "Vielen Dank für Ihre Geduld, wir melden uns bald."],
    "fr": ["Votre commande n° 4839201 a été expédiée le 12/03/2024.", "Le montant de 49,90 € a été remboursé.",
           "L'application est passée en version 2.3.1.", "La livraison arrive lundi entre 8 h et 12 h.",
           "Merci de votre patience, nous revenons vers vous rapidement."],
}
NEG["fr-BE"] = NEG["fr"]
NEG["nl-BE"] = ["Uw bestelling 4839201 is op 12-03-2024 verzonden.", "Het bedrag van 49,90 euro is teruggestort."]


def value(typ, lang):
    base = lang[:2]
    if typ == "PERSON":
        return person(lang)
    if typ == "IBAN_CODE":
        cc = "BE" if lang.endswith("BE") else base.upper()
        v = formats.iban(cc, {"DE": lambda: digits(18), "FR": lambda: formats.fr_bban(R), "BE": lambda: formats.be_bban(R)}[cc]())
        return grouped(v) if R.random() < 0.6 else v
    if typ == "PHONE_NUMBER":
        return phone("be" if lang.endswith("BE") else base)
    if typ in ("ADDRESS", "ADDRESS_BLOCK"):
        return address(lang)
    if typ == "DATE_OF_BIRTH":
        return dob(lang)
    if typ == "PASSWORD":
        return pw()
    if typ == "EMAIL_ADDRESS":
        return email(lang)
    if typ == "CREDIT_CARD":
        return grouped(formats.luhn(R, R.choice(["4", "51", "53", "55"]), 16))
    if typ == "IP_ADDRESS":
        return R.choice(["192.0.2.", "198.51.100.", "203.0.113."]) + str(R.randint(1, 254))
    raise ValueError(typ)


def render(tpl, lang):
    out, spans = b"", []
    rest = tpl
    while "{" in rest:
        pre, rest = rest.split("{", 1)
        typ, rest = rest.split("}", 1)
        out += pre.encode()
        v = value(typ, lang)
        if typ == "ADDRESS_BLOCK":
            v = v.replace(", ", "\n")
            typ = "ADDRESS"
        b = v.encode()
        spans.append({"start": len(out), "end": len(out) + len(b), "type": typ, "text": v, "field": "body"})
        out += b
    out += rest.encode()
    return out.decode(), spans


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=11)
    R.seed(ap.parse_args().seed)
    n = 0
    for lang in ["de-DE", "fr-FR", "nl-BE", "fr-BE"]:
        key = lang if lang in T else lang[:2]
        for i in range(150 if lang[3:] != "BE" else 60):
            if R.random() < 0.2:
                body, spans = R.choice(NEG[key]), []
            else:
                a, sa = render(R.choice(T[key]), lang)
                if R.random() < 0.4:
                    b, sb = render(R.choice(T[key]), lang)
                    off = len(a.encode()) + 1
                    for s in sb:
                        s["start"] += off
                        s["end"] += off
                    body, spans = a + " " + b, sa + sb
                else:
                    body, spans = a, sa
            ev = {"event_id": "loc-%04d" % n, "conversation_id": "loc-%s-%03d" % (lang, i // 5), "locale": lang,
                  "channel": "chat", "author_role": "customer", "body": body, "spans": spans}
            print(json.dumps(ev, ensure_ascii=False))
            n += 1


if __name__ == "__main__":
    main()
