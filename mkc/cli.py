"""The `mkc` command line (spec section 10)."""

from __future__ import annotations

import os
import sys

import click

from mkc import __version__
from mkc.completion import complete_batch_campaigns, complete_campaigns, complete_people, complete_scenarios
from mkc.diagnostics import DiagnosticError, print_diagnostics
from mkc.golden_command import test_command
from mkc.output import StdoutFailed, guarded_stdout
from mkc.reading_options import reading_options
from mkc.scale.options import spread_of, spread_options
from mkc.source import BadInput, read_source
from mkc.terminal import color_option


def _limit_options(command):
    """`--max-work` and `--max-years`: how much one run may do before it is
    stopped as a runaway (`mkc.interpreter.Limits`)."""
    command = click.option(
        "--max-years",
        type=click.IntRange(min=1),
        metavar="N",
        help="Stop a run whose work goes on more than N years of simulated time (default 100).",
    )(command)
    return click.option(
        "--max-work",
        type=click.IntRange(min=1),
        metavar="N",
        help="Stop a run after N pieces of work in all (default 1000000).",
    )(command)


def _limits(max_work: int | None, max_years: int | None):
    from mkc.interpreter import Limits

    default = Limits()
    return Limits(max_work or default.work, max_years or default.years)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Example:  mkc check examples/token_inheritance.mkc",
)
@click.version_option(__version__, prog_name="mkc")
def cli() -> None:
    """mkc: write Marketo-style smart campaigns as code, check them, run them."""


@cli.command(epilog="Example:  mkc parse examples/token_inheritance.mkc --ast")
@click.argument("file")
@click.option("--ast", "show_ast", is_flag=True, help="Print the syntax tree.")
@color_option
def parse(file: str, show_ast: bool) -> None:
    """Parse FILE only; print the tree with --ast. Exit 1 on syntax errors."""
    from mkc.grammar import parse as parse_text
    from mkc.grammar.dump import dump

    source = read_source(file)
    try:
        module = parse_text(source.text, source.name)
    except DiagnosticError as err:
        print_diagnostics(err.diagnostics, {source.name: source})
        sys.exit(1)
    if show_ast:
        click.echo(dump(module))
    else:
        click.echo(f"{file}: ok, {len(module.items)} top-level declarations")


