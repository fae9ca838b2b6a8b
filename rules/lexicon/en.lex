# Veil lexicon: English (en).
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
password pass

[connector]
is was nu now to becomes equals reads currently still just are was: is: set changed new de the my of
van

[not-secret]
expired incorrect correct wrong forgotten forgot lost reset changed blocked locked works working
accepted invalid not never still safe strong weak too short lang long manager vault policy
requirements field veld hint recovery protected required sharing change update again setup create
link code via per for with met and or of op on in at by dat that this die was is are been entered
typed your our

[greeting]
hi hello hey dear morning evening afternoon regards wishes cheers thanks thank dank sincerely yours
best bye thx welcome

[intro]
name called wrote mrs ms miss mister colleague spoke vader man husband wife son daughter partner
friend sir madam madame neighbour neighbor holder speaking talking chatting name's family

[street-type]
street st road rd avenue ave lane ln drive close way court ct place pl crescent grove gardens
terrace square sq boulevard blvd hill park row walk mews parkway pkwy highway hwy circle cir trail
path green rise view yard wharf quay embankment broadway parade approach gate hollow ridge meadow
meadows vale esplanade crossing loop run pike plaza alley bank wynd

[address-context]
address moved move ship shipping deliver delivery located live lives living send to

[not-name]
april augustus september november december january february march may june july august october
netherlands holland belgium germany england london amsterdam rotterdam utrecht europe europa google
apple microsoft paypal visa mastercard ideal api ip support team service christmas easter facebook
instagram twitter amazon king queen god lord iphone android windows ios care desk office holding
group services sales billing accounts enquiries dutch english british american irish scottish welsh
german french polish turkish moroccan indian chinese nigerian belgian spanish italian canadian
australian european engels pools turks

[stop]
a an the and or but if then else when while of to in on at by for with from into onto over under
about as is are was were be been being am do does did done have has had having i me my mine myself
you your yours yourself he him his she her hers it its we us our ours they them their theirs this
that these those there here what which who whom whose where why how all any both each few more most
other some such no nor not only own same so than too very can will just should now also again please
thanks thank yes sorry hello hi dear kind best regards cheers could would may might must shall let
get got make made see seen good great nice fine sure valued everyone everybody folks guys still yet
already ever never always sometimes today tomorrow yesterday order account card number payment
refund ticket invoice address phone call help support team customer service package parcel delivery
shipping tracking subscription version update problem issue question answer request reply message de
dan want dat die hoe u hem hun hen ben bent wilt moet ga doe al nu even van met op tot door na dank
levering hey subject excuses er i'm i've i'll i'd we're we've we'll you're it's unfortunately
however hopefully attached regarding send find check nope kindly sincerely additionally meanwhile
thereafter born net recently currently once after before since until although because everything
nothing something anything every

[weekday]
monday tuesday wednesday thursday friday saturday sunday

[street-word]
park boulevard ring brink rue avenue place impasse

[street-suffix]
pad park haven boulevard dam veld ring pier promenade lei vest brink berg bosch

[month]
january:1 jan:1 february:2 feb:2 march:3 mar:3 mars:3 april:4 apr:4 may:5 mai:5 june:6 jun:6 july:7
jul:7 augustus:8 august:8 aug:8 september:9 sep:9 sept:9 october:10 oct:10 november:11 nov:11
december:12 dec:12

[ctx-ssn]
taxpayer

[ctx-card]
card visa mastercard maestro discover debit

[ctx-not-card]
gift tracking track parcel shipment voucher order invoice ticket reference coupon serial loyalty
member promo

[ctx-not-bsn]
order ticket case invoice tracking reference ref. ref: gift voucher coupon article serial version
dossier transaction btw vat policy contract member receipt item product account amount

[ctx-phone]
tel phone belt call mobile fax number reach contact cell no. ring handy mobil portable

[ctx-ip]
ip address server host router connect

[ctx-version]
version v. build release firmware ios android patch

[ctx-birth]
born birth birthday

[ctx-address]
address moved ship deliver send post

[ctx-key]
key token secret api bearer credential access signing

[password-compound]
password

[org-suffix]
service contact planning management support

[label-suffix]
number code datum

[self-verb]
ben am is

[self-short]
i'm im it's its

[self-subject]
i this it here

[name-label]
name holder

[title]
mrs ms miss mx sir madam madame dear family

[name-gap]
is was ben am called s met with van to you

[place-before]
in near

[place-after]
store shop branch office warehouse depot area airport station

[opening-greeting]
hi hello hey dear morning afternoon evening welcome

[self-name-follow]
van from here again weer speaking

[lower-name-follow]
again here weer

[ordinal]
st nd rd th

[password-weak-is]
is was

[password-is]
is was becomes equals reads are

[password-to]
to into

[password-filler]
now nu still just currently simply set changed to

[password-sep-verb]
is was becomes are

[abbreviation]
no approx mrs ms st

[way-end]
way

[born-of]
of

[street-ordinal]
st nd rd th

# Belgian national register number (BE_NRN).
[city-before]
in

[ctx-be-nrn]
"national register" "national number"

# Verbs whose object is a person: an unknown, name-like capitalised word after one is a name
# ("ask Zdenka"). Prepositions before a full name of two name-like words ("a call with X Y").
[person-verb]
ask asked asking tell told thank thanked call called phone phoned email emailed contact contacted
cc cc'd ping pinged meet met invite invited
[person-prep]
with for to by from

# Conversation state (conversation.go): words that ask for a value, by the type they ask for.
# General English support-chat vocabulary written by the Veil maintainers.
[ask-request]
please "could you" "can you" "would you" "may i" "can i have" "could i have" "can i get" provide
confirm "tell me" "let me know" "send me" "share your" "need your" "i need" enter "type in"

[ask-ssn]
"social security" "social security number" "social-security" "tax id" "taxpayer identification"

[ask-birth]
"date of birth" "birth date" birthdate birthday born "when were you born"

[ask-password]
password *password passcode passphrase "pin number" "pin code" "security code"

[ask-name]
name "full name" "first name" "last name" surname "your name" "who am i speaking" "who am i talking"
"who is this"

[ask-not]
order* ticket* invoice* tracking* reference* "case number" "customer number" "account number"
"member number" "membership number" "serial number" "product name" "company name" "user name"
username "account name" "file name" "store name" amount

[answer-lead]
yes yeah yep sure "of course" "it is" "it's" "that's" "that is" "it would be" "it should be"
