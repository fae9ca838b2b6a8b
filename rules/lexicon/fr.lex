# Veil lexicon: French (fr, also fr-BE).
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
mot-de-passe mdp passe

[connector]
nu are set de van est

[not-secret]
incorrect correct te short long manager veld change code via for met en and or on in dit are je onze

[greeting]
bonjour bonsoir salut cordialement amicalement bises chère cher
hi hello regards bye salut

[intro]
madame monsieur mme mlle m'appelle nom
miss man son partner sir madame

[street-type]
avenue drive close court place square boulevard walk green yard wharf parade gate esplanade

[address-context]
adresse live living

[not-name]
visa api support service king lord office holding group services sales irish scottish duits pools

[stop]
je vous mon ma mes nous votre vos merci date appelez-moi écrivez-moi bonjour bonsoir madame monsieur
a an and or but if in on for about as are am do have i me mine us ours more no hello hi regards must
let fine sure ticket phone support service version issue question message de en dan dus dit hier je
u hem onze ben kan zou nu van met na abonnement excuses er bel retour check nope net once

[street-word]
plein boulevard ring rue avenue chaussée place quai chemin impasse allée

[street-suffix]
plein boulevard dam veld ring promenade lei horst strasse

[month]
jan:1 janvier:1 février:2 mar:3 mars:3 avril:4 mai:5 juin:6 juillet:7 août:8 sep:9 sept:9
septembre:9 octobre:10 novembre:11 décembre:12 déc:12

[ctx-card]
visa maestro

[ctx-not-card]
cadeau track voucher ticket coupon promo

[ctx-not-bsn]
ticket case cadeau voucher coupon article version dossier transaction polis bon item

[ctx-phone]
numéro numero portable joindre appeler appelez rappeler rappelez
tel phone mobile fax contact no. ring portable téléphone

[ctx-ip]
router

[ctx-version]
version v.

[ctx-birth]
naissance "né le" "née le" "né(e) le" "né " "née " "date de naissance"

[ctx-key]
secret api

[clear-street]
plein

[org-suffix]
service contact planning management support

[label-suffix]
code

[self-verb]
ben am

[self-subject]
i dit hier

[title]
madame monsieur mme mlle
miss sir madame

[name-gap]
ben am met van je

[place-before]
à
in te

[place-after]
store shop office station

[opening-greeting]
bonjour bonsoir salut chère cher
hi hello

[self-name-follow]
van hier

[lower-name-follow]
hier

[house-suffix]
huis

[password-is]
are est

[password-filler]
nu set maintenant toujours

# Belgian national register number (BE_NRN).
[password-sep-verb]
are est

[ctx-be-nrn]
"registre national" "numéro national" "numero national" niss "n° national"

[password-weak-is]
est

# Verbs whose object is a person, and prepositions before a full name (see en.lex).
[person-verb]
demandez demander appelez appeler contactez contacter remercier remercie
[person-prep]
avec pour par chez

# Conversation state (conversation.go): words that ask for a value, by the type they ask for.
# General French support-chat vocabulary written by the Veil maintainers.
[ask-request]
"merci de" "pouvez-vous" "pourriez-vous" "voulez-vous" veuillez "puis-je" indiquez donnez
communiquez confirmez envoyez "j'ai besoin" "nous avons besoin" "s'il vous plaît" svp

[ask-birth]
"date de naissance" naissance né née "êtes-vous né" anniversaire

[ask-password]
"mot de passe" mdp "code pin" "code secret" "code d'accès"

[ask-name]
nom prénom "nom de famille" "nom complet" "vous appelez" "t'appelles" "qui ai-je"

[ask-be-nrn]
"registre national" "numéro national" "numéro de registre national"

[ask-not]
commande* facture* ticket* dossier* référence* suivi colis "numéro de client" "numéro de série"
contrat* montant "nom d'utilisateur" "nom de l'entreprise" "nom de la société" "nom du produit"
"nom du fichier"

[answer-lead]
oui "bien sûr" "c'est" "il est" "elle est" "ce serait"
