"""A person export's cells as values: the text each column type accepts, and
the SQL that tests and casts it (the importer stages every cell as text).

What Excel and Marketo write is read as they mean it:

- numbers with a thousands separator (`1,234`, `1,234,567.5`; with a decimal
  comma `1.234,5`): the file's decimal mark is `Reading.decimal`;
- booleans as `true`/`false`, `yes`/`no` or `1`/`0`, any case (a column is
  only inferred to be boolean from `true`/`false`: `yes` may be a picklist's
  text, `1` a number);
- dates as ISO (`2025-07-20`, `2025-07-20T08:46[:SS[.fff]]`, a space for
  `T`, a trailing `Z` or an offset `+02:00`, which is taken off: the clock is
  UTC) or as Excel writes them: `7/20/2025`, `7/20/2025 8:46[:SS]`, with
  ` AM`/` PM`, month first unless `Reading.day_first`; `20.07.2025` is always
  day first. `Reading.date_format` (a strptime format, `%d/%m/%Y %H:%M`)
  replaces the Excel forms.
"""

from __future__ import annotations

import datetime as dt
import re

import attrs

_ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_TIME = r"[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
_OFFSET = r"[+-][0-9]{2}(:?[0-9]{2})?"
_EXCEL_DATE = r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}|[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}"
_EXCEL_TIME = r" [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?( [AaPp][Mm])?"
_ISO_PLAIN = rf"{_ISO_DATE}({_ISO_TIME}Z?)?"  # read by a cast
_ISO_ZONED = rf"{_ISO_DATE}{_ISO_TIME}{_OFFSET}"  # read with its offset
_EXCEL = rf"({_EXCEL_DATE})({_EXCEL_TIME})?"
_DATE_ONLY = rf"{_ISO_DATE}|{_EXCEL_DATE}"
_ZONED_FORMATS = ["%Y-%m-%d %H:%M%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S.%f%z"]
_TIMES = [" %H:%M:%S", " %H:%M", " %I:%M:%S %p", " %I:%M %p", ""]


# Values that show a decimal comma, or a decimal point (a separator followed
# by other than three digits, or both separators, or one twice).
def _shown(mark: str, grouping: str) -> re.Pattern:
    return re.compile(
        rf"-?([0-9]+{mark}[0-9]{{1,2}}|[0-9]+{mark}[0-9]{{4,}}"
        rf"|[0-9]{{1,3}}({grouping}[0-9]{{3}})+{mark}[0-9]+|[0-9]{{1,3}}({grouping}[0-9]{{3}}){{2,}})"
    )


_COMMA_SHOWN = _shown(",", r"\.")
_POINT_SHOWN = _shown(r"\.", ",")
# An Excel date whose first number cannot be a month, or whose second cannot.
DAY_FIRST_SHOWN = r"(1[3-9]|[23][0-9])/[0-9]{1,2}/[0-9]{4}.*"
MONTH_FIRST_SHOWN = r"[0-9]{1,2}/(1[3-9]|[23][0-9])/[0-9]{4}.*"
_SLASHED = re.compile(rf"[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}({_EXCEL_TIME})?")


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join(_sql_text(v) for v in values) + "]"