@cli.command(
    "run",
    epilog="\b\nExamples:\n  mkc run examples/token_inheritance.mkc\n"
    '  mkc run examples/token_inheritance.mkc --scenario "parent context true" --format jsonl\n'
    "  mkc run examples/token_inheritance.mkc --campaign Ops.ParentA --at 2026-01-05T09:00 --token my.score=+7\n"
    "  mkc run campaigns.mkc --campaign Nurture --people people.csv --db state.duckdb --at 2026-02-01T09:00\n"
    "Exit status: scenarios 0 when every expect passes, else 1; --campaign 0, or 1 when a step failed\n"
    "or the run was stopped as a runaway (--max-work, --max-years);\n"
    "1 when the file has check errors; 2 bad input.",
)
@click.argument("file")
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    metavar="NAME",
    help="Run only this scenario (repeatable).",
    shell_complete=complete_scenarios,
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "jsonl"]),
    default="text",
    show_default=True,
    help="Transcript format.",
)
@click.option(
    "--campaign",
    "campaign",
    metavar="REF",
    help="Run one batch campaign over the file's people instead.",
    shell_complete=complete_batch_campaigns,
)
@click.option(
    "--at",
    "at",
    metavar="DATETIME",
    help="With --campaign: the time it runs (default 2026-01-01T00:00; with --db, the database's clock).",
)
@click.option(
    "--token",
    "tokens",
    multiple=True,
    metavar="my.NAME=VALUE",
    help="With --campaign: an API My Token for this run (repeatable).",
)
@click.option("--people", metavar="CSV", help="With --campaign: run over a Marketo person export (CSV or Parquet).")
@click.option("--db", metavar="PATH", help="With --campaign: read and write this database (made if missing).")
@click.option("--until", metavar="DATETIME", help="With --db: let the clock run on to DATETIME after the run.")
@click.option("--type", "types", multiple=True, metavar="FIELD=TYPE", help="With --people: a field's type.")
@click.option("--skip-bad-rows", is_flag=True, help="With --people: import the good rows, report the bad.")
@click.option(
    "--summary",
    is_flag=True,
    help="With --db or --people: print the activities' counts per type instead of every line "
    "(a terminal gets this by default when a run logs more than 10,000).",
)
@click.option("--lines", is_flag=True, help="With --db or --people: print every activity, on a terminal too.")
@click.option(
    "--engine",
    type=click.Choice(["auto", "columnar", "reference"]),
    help="With --db: the columnar engine, the reference interpreter, or auto (the default: columnar "
    "when it compiles the campaign). Given, or on a terminal, a line on stderr says which ran.",
)
@reading_options
@_limit_options
@spread_options
@color_option
def run_command(
    file: str,
    scenarios: tuple[str, ...],
    fmt: str,
    campaign: str | None,
    at: str | None,
    tokens: tuple[str, ...],
    people: str | None,
    db: str | None,
    until: str | None,
    types: tuple[str, ...],
    skip_bad_rows: bool,
    summary: bool,
    lines: bool,
    engine: str | None,
    reading,
    max_work: int | None,
    max_years: int | None,
    workers: int | None,
    ray: str | None,
) -> None:
    """Run FILE's scenarios and print their transcripts, or run one batch
    campaign with --campaign and print its activity log: over the file's people,
    a person export (--people) or a database (--db) that keeps people, history
    and waiting flows from one run to the next."""
    from mkc import interpreter
    from mkc.interpreter.records import Ids
    from mkc.load import load_path

    if campaign is None and (at or tokens or people or db or until):
        raise BadInput("--at, --token, --people, --db and --until go with --campaign")
    if until and not db:
        raise BadInput("--until goes with --db (without a database, a run goes on until nothing is left)")
    if engine and not (campaign and db):
        raise BadInput("--engine goes with --campaign and --db (other runs use the reference interpreter)")
    if (types or skip_bad_rows) and not people:
        raise BadInput("--type and --skip-bad-rows go with --people")
    if reading and not people:
        raise BadInput("--encoding, --delimiter, --decimal and --date-format go with --people")
    output = _run_output(summary, lines, people or db)
    column_types = _parse_types(types)
    until_time = _datetime_option("--until", until)
    if campaign is not None and scenarios:
        raise BadInput("--scenario and --campaign cannot be used together")
    when = _datetime_option("--at", at)
    overrides = _token_options(tokens)
    known = _database_fields(db)
    loaded = load_path(file, known)
    print_diagnostics(loaded.diagnostics, loaded.sources)
    if loaded.has_errors or loaded.model is None:
        sys.exit(1)
    model = loaded.model
    spread = spread_of(workers, ray, loaded, known, campaign, people, db)
    limits = _limits(max_work, max_years)
    out = sys.stdout
    if campaign is not None and overrides:
        _check_token_options(model, campaign, overrides)
    if campaign is not None and (people or db):
        from mkc.store.commands import run_campaign

        sys.exit(
            run_campaign(
                model,
                campaign,
                db=db,
                people=people,
                at=when,
                until=until_time,
                tokens=overrides,
                types=column_types,
                skip_bad_rows=skip_bad_rows,
                reading=reading,
                fmt=fmt,
                file=file,
                limits=limits,
                output=output,
                engine=engine or "auto",
                say=engine is not None or sys.stderr.isatty(),
                spread=spread,
            )
        )
    if campaign is not None:
        interp = interpreter.Interpreter(model, schedules=False, limits=limits)
        try:
            target = interp.campaign(campaign)
            if target.kind != "batch":
                raise interpreter.InterpreterError(f"{target.full_name} is not a batch campaign")
        except interpreter.InterpreterError as err:
            raise BadInput(f"--campaign {campaign}: {err}") from None
        try:
            result = interp.run_campaign(target, at=when, tokens=overrides)
        except interpreter.InterpreterError as err:  # a runaway: show what happened, then why it stopped
            interpreter.write_activities(out, interp.log, fmt, Ids.of_model(model))
            click.echo(f"mkc: error: {err}", err=True)
            sys.exit(1)
        interpreter.write_activities(out, result.activities, fmt, Ids.of_model(model))
        sys.exit(1 if result.failed else 0)
    try:
        # In a project, a file's own scenarios run against the whole project.
        results = interpreter.run_scenarios(
            model, scenarios or None, limits, loaded.source.name if loaded.project else None
        )
    except interpreter.InterpreterError as err:
        raise BadInput(f"{file}: {err}") from None
    interpreter.write(out, results, fmt, Ids.of_model(model))
    sys.exit(0 if all(r.passed for r in results) else 1)


