"""Source files and positions, shared by every phase."""

from __future__ import annotations

import functools
import threading

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


# ---- packed spans ----------------------------------------------------------------
# A parse makes a span per AST node, ~100,000 per MB of source. As a `Span`
# each costs 72 bytes plus its line's int; packed into one int, 32 bytes.
# Nodes keep them packed and unpack one when it is read (`ast.node`).
#
# Layout, low bits first: 0 | file 7 | column 12 | end_column 12 | line 21 |
# end_line - line 7, under 2**60 (an int of two 30-bit digits). A span that
# does not fit (a long line, a block of many lines) is wide: 1 | width 16 |
# each field zigzag-encoded in `width` bits; a span is packed one way only,
# so equal spans are equal ints.

_FILES: list[str] = []  # file names by number: a name is registered once per process
_FILE_IDS: dict[str, int] = {}
_FILES_LOCK = threading.Lock()


def _file_id(file: str) -> int:
    fid = _FILE_IDS.get(file)
    if fid is None:
        with _FILES_LOCK:
            fid = _FILE_IDS.get(file)
            if fid is None:
                fid = _FILE_IDS[file] = len(_FILES)
                _FILES.append(file)
    return fid


def pack_span(file: str, line: int, column: int, end_line: int, end_column: int) -> int:
    """A span as one int; `unpack_span` gives the `Span` back."""
    fid, lines = _file_id(file), end_line - line
    if fid < 0x80 and 0 <= column < 0x1000 and 0 <= end_column < 0x1000 and 0 <= line < 0x200000 and 0 <= lines < 0x80:
        return fid << 1 | column << 8 | end_column << 20 | line << 32 | lines << 53
    fields = [n << 1 if n >= 0 else (-n << 1) - 1 for n in (fid, line, column, end_line, end_column)]
    width = max(max(f.bit_length() for f in fields), 1)
    value = 0
    for f in reversed(fields):
        value = value << width | f
    return (value << 16 | width) << 1 | 1


def unpack_span(value: int | None) -> Span | None:
    if value is None:
        return None
    if not value & 1:
        line = value >> 32 & 0x1FFFFF
        return Span(_FILES[value >> 1 & 0x7F], line, value >> 8 & 0xFFF, line + (value >> 53), value >> 20 & 0xFFF)
    width, value = value >> 1 & 0xFFFF, value >> 17
    mask, fields = (1 << width) - 1, []
    for _ in range(5):
        f = value & mask
        fields.append(f >> 1 if not f & 1 else -((f + 1) >> 1))
        value >>= width
    fid, line, column, end_line, end_column = fields
    return Span(_FILES[fid], line, column, end_line, end_column)


def pack_extent(file: str, first, last) -> int:
    """The packed span from where `first` starts to where `last` ends: each a
    packed span, or has `line` and `column` (`first`) or `end_line` and
    `end_column` (`last`), as a `Span` or a Lark token has. The parser's way
    to a node's span from its children's, without unpacking them."""
    if type(first) is not int:
        line, column = first.line, first.column
    elif first & 1:
        line, column = (span := unpack_span(first)).line, span.column
    else:
        line, column = first >> 32 & 0x1FFFFF, first >> 8 & 0xFFF
    if type(last) is not int:
        end_line, end_column = last.end_line, last.end_column
    elif last & 1:
        end_line, end_column = (span := unpack_span(last)).end_line, span.end_column
    else:
        end_line, end_column = (last >> 32 & 0x1FFFFF) + (last >> 53), last >> 20 & 0xFFF
    return pack_span(file, line, column, end_line, end_column)


# A node's other spans (where a condition's field is named) mostly start
# where the node does, on its line: such a span is kept as its width, a
# small int, which Python shares. A packed span of a place (line 1 on) is
# never that small.
_WITHIN = 256
_START = 0x1FFFFF << 32 | 0xFFF << 8 | 0x7F << 1  # a narrow span's file, line and column


def pack_within(outer: int | None, inner: int | None) -> int | None:
    """The packed span `inner`, as its width when it starts where `outer` starts, on its line."""
    if inner is None or outer is None:
        return inner
    if (outer | inner) & 1:  # a wide one (a long line, or past 128 files): compared unpacked
        a, b = unpack_span(outer), unpack_span(inner)
        width = b.end_column - b.column
        same = (a.file, a.line, a.column) == (b.file, b.line, b.column) and b.end_line == b.line
        return width if same and 0 < width <= _WITHIN else inner
    width = (inner >> 20 & 0xFFF) - (inner >> 8 & 0xFFF)
    if inner >> 53 == 0 and 0 < width <= _WITHIN and (inner ^ outer) & _START == 0:
        return width  # same file, line and column; one line
    return inner


def unpack_within(outer: int | None, inner: int | None) -> Span | None:
    """The span `pack_within` kept."""
    if inner is None or inner > _WITHIN:
        return unpack_span(inner)
    span = unpack_span(outer)
    return Span(span.file, span.line, span.column, span.line, span.column + inner)


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
