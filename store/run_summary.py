"""`mkc run --summary`: a run's activities counted per type instead of listed.

The counts come from one SQL aggregate over the run's rows, so a summary of
a million activities makes no Python object per activity. Types are listed
alphabetically (the same order whatever the data), then the total.

A terminal that would get more than `SUMMARY_ABOVE` lines gets the summary
by default (who reads a million lines on a screen?); files and pipes always
get every line, so scripts and transcripts do not change.
"""

from __future__ import annotations

import json

from mkc.grammar import ast

SUMMARY_ABOVE = 10_000
OUTPUTS = ("auto", "lines", "summary")


def wants_summary(output: str, activities: int, isatty: bool) -> bool:
    """Whether to print the summary: asked for, or by default on a terminal
    for a run that logged more than SUMMARY_ABOVE activities."""
    if output != "auto":
        return output == "summary"
    return isatty and activities > SUMMARY_ABOVE


def how_to_get_lines(activities: int) -> str:
    """What stderr says when a terminal gets the summary by default."""
    return (
        f"mkc: {activities:,} activities (more than {SUMMARY_ABOVE:,}), so a terminal gets their summary; "
        "--lines (or --format text) prints every line, as a file or pipe gets them"
    )


def counts(con, run: int) -> dict:
    """The run's row of `runs` and its activities per type, from SQL."""
    campaign, at, people, entered = con.execute(
        "SELECT campaign, run_at, people, entered FROM runs WHERE run = ?", [run]
    ).fetchone()
    types = con.execute(
        "SELECT type, count(*) FROM activities WHERE run = ? GROUP BY type ORDER BY type", [run]
    ).fetchall()
    return {
        "campaign": campaign,
        "at": ast.format_datetime(at),
        "people": people,
        "entered": entered,
        "activities": sum(n for _, n in types),
        "types": dict(types),
    }


def summary_text(summary: dict) -> str:
    """The summary as lines: the run, then a count per type, then the total."""
    types = summary["types"]
    width = max((len(t) for t in types), default=0)
    width = max(width, len("total"))
    digits = len(f"{summary['activities']:,}")
    lines = [f"{summary['campaign']} at {summary['at']}: {summary['people']:,} people, {summary['entered']:,} entered"]
    lines += [f"  {t:<{width}}  {n:>{digits},}" for t, n in types.items()]
    lines.append(f"  {'total':<{width}}  {summary['activities']:>{digits},}")
    return "\n".join(lines) + "\n"


def summary_json(summary: dict) -> str:
    """The summary as one JSON line (with --format jsonl)."""
    return json.dumps(summary, ensure_ascii=False) + "\n"