def _run_output(summary: bool, lines: bool, store: str | None) -> str:
    """How a run over a database or export prints its log: `summary`,
    `lines`, or `auto` (a summary on a terminal for a long log; an explicit
    --format asks for lines)."""
    if summary and lines:
        raise BadInput("--summary and --lines cannot be used together")
    if (summary or lines) and not store:
        raise BadInput("--summary and --lines go with --db or --people")
    if summary:
        return "summary"
    explicit_format = click.get_current_context().get_parameter_source("fmt") is not click.core.ParameterSource.DEFAULT
    return "lines" if lines or explicit_format else "auto"


def _database_fields(db: str | None, must_exist: bool = False) -> dict[str, str]:
    """The fields of the people in the database a command reads (none without
    one; none in one a run is about to make, unless it `must_exist`)."""
    if db is None:
        return {}
    from mkc.store.fields import database_fields

    if must_exist and not os.path.lexists(db):
        raise BadInput(f"{db}: no such file")
    return database_fields(db)


def _parse_types(options: tuple[str, ...]) -> dict[str, str]:
    """`--type FIELD=TYPE`s (field -> type); bad input says which."""
    if not options:
        return {}
    from mkc.store.csv_import import parse_types

    try:
        return parse_types(options)
    except ValueError as err:
        raise BadInput(str(err)) from None


@cli.group(
    "db",
    epilog="\b\nExamples:\n  mkc db import people.csv --db state.duckdb --type lead_score=number\n"
    "  mkc db export activities.jsonl --db state.duckdb\n"
    "  mkc db export people.csv --db state.duckdb --what people --changed\n"
    "  mkc db info --db state.duckdb",
)
def db_group() -> None:
    """A database of people that runs read and write (mkc run --campaign REF --db PATH):
    import a Marketo person export into it, export its activity log or its people."""


@db_group.command(
    "import",
    epilog="\b\nExamples:\n  mkc db import people.csv --db state.duckdb --type lead_score=number\n"
    "  mkc db import excel.csv --db state.duckdb --encoding cp1252 --delimiter ';' --date-format d/m/y\n"
    "  mkc db import people/ --db state.duckdb   (a folder of .parquet files)\n"
    "Exit status: 0; 2 bad input (every bad row is reported as FILE:LINE: message, and nothing is imported).",
)
@click.argument("file", metavar="FILE")
@click.option("--db", required=True, metavar="PATH", help="The database (made if missing).")
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="FIELD=TYPE",
    help="A field's type: text, number, integer, boolean, date or datetime (repeatable).",
)
@click.option("--skip-bad-rows", is_flag=True, help="Import the good rows; report the bad ones and leave them out.")
@reading_options
def db_import_command(file: str, db: str, types: tuple[str, ...], skip_bad_rows: bool, reading) -> None:
    """Import FILE, a Marketo person export (CSV, .parquet, or a folder of .parquet files read
    in name order: a Parquet dataset), into the database: a column
    of a standard field is that field, of its type ("Email Address" -> email, "Lead Score" ->
    lead_score, a number); others become snake_case fields of inferred types; the Id column
    is each person's key. An Id already there updates that person."""
    from mkc.store.commands import db_import

    column_types = _parse_types(types)
    db_import(file, db, column_types, skip_bad_rows, reading)


