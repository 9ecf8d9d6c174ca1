"""A run spread over workers (`--workers N`) leaves the database, its log and
its exports exactly as the run on one process does: on the examples' batch
campaigns, on a program with every way a flow queues work over generated
people (several batches, waits resumed by a second run), and on the
benchmark's campaign."""

from __future__ import annotations

import pytest
from scale_helpers import RICH, ROOT, dump, people_csv, twin_runs, write_campaigns

from bench.people_csv import write as write_people
from mkc.load import load_path

EXAMPLES = sorted((ROOT / "examples").glob("*.mkc"))
PEOPLE = str(ROOT / "examples" / "people.csv")


def _batch_campaigns(path) -> list[str]:
    model = load_path(str(path)).model
    return [c.full_name for c in model.campaigns if c.kind == "batch"]


@pytest.mark.parametrize("example", [p for p in EXAMPLES if _batch_campaigns(p)], ids=lambda p: p.stem)
def test_examples_batch_campaigns(capsys, tmp_path, example):
    """Each batch campaign of the example in turn, over its people and the
    example export; the clock let run a month on, so waits go on too."""
    campaigns = _batch_campaigns(example)
    runs = [
        [example, "--campaign", name, "--until", f"2026-0{2 + i}-01T00:00"] + (["--people", PEOPLE] if i == 0 else [])
        for i, name in enumerate(campaigns)
    ]
    twin_runs(capsys, tmp_path, runs, ["--workers", "2"])


def test_rich_program_run_after_run(capsys, tmp_path):
    """Waits kept and resumed, requests, executables, list triggers, history
    conditions and deletes, run after run, with three partitions."""
    program, people = write_campaigns(tmp_path, RICH), people_csv(tmp_path, 60)
    runs = [
        [program, "--campaign", "Webinar.Invite", "--people", people, "--at", "2026-01-05T09:00"],
        [program, "--campaign", "Scoring", "--until", "2026-01-06T10:00", "--token", "my.bonus=+9"],
        [program, "--campaign", "Removal"],
        [program, "--campaign", "Mailed", "--until", "2026-01-09T00:00"],
        [program, "--campaign", "Cleanup", "--until", "2026-02-01T00:00"],
    ]
    log, _ = twin_runs(capsys, tmp_path, runs, ["--workers", "3"])
    assert all(out for _, out in log)


def test_waits_of_a_campaign_the_program_no_longer_has_are_kept(capsys, tmp_path):
    """A second program without the campaign that left the waits: they are
    handed back as they were, in their order, beside the new run's."""
    first, people = write_campaigns(tmp_path, RICH), people_csv(tmp_path, 30)
    second = write_campaigns(tmp_path, RICH.replace("campaign Followup", "campaign Later"), "second.mkc")
    runs = [
        [
            first,
            "--campaign",
            "Webinar.Invite",
            "--people",
            people,
            "--at",
            "2026-01-05T09:00",
            "--until",
            "2026-01-08T09:00",
        ],
        [second, "--campaign", "Scoring", "--until", "2026-01-09T00:00"],
    ]
    twin_runs(capsys, tmp_path, runs, ["--workers", "2"])
    kept = dump(str(tmp_path / "spread.duckdb"))["waits"]
    assert any(row[4] == "Webinar.Followup" for row in kept)


def test_no_people(capsys, tmp_path):
    program = write_campaigns(tmp_path, RICH.split("people <")[0])
    twin_runs(capsys, tmp_path, [[program, "--campaign", "Scoring"]], ["--workers", "2"])


def test_generated_people_every_way_of_queueing(capsys, tmp_path):
    """4,500 generated people (three batches of the run), a program whose
    flows wait, trigger, request, execute, delete and add a field whose type
    differs by person; a second run resumes the waits."""
    people = str(tmp_path / "people.csv")
    write_people(4500, people)
    program = str(ROOT / "tests" / "scale" / "data" / "mixed.mkc")
    runs = [
        [program, "--campaign", "Main", "--people", people, "--at", "2026-02-02T09:00", "--until", "2026-02-03T12:00"],
        [program, "--campaign", "Main", "--until", "2026-02-20T00:00"],
    ]
    log, _ = twin_runs(capsys, tmp_path, runs, ["--workers", "2"])
    lines = log[0][1].splitlines()
    assert any("Delete Person" in line for line in lines) or any("Remove from Flow" in line for line in lines)


def test_benchmark_campaign(capsys, tmp_path):
    people = str(tmp_path / "people.csv")
    write_people(2500, people)
    program = str(ROOT / "bench" / "campaign.mkc")
    twin_runs(capsys, tmp_path, [[program, "--campaign", "Nurture.Qualify", "--people", people]], ["--workers", "2"])
