"""The person fields a database already holds, as the checker knows fields
(spec section 2: a run with `--db` also knows the database's fields)."""

from __future__ import annotations

import pathlib

from mkc.stdlib.fields import standard_field
from mkc.store.db import Store
from mkc.store.schema import FIELD_TYPE_OF_COLUMN


def database_fields(path: str) -> dict[str, str]:
    """Field -> type of the people's columns in the database at `path`; none
    when nothing is there yet (the run will make it). Only reads. A standard
    field has its own name and type, as schema version 2 has them, so a
    database of version 1 (which `mkc run` migrates) is checked as it will be."""
    if not pathlib.Path(path).exists():
        return {}
    store = Store.open(path, create=False, older=True)
    try:
        fields = {}
        for name, ctype in store.columns().items():
            spec = standard_field(name)
            fields[spec.name if spec else name] = spec.type if spec else FIELD_TYPE_OF_COLUMN.get(ctype, "text")
        return fields
    finally:
        store.close()