@db_group.command(
    "export",
    epilog="\b\nExamples:\n  mkc db export activities.jsonl --db state.duckdb\n"
    "  mkc db export people.csv --db state.duckdb --what people\n"
    "  mkc db export - --db state.duckdb --what people --changed | head\n"
    "  mkc db export people/ --db state.duckdb --what people --format parquet",
)
@click.argument("out", metavar="OUT")
@click.option("--db", required=True, metavar="PATH", help="The database.")
@click.option(
    "--what",
    type=click.Choice(["activities", "people"]),
    default="activities",
    show_default=True,
    help="What to export.",
)
@click.option("--changed", is_flag=True, help="With --what people: only people and fields that runs changed.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    help="The format (default: OUT's extension; to -, jsonl for activities, csv for people).",
)
@click.option(
    "--headers",
    type=click.Choice(["marketo", "fields"]),
    default="marketo",
    show_default=True,
    help="With --what people: Marketo's column headers (Lead Score), or the fields' names (lead_score).",
)
@click.option(
    "--rows-per-file",
    type=click.IntRange(min=1),
    metavar="N",
    help="With --format parquet to a folder (a Parquet dataset): at most N rows in each file (default 1000000).",
)
def db_export_command(
    out: str, db: str, what: str, changed: bool, fmt: str | None, headers: str, rows_per_file: int | None
) -> None:
    """Write the activity log (Marketo-style activity records), or the people, to OUT
    (- for standard output): its extension picks the format, .jsonl, .csv or .parquet.
    With --format parquet, a folder OUT (or a path without an extension) gets a
    Parquet dataset: part-00000.parquet, part-00001.parquet, ..."""
    from mkc.store.commands import db_export

    if changed and what != "people":
        raise BadInput("--changed goes with --what people")
    db_export(out, db, what, changed, fmt, headers, rows_per_file)


@db_group.command("info", epilog="Example:  mkc db info --db state.duckdb")
@click.option("--db", required=True, metavar="PATH", help="The database.")
def db_info_command(db: str) -> None:
    """Show what the database holds: its clock, people, fields, activities, waiting flows and runs."""
    from mkc.store.commands import db_info

    db_info(db)


@db_group.command("migrate", epilog="Example:  mkc db migrate --db state.duckdb")
@click.option("--db", required=True, metavar="PATH", help="The database.")
def db_migrate_command(db: str) -> None:
    """Bring a database made by an older mkc to this mkc's schema version (any command
    that writes to it does so too, first)."""
    from mkc.store.commands import db_migrate

    db_migrate(db)


cli.add_command(test_command)


@cli.command(
    epilog="\b\nExample:  mkc check examples/lead_scoring.mkc examples/lifecycle.mkc\n"
    "          mkc check examples/ --format github   (annotations in a GitHub Actions step)\n"
    "Exit status: 0 no errors (warnings allowed), 1 errors, 2 bad input.\n"
    "Every code is explained in docs/diagnostics.md."
)
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option("--db", metavar="PATH", help="Also know the fields of this database's people (only read).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: to stderr, with source lines; json: one document on stdout "
    "(docs/check-format.schema.json); github: GitHub Actions annotations on stdout.",
)
@color_option
def check(paths: tuple[str, ...], db: str | None, fmt: str) -> None:
    """Parse and check every PATH (a .mkc file, or a directory's every .mkc
    file; a file in a project loads the whole project; no PATH: the project
    of the current directory, or else the current directory). Every problem
    found goes to stderr (with --format json or github, to stdout)."""
    from mkc.diagnostics import Diagnostic, to_github, to_json
    from mkc.load import load_paths

    known = _database_fields(db, must_exist=True)
    loaded = load_paths(paths, known)  # bad input stops before anything is printed
    files = sum(len(unit.sources) for unit in loaded)
    # Each unit's diagnostics sorted, units in the order given: as text mode prints them.
    diags = [d for unit in loaded for d in sorted(unit.diagnostics, key=Diagnostic.sort_key)]
    errors = sum(d.is_error for d in diags)
    warnings = len(diags) - errors
    if fmt == "json":
        sys.stdout.write(to_json(diags, files))
        sys.exit(1 if errors else 0)
    if fmt == "github":
        sys.stdout.write("".join(to_github(d) + "\n" for d in diags))
        sys.exit(1 if errors else 0)
    for unit in loaded:
        print_diagnostics(unit.diagnostics, unit.sources)
    if errors or warnings:
        counts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((errors, "error"), (warnings, "warning")) if n]
        click.echo(f"mkc check: {' and '.join(counts)} in {files} file{'s' if files != 1 else ''}", err=True)
    sys.exit(1 if errors else 0)


@cli.command(
    epilog="\b\nExample:  mkc repl examples/token_inheritance.mkc\n"
    "Piped:    printf 'change_score +5\\n:log\\n' | mkc repl examples/token_inheritance.mkc"
)
@click.argument("file", metavar="[PATH]", required=False)
@_limit_options
@color_option
def repl(file: str | None, max_work: int | None, max_years: int | None) -> None:
    """Try declarations, flow steps and scenario commands one at a time, on PATH's program.

    PATH is a .mkc file (with the other files of its project, if it lies in
    one) or a project's directory; no PATH is the project holding the current
    directory, or else an empty session.

    At a terminal: completion, colour and history (~/.mkc_history, or $MKC_HISTORY).
    Piped: a plain transcript; exit 1 if an entry failed. `:help` lists the commands."""
    from pathlib import Path

    from mkc.load import program_file
    from mkc.project import find_project
    from mkc.repl.app import main as repl_main

    if file is None:  # no PATH: the project that holds the current directory, or else an empty session
        project = find_project(Path.cwd())
        file = str(project.root) if project is not None else None
    if file is not None:
        file = program_file(file)  # a folder that is no project: one line, exit 2
        read_source(file)  # a missing or unreadable file is bad input: one line, exit 2
    sys.exit(repl_main(file, _limits(max_work, max_years)))


