"""What Python's `str.isspace()` and `str.casefold()` do beyond ASCII, per
version of the Unicode database, for the SQL predicates (`predicates.fold`,
`predicates._strip`).

Working it out takes a pass over every code point (some 0.2 s, most of a
second run's work when nobody is left to enter), so the tables of the
Unicode versions of Python 3.10 to 3.13 are kept in unicode_tables.json;
another version is worked out on first use. `python
columnar/unicode_tables.py` adds the entry of the Python that runs it
(tests/columnar/test_unicode_tables.py checks the kept entry against a
fresh pass).
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

KEPT = Path(__file__).with_name("unicode_tables.json")


def compute() -> tuple[str, str, dict[str, str]]:
    """(every character `str.isspace()` calls space, every character whose
    `casefold()` is not its `lower()`, and of those the ones `lower()` leaves
    as they are: character -> its folding)."""
    space, special, folds = [], [], {}
    for c in map(chr, range(sys.maxunicode + 1)):
        if c.isspace():
            space.append(c)
        lower, folded = c.lower(), c.casefold()
        if lower != folded:
            special.append(c)
            if lower == c:
                folds[c] = folded
    return "".join(space), "".join(special), folds


def kept() -> dict[str, list]:
    """The kept tables: Unicode version -> [space, special, folds]."""
    return json.loads(KEPT.read_text(encoding="ascii"))


def tables() -> tuple[str, str, dict[str, str]]:
    """`compute()`'s answer for this Python's Unicode version."""
    found = kept().get(unicodedata.unidata_version)
    return tuple(found) if found else compute()


if __name__ == "__main__":
    known = kept() if KEPT.exists() else {}
    known[unicodedata.unidata_version] = compute()
    KEPT.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n", encoding="ascii")
