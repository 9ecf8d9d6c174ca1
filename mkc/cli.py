"""The `mkc` command line (spec section 10)."""

from __future__ import annotations

import sys

import click

from mkc import __version__
from mkc.diagnostics import Diagnostic, DiagnosticError, render_all
from mkc.source import BadInput, Source


def read_source(path: str) -> Source:
    try:
        with open(path, encoding="utf-8") as fh:
            return Source(path, fh.read())
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadInput(f"{path}: is a directory, not a .mkc file") from None
    except UnicodeDecodeError as err:
        raise BadInput(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise BadInput(f"{path}: {err.strerror}") from None


def print_diagnostics(diags: list[Diagnostic], sources: dict[str, Source]) -> None:
    if diags:
        err = click.get_text_stream("stderr")
        err.write(render_all(diags, sources, color=err.isatty()))


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


# click 8.2 renamed NoArgsIsHelp; either way it is a usage error that shows help.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", None) or getattr(
    click.exceptions, "NoArgsIsHelp", click.UsageError
)


def main(argv: list[str] | None = None) -> None:
    """Entry point: a user's mistake is one line and exit 2, never a traceback."""
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
