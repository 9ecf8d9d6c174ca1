"""Source files and positions, shared by every phase."""

from __future__ import annotations

import functools

import attrs


@attrs.frozen(weakref_slot=False)  # one per AST node: no weak references, 8 bytes less
class Span:
    """A place in a source file: 1-based line and column, end exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@attrs.frozen
class Source:
    """The text of one file, kept so diagnostics can quote its lines."""

    name: str
    text: str

    # Split once: a file with thousands of diagnostics quotes a line for each.
    # Not a field, so equality and hashing stay by name and text.
    @functools.cached_property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.text.splitlines())

    def line(self, number: int) -> str:
        lines = self.lines
        return lines[number - 1] if 0 < number <= len(lines) else ""


class BadInput(Exception):
    """Input outside the language (a missing file, a bad CSV row): exit 2."""


def read_source(path: str) -> Source:
    """A `.mkc` file's text; any problem reading it is `BadInput`."""
    try:
        with open(path, encoding="utf-8-sig") as fh:  # a byte-order mark (Windows editors) is no text
            return Source(path, fh.read())
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadInput(f"{path}: is a directory, not a .mkc file") from None
    except UnicodeDecodeError as err:
        raise BadInput(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise BadInput(f"{path}: {err.strerror}") from None
