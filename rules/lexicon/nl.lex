# Veil lexicon: Dutch (nl, also nl-BE).
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
wachtwoord ww password paswoord pass wachtwoordje pincode pin-code pinnummer pin-nummer wachtzin
inlogcode toegangscode wifi-wachtwoord inlogwachtwoord

[login]
inlog

[connector]
is was nu to naar wordt luidt gewoon just are zijn was: is: set veranderd gewijzigd new nieuw nieuwe
het de the mijn of van

[not-secret]
verlopen incorrect correct verkeerd wrong vergeten kwijt lost reset resetten gewijzigd veranderd
geblokkeerd werkt geaccepteerd ongeldig niet not nooit nog veilig safe sterk strong zwak te kort
short lang long manager beleid eisen field veld hint herstellen recovery beveiligd vereist delen
wijzigen aanpassen updaten update vernieuwen opnieuw instellen aanmaken link code via per voor met
en or of op on in at bij dat dit deze die was is are zijn been geweest ingevoerd getypt uw je jouw
jullie ons onze

[greeting]
hoi hallo hee hej dear beste geachte dag goedemorgen goedemiddag goedenavond groetjes groeten groet
bedankt dank gr mvg vriendelijke best liefs doei bye namens welkom

[intro]
naam name heet t.n.v t.n.v. tnv schreef miss dhr mevr meneer mevrouw collega medewerker gesproken
sprak zus broer vader moeder man vrouw son zoon dochter partner vriend vriendin contactpersoon heer
hr ir ing drs mw sir madam madame buurman buurvrouw buren holder spreekt speaking naam's fam familie
rekeninghouder accounthouder kaarthouder

[street-type]
road avenue drive close court grove square boulevard hill park row walk green view yard parade
approach gate ridge meadow meadows vale esplanade crossing loop run plaza bank

[address-context]
adres woon woonadres wonen woont verhuisd move bezorg bezorgen bezorgadres afleveradres factuuradres
postadres straat live lives living sturen stuur naar to

[not-name]
januari februari maart april mei juni juli augustus september oktober november december may june
july august nederland holland belgië duitsland engeland londen amsterdam rotterdam utrecht haarlem
groningen europa google apple microsoft paypal visa ideal iban bsn api ip dob ww klantenservice
support helpdesk team service kerst pasen whatsapp facebook instagram twitter linkedin amazon bol
coolblue king koning koningin god lord iphone android windows ios stichting bv b.v vof gemeente
afdeling care desk office kantoor holding groep services accounts klantcontact administratie
facturatie webshop american irish welsh french indian chinese nederlands nederlandse engels duits
frans pools turks marokkaans belgisch

[stop]
a an the or but then else of to in on at over as is are was be been am do does have has had i me
mine he her it we these here who all both more most no nor not same so can will just yes sorry dear
kind best may must let get make made nice fine allemaal iedereen ever order account card ticket help
support team service update issue reply de het een en maar als dan want dus omdat dat die dit deze
daar hier wat wie waar waarom hoe welke ik mij mijn jij je jou jouw u uw hij hem zijn zij ze haar
wij ons onze jullie hun hen ben bent waren wordt worden werd heb hebt heeft hebben kan kun kunt
kunnen kon wil wilt willen wou moet moeten mag mogen zal zult zullen zou zouden ga gaat gaan doe
doet doen niet geen wel ook nog al nu toen straks morgen gisteren vandaag altijd nooit soms graag
alvast even van voor met naar op uit aan bij onder tot door om tegen zonder sinds tijdens na ja nee
oké bedankt dank hoi hallo beste groetjes groet vriendelijke bestelling rekening kaart nummer
betaling pakket levering bezorging abonnement factuur klant vraag antwoord bericht probleem
wachtwoord adres straat subject onderwerp aw klopt helaas gelukkig inmiddels verder daarnaast echter
misschien hierbij bijgaand excuses vanaf wanneer daarom er bel stuur neem laat zie kijk geef kom
alle elke iedere klacht opzegging adreswijziging retour terugbetaling zending pakketje bevestiging
vriendelijk hartelijk check hartelijke hoogachtend geboren born volgens zodra nadat voordat terwijl
toch eigenlijk trouwens overigens vorige volgende binnenkort momenteel zojuist net nogmaals opnieuw
every

[weekday]
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag

[street-word]
laan weg plein kade dijk singel gracht straat dreef steeg markt wal hof park boulevard ring brink
avenue impasse

[street-suffix]
straat laan weg gracht plein singel kade dijk dreef steeg pad hof markt park plantsoen baan wal
burgwal haven allee boulevard dam veld erf ring zijde oord kwartier pier promenade steenweg
straatweg rijweg dwarsstraat lei vest wetering vaart brink hoven akker weide berg heuvel hoek kamp
wijk horst donk bosch bos eiland poort toren molen tuin gaarde stede

