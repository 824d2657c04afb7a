#!/usr/bin/env python3
"""Builds assets/names/given-nam-dict.txt from the first-name dictionary in PyPI's gender-guesser.

The dictionary is nam_dict.txt by Jörg Michael (GNU Free Documentation License), shipped inside
the gender-guesser package. We keep the names used in the countries whose languages Tidings'
masks cover (Europe, Turkey, the Caucasus and Central Asia, plus Arabic, Hebrew and Indian names
common in international mail), lowercased, one per line. East-Asian romanisations are left out:
their one-syllable names ("The", "To", "In", "So") are ordinary words in the mask languages.

    pip download gender-guesser==0.4.0 --no-deps -d /tmp/gg && unzip -o -q /tmp/gg/*.whl -d /tmp/gg
    python3 assets/names/make-given-names.py /tmp/gg/gender_guesser/data/nam_dict.txt
"""
import pathlib
import sys

# Columns of nam_dict.txt's frequency field (1-based), per its header: 1–47 Europe, Turkey,
# Caucasus, Central Asia; 48 Arabia/Persia; 49 Israel; 51 India/Sri Lanka.
# Left out: 50 China, 52 Japan, 53 Korea, 54 Vietnam, 55 other.
KEPT_COLUMNS = set(range(1, 50)) | {51}
# Words of the mask languages that the dictionary also lists as rare names.
NOT_NAMES = {
    "an", "to", "am", "in", "on", "so", "the", "and", "for", "not", "all", "von", "van", "der", "den",
    "des", "les", "del", "della", "dos", "das", "per", "par", "avec", "mit", "und", "team", "info",
    "sales", "support", "service", "office", "admin", "best", "dear", "hello", "hi", "hey", "regards",
    "thanks", "team", "new", "news", "mail", "post", "date", "sent", "from", "subject", "wrote",
}


def names(path):
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("="):
            continue
        name = line[3:29].rstrip()
        if "+" in name or " " in name or "<" in name or len(name) < 2:
            continue
        frequencies = line[30:85]
        if any(c.strip() and (i + 1) in KEPT_COLUMNS for i, c in enumerate(frequencies)):
            yield name.lower()


def main():
    out = pathlib.Path(__file__).with_name("given-nam-dict.txt")
    kept = sorted(set(names(sys.argv[1])) - NOT_NAMES)
    header = (
        "# Given names from nam_dict.txt by Jörg Michael (GNU Free Documentation License), as shipped\n"
        "# in PyPI's gender-guesser 0.4.0; made by make-given-names.py. Do not edit by hand.\n"
    )
    out.write_text(header + "\n".join(kept) + "\n", encoding="utf-8")
    print(f"{len(kept)} names -> {out}")


if __name__ == "__main__":
    main()