@attrs.frozen
class Reading:
    """How a file writes its values: its decimal mark, and its dates."""

    decimal: str = "."  # "." or ","
    day_first: bool = False  # 7/8/2025 is the 7th of August
    date_format: str | None = None  # a strptime format in place of the Excel forms

    @property
    def _grouping(self) -> str:
        return r"\." if self.decimal == "," else ","

    def pattern(self, ctype: str) -> str:
        """A regular expression (Python's and DuckDB's) of the text a column type accepts
        (dates: the forms; the calendar is the cast's to check)."""
        if ctype == "BIGINT":
            return rf"-?(0|[1-9][0-9]*|[1-9][0-9]{{0,2}}({self._grouping}[0-9]{{3}})+)"
        if ctype == "DOUBLE":
            return self.pattern("BIGINT") + (r"(,[0-9]+)?" if self.decimal == "," else r"(\.[0-9]+)?")
        if ctype == "BOOLEAN":
            return r"(?i)(true|false|yes|no|1|0)"
        if ctype == "DATE":
            return _DATE_ONLY if self.date_format is None else _ISO_DATE
        if ctype == "TIMESTAMP":
            return f"{_ISO_PLAIN}|{_ISO_ZONED}" + (f"|{_EXCEL}" if self.date_format is None else "")
        return ".*"

    def inferred(self, values: list[str]) -> list[str]:
        """The types every one of `values` (stripped, none empty) may be, narrowest first:
        integer, number, boolean (`true`/`false` only), date, date-time."""
        found = []
        for ctype in ("BIGINT", "DOUBLE", "BOOLEAN", "DATE", "TIMESTAMP"):
            regex = re.compile(r"(?i)true|false" if ctype == "BOOLEAN" else self.pattern(ctype))
            if all(regex.fullmatch(v) or self._formatted(v, ctype) for v in values):
                found.append(ctype)
        return found

    def is_date(self, value: str) -> bool:
        """Whether `value` (stripped) has the form of a date or date-time."""
        return bool(re.fullmatch(self.pattern("TIMESTAMP"), value)) or self._formatted(value, "TIMESTAMP")

    def _formatted(self, value: str, ctype: str) -> bool:
        """`value` is a date in `date_format` (and a date alone, for DATE)."""
        if self.date_format is None or ctype not in ("DATE", "TIMESTAMP"):
            return False
        try:
            when = dt.datetime.strptime(value, self.date_format)
        except ValueError:
            return False
        return ctype == "TIMESTAMP" or when.time() == dt.time()

    def ok(self, col: str, ctype: str) -> str:
        """SQL: the text in `col` is a value of `ctype`."""
        v = f"trim({col})"
        if ctype == "BIGINT":
            shape = f"regexp_full_match({v}, '{self.pattern(ctype)}')"
            return f"({shape} AND TRY_CAST({self._digits(v)} AS BIGINT) IS NOT NULL)"
        if ctype == "DOUBLE":
            return f"regexp_full_match({v}, '{self.pattern(ctype)}')"
        if ctype == "BOOLEAN":
            return f"lower({v}) IN ('true', 'false', 'yes', 'no', '1', '0')"
        if ctype == "DATE":
            shape = f"regexp_full_match({v}, '{self.pattern(ctype)}')"
            if self.date_format is not None and not re.search(r"%[HIMSp]", self.date_format):
                shape = f"({shape} OR {self._custom(v)} IS NOT NULL)"
            return f"({shape} AND {self._timestamp(v)} IS NOT NULL)"
        if ctype == "TIMESTAMP":
            return f"({self._timestamp(v)} IS NOT NULL)"
        return "true"

    def cast(self, col: str, ctype: str) -> str:
        """SQL: the text in `col` as a value of `ctype` (NULL when it is not one)."""
        v = f"trim({col})"
        if ctype == "BOOLEAN":
            return f"(lower({v}) IN ('true', 'yes', '1'))"
        if ctype == "TIMESTAMP":
            return self._timestamp(v)
        if ctype == "DATE":
            return f"CAST({self._timestamp(v)} AS DATE)"
        if ctype == "VARCHAR":
            return col
        return f"CAST({self._digits(v)} AS {ctype})"

    def _digits(self, v: str) -> str:
        """SQL: a number's text without its thousands separators, with a decimal point."""
        if self.decimal == ",":
            return f"replace(replace({v}, '.', ''), ',', '.')"
        return f"replace({v}, ',', '')"

    def _timestamp(self, v: str) -> str:
        """SQL: the date or date-time `v` as a TIMESTAMP (UTC), or NULL."""
        if self.date_format is not None:
            excel = self._custom(v)
        else:
            excel = f"try_strptime({v}, {_sql_list(self._excel_formats())})"
        return (
            f"(CASE WHEN regexp_full_match({v}, '{_ISO_PLAIN}') "
            f"THEN TRY_CAST(replace(rtrim({v}, 'Z'), 'T', ' ') AS TIMESTAMP) "
            f"WHEN regexp_full_match({v}, '{_ISO_ZONED}') "
            f"THEN make_timestamp(epoch_us(try_strptime(replace({v}, 'T', ' '), {_sql_list(_ZONED_FORMATS)}))) "
            f"ELSE {excel} END)"
        )

    def _custom(self, v: str) -> str:
        # Through epoch_us: a format with %z gives a time with a zone, as UTC.
        return f"make_timestamp(epoch_us(try_strptime({v}, {_sql_text(self.date_format or '')})))"

    def _excel_formats(self) -> list[str]:
        slash = "%d/%m/%Y" if self.day_first else "%m/%d/%Y"
        return [day + time for day in (slash, "%d.%m.%Y") for time in _TIMES]


DEFAULT = Reading()


def decimal_shown(values) -> str | None:
    """The decimal mark that numbers among `values` show: "," or "."; None
    when none shows one, or both are shown."""
    comma = any(_COMMA_SHOWN.fullmatch(v) for v in values)
    point = any(_POINT_SHOWN.fullmatch(v) for v in values)
    if comma == point:
        return None
    return "," if comma else "."


def has_excel_dates(values) -> bool:
    """Whether some of `values` are dates as m/d/yyyy or d/m/yyyy."""
    return any("/" in v and _SLASHED.fullmatch(v.strip()) for v in values)
