"""`mkc test`: the golden tests of `mkc.golden`, run from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mkc.terminal import color_option, paint, wants_color


@click.command(
    "test",
    epilog="\b\nExamples:\n  mkc test examples/\n  mkc test examples/webinar.mkc --update\n"
    '  mkc test -k "parent context"\n'
    "What is tested: each file named; in a directory, each .mkc file with scenarios that lies\n"
    "directly in it, in a project (mkc.toml), or beside .golden files; other scenario files\n"
    "below it (a repository's test fixtures) are left out until named.\n"
    "Exit status: 0 all match, 1 otherwise, 5 nothing selected, 2 bad input.\n"
    "--update never writes a golden holding a failing expect: that file is refused and left as it was.",
)
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option("--update", is_flag=True, help="Write missing goldens and rewrite the ones that differ.")
@click.option("-k", "pattern", metavar="PATTERN", help="Only scenarios whose name contains (or glob-matches) PATTERN.")
@color_option
def test_command(paths: tuple[str, ...], update: bool, pattern: str | None) -> None:
    """Golden tests: run the .mkc files with scenarios under PATH (default:
    the project of the current directory, or else the directory; which files,
    below) and compare each scenario's transcript with the .golden file beside it."""
    from mkc.golden import describe, describe_refused, find_cases, golden_path, run_case, selected
    from mkc.project import find_project

    out, err = sys.stdout, sys.stderr
    color, err_color = wants_color(out), wants_color(err)
    passed = failed = 0
    here = find_project(Path("."))  # no path: the project holding the current directory, all of it
    collected = find_cases(paths or (str(here.root) if here is not None else ".",))
    for path in collected.cases:
        outcome = run_case(path, lambda name: selected(name, pattern), update=update, color=err_color)
        fail = paint("FAIL", "bold red", color)
        if outcome.error is not None:
            failed += 1
            out.write(f"{fail} {path}: check errors\n")
            err.write(outcome.error)
            continue
        if outcome.scenarios and all(s.status == "missing" for s in outcome.scenarios):
            failed += len(outcome.scenarios)
            out.write(f"{fail} {path}: no golden file (run `mkc test {path} --update` to write {golden_path(path)})\n")
            continue
        for s in outcome.scenarios:
            if s.status == "passed":
                passed += 1
                continue
            failed += 1
            out.write(describe(path, s, f"`mkc test {path} --update`", color))
        if outcome.refused:
            failed += not any(s.status != "passed" for s in outcome.scenarios)  # a recorded failure, not rerun
            out.write(describe_refused(path, outcome.refused))
        if outcome.golden_written:
            out.write(f"{outcome.golden_written} {golden_path(path)}\n")
    if passed + failed == 0:
        out.write(_nothing_selected(paths, pattern, collected))
        sys.exit(5)
    summary = f"{passed} passed, {failed} failed"
    out.write(paint(summary, "bold red" if failed else "bold green", color) + "\n")
    sys.exit(1 if failed else 0)


def _nothing_selected(paths: tuple[str, ...], pattern: str | None, collected) -> str:
    where = " ".join(paths or (".",))
    n = len(collected.cases)
    if n:
        return f'nothing selected: -k "{pattern}" matches no scenario in {n} file{"s" if n != 1 else ""}\n'
    if collected.left_out:
        m = len(collected.left_out)
        return (
            f"nothing selected: no .mkc file with scenarios directly under {where}, in a project or beside"
            f" a .golden file ({m} other{'s' if m != 1 else ''} left out, such as {collected.left_out[0]}:"
            " name a file or its directory to test it)\n"
        )
    return f"nothing selected: no .mkc file with scenarios under {where}\n"
