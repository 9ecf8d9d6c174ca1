"""`--encoding`, `--delimiter`, `--decimal` and `--date-format`: how to read a
person export, where mkc should not find it out (store/csv_dialect.py,
store/cells.py). One decorator for every command that imports one."""

from __future__ import annotations

import functools

import click

from mkc.source import BadInput


def reading_options(command):
    """Add the four options; the command gets them as one `reading` argument,
    an ImportOptions, or None when none is given."""

    @click.option("--date-format", metavar="FORMAT", help="Dates as m/d/y, d/m/y, or a format: '%d.%m.%Y %H:%M'.")
    @click.option("--decimal", metavar="MARK", help="The decimal mark, ',' or '.' (default: what the numbers show).")
    @click.option("--delimiter", metavar="CHAR", help="The field delimiter: ',', ';' or tab (default: the header's).")
    @click.option(
        "--encoding", metavar="NAME", help="The file's encoding: utf-8, cp1252, latin-1... (default: found out)."
    )
    @functools.wraps(command)
    def wrapped(*args, encoding, delimiter, decimal, date_format, **kwargs):
        return command(*args, reading=_options(encoding, delimiter, decimal, date_format), **kwargs)

    return wrapped


def _options(encoding, delimiter, decimal, date_format):
    if encoding is None and delimiter is None and decimal is None and date_format is None:
        return None
    from mkc.store.csv_dialect import delimiter_option, encoding_option
    from mkc.store.csv_import import ImportOptions, date_format_option, decimal_option

    try:
        return ImportOptions(
            encoding and encoding_option(encoding),
            delimiter and delimiter_option(delimiter),
            decimal and decimal_option(decimal),
            date_format and date_format_option(date_format),
        )
    except ValueError as err:
        raise BadInput(str(err)) from None
