"""What `mkc graph`, `mkc refs`, `mkc explain` and `mkc diff` do, behind
the command line's argument parsing (mkc/cli.py). Each takes sources already
read and returns the exit status."""

from __future__ import annotations

import contextlib

import click

from mkc.diagnostics import print_diagnostics
from mkc.load import Loaded, load_path, load_source
from mkc.source import BadInput, Source


def load_model(source: Source) -> Loaded | None:
    """The file's model (its whole project's, in a project), even when the
    checker found errors (insight shows them); None, after printing the
    syntax errors, when it does not parse."""
    loaded = load_path(source.name)
    if loaded.model is None:
        print_diagnostics(loaded.diagnostics, loaded.sources)
        return None
    return loaded


def graph(source: Source, fmt: str, svg: str | None) -> int:
    from mkc.insight import callgraph, dot, mermaid

    loaded = load_model(source)
    if loaded is None:
        return 1
    graph_ = callgraph.build(loaded.model, loaded.diagnostics)
    if svg is not None:
        dot.to_svg(dot.render(graph_), svg)
        return 0
    click.echo(mermaid.render(graph_) if fmt == "mermaid" else dot.render(graph_), nl=False)
    return 0


def refs(source: Source, name: str) -> int:
    from mkc.insight import refs as refs_

    loaded = load_model(source)
    if loaded is None:
        return 1
    sections = refs_.find(loaded.model, name)
    if not sections:
        close = refs_.suggestions(loaded.model, name)
        hint = f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
        click.echo(
            f"{source.name}: nothing is named `{name}`: no campaign, program, asset, field, person or My Token{hint}",
            err=True,
        )
        return 1
    click.echo(refs_.render(sections), nl=False)
    return 0


def checked_model(source: Source, project: bool = True, known_fields: dict[str, str] | None = None):
    """The model of a file the interpreter can run (with its project, unless
    `project` is false: `mkc diff` compares two versions of one file); None,
    after printing the diagnostics, when it has errors."""
    loaded = load_path(source.name, known_fields) if project else load_source(source, known_fields)
    if loaded.has_errors or loaded.model is None:
        print_diagnostics(loaded.diagnostics, loaded.sources)
        return None
    return loaded.model


def parse_at(at: str | None):
    from mkc.interpreter import parse_datetime

    if at is None:
        return None
    try:
        return parse_datetime(at).value
    except ValueError as err:
        raise BadInput(f"--at {at}: {err}") from None


def explain(source: Source, campaign: str, person: str, scenario: str | None, at: str | None) -> int:
    from mkc.insight import explain as explain_
    from mkc.insight.contexts import run_contexts
    from mkc.interpreter import InterpreterError

    when = parse_at(at)
    model = checked_model(source)
    if model is None:
        return 1
    if model.person(person) is None:
        known = ", ".join(p.handle for p in model.people) or "none are declared"
        raise BadInput(f"--person {person}: no such person in {source.name} (people: {known})")
    try:
        target = campaign_named(model, campaign)
        moment = explain_.moment(model, scenario, when)
        callers = [ctx for ctx in run_contexts(model)[id(target)] if ctx.calls]
        explanation = explain_.explain(moment, target, person, callers)
    except InterpreterError as err:
        raise BadInput(f"{source.name}: {err}") from None
    click.echo(explain_.render(explanation, moment), nl=False)
    return 0


def campaign_named(model, text: str):
    """A campaign by `Name` or `Program.Name`, as a scenario names it; BadInput
    for none or more than one."""
    from mkc.checker.model import ref_text
    from mkc.grammar import ast

    ref = ast.Ref(tuple(p.strip().strip('"') for p in text.split(".", 1)))
    res = model.resolve_global("campaign", ref)
    if res.ok:
        return res.target
    if res.problem == "ambiguous-reference":
        names = ", ".join(sorted(c.full_name for c in res.candidates))
        raise BadInput(
            f"--campaign {text}: more than one campaign is named `{ref_text(ref)}` ({names}); write Program.Campaign"
        )
    raise BadInput(f"--campaign {text}: no campaign named `{ref_text(ref)}`")


