"""`--ray`: the run spread over a Ray cluster on this machine (two CPUs)
equals the run on one process."""

from __future__ import annotations

import pytest
from scale_helpers import ROOT, twin_runs

from bench.people_csv import write as write_people

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'mkc[ray]')")


@pytest.fixture
def local_cluster():
    """A cluster on this machine, which the runs find connected; skips,
    saying why, where Ray cannot start one here."""
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    except Exception as err:
        pytest.skip(f"Ray cannot start a local cluster here: {err}")
    yield
    ray.shutdown()


def test_ray_local_cluster_equals_one_process(capsys, tmp_path, local_cluster):
    people = str(tmp_path / "people.csv")
    write_people(2500, people)
    program = str(ROOT / "tests" / "scale" / "data" / "mixed.mkc")
    runs = [
        [program, "--campaign", "Main", "--people", people, "--at", "2026-02-02T09:00", "--until", "2026-02-03T12:00"],
        [program, "--campaign", "Main", "--until", "2026-02-20T00:00"],
    ]
    twin_runs(capsys, tmp_path, runs, ["--ray", "--workers", "2"])
    assert ray.is_initialized()  # (a cluster the run did not start is left running)


def test_ray_columnar_engine_equals_the_reference_on_one_process(capsys, tmp_path, local_cluster):
    people = str(tmp_path / "people.csv")
    write_people(2500, people)
    program = str(ROOT / "bench" / "campaign.mkc")
    runs = [[program, "--campaign", "Nurture.Qualify", "--people", people]]
    engines = []
    twin_runs(
        capsys, tmp_path, runs, ["--ray", "--workers", "2", "--engine", "columnar"], ["--engine", "reference"], engines
    )
    assert engines == ["mkc run: columnar engine on 2 Ray workers"]


def test_ray_columnar_engine_with_waits(capsys, tmp_path, local_cluster):
    """New waits, then stored waits rewritten an hour later (the merge ranks them among everyone)."""
    program = tmp_path / "w.mkc"
    program.write_text(WAITS, encoding="utf-8")
    people = str(tmp_path / "people.csv")
    write_people(2500, people)
    runs = [
        [str(program), "--campaign", "A", "--people", people, "--at", "2026-03-02T09:00"],
        [str(program), "--campaign", "B", "--at", "2026-03-02T10:00", "--until", "2026-03-02T11:00"],
    ]
    engines = []
    twin_runs(
        capsys, tmp_path, runs, ["--ray", "--workers", "2", "--engine", "columnar"], ["--engine", "reference"], engines
    )
    assert engines == ["mkc run: columnar engine on 2 Ray workers"] * 2


WAITS = """
list "L"
campaign A < flow < change_score +1; wait 2 days; change_score +10 >; qualification every_time >
campaign B < flow < add_to_list "L"; wait 47 hours; change_score +100 >; qualification every_time >
campaign OnList < smart_list < trigger added_to_list "L" >; flow < wait 1 week >; qualification every_time >
"""
