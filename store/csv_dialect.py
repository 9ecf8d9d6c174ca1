"""How a CSV file is written: its encoding and its delimiter, found out (or
given: `--encoding`, `--delimiter`) before its rows are read.

- Encoding: a byte order mark says UTF-8 or UTF-16 (Excel's "CSV UTF-8" and
  "Unicode Text"); else a file that is UTF-8 throughout is UTF-8, and one
  that is not is Windows text, cp1252 (what Excel on Windows saves; its five
  unassigned bytes read as Latin-1's, as browsers read it), unless it has
  UTF-8 text before the first byte that is not: then it is damaged UTF-8,
  reported at that byte's line and column, as is a byte the given encoding
  cannot read.
- Delimiter: the one of `,` `;` and tab that the header row has most of
  outside quotes (`,` when it has none).
"""

from __future__ import annotations

import codecs

import attrs

from mkc.source import BadInput

CHUNK = 1 << 20
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with a byte order mark",
    "utf-16": "UTF-16",
    "cp1252": "cp1252 (Windows)",
}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _windows(err: UnicodeDecodeError):
    """cp1252's unassigned bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) as Latin-1's."""
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("mkc-windows", _windows)


@attrs.frozen
class Dialect:
    encoding: str  # a Python codec name
    errors: str  # "strict", or "mkc-windows" for cp1252
    delimiter: str

    def describe(self) -> str:
        """How the file is read, for the one line that says so."""
        delimiter = DELIMITERS.get(self.delimiter, repr(self.delimiter))
        return f"{_NAMES.get(self.encoding, self.encoding)}, {delimiter}-separated"


def encoding_option(name: str) -> str:
    """`--encoding NAME` as a codec's name; ValueError when Python has no such codec."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ValueError(f"--encoding {name}: no such encoding (utf-8, cp1252, latin-1, utf-16, ...)") from None


def delimiter_option(text: str) -> str:
    """`--delimiter` as one character: `,` `;` `tab` (or `\\t`) or any other single character."""
    value = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}.get(text.casefold(), text)
    if len(value) != 1 or value in '"\r\n':
        raise ValueError(f"--delimiter {text!r}: give one character: ',', ';' or tab")
    return value


def sniff(path: str, encoding: str | None = None, delimiter: str | None = None) -> Dialect:
    """The file's dialect; BadInput naming the line of a byte it cannot be read with."""
    try:
        with open(path, "rb") as raw:
            head = raw.read(4)
            bom = next((name for mark, name in _BOMS if head.startswith(mark)), None)
            chosen, errors = encoding or bom, "strict"
            if chosen is None:
                chosen = _utf8_or_windows(path)
                errors = "strict" if chosen == "utf-8" else "mkc-windows"
            else:
                _check(path, chosen)
            raw.seek(0)
            first = codecs.getreader(chosen)(raw, errors=errors).read(CHUNK)
    except OSError as err:
        raise BadInput(f"{path}: {err.strerror}") from None
    first = first.removeprefix("\ufeff")
    found = delimiter or _delimiter(first)
    return Dialect(chosen, errors, found)


def _utf8_or_windows(path: str) -> str:
    """ "utf-8" when the file is UTF-8 throughout; else "cp1252" (read with
    mkc-windows), unless the text before the bad byte is UTF-8 beyond ASCII."""
    where = _first_bad(path, "utf-8")
    if where is None:
        return "utf-8"
    offset, line, column, byte, utf8_before = where
    if utf8_before:
        raise BadInput(
            f"{path}: not UTF-8 text at line {line}, column {column} (byte 0x{byte:02x}), though it is UTF-8 "
            "before it (--encoding cp1252 reads it as Windows text)"
        )
    return "cp1252"


def _check(path: str, encoding: str) -> None:
    try:
        where = _first_bad(path, encoding)
    except UnicodeError as err:  # not about a byte: UTF-16 without its byte order mark, say
        raise BadInput(f"{path}: cannot read it as {encoding} ({err})") from None
    if where is not None:
        _, line, column, byte, _ = where
        name = "UTF-8" if encoding.startswith("utf-8") else _NAMES.get(encoding, encoding)
        raise BadInput(f"{path}: not {name} text at line {line}, column {column} (byte 0x{byte:02x})")


def _first_bad(path: str, encoding: str):
    """(offset, line, column, byte, non-ASCII text before it) of the first byte
    `encoding` cannot read, or None. Lines end at \\n; the column counts bytes."""
    decoder = codecs.getincrementaldecoder(encoding)()
    done = 0  # bytes given to the decoder before this chunk
    lines = 1
    last_newline = -1  # offset of the last \n before this chunk
    wide = False
    with open(path, "rb") as raw:
        while chunk := raw.read(CHUNK):
            pending = decoder.getstate()[0]
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as err:
                data = pending + chunk
                before = data[: err.start]
                lines += before.count(b"\n")
                newline = before.rfind(b"\n")
                start = done - len(pending)
                if newline >= 0:
                    last_newline = start + newline
                offset = start + err.start
                wide = wide or not before.isascii()
                return offset, lines, offset - last_newline, data[err.start], wide
            wide = wide or not text.isascii()
            lines += chunk.count(b"\n")
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                last_newline = done + newline
            done += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return done, lines, done - last_newline, 0, wide
    return None


def _delimiter(text: str) -> str:
    """The delimiter of the header row: the most frequent of , ; tab outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char in "\r\n":
                break
            if char in counts:
                counts[char] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
