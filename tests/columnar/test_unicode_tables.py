"""The kept Unicode tables are what a fresh pass over every code point gives."""

from __future__ import annotations

import unicodedata

from mkc.columnar import unicode_tables


def test_the_kept_entry_of_this_python_is_a_fresh_pass():
    kept = unicode_tables.kept()
    assert unicodedata.unidata_version in kept, "run `python columnar/unicode_tables.py` to keep this version's"
    space, special, folds = kept[unicodedata.unidata_version]
    assert (space, special, folds) == unicode_tables.compute()
    assert unicode_tables.tables() == (space, special, folds)


def test_an_unknown_version_is_worked_out(monkeypatch):
    monkeypatch.setattr(unicode_tables, "kept", dict)
    assert unicode_tables.tables() == unicode_tables.compute()
