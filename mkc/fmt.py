"""`mkc fmt [PATH...] [--check]`: rewrite files in the canonical layout (grammar/unparse.py)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import attrs
import click

from mkc.diagnostics import DiagnosticError, print_diagnostics
from mkc.source import BadInput, Source


@attrs.frozen
class Formatted:
    text: str | None  # None: the file does not parse
    problems: list = attrs.field(factory=list)  # its syntax diagnostics


def format_text(text: str, name: str) -> Formatted:
    """`text` in the canonical layout, made sure of: the result parses to the
    same tree and holds the same comments, or it is refused (never written)."""
    from mkc.grammar import parse
    from mkc.grammar.unparse import comments, unparse

    try:
        module = parse(text, name)
    except DiagnosticError as err:
        return Formatted(None, err.diagnostics)
    out = unparse(module, text)
    try:
        same = parse(out, name) == module and len(comments(out)) == len(comments(text))
    except DiagnosticError:
        same = False
    if not same:
        raise BadInput(f"{name}: mkc fmt cannot lay this file out without changing it (please report it)")
    return Formatted(out)


def files_of(paths) -> list[Path]:
    """The `.mkc` files PATH... names (spec §10): a file as given; a project's
    directory, or no path inside a project, the whole project; another directory, its files."""
    from mkc.load import mkc_files
    from mkc.project import find_project

    out: list[Path] = []
    for raw in paths or (".",):
        path = Path(raw)
        if not path.exists():
            raise BadInput(f"{raw}: no such file")
        if path.is_file():
            out.append(path)
            continue
        project = find_project(path)
        if project is not None and (not paths or project.root == path.resolve()):
            out += [Path(os.path.relpath(f)) if not os.path.relpath(f).startswith("..") else f for f in project.files()]
        else:
            out += mkc_files(path)
    seen: set[Path] = set()
    return [f for f in out if not (f.resolve() in seen or seen.add(f.resolve()))]


def _read(path: Path) -> tuple[str, tuple[bytes, str]]:
    """A file's text (newlines as `\\n`, no byte-order mark), and its BOM and line ending, kept when it is written."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise BadInput(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise BadInput(f"{path}: {err.strerror}") from None
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    return text.replace("\r\n", "\n"), (bom, "\r\n" if b"\r\n" in raw else "\n")


def _write(path: Path, text: str, how: tuple[bytes, str]) -> None:
    """Write atomically: a temporary file beside it, renamed over it (a crash leaves the old file whole)."""
    bom, newline = how
    data = bom + text.replace("\n", newline).encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise BadInput(f"{path}: cannot be written ({err.strerror})") from None


@click.command("fmt", epilog="\b\nExamples:\n  mkc fmt examples/\n  mkc fmt --check .\n  mkc fmt - < campaign.mkc")
@click.argument("paths", nargs=-1)
@click.option("--check", is_flag=True, help="Change nothing; list the files that would change.")
def fmt_command(paths: tuple[str, ...], check: bool) -> None:
    """Rewrite PATH... in the canonical layout: two-space indent, one item a
    line, comments kept (docs/editors.md). A PATH `-` reads standard input and
    writes the result to standard output. Files with syntax errors are
    reported and left as they are. Exit status: 0; 1 when a file has syntax
    errors, or with --check when a file would change; 2 bad input."""
    if "-" in paths:
        if len(paths) > 1:
            raise BadInput("`-` (standard input) is formatted alone")
        text = sys.stdin.read().removeprefix("\ufeff")
        result = format_text(text, "<stdin>")
        if result.text is None:
            print_diagnostics(result.problems, {"<stdin>": Source("<stdin>", text)})
            sys.exit(1)
        if not check:
            sys.stdout.write(result.text)
        sys.exit(1 if check and result.text != text else 0)
    status = 0
    for path in files_of(paths):
        text, how = _read(path)
        result = format_text(text, str(path))
        if result.text is None:
            print_diagnostics(result.problems, {str(path): Source(str(path), text)})
            status = 1
        elif result.text != text:
            if check:
                click.echo(str(path))
                status = 1
            else:
                _write(path, result.text, how)
                click.echo(f"formatted {path}")
    sys.exit(status)
