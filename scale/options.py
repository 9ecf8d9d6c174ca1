"""`mkc run`'s `--workers N` and `--ray [ADDRESS]`, and the `Spread` they ask for."""

from __future__ import annotations

import click

from mkc.source import BadInput


def spread_options(command):
    command = click.option(
        "--ray",
        "ray",
        is_flag=False,
        flag_value="local",
        metavar="[ADDRESS]",
        help="With --campaign and --db: spread the run over a Ray cluster (ADDRESS, e.g. auto or "
        "ray://head:10001; none: a cluster on this machine for this run). Needs mkc[ray].",
    )(command)
    return click.option(
        "--workers",
        type=click.IntRange(min=1),
        metavar="N",
        help="With --campaign and --db: spread the run over N worker processes (with --ray: N partitions).",
    )(command)


def spread_of(workers: int | None, ray: str | None, loaded, fields: dict, campaign, people, db):
    """The `Spread` the options ask for (None: a run on this process); `loaded`
    is the program as the parent loaded it, `fields` the database's fields it knew."""
    if workers is None and ray is None:
        return None
    if campaign is None or not (db or people):
        raise BadInput("--workers and --ray go with --campaign and --db (or --people)")
    if ray == "":
        raise BadInput("--ray '': an empty address (leave it out for a cluster on this machine)")
    from mkc.scale.run import Spread

    # One file goes to the workers as its text; a project's files are read where the workers run.
    program = loaded.source if loaded.project is None else loaded.source.name
    return Spread(workers, ray, program, fields)
