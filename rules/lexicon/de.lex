# Veil lexicon: German (de).
# Sources: general vocabulary of the language, written by the Veil maintainers for support chat and
# e-mail (greetings, sign-offs, titles, context words, street and unit words, months and weekdays).
# The language of every word was checked against the Debian word lists: wdutch (OpenTaal),
# wamerican and wbritish (SCOWL), wngerman (igerman98), wfrench (Drapeau/Lexique), wspanish
# (apt-get download wdutch wamerican wbritish wngerman wfrench wspanish); a word found in several
# of them is listed in each of those languages' files.
#
# Format: "[section]" starts a section; rules/lexicon.go says what each section feeds. Entries are
# separated by white space; an entry in double quotes may hold spaces. A '+' before an entry makes
# it apply in every language, not only this file's. [month] entries are name:number. In [ctx-*]
# sections a leading '*' matches inside words too (mijnbsn), otherwise at a word start.


[password]
passwort pass kennwort

[connector]
was still just set new de van ist lautet jetzt

[not-secret]
lost reset werkt niet not still safe lang manager eisen herstellen vereist update setup link code
via per in at die was getypt je

[greeting]
hallo liebe lieber grüße gruß grüßen lg vg mfg servus moin tschüss
hi hallo beste bedankt dank best

[intro]
herr herrn frau name heiße heisse
name miss mister zus man partner heer sir holder familie

[street-type]
boulevard park walk parade run pike bank

[address-context]
adresse live sturen

[not-name]
april juni juli augustus september oktober november august holland england london amsterdam
rotterdam utrecht europa google apple microsoft visa mastercard ideal iban api ip support team
service facebook twitter amazon queen lord android windows office holding services accounts chinese
engels pools belgisch

[stop]
ich sie mein meine meinen bitte sehr wir ihr ihre ihren danke vielen dank schreiben rufen lieferadresse adresse bestellung rechnung geburtsdatum kennwort passwort
a an in at was am i mine he her it us these who all most such not same so will just also hi kind
best made see seen still order account ticket support team service version update problem de maar
als die hier wie welke je haar ben waren worden werd hebt willen mag niet morgen van tot ja bedankt
dank hallo beste nummer abonnement bericht echter er alle elke check geboren vorige after

[street-word]
am im an auf zum zur
weg gracht markt wal hof park boulevard ring chaussee

[street-suffix]
weg gracht hof markt park wal allee boulevard ring promenade weide berg horst bosch eiland toren
molen straße gasse platz

[month]
jan:1 januar:1 feb:2 februar:2 märz:3 mars:3 april:4 mai:5 juni:6 juli:7 jul:7 augustus:8 august:8
aug:8 september:9 sept:9 oktober:10 okt:10 november:11 nov:11 dezember:12 dez:12

[ctx-card]
visa mastercard maestro

[ctx-not-card]
gift order ticket coupon barcode serie geschenk

[ctx-not-bsn]
order ticket gift coupon artikel serie version dossier polis bon account eur

[ctx-phone]
nummer erreichen anrufen rufen durchwahl
tel bellen mobile fax nummer nr. nr: ring handy telefon rufnummer mobil portable

[ctx-ip]
ip server router vpn

[ctx-version]
version v. firmware android patch

[ctx-birth]
geboren geburtsdatum "geboren am" "geb. am"

[ctx-address]
sturen post

[ctx-key]
token geheim api

[password-compound]
passwort

[clear-street]
weg gracht

[org-suffix]
dienst service management support

[label-suffix]
nummer code datum

[self-verb]
ben am

[self-subject]
i it hier

[name-label]
name holder

[title]
herr herrn frau
miss heer sir beste familie

[name-gap]
was ben am van je

[place-before]
in aus bei
in

[place-after]
shop office depot winkel station

[opening-greeting]
hallo liebe lieber
hi hallo beste

[self-name-follow]
van hier

[lower-name-follow]
hier

[password-weak-is]
was ist

[password-is]
was ist lautet

[password-filler]
still just set jetzt nun noch

# Belgian national register number (BE_NRN).
[password-sep-verb]
was ist lautet

[ctx-be-nrn]
nationalregisternummer nationalregister

# Verbs whose object is a person, and prepositions before a full name (see en.lex).
[person-verb]
frag fragen fragte ruf rufen anrufen kontaktieren danke
[person-prep]
mit für an von bei

# Conversation state (conversation.go): words that ask for a value, by the type they ask for.
# General German support-chat vocabulary written by the Veil maintainers.
[ask-request]
bitte "können sie" "könnten sie" "würden sie" "darf ich" "geben sie" "nennen sie" "teilen sie"
"bestätigen sie" "schicken sie" "senden sie" benötige brauche "brauchen wir"

[ask-birth]
geburtsdatum geburts* geboren geburtstag

[ask-password]
passwort *passwort kennwort *kennwort geheimzahl pin-nummer

[ask-name]
name "vollständiger name" vorname nachname "wie heißen sie" "wie heissen sie" "wie heißt du"
"mit wem spreche ich"

[ask-be-nrn]
nationalregisternummer nationalnummer

[ask-not]
bestell* auftrags* rechnungs* kundennummer sendungs* ticket* vorgangs* referenz* artikel*
seriennummer vertragsnummer betrag benutzername firmenname produktname dateiname

[answer-lead]
ja klar natürlich "es ist" "das ist" "sie ist" "er ist"