def diff(
    old: Source,
    new: Source,
    scenarios: tuple[str, ...],
    campaign: str | None = None,
    people: str | None = None,
    db: str | None = None,
    at=None,
    tokens: dict | None = None,
    limits=None,
    reading=None,
) -> int:
    """0: nobody is treated differently; 1: someone is; 2: trouble (a file
    with check errors, a scenario neither file has, a missing database)."""
    from mkc.insight import diff as diff_
    from mkc.interpreter import InterpreterError

    known = None
    if db is not None:
        from mkc.store.fields import database_fields

        known = database_fields(db)  # the run reads them, so the check knows them
    models = _diff_models(old, new, known)
    if None in models:
        bad = [s.name for s, m in zip((old, new), models) if m is None]
        raise BadInput(f"{' and '.join(bad)}: check errors (above); fix them before comparing")
    if campaign is not None:
        if not any(_has_campaign(model, campaign) for model in models):
            raise BadInput(f"--campaign {campaign}: neither {old.name} nor {new.name} has a campaign of that name")
        with _people_batches(people, db, at, reading) as (label, window, batches):
            since, when, until = window
            label = f"campaign {campaign} {label}"
            run = diff_.CampaignRun(campaign, label, when, since, until, tokens or {}, batches, limits)
            diffs = diff_.compare(*models, [run])
    else:
        try:
            runs = diff_.scenario_runs(*models, names=scenarios or None, limits=limits)
        except InterpreterError as err:
            raise BadInput(str(err)) from None
        if not runs:
            raise BadInput(f"neither {old.name} nor {new.name} has a scenario to run: write one to compare them")
        diffs = diff_.compare(*models, runs)
    click.echo(diff_.render(diffs), nl=False)
    changed = any(d.changed or d.expects or d.errors[0] != d.errors[1] for d in diffs)
    return 1 if changed else 0


def _diff_models(old: Source, new: Source, known: dict[str, str] | None = None) -> list:
    """The two programs to compare: each file alone, or, when NEW lies in a
    project, that project twice, once with OLD in NEW's place (spec section 2)."""
    from pathlib import Path

    from mkc.load import load_project
    from mkc.project import find_project

    project = find_project(Path(new.name))
    if project is None:
        return [checked_model(source, project=False, known_fields=known) for source in (old, new)]
    models = []
    for text in (old.text, None):
        loaded = load_project(project, known, given=new.name, text=text)
        if loaded.has_errors or loaded.model is None:
            print_diagnostics(loaded.diagnostics, loaded.sources)
            models.append(None)
        else:
            models.append(loaded.model)
    return models


def _has_campaign(model, text: str) -> bool:
    try:
        campaign_named(model, text)
    except BadInput:
        return False
    return True


@contextlib.contextmanager
def _people_batches(people: str | None, db: str | None, at, reading=None):
    """(label, (since, at, until), batches) for `mkc diff --campaign`: each
    file's own people, or the people of a person export (imported into a
    database in memory, read as `reading`, the ImportOptions of
    mkc/reading_options.py, says) or of a database, which is only read."""
    if people is None and db is None:
        yield "over each file's people", (at, at, None), None
        return
    import duckdb

    from mkc.store.batches import StoreSource
    from mkc.store.commands import bad_rows, import_said, run_window
    from mkc.store.csv_import import BadRows, import_people
    from mkc.store.db import Store

    store = Store.open(db, create=False)
    try:
        if people is not None:
            try:
                import_said(import_people(store, people, options=reading))
            except BadRows as err:
                bad_rows(err)
        n = store.count_people()
        where = f"in {db}" if db is not None else f"from {people}"
        yield (
            f"over {n:,} {'person' if n == 1 else 'people'} {where}",
            run_window(store, db, at, None),
            StoreSource(store, 0).batches,
        )
    except duckdb.Error as err:  # found reading people half way
        raise store.failure(err) or err from None
    finally:
        store.close()
