"""Fields as the REST API names and types them (REST.md, Details)."""

from __future__ import annotations

import datetime as dt

import pytest

from mkc.serve.fields import WrongType, camel, from_json, parse_time, rest_fields
from mkc.stdlib.fields import STANDARD_FIELDS, FieldSpec


def test_rest_names_ids_and_types():
    declared = {**STANDARD_FIELDS, "renewal_date": FieldSpec("renewal_date", "date", "Renewal Date")}
    fields = rest_fields(declared, {"lead_score": "BIGINT", "region": "VARCHAR", "seats": "DOUBLE"})
    assert camel("renewal_date") == "renewalDate" and camel("region") == "region"
    assert [(f.id, f.display, f.data_type) for f in (fields["title"], fields["renewalDate"], fields["seats"])] == [
        (5, "Job Title", "string"),
        (1001, "Renewal Date", "datetime"),
        (1003, "seats", "float"),  # the database's own fields after the declared ones
    ]
    assert fields["leadScore"].data_type == "integer" and fields["annualRevenue"].data_type == "currency"
    assert fields["createdAt"].describe()["rest"] == {"name": "createdAt", "readOnly": True}


@pytest.mark.parametrize(
    ("rest", "given", "value"),
    [
        ("leadScore", 10, 10),
        ("leadScore", "12", 12),
        ("leadScore", 2.0, 2),
        ("unsubscribed", "TRUE", True),
        ("renewalDate", "2026-03-01T10:00:00+01:00", dt.datetime(2026, 3, 1, 9, 0)),
        ("renewalDate", "2026-03-01", dt.datetime(2026, 3, 1)),
        ("firstName", 7, "7"),  # a number is accepted for a text field
        ("firstName", None, None),
        ("firstName", "", None),
    ],
)
def test_values_take_the_fields_type(rest, given, value):
    declared = {**STANDARD_FIELDS, "renewal_date": FieldSpec("renewal_date", "date")}
    assert from_json(rest_fields(declared, {})[rest], given) == value


@pytest.mark.parametrize(
    ("rest", "given"),
    [
        ("leadScore", "lots"),
        ("leadScore", True),
        ("unsubscribed", "maybe"),
        ("createdAt", "soon"),
        ("email", [1]),
        ("firstName", "<<my.secret>>"),
    ],
)
def test_values_that_cannot_have_the_type_are_1001(rest, given):
    with pytest.raises(WrongType):
        from_json(rest_fields(STANDARD_FIELDS, {})[rest], given)


def test_times_with_an_offset_are_utc():
    assert parse_time("2026-01-05T09:00:00Z") == dt.datetime(2026, 1, 5, 9, 0)
    assert parse_time("2026-01-05T09:00:00-05:00") == dt.datetime(2026, 1, 5, 14, 0)
    assert parse_time("2026-01-05T09:00:07.250Z") == dt.datetime(2026, 1, 5, 9, 0, 7)  # to the second
