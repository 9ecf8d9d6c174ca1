"""Opening a store (a DuckDB database file, or one in memory), its meta table,
transactions, and people's field columns.

Every change a command makes happens in one transaction (`Store.transaction`):
an error, Ctrl-C, SIGTERM or a kill in the middle leaves the database as it
was. A file that is not a DuckDB database, a DuckDB database that is not
mkc's, or one of another schema version is a one-line `BadInput`; so is a
damaged one (truncated, overwritten), whenever DuckDB finds the damage. One of
an older version this mkc can migrate (migrate.py) is migrated when opened to
write, and refused with the way to migrate it when opened to read.

Only a path where nothing is becomes a new database: whatever else is there
(an empty file, a FIFO, a device, a directory) is refused and left alone.
Commands that only read open the file read-only, and change nothing in it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pathlib
import stat

import duckdb

from mkc.interpreter.runtime import START
from mkc.source import BadInput
from mkc.store.schema import DDL, FORMAT, RESERVED, SCHEMA_VERSION, quote

_INT64 = (-(2**63), 2**63)
# DuckDB's own memory for a database file (it spills to disk beyond it), so a
# run's memory stays bounded however large the database; $MKC_DB_MEMORY overrides.
MEMORY_LIMIT = "256MB"


def column_type(value) -> str | None:
    """The column type a field value is stored in (None: it only fits `_extra`)."""
    kind = type(value)
    if kind is bool:
        return "BOOLEAN"
    if kind is int:
        return "BIGINT" if _INT64[0] <= value < _INT64[1] else None
    if kind is float:
        return "DOUBLE"
    if kind is dt.datetime:
        return "TIMESTAMP"
    if kind is dt.date:
        return "DATE"
    if isinstance(value, str):
        return "VARCHAR"
    return None


def fits(value, ctype: str) -> bool:
    """Whether `value` can be kept in a column of type `ctype` and read back as itself
    (a whole number read from a DOUBLE column comes back as an int)."""
    own = column_type(value)
    return own == ctype or (own == "BIGINT" and ctype == "DOUBLE")


class Store:
    """One open database. `path` None: a database in memory (`--people` without `--db`)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str | None, created: bool):
        self.con = con
        self.path = path
        self.created = created  # this command made the database: nothing was there before
        self.migrated_from: str | None = None  # the schema version opening migrated it from
        self._columns: dict[str, str] | None = None

    @property
    def name(self) -> str:
        return self.path or "the in-memory database"

    # ---- opening -------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | None, create: bool = True, older: bool = False) -> Store:
        """Open the mkc database at `path` to read and write, creating it if
        `create` and nothing is there, and migrating it if it is of an older
        schema version; `create` False opens it read-only, and nothing about
        the file changes: an older version is refused unless `older` (the
        caller reads it as it is). None opens a new one in memory."""
        if path is None:
            store = cls(duckdb.connect(":memory:"), None, True)
            store._init()
            return store
        exists = _check_path(path, create)
        memory = os.environ.get("MKC_DB_MEMORY", MEMORY_LIMIT)
        try:
            # An absolute path: DuckDB reads ":memory:" and "md:..." as no file at all.
            con = duckdb.connect(os.path.abspath(path), read_only=not create, config={"memory_limit": memory})
        except (duckdb.InvalidInputException, duckdb.ParserException) as err:
            raise BadInput(f"MKC_DB_MEMORY={memory}: {_first_line(err)}") from None
        except duckdb.Error as err:
            raise BadInput(_cannot_open(path, err)) from None
        store = cls(con, path, not exists)
        try:
            tables = {
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
                ).fetchall()
            }
            if not tables and create:  # a new file, or one a killed first run left without tables
                store._init()
            else:
                store._verify(tables, create, older)
        except duckdb.Error as err:
            store.discard()
            raise store.failure(err) or err from None
        return store

    def failure(self, err: Exception) -> BadInput | None:
        """The one-line BadInput for a DuckDB error that says this database
        file is damaged (truncated, overwritten), else None."""
        message = _damaged(self.name, err)
        return BadInput(message) if message else None

    def _init(self) -> None:
        with self.transaction():
            self.con.execute(DDL)
            self.con.executemany(
                "INSERT INTO mkc_meta VALUES (?, ?)",
                [
                    ("format", FORMAT),
                    ("schema_version", str(SCHEMA_VERSION)),
                    ("clock", START.isoformat()),
                    ("next_pid", "1"),
                    ("next_seq", "1"),
                    ("next_run", "1"),
                ],
            )

    def _verify(self, tables: set[str], writable: bool, older: bool) -> None:
        if not tables:
            self.close()
            raise BadInput(f"{self.path}: an empty DuckDB database, not an mkc one yet")
        if "mkc_meta" not in tables:
            self.close()
            raise BadInput(f"{self.path}: a DuckDB database, but not an mkc one (it has no mkc_meta table)")
        meta = dict(self.con.execute("SELECT key, value FROM mkc_meta").fetchall())
        if meta.get("format") != FORMAT:
            self.close()
            raise BadInput(f"{self.path}: a DuckDB database, but not an mkc one")
        version = meta.get("schema_version")
        if version == str(SCHEMA_VERSION):
            return
        from mkc.store.migrate import MIGRATES, migrate  # it imports the importer, which imports this

        if version in MIGRATES and writable:
            try:
                migrate(self)
            except BadInput:
                self.close()
                raise
            self.migrated_from = version
            return
        if version in MIGRATES and older:
            return
        self.close()
        if version in MIGRATES:
            raise BadInput(
                f"{self.path}: an mkc database of schema version {version}; `mkc db migrate --db {self.path}` "
                f"brings it to version {SCHEMA_VERSION} (so does any command that writes to it)"
            )
        raise BadInput(
            f"{self.path}: an mkc database of schema version {version}; this mkc reads version {SCHEMA_VERSION}"
        )

    def close(self) -> None:
        with contextlib.suppress(duckdb.Error):
            self.con.close()

    def discard(self) -> None:
        """Close, and remove the file if this command created it (its run failed)."""
        self.close()
        if self.created and self.path is not None:
            for suffix in ("", ".wal"):
                with contextlib.suppress(OSError):
                    os.unlink(self.path + suffix)

    @contextlib.contextmanager
    def transaction(self, committing=contextlib.nullcontext):
        """One transaction: committed at the end, rolled back on any exception
        (Ctrl-C and SIGTERM included). The commit runs inside `committing()`
        (`interruptible`'s: no stop from then on)."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                self.con.execute("ROLLBACK")
            self._columns = None
            raise
        with committing():
            self.con.execute("COMMIT")

    # ---- meta ----------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM mkc_meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value) -> None:
        self.con.execute("DELETE FROM mkc_meta WHERE key = ?", [key])
        self.con.execute("INSERT INTO mkc_meta VALUES (?, ?)", [key, str(value)])

    def counter(self, key: str, add: int) -> int:
        """Take `add` numbers from the counter `key`; returns the first."""
        first = int(self.meta(key) or 1)
        self.set_meta(key, first + add)
        return first

    @property
    def clock(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.meta("clock") or START.isoformat())

    # ---- people's field columns ----------------------------------------------------

    def columns(self) -> dict[str, str]:
        """Field name -> column type, in the table's order."""
        if self._columns is None:
            rows = self.con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'main' AND table_name = 'people' ORDER BY ordinal_position"
            ).fetchall()
            self._columns = {name: ctype for name, ctype in rows if name not in RESERVED}
        return self._columns

    def add_column(self, field: str, ctype: str) -> None:
        self.con.execute(f"ALTER TABLE people ADD COLUMN {quote(field)} {ctype}")
        self.columns()[field] = ctype

    def set_column_type(self, field: str, ctype: str) -> None:
        self.con.execute(f"ALTER TABLE people ALTER COLUMN {quote(field)} TYPE {ctype}")
        self.columns()[field] = ctype

    def count_people(self) -> int:
        return self.con.execute("SELECT count(*) FROM people").fetchone()[0]


