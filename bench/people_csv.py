"""A generated Marketo person export: `python -m bench.people_csv N OUT.csv`.

The people of bench/people.py (the same for every run), written with the
column headers of Marketo's export ("Id", "Email Address", "Lead Score",
...), ready for `mkc db import OUT.csv --db state.duckdb`. Ids count from
1000001. Program memberships are not part of a person export, so they are
left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys

from bench.people import records

COLUMNS = (
    ("Id", None),
    ("First Name", "first_name"),
    ("Last Name", "last_name"),
    ("Email Address", "email"),
    ("Company Name", "company"),
    ("Country", "country"),
    ("Job Title", "job_title"),
    ("Lead Status", "lead_status"),
    ("Lead Score", "lead_score"),
    ("Engagement", "engagement"),
    ("Created At", "created_at"),
    ("Subscribed", "subscribed"),
)


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def write(n: int, path: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow([header for header, _ in COLUMNS])
        for i, (_, fields, _) in enumerate(records(n), 1):
            out.writerow([str(1_000_000 + i), *(cell(fields.get(name)) for _, name in COLUMNS[1:])])


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or not args[0].isdigit():
        sys.exit("usage: python -m bench.people_csv N OUT.csv")
    write(int(args[0]), args[1])


if __name__ == "__main__":
    main()
