# Veil lexicon: Spanish (es).
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
contraseña

[connector]
to de my

[not-secret]
te per en in

[greeting]
hi

[intro]
man son

[street-type]
vale plaza

[address-context]
to

[not-name]
europa ideal lord

[stop]
a an to in as be do me my he her no so can hi de en wat u ben kan al na bel once

[month]
mar:3

[ctx-card]
maestro

[ctx-not-card]
serie

[ctx-not-bsn]
serie bon

[ctx-phone]
no. teléfono

[ctx-birth]
nacimiento

[ctx-address]
post

[self-verb]
ben

[name-gap]
ben to

[place-before]
in te

[opening-greeting]
hi

[password-to]
to

[password-filler]
to
