"""Generated programs: a batch campaign and trigger campaigns made of steps
drawn at random (waits of random lengths, data changes that fire triggers,
list changes, requests, executables, choices, Remove from Flow, deletes), run
spread and on one process over generated people: the same database and log.
Two programs in CI; MKC_LONG=1 runs twenty."""

from __future__ import annotations

import os
import random

import pytest
from scale_helpers import twin_runs

from bench.people_csv import write as write_people

SEEDS = range(20) if os.environ.get("MKC_LONG") else range(2)
STATUSES = ["A", "B", "C"]


def _step(rng: random.Random, depth: int) -> str:
    kind = rng.choice(["email", "score", "status", "list", "wait", "wait", "request", "execute", "choice", "remove"])
    if kind == "email":
        return 'send_email "Mail"'
    if kind == "score":
        return f"change_score +{rng.randint(1, 9)}"
    if kind == "status":
        return f'change_data_value lead_status "{rng.choice(STATUSES)}"'
    if kind == "list":
        return f'add_to_list "L{rng.randint(1, 2)}"'
    if kind == "wait":
        return f"wait {rng.randint(1, 30)} {rng.choice(['minutes', 'hours'])}"
    if kind == "request":
        return "request_campaign OnRequest"
    if kind == "execute":
        return "execute_campaign Exec"
    if kind == "remove":
        return f"remove_from_flow On{rng.choice(STATUSES)}"
    if depth > 0:
        return _step(rng, depth)
    limit = rng.choice([10, 20, 30, 40])
    return (
        f"choice < when lead_score >= {limit} < change_data_value lead_status "
        f'"{rng.choice(STATUSES)}" >; default < do_nothing > >'
    )


def _flow(rng: random.Random, n: int) -> str:
    return "\n      ".join(_step(rng, 0) for _ in range(n))


def program(seed: int) -> str:
    rng = random.Random(seed)
    triggers = "\n".join(
        f"""
  campaign On{status} <
    smart_list < trigger data_value_changes lead_status to="{status}" >
    flow <
      {_flow(rng, rng.randint(1, 4))}
    >
    qualification {rng.choice(["once", "every_time"])}
  >"""
        for status in STATUSES
    )
    return f"""
program P <
  list "L1"
  list "L2"
  email "Mail" < subject "Hi <<lead.first_name:default=you>>" >
  campaign Exec executable < flow < change_score +1; add_to_list "L2" > >
  campaign Main <
    smart_list < filter lead_score >= {rng.randint(0, 30)} >
    flow <
      {_flow(rng, rng.randint(3, 8))}
    >
  >
  campaign OnRequest <
    smart_list < trigger campaign_is_requested >
    flow < {_flow(rng, 2)} >
    qualification every_time
  >
  campaign OnList <
    smart_list < trigger added_to_list "L1" >
    flow < {_flow(rng, 2)} >
    qualification every_time
  >
{triggers}
>
"""


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_program(capsys, tmp_path, seed):
    path = tmp_path / "p.mkc"
    path.write_text(program(seed))
    people = str(tmp_path / "people.csv")
    write_people(700, people)
    runs = [
        [path, "--campaign", "Main", "--people", people, "--at", "2026-02-02T09:00", "--until", "2026-02-02T12:00"],
        [path, "--campaign", "Main", "--until", "2026-02-05T00:00"],
    ]
    log, _ = twin_runs(capsys, tmp_path, runs, ["--workers", "3"])
    assert log[0][1]  # the first run logged something
