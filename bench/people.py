"""N generated people with realistic fields, the same for every run.

Each record is `(handle, fields, programs)`: `fields` maps field names to
values (a field left empty is absent, as the interpreter keeps it) and
`programs` maps a program's name to the person's status in it. The first k
records are the same whatever N is, so a small run is a prefix of a big one.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Iterator

FIRST_NAMES = (
    "Ann", "Bob", "Chloé", "Daan", "Emma", "Finn", "Greta", "Hugo", "Ines", "Jan",
    "Kees", "Lotte", "Marie", "Noah", "Olga", "Pieter", "Quinn", "Rosa", "Sven", "Tess",
)  # fmt: skip
LAST_NAMES = ("de Vries", "Janssens", "Müller", "Dubois", "Smith", "García", "Rossi", "Nowak", "Berg", "Visser")
DOMAINS = ("example.com", "acme.nl", "globex.de", "initech.fr", "umbrella.co.uk")
# (value, weight); None leaves the field empty.
COUNTRIES = (
    ("NL", 15), ("BE", 8), ("DE", 12), ("FR", 8), ("US", 22), ("GB", 12), ("ES", 5), ("nl", 2), ("Fr", 1), (None, 15),
)  # fmt: skip
TITLES = (
    ("Marketing Manager", 10), ("Sales manager", 6), ("Product Manager", 6), ("VP Sales", 4), ("vp marketing", 2),
    ("Engineer", 14), ("CEO", 3), ("Analyst", 10), ("Account Executive", 8), ("Office MANAGER", 2), (None, 35),
)  # fmt: skip
STATUSES = (("New", 40), ("Open", 20), ("Nurture", 10), ("MQL", 5), ("mql", 1), (None, 24))
NURTURE = (("Invited", 6), ("Qualified", 3), (None, 91))  # membership in the Nurture program
CREATED = dt.datetime(2024, 1, 1)


def _picker(rng: random.Random, table):
    values = [v for v, _ in table]
    weights = [w for _, w in table]
    cum = list(itertools.accumulate(weights))
    total = cum[-1]
    return lambda: values[bisect.bisect_right(cum, rng.random() * total)]


def records(n: int, seed: int = 9) -> Iterator[tuple[str, dict, dict]]:
    """`n` people: handles `p0000001`, ...; about 15% without a score, 13%
    without an email, 35% without a job title; text in mixed case."""
    rng = random.Random(seed)
    country, title, status, nurture = (_picker(rng, t) for t in (COUNTRIES, TITLES, STATUSES, NURTURE))
    width = max(7, len(str(n)))
    for i in range(1, n + 1):
        first = FIRST_NAMES[int(rng.random() * len(FIRST_NAMES))]
        last = LAST_NAMES[int(rng.random() * len(LAST_NAMES))]
        fields: dict[str, object] = {}
        if rng.random() < 0.87:
            local = f"{first}.{last}".casefold().replace(" ", "")
            fields["email"] = f"{local}{i}@{DOMAINS[i % len(DOMAINS)]}"
        if rng.random() < 0.9:
            fields["first_name"] = first
        fields["last_name"] = last
        if rng.random() < 0.6:
            fields["company"] = f"Company {int(rng.random() * 5000)}"
        for name, pick in (("country", country), ("job_title", title), ("lead_status", status)):
            value = pick()
            if value is not None:
                fields[name] = value
        if rng.random() < 0.85:
            fields["lead_score"] = int(rng.random() * 121)
        if rng.random() < 0.3:
            fields["engagement"] = int(rng.random() * 10)
        fields["created_at"] = CREATED + dt.timedelta(minutes=int(rng.random() * 700_000))
        if rng.random() < 0.5:
            fields["subscribed"] = rng.random() < 0.8
        member = nurture()
        yield f"p{i:0{width}d}", fields, ({"Nurture": member} if member else {})
