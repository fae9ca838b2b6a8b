#!/usr/bin/env python3
"""Writes phoneplan.tsv: the numbering plan of every region, from libphonenumber's metadata.

Source: resources/PhoneNumberMetadata.xml of google/libphonenumber, as shipped in the PyPI package
phonenumbers 9.0.43 (phonenumbers/data/region_*.py). Run:
    pip install phonenumbers==9.0.43 && python3 phoneplan.py > phoneplan.tsv
"""
import phonenumbers
from phonenumbers import PhoneMetadata

# The number types of the metadata in libphonenumber's own order of precedence.
TYPES = [("premium", "premium_rate"), ("tollfree", "toll_free"), ("shared", "shared_cost"), ("voip", "voip"),
         ("personal", "personal_number"), ("pager", "pager"), ("uan", "uan"), ("voicemail", "voicemail"),
         ("fixed", "fixed_line"), ("mobile", "mobile")]

print("# Numbering plans: region (ISO 3166, or 001 for a non-geographic code), calling code, national")
print("# prefix (- for none), number type, the type's possible national-number lengths, its")
print("# national-number pattern (RE2 syntax, matched whole) and its example number (- for none). Lines")
print("# of a calling code are in libphonenumber's order, its main region first.")
print("# Source: libphonenumber's resources/PhoneNumberMetadata.xml as shipped in the PyPI package")
print("# phonenumbers %s; regenerate with rules/data/phoneplan.py." % phonenumbers.__version__)
for cc in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[cc]:
        if region == "001":
            md = PhoneMetadata.metadata_for_nongeo_region(cc)
        else:
            md = PhoneMetadata.metadata_for_region(region)
        if md is None:
            continue
        prefix = md.national_prefix or "-"
        for name, attr in TYPES:
            desc = getattr(md, attr)
            if desc is None or not desc.national_number_pattern:
                continue
            lengths = desc.possible_length or md.general_desc.possible_length
            print("\t".join([region, str(cc), prefix, name, ",".join(str(n) for n in lengths),
                             desc.national_number_pattern, desc.example_number or "-"]))