@cli.command(
    epilog="\b\nExample:  mkc graph examples/lead_scoring.mkc\n"
    "          mkc graph examples/lead_scoring.mkc --svg scoring.svg"
)
@click.argument("file")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="Mermaid (for Markdown) or Graphviz dot text.",
)
@click.option("--svg", metavar="OUT", help="Render to an SVG file with Graphviz's `dot` program instead.")
@color_option
def graph(file: str, fmt: str, svg: str | None) -> None:
    """Draw FILE's campaigns, grouped by workspace and program, and how they call each other.

    Solid arrows are execute_campaign, labelled with the token context the child gets
    (parent or own); dashed are request_campaign; events feed trigger campaigns, and grey
    dotted arrows show the flow steps that can cause them. What the checker rejects is red."""
    from mkc.insight import commands

    sys.exit(commands.graph(read_source(file), fmt, svg))


@cli.command(
    epilog="\b\nExample:  mkc refs examples/lead_scoring.mkc my.score\n"
    "          mkc refs examples/lead_scoring.mkc Scoring.Score"
)
@click.argument("file")
@click.argument("name")
@color_option
def refs(file: str, name: str) -> None:
    """Show every place NAME is used in FILE, with file:line:col and what uses it.

    NAME is a campaign (Score or Program.Score), a program, a list, smart list, email or
    webhook, a person field, a person, or a My Token (my.NAME, or NAME). For a My Token, also
    the value each campaign using it would see in each calling context. Exit 1 if nothing is named NAME."""
    from mkc.insight import commands

    sys.exit(commands.refs(read_source(file), name))


@cli.command(
    epilog="\b\nExamples:\n"
    '  mkc explain examples/lead_scoring.mkc --campaign "Webinar Attended.Scored" --person ann\n'
    '  mkc explain examples/lifecycle.mkc --campaign "Become MQL" --person ann --scenario "lead to MQL to SQL"\n'
    "Exit status: 0; 1 when the file has check errors; 2 bad input."
)
@click.argument("file")
@click.option(
    "--campaign",
    required=True,
    metavar="REF",
    help="The campaign to explain (Name or Program.Name).",
    shell_complete=complete_campaigns,
)
@click.option(
    "--person", required=True, metavar="HANDLE", help="A person declared in FILE.", shell_complete=complete_people
)
@click.option(
    "--scenario",
    metavar="NAME",
    help="Explain the state this scenario leaves behind.",
    shell_complete=complete_scenarios,
)
@click.option("--at", metavar="DATETIME", help="The moment (default: the clock's start, or the scenario's end).")
@color_option
def explain(file: str, campaign: str, person: str, scenario: str | None, at: str | None) -> None:
    """Explain whether PERSON goes through CAMPAIGN, and why: every trigger and filter with
    the person's values, the logic, the qualification rule with their last run, the token
    values, and the same for each campaign it executes. The interpreter decides every answer."""
    from mkc.insight import commands

    sys.exit(commands.explain(read_source(file), campaign, person, scenario, at))


