"""Writes excel_people.csv: a person export as Excel on Windows saves it in a
locale with a decimal comma ("CSV (semicolon delimited)"): cp1252 text, `;`
between fields, CRLF line ends, dates as m/d/yyyy [h:mm], numbers with `.`
grouping thousands and `,` as the decimal mark, booleans as TRUE/FALSE, empty
cells for no value. Run from the repository's root:
`python tests/store/data/make_excel_people.py`."""

from __future__ import annotations

import pathlib

ROWS = [
    [
        "Id",
        "First Name",
        "Last Name",
        "Email Address",
        "Lead Score",
        "Annual Revenue",
        "Unsubscribed",
        "Created At",
        "Webinar Date",
        "Discount",
        "Notes",
    ],
    [
        "1001",
        "René",
        "Müller",
        "rene@example.com",
        "1.234",
        "1.250.000",
        "FALSE",
        "7/20/2025 8:46",
        "3/5/2026",
        "12,5",
        "Budget €5k",
    ],
    ["1002", "Zoë", "Ångström", "zoe@example.com", "87", "", "TRUE", "12/1/2025 14:05", "", "7,25", ""],
    [
        "1003",
        "François",
        "Œuvre",
        "francois@example.com",
        "",
        "2.500,50",
        "FALSE",
        "1/15/2024",
        "2/28/2026",
        "",
        "“quoted”; with a semicolon",
    ],
]


def main() -> None:
    lines = [";".join(f'"{cell}"' if ";" in cell else cell for cell in row) for row in ROWS]
    path = pathlib.Path(__file__).with_name("excel_people.csv")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


if __name__ == "__main__":
    main()
