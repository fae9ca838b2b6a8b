#!/usr/bin/env python3
"""Build html5.tsv: the HTML named character references the decoder of encoded text knows.

Source: the WHATWG HTML Living Standard's table of named character references
(section 13.5, "Named character references", published as entities.json). Python's standard
library ships that table unchanged as html.entities.html5, so this script needs no download:

  python3 rules/entities/build.py > rules/entities/html5.tsv

Kept: the names written with their semicolon whose value is one code point that can stand in
text Veil reads -- printable ASCII (&commat; &period; &lowbar; spell out e-mail addresses),
Latin-1 and Latin Extended-A/B letters (names in NL/EN/DE/FR/PL/TR text), the General
Punctuation block (spaces, dashes, quotes, zero-width characters) and the euro sign. One line
per name: the name without '&' and ';', a tab, the code point in hex.
"""
import html.entities


def wanted(cp):
    return 0x20 <= cp < 0x7F or 0xA0 <= cp < 0x250 or 0x2000 <= cp <= 0x206F or cp == 0x20AC


def main():
    print("# HTML named character references (WHATWG HTML, named character references), subset;")
    print("# built by rules/entities/build.py from Python's html.entities.html5. name<TAB>code point")
    for name, value in sorted(html.entities.html5.items()):
        if not name.endswith(";") or len(value) != 1 or not wanted(ord(value)):
            continue
        print(f"{name[:-1]}\t{ord(value):04X}")


if __name__ == "__main__":
    main()