@cli.command(
    epilog="\b\nExample:  mkc diff scoring_old.mkc scoring_new.mkc\n"
    '          mkc diff scoring_old.mkc scoring_new.mkc --scenario "each program scores with its own token"\n'
    "          mkc diff scoring_old.mkc scoring_new.mkc --campaign Nightly --db people.duckdb\n"
    "Exit status: 0 nobody is treated differently, 1 someone is, 2 bad input or check errors."
)
@click.argument("old", metavar="OLD.mkc")
@click.argument("new", metavar="NEW.mkc")
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    metavar="NAME",
    help="Compare only this scenario (repeatable).",
    shell_complete=complete_scenarios,
)
@click.option(
    "--campaign",
    metavar="REF",
    help="Compare one batch campaign's run instead of the scenarios.",
    shell_complete=complete_batch_campaigns,
)
@click.option("--people", metavar="CSV", help="With --campaign: over the people of a person export (CSV or Parquet).")
@click.option("--db", metavar="PATH", help="With --campaign: over the people of this database (only read).")
@click.option("--at", metavar="DATETIME", help="With --campaign: when it runs (default as for mkc run).")
@click.option("--token", "tokens", multiple=True, metavar="my.NAME=VALUE", help="With --campaign: an API My Token.")
@reading_options
@_limit_options
@color_option
def diff(
    old: str,
    new: str,
    scenarios: tuple[str, ...],
    campaign: str | None,
    people: str | None,
    db: str | None,
    at: str | None,
    tokens: tuple[str, ...],
    max_work: int | None,
    max_years: int | None,
    reading,
) -> None:
    """Run OLD and NEW over the same scenarios, or run one batch campaign of
    each over the same people (--campaign, with --people or --db for real
    data), and show who would be treated differently: per person, the
    activities gained (+) and lost (-), then a one-line summary."""
    from mkc.insight import commands

    if campaign is None and (people or db or at or tokens):
        raise BadInput("--people, --db, --at and --token go with --campaign")
    if campaign is not None and scenarios:
        raise BadInput("--scenario and --campaign cannot be used together")
    if people and db:
        raise BadInput("give --people or --db, not both (mkc diff never writes to a database)")
    if reading and not people:
        raise BadInput("--encoding, --delimiter, --decimal and --date-format go with --people")
    when, overrides = _datetime_option("--at", at), _token_options(tokens)
    limits = _limits(max_work, max_years)
    sys.exit(
        commands.diff(
            read_source(old), read_source(new), scenarios, campaign, people, db, when, overrides, limits, reading
        )
    )


def _datetime_option(option: str, text: str | None):
    """The datetime an option such as --at gives, or None; bad input names the option."""
    from mkc import interpreter

    try:
        return interpreter.parse_datetime(text).value if text else None
    except ValueError as err:
        raise BadInput(f"{option} {text}: {err}") from None


def _check_token_options(model, campaign: str, overrides: dict) -> None:
    """A `--token` the run would ignore is bad input (spec section 10)."""
    from mkc import interpreter
    from mkc.checker.api_tokens import unused_api_token

    try:
        target = interpreter.Interpreter(model, schedules=False).campaign(campaign)
    except interpreter.InterpreterError as err:
        raise BadInput(f"--campaign {campaign}: {err}") from None
    problem = unused_api_token(model, target, overrides)
    if problem is not None:
        raise BadInput(problem)


def _token_options(tokens: tuple[str, ...]) -> dict:
    """`--token my.x=VALUE`s as API My Tokens (name -> value)."""
    from mkc import interpreter

    try:
        return dict(interpreter.parse_token_option(t) for t in tokens)
    except ValueError as err:
        raise BadInput(str(err)) from None


def _register() -> None:
    """Commands that live in their own modules."""
    from mkc.fmt import fmt_command
    from mkc.lsp.command import lsp_command
    from mkc.serve.command import serve_command  # it imports its server only when it runs

    cli.add_command(fmt_command)
    cli.add_command(lsp_command)
    cli.add_command(serve_command)


_register()


# click 8.2 renamed NoArgsIsHelp; either way it is a usage error that shows help.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", None) or getattr(
    click.exceptions, "NoArgsIsHelp", click.UsageError
)


def main(argv: list[str] | None = None) -> None:
    """Entry point: a user's mistake is one line and exit 2, never a traceback;
    so is output that cannot be written (a full disk), while a reader that went
    away (`| head -1`) ends it quietly (unless a run was not kept because of
    it), with the status a SIGPIPE would give: 141."""
    try:
        with guarded_stdout():
            _main(argv)
    except StdoutFailed as err:
        if not err.closed_pipe or err.after:
            click.echo(f"mkc: error: {err}", err=True)
        sys.exit(141 if err.closed_pipe else 2)


def _main(argv: list[str] | None) -> None:
    try:
        cli.main(args=argv, prog_name="mkc", standalone_mode=False)
    except _NO_ARGS_IS_HELP as err:
        click.echo(err.ctx.get_help() if err.ctx else str(err))
        sys.exit(2)
    except click.UsageError as err:
        hint = f" (see `{err.ctx.command_path} --help`)" if err.ctx else ""
        click.echo(f"mkc: error: {err.format_message()}{hint}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("mkc: aborted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
    except click.ClickException as err:
        click.echo(f"mkc: error: {err.format_message()}", err=True)
        sys.exit(2)
    except BadInput as err:
        click.echo(f"mkc: error: {err}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("mkc: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
