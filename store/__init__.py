"""The store: people, memberships, the activity log, run history and waiting
flows in a DuckDB database, so runs see each other's effects (`mkc run
--campaign REF --db PATH`), a Marketo person export can be imported (`mkc db
import`, `mkc run --people`), and the log or the people exported (`mkc db
export`).

- `Store` (`db.py`): open or create a database, check its schema version,
  transactions;
- `StoreSource` (`batches.py`): the `mkc.interpreter.PeopleSource` a run pulls
  people from, batch by batch, and writes changes back to: the activity log's
  rows from `activities.py`, everything in bulk through `bulk.py` (Arrow
  columns);
- `import_people` (`csv_import.py`: how the file is written, `csv_dialect.py`;
  its cells as values, `cells.py`), `export` (`export.py`);
- `commands.py`: what the command line does with them.
"""

from mkc.store.batches import StoreSource, add_people
from mkc.store.csv_import import BadRows, ImportResult, field_name, import_people
from mkc.store.db import Store
from mkc.store.export import export
from mkc.store.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "BadRows",
    "ImportResult",
    "Store",
    "StoreSource",
    "add_people",
    "export",
    "field_name",
    "import_people",
]
