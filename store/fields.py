"""The person fields a database already holds, as the checker knows fields
(spec section 2: a run with `--db` also knows the database's fields)."""

from __future__ import annotations

import pathlib

from mkc.store.db import Store
from mkc.store.schema import FIELD_TYPE_OF_COLUMN


def database_fields(path: str) -> dict[str, str]:
    """Field -> type of the people's columns in the database at `path`; none
    when nothing is there yet (the run will make it). Only reads."""
    if not pathlib.Path(path).exists():
        return {}
    store = Store.open(path, create=False)
    try:
        return {name: FIELD_TYPE_OF_COLUMN.get(ctype, "text") for name, ctype in store.columns().items()}
    finally:
        store.close()