def storable(field: str) -> bool:
    """Whether a field can have its own column (not one of the store's own)."""
    return bool(field) and field.casefold() not in RESERVED


# What DuckDB says about a database file that is truncated or overwritten.
_DAMAGE = ("Corrupt database file", "Could not read enough bytes", "not a valid DuckDB database")


def _check_path(path: str, create: bool) -> bool:
    """Whether there is a database at `path`; BadInput for anything else there
    (a directory, a FIFO or device, an empty or foreign file, one that cannot
    be read or, to write, cannot be written). Only a path where nothing is may
    become a new database: mkc never deletes or replaces a file."""
    if not path:
        raise BadInput("--db '': an empty path")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise BadInput(f"{path}: a symbolic link to {os.readlink(path)}, which does not exist") from None
        if not create:
            raise BadInput(f"{path}: no such file") from None
        parent = pathlib.Path(path).parent
        if not parent.is_dir():
            raise BadInput(f"{path}: no such directory {parent}") from None
        if not os.access(parent, os.W_OK):
            raise BadInput(f"{path}: cannot create (its folder {parent} is read-only)") from None
        return False
    except OSError as err:
        raise BadInput(f"{path}: {err.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise BadInput(f"{path}: is a directory, not a database")
    if not stat.S_ISREG(info.st_mode):
        raise BadInput(f"{path}: not a regular file ({_KINDS.get(stat.S_IFMT(info.st_mode), 'special file')})")
    if info.st_size == 0:
        raise BadInput(f"{path}: an empty file, not an mkc database (mkc makes a new one only where no file is)")
    if not os.access(path, os.R_OK):
        raise BadInput(f"{path}: cannot read (permission denied)")
    if not _is_duckdb(pathlib.Path(path)):
        raise BadInput(f"{path}: not an mkc database (not a DuckDB database file)")
    if create:
        if not os.access(path, os.W_OK):
            raise BadInput(f"{path}: cannot write (read-only)")
        parent = pathlib.Path(path).parent
        if not os.access(parent, os.W_OK):  # DuckDB writes its log (PATH.wal) beside it
            raise BadInput(f"{path}: cannot write (its folder {parent} is read-only)")
    return True


_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _cannot_open(path: str, err: Exception) -> str:
    """What is wrong when DuckDB does not open a file that looked like a database."""
    text = str(err)
    if "Could not set lock" in text or "Conflicting lock" in text:  # not "... in block at ..."
        return f"{path}: in use by another process"
    if "Permission denied" in text:
        return f"{path}: cannot open (permission denied)"
    return _damaged(path, err) or f"{path}: not an mkc database ({_first_line(err)})"


def _damaged(path: str, err: Exception) -> str | None:
    if any(sign in str(err) for sign in _DAMAGE):
        return f"{path}: damaged, not a readable mkc database ({_first_line(err)})"
    return None


def _is_duckdb(path: pathlib.Path) -> bool:
    """DuckDB's files say `DUCK` after an 8-byte checksum."""
    try:
        with open(path, "rb") as fh:
            return fh.read(12)[8:12] == b"DUCK"
    except OSError as err:
        raise BadInput(f"{path}: {err.strerror}") from None


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
