#!/usr/bin/env python3
"""Short chat messages for BenchmarkShort (50-300 bytes, Dutch, English, German and French).

  python3 rules/testdata/short/gen.py > rules/testdata/short/short.jsonl

The sentences are written for this benchmark; the values have real formats: IBANs with valid
mod-97 check digits (NL, BE, DE, FR, with a valid French RIB key), Luhn-valid card numbers,
11-proof BSNs, phone numbers from the national numbering plans, documentation IP ranges.
Names are drawn from the engine's own census-derived name lists under rules/data/.
About four messages in ten carry personal data, like a support chat. Seeded and deterministic.
"""
import json
import os
import sys
import random

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import formats  # noqa: E402

R = random.Random(10)


def digits(n):
    return formats.digits(R, n)


HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data")


def names(fn):
    out = []
    for line in open(os.path.join(DATA, fn), encoding="utf-8"):
        line = line.split("#", 1)[0]
        out += line.split()
    return out


FIRST = names("first_nl.txt") + names("first_en.txt") + names("first_intl.txt")
LAST = names("last_nl.txt") + names("last_en.txt") + names("last_intl.txt")

















IBANS = [lambda: formats.iban("NL", R.choice(["ABNA", "RABO", "INGB", "TRIO"]) + digits(10)),
         lambda: formats.iban("DE", digits(18)), lambda: formats.iban("FR", formats.fr_bban(R)), lambda: formats.iban("BE", formats.be_bban(R))]


def spaced(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))





def bsn():
    while True:
        d = [R.randrange(10) for _ in range(8)]
        s = sum((9 - i) * x for i, x in enumerate(d))
        last = s % 11
        if last < 10 and d[0] != 0:
            return "".join(map(str, d)) + str(last)


PHONES = {
    "nl": lambda: R.choice(["06-" + digits(8), "+31 6 " + digits(8), "020 " + digits(3) + " " + digits(4)]),
    "en": lambda: R.choice(["07700 900" + digits(3), "+44 20 7946 0" + digits(3), "(202) 555-01" + digits(2)]),
    "de": lambda: R.choice(["+49 151 " + digits(8), "030 " + digits(8), "0171 " + digits(7)]),
    "fr": lambda: R.choice(["06 " + " ".join(digits(2) for _ in range(4)), "+33 1 " + " ".join(digits(2) for _ in range(4))]),
}


def person():
    return R.choice(FIRST) + " " + R.choice(LAST)


def email():
    return "%s.%s@%s" % (R.choice(FIRST).lower(), R.choice(LAST).lower().replace(" ", ""),
                         R.choice(["example.com", "example.nl", "example.de", "example.fr"]))


def card():
    c = formats.luhn(R, R.choice(["4", "51", "52", "55"]), 16)
    return spaced(c)


def dob():
    return "%02d-%02d-%d" % (R.randint(1, 28), R.randint(1, 12), R.randint(1940, 2005))


def ip():
    return R.choice(["192.0.2.", "198.51.100.", "203.0.113."]) + str(R.randint(1, 254))


def pw():
    return R.choice(["Zomer", "Winter", "Lente", "Sonne", "Soleil", "Tiger"]) + digits(2) + R.choice("!#$%")


PLAIN = {
    "nl": ["Hoi, mijn pakket is nog steeds niet bezorgd. Kunnen jullie even kijken?",
           "Ik heb gisteren gebeld maar niemand nam op. Wanneer zijn jullie bereikbaar?",
           "De app doet het weer, bedankt voor de snelle hulp!",
           "Klopt het dat de levering pas volgende week dinsdag komt?",
           "Mijn bestelling 40213 is beschadigd aangekomen, wat moet ik nu doen?"],
    "en": ["Hi, my order still hasn't arrived. Could you check the status please?",
           "Thanks, that fixed it. Have a nice weekend and see you next time!",
           "I was charged twice for the same subscription this month.",
           "Is there a way to change the delivery slot to Saturday morning?",
           "The tracking page says delivered but there is nothing at my door."],
    "de": ["Hallo, meine Bestellung ist noch nicht angekommen. Können Sie nachsehen?",
           "Vielen Dank für die schnelle Antwort, jetzt funktioniert alles.",
           "Die Rechnung für November ist doppelt abgebucht worden.",
           "Kann ich den Liefertermin auf nächsten Montag verschieben?"],
    "fr": ["Bonjour, ma commande n'est toujours pas arrivée. Pouvez-vous vérifier ?",
           "Merci beaucoup, tout fonctionne maintenant sur mon téléphone.",
           "J'ai été débité deux fois pour le même abonnement ce mois-ci.",
           "Est-il possible de changer le créneau de livraison à samedi ?"],
}

PII = {
    "nl": ["Hoi, ik ben {person}. Mijn IBAN is {iban}, kunnen jullie het bedrag terugstorten?",
           "Je kunt me bellen op {phone} of mailen naar {email}.",
           "Mijn BSN is {bsn} en mijn geboortedatum is {dob}.",
           "Graag bezorgen op Kerkstraat {n}, 3511 AB Utrecht. Groeten, {person}",
           "Mijn wachtwoord is {pw} maar ik kan niet inloggen."],
    "en": ["Hi, this is {person}. Please refund to {iban}, thanks.",
           "You can reach me on {phone} or at {email}.",
           "My card {card} was declined, and my date of birth is {dob}.",
           "My password is {pw} and my IP is {ip}, still locked out.",
           "Please ship it to {n} High Street, Leeds LS1 4AP.\nKind regards,\n{person}"],
    "de": ["Hallo, hier ist {person}. Meine IBAN ist {iban}.",
           "Sie erreichen mich unter {phone} oder per E-Mail an {email}.",
           "Mein Passwort ist {pw}, ich bin geboren am {dob}.",
           "Bitte liefern an Hauptstraße {n}, 10115 Berlin.\nMit freundlichen Grüßen\n{person}"],
    "fr": ["Bonjour, je suis {person}. Mon IBAN est {iban}.",
           "Vous pouvez m'appeler au {phone} ou écrire à {email}.",
           "Mon mot de passe est {pw}, je suis né le {dob} à Lyon.",
           "Merci de livrer au {n} rue de la Paix, 75002 Paris.\nCordialement,\n{person}"],
}


def fill(tpl, lang):
    return tpl.format(person=person(), iban=R.choice([lambda: IBANS[0](), lambda: spaced(R.choice(IBANS)())])(),
                      phone=PHONES[lang](), email=email(), bsn=bsn(), dob=dob(), n=R.randint(1, 240),
                      pw=pw(), card=card(), ip=ip())


def main():
    locale = {"nl": "nl-NL", "en": "en-GB", "de": "de-DE", "fr": "fr-FR"}
    for i in range(400):
        lang = R.choice(["nl", "nl", "en", "en", "de", "fr"])
        if R.random() < 0.4:
            text = fill(R.choice(PII[lang]), lang)
        else:
            text = R.choice(PLAIN[lang])
            if R.random() < 0.5:
                text += " " + R.choice(PLAIN[lang])
        assert 50 <= len(text.encode()) <= 300, text
        print(json.dumps({"locale": locale[lang], "text": text}, ensure_ascii=False))


if __name__ == "__main__":
    main()
