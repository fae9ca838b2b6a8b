# Veil lexicon: every language.
# Sources: abbreviations, brands, product and provider names, and words used alike in all the
# languages Veil reads (pin, login, e-mail, ok), collected by the Veil maintainers from support
# conversations' vocabulary; surname endings from the name statistics behind rules/data/; brand names
# of companies named after people from their public trade names.
#
# Format: "[section]" starts a section; rules/lexicon.go says what each section feeds. Entries are
# separated by white space; an entry in double quotes may hold spaces. A '+' before an entry makes
# it apply in every language, not only this file's. [month] entries are name:number. In [ctx-*]
# sections a leading '*' matches inside words too (mijnbsn), otherwise at a word start.


[password]
pw pwd passwd passw pin passcode passphrase

[login]
login logon log-in

[not-secret]
email e-mail mail sms

[greeting]
ciao

[intro]
mr dr prof cardholder

[particle]
ibn van de der den het 't ter ten te op in la le di del von al el bin y dos das des van't v.d. vd da
della du vom zu zum

[street-type]
dr

[address-context]
addr

[not-name]
belgie ssn pin zalando

[stop]
okay ok email mail app re fw fwd

[month]
jänner:1 févr:2 fév:2 maa:3 mär:3 juil:7

[ctx-bsn]
"burger service" *sofi sociaal-fiscaal "sociaal fiscaal" "citizen service" "fiscaal nummer"
fiscaalnummer "service number"

[ctx-ssn]
ssn "social security" "soc sec" "soc. sec" ss# "ss #" "ss no" "tax id" itin

[ctx-card]
amex "american express" "credit card" "cc "

[ctx-not-card]
ean "bon "
# Company identifiers: a Luhn-valid French SIRET (14 digits) or SIREN (9) after its word is no card.
siret siren registratienummer registernummer handelsregister immatriculation "registration number"
"company number"

[ctx-not-bsn]
"customer number" sku artikelnr € $ £

[ctx-not-phone]
# The words of account numbers: digit groups right after them (and no phone word) are no phone.
iban

[ctx-phone]
"bel " "bel me" sms "text me" "app me" 06- festnetz telefono

[ctx-ip]
login

[ctx-version]
updat upgrad "app "

[ctx-birth]
d.o.b geburts b-day bday geb. dob geb:

[ctx-address]
"move to" "live at" "living at" "lives at" "located at"

[ctx-key]
auth client_id webhook
# Key words of every language Veil reads, also inside config names (ACCESS_KEY, SERVICE_TOKEN).
key token secret jeton clé schlüssel apikey

[name-label]
cardholder

[title]
mr dr prof

[cap-particle]
bin ibn abu el al ait ben van von de der den ter ten di le la da du

[abbreviation]
tel ca incl excl ref vs mr dr ex exp

[house-suffix-word]
" hs" " bis" " huis" " zw" " rd" " bg" " rood" " zwart" " boven" " beneden" " II" " III" " IV"

[unit-after]
"Apt. " "Apt " "Apartment " "Suite " "Ste " "Unit " "Flat " "#"

[unit-before]
"Flat " "Apartment " "Apt " "Unit " "Suite " "Appartement "

[surname-suffix]
sen son man mans ink stra sma ema inga enga huis kamp berg veld horst dijk stein ski ska wicz czyk
oglu oğlu ini elli etti enko chuk yan ian poulos escu ović ovic ssen ers ens aoui ouri

# Mail harvesters are dodged with English words whatever the language of the text.
[brand]
"albert heijn" "douwe egberts" "jack wolfskin" "tommy hilfiger" "calvin klein" "ralph lauren"
"hugo boss" "ted baker" "paul smith" "michael kors" "karl lagerfeld" "jo malone" "marc jacobs"
"john lewis" "fred perry" "ben sherman" "kurt geiger" "william hill" "thomas cook" "john deere"
"charles schwab" "morgan stanley" "goldman sachs" "wells fargo" "dow jones" "harley davidson"
"rolls royce" "aston martin" "alfa romeo" "mercedes benz" "ernst young" "warner bros" "walt disney"
"estee lauder" "vivienne westwood" "stella mccartney" "jimmy choo" "tom ford" "van haren"
"jan linders" "hans anders" "sherwin williams" "john hancock" "dr oetker" "ray ban" "dolce gabbana"
"louis vuitton" "yves saint laurent" "christian dior" "coco chanel"

[at-word]
at

# Belgian national register number (BE_NRN).
[dot-word]
dot

[ctx-be-nrn]
rrn

# Conversation state (conversation.go): a question or request in one message primes the other
# party's next messages. Words written by the Veil maintainers. A trailing '*' lets the word go
# on (geboorte* matches geboortedatum), a leading '*' lets it start inside a word (*wachtwoord
# matches inlogwachtwoord); otherwise an entry matches whole words only.
[ask-bsn]
bsn bsn-nummer sofi* "citizen service number"

[ask-ssn]
ssn ss# itin

[ask-birth]
dob d.o.b geb. geb.datum

[ask-password]
pin pin-code pincode

[ask-not]
ean sku iban
