"""Carrier sentences of the external set, written for it (see SCOPE.md).

Each template holds {v} where the value goes ({w} for a second value). CONTEXT templates have the
word of the type; BARE templates have none. The languages are nl, en, de, fr.
"""

CONTEXT = {
    "PHONE_NUMBER": {
        "nl": ["Je kunt me bellen op {v}, het liefst 's avonds.", "Mijn telefoonnummer is {v}.",
               "Bel me gerust terug op {v} als het niet lukt."],
        "en": ["You can ring me on {v} in the evening.", "My phone number is {v}.",
               "Please call me back at {v} when you have a moment."],
        "de": ["Sie erreichen mich telefonisch unter {v}.", "Meine Telefonnummer lautet {v}.",
               "Rufen Sie mich bitte unter {v} zurück."],
        "fr": ["Vous pouvez m'appeler au {v} en soirée.", "Mon numéro de téléphone est le {v}.",
               "Rappelez-moi au {v} si besoin."],
    },
    "PHONE_LIST": {
        "nl": ["Bel me op {v} of anders op {w}."],
        "en": ["Call me on {v} or else on {w}."],
        "de": ["Rufen Sie mich unter {v} oder sonst unter {w} an."],
        "fr": ["Appelez-moi au {v} ou sinon au {w}."],
    },
    "CREDIT_CARD": {
        "nl": ["Mijn creditcardnummer is {v}.", "Ik heb betaald met kaart {v}, maar zie niets terug."],
        "en": ["My card number is {v}, can you check the payment?", "I paid with the credit card {v} yesterday."],
        "de": ["Meine Kreditkartennummer ist {v}.", "Bezahlt habe ich mit der Karte {v}."],
        "fr": ["Mon numéro de carte bancaire est {v}.", "J'ai payé hier avec la carte {v}."],
    },
    "IBAN_CODE": {
        "nl": ["Mijn rekeningnummer is {v}.", "Wilt u het bedrag terugstorten op IBAN {v}?"],
        "en": ["Please refund it to my account {v}.", "My IBAN is {v}."],
        "de": ["Meine IBAN lautet {v}.", "Bitte überweisen Sie den Betrag auf das Konto {v}."],
        "fr": ["Mon IBAN est {v}.", "Merci de virer le montant sur le compte {v}."],
    },
    "NL_BSN": {
        "nl": ["Mijn BSN is {v}.", "Mijn burgerservicenummer: {v}", "Het sofinummer van mijn zoon is {v}."],
        "en": ["My Dutch citizen service number (BSN) is {v}."],
        "de": ["Meine niederländische BSN lautet {v}."],
        "fr": ["Mon numéro BSN néerlandais est {v}."],
    },
    "US_SSN": {
        "nl": ["Mijn Amerikaanse social security number is {v}."],
        "en": ["My SSN is {v}.", "Social security number: {v}"],
        "de": ["Meine US-Sozialversicherungsnummer (SSN) ist {v}."],
        "fr": ["Mon numéro de sécurité sociale américain (SSN) est {v}."],
    },
    "EMAIL_ADDRESS": {
        "nl": ["Mijn e-mailadres is {v}.", "Stuur de factuur liever naar {v} alstublieft."],
        "en": ["Please write to {v} instead.", "My e-mail address is {v}."],
        "de": ["Meine E-Mail-Adresse lautet {v}.", "Schicken Sie die Rechnung bitte an {v}."],
        "fr": ["Mon adresse e-mail est {v}.", "Envoyez la facture à {v} s'il vous plaît."],
    },
    "IP_ADDRESS": {
        "nl": ["Het IP-adres van mijn router is {v}.", "De verbinding komt van {v} en wordt geweigerd."],
        "en": ["The connection comes from IP {v}.", "Our gateway has the address {v}."],
        "de": ["Die IP-Adresse des Servers ist {v}.", "Die Anfrage kam von {v}."],
        "fr": ["L'adresse IP du serveur est {v}.", "La connexion vient de {v}."],
    },
    "API_KEY": {
        "nl": ["Dit is de sleutel voor de koppeling: {v}", "Onze token is {v}, kunt u die intrekken?",
               "In onze .env staat:\nSERVICE_TOKEN={v}"],
        "en": ["Here is the API key for the integration: {v}", "The token {v} was pasted in the chat by mistake.",
               "Our config file has:\napi_key: \"{v}\""],
        "de": ["Hier ist der API-Schlüssel für die Anbindung: {v}", "Das Token {v} wurde versehentlich geteilt.",
               "In der Konfiguration steht: <token>{v}</token>"],
        "fr": ["Voici la clé d'API pour l'intégration : {v}", "Le jeton {v} a été partagé par erreur.",
               "Dans le script : export ACCESS_KEY='{v}'", "Le fichier contient {{\"secret\": \"{v}\"}}"],
    },
    "PASSWORD": {
        "nl": ["Mijn wachtwoord voor de database is {v}.", "In de config staat DB_PASSWORD={v}"],
        "en": ["The password for the database is {v}.", "The config has password: {v}"],
        "de": ["Das Passwort für die Datenbank ist {v}.", "In der Konfiguration steht password={v}"],
        "fr": ["Le mot de passe de la base est {v}.", "La config contient password: {v}"],
    },
    # Negatives after their own word (G4).
    "VAT": {
        "nl": ["Ons btw-nummer is {v}."], "en": ["Our VAT number is {v}."],
        "de": ["Unsere USt-IdNr. lautet {v}."], "fr": ["Notre numéro de TVA intracommunautaire est {v}."],
    },
    "COMPANY": {
        "nl": ["Het registratienummer van het bedrijf is {v}."], "en": ["The company registration number is {v}."],
        "de": ["Die Registernummer der Firma ist {v}."], "fr": ["Le numéro d'immatriculation de la société est {v}."],
    },
    "IMEI": {
        "nl": ["Het IMEI van het toestel is {v}."], "en": ["The IMEI of the handset is {v}."],
        "de": ["Die IMEI des Geräts lautet {v}."], "fr": ["Le code IMEI de l'appareil est {v}."],
    },
    "ISBN": {
        "nl": ["Het boek met ISBN {v} is niet geleverd."], "en": ["The book with ISBN {v} never arrived."],
        "de": ["Das Buch mit der ISBN {v} kam nicht an."], "fr": ["Le livre ISBN {v} n'est jamais arrivé."],
    },
    "EAN": {
        "nl": ["De streepjescode op de doos is {v}."], "en": ["The barcode on the box reads {v}."],
        "de": ["Der Barcode auf der Packung ist {v}."], "fr": ["Le code-barres sur la boîte est {v}."],
    },
}

BARE = {
    "nl": ["Kunt u dit even nakijken: {v}?", "Dit stond onderaan het formulier: {v}"],
    "en": ["Could you check this one: {v}?", "This was at the bottom of the form: {v}"],
    "de": ["Können Sie das bitte prüfen: {v}?", "Das stand unten auf dem Formular: {v}"],
    "fr": ["Pouvez-vous vérifier ceci : {v} ?", "C'était en bas du formulaire : {v}"],
}

# The locale of an event in each language, when the value does not ask for another.
LOCALE = {"nl": "nl-NL", "en": "en-GB", "de": "de-DE", "fr": "fr-FR"}