[month]
januari:1 jan:1 janvier:1 februari:2 feb:2 febr:2 maart:3 mar:3 mrt:3 mars:3 april:4 apr:4 mei:5
may:5 mai:5 juni:6 june:6 jun:6 juli:7 july:7 jul:7 augustus:8 august:8 aug:8 september:9 sep:9
sept:9 oktober:10 okt:10 november:11 nov:11 december:12 dec:12

[ctx-bsn]
*bsn burgerservice persoonsnummer

[ctx-card]
card kaart visa maestro creditcard betaalpas

[ctx-not-card]
cadeau gift track zending pakket voucher bestel order factuur ticket referentie klantnummer coupon
barcode serie imei klantenkaart spaarkaart tegoed waardebon *cadeaubon bonnummer geschenk
kortingscode promo

[ctx-not-bsn]
bestel order ticket case zaak factuur pakket zending referentie ref. ref: klantnummer cadeau gift
voucher coupon artikel serie versie dossier transactie kvk btw vat polis contract lidmaat bon
kenmerk tegoed waardebon item product rekening account postbus bedrag eur

[ctx-phone]
tel bellen belt mobiel mobile gsm whatsapp fax nummer bereik reach contact telefoon nr. nr: no. ring
handy portable

[ctx-ip]
ip adres server host router vpn verbinding

[ctx-version]
versie v. release firmware ios android patch geüpdatet bijgewerkt

[ctx-birth]
geboren geboorte born verjaardag jarig

[ctx-address]
adres woon wonen woont verhuis bezorg stuur sturen post

[ctx-key]
key token sleutel secret geheim api

[password-compound]
wachtwoord password paswoord

[clear-street]
straat laan weg gracht plein singel kade steeg dreef

[org-suffix]
beheer zaken dienst service contact administratie verkoop inkoop planning ondersteuning advies
afdeling centrum management support relaties

[label-suffix]
nummer code adres datum naam nr

[self-verb]
ben am is

[self-subject]
ik i dit it hier here

[name-label]
naam name holder rekeninghouder accounthouder

[title]
miss dhr mevr meneer mevrouw heer mw sir madam madame dear beste geachte hr fam familie t.n.v tnv

[name-gap]
is was ben am heet s met van to je u

[place-before]
in te uit nabij

[place-after]
store shop office depot area winkel filiaal vestiging magazijn airport station

[opening-greeting]
hoi hallo hee hej dear beste geachte goedemorgen goedemiddag goedenavond welkom

[self-name-follow]
van here hier weer speaking

[lower-name-follow]
here hier weer

[house-suffix]
bis hs huis

[city-joiner]
aan bij

[ordinal]
ste de e

[password-weak-is]
is was

[password-is]
is was wordt luidt are zijn

[password-to]
to naar

[password-filler]
nu nog gewoon just set to naar gewijzigd veranderd

[password-sep-verb]
is was luidt wordt are zijn

[abbreviation]
geb nr bijv resp dhr mevr mw zgn evt ivm mbt tav nl

[born-of]
of

# Belgian national register number (BE_NRN).
[city-before]
in te

[ctx-be-nrn]
rijksregisternummer rijksregister insz "rijksregister nr"

# Verbs whose object is a person, and prepositions before a full name (see en.lex).
[person-verb]
vraag vroeg vragen bel belde bellen mail mailde mailen bedank bedankte spreek sprak spreken
[person-prep]
met voor aan door van namens

# Conversation state (conversation.go): words that ask for a value, by the type they ask for.
# General Dutch support-chat vocabulary written by the Veil maintainers; a question ("?") or a
# request word in the same sentence makes the sentence ask.
[ask-request]
graag "kunt u" "kun je" "wilt u" "wil je" "mag ik" "zou u" "zou je" geef "geeft u" noem "noemt u"
vermeld "vermeldt u" bevestig "bevestigt u" "laat weten" "laat u weten" doorgeven "door te geven"
stuur "stuurt u" invullen "vul in" nodig

[ask-bsn]
burgerservicenummer burgerservice* sofinummer persoonsnummer

[ask-birth]
geboortedatum geboorte* geboren verjaardag

[ask-password]
wachtwoord *wachtwoord paswoord wachtzin inlogcode toegangscode pinnummer

[ask-name]
naam "volledige naam" voornaam achternaam "hoe heet u" "hoe heet je" "wie spreek ik" "met wie spreek ik"
"hoe heet"

[ask-be-nrn]
rijksregisternummer rijksregister* insz insz-nummer

# Questions for numbers and names that are no personal data: the answer to them is not claimed
# as a BSN, and a name question inside one of these ("gebruikersnaam") asks for no person.
[ask-not]
order* bestel* ticket* factuur* referentie* klantnummer klantnr dossier* zaaknummer pakket*
zending* track* artikel* serienummer kenmerk* polis* contractnummer lidmaatschap* bedrag
gebruikersnaam accountnaam bedrijfsnaam "naam van uw bedrijf" "naam van het bedrijf" productnaam
bestandsnaam "naam van de winkel"

# Words that may open a bare answer ("Ja, het is ...").
[answer-lead]
ja "ja hoor" zeker natuurlijk tuurlijk "het is" "dat is" "dit is" "die is" "hij is"
