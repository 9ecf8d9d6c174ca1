"""Parse and check a file, or a whole project, in one call: what every command starts with."""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from mkc.checker import check
from mkc.checker.model import Model
from mkc.diagnostics import Diagnostic, DiagnosticError
from mkc.grammar import ast, parse
from mkc.project import Project, find_project
from mkc.source import BadInput, Source, read_source


@attrs.define
class Loaded:
    source: Source  # the file asked for
    model: Model | None  # None when a file does not parse
    diagnostics: list[Diagnostic]
    sources: dict[str, Source] = attrs.Factory(dict)  # every file read, by name (a project's are many)
    project: Project | None = None

    def __attrs_post_init__(self):
        self.sources.setdefault(self.source.name, self.source)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    def scenarios_of(self, name: str) -> list[ast.Scenario]:
        """The scenarios written in one file (in a project, others hold more)."""
        if self.model is None:
            return []
        if self.project is None:
            return list(self.model.scenarios)
        return [s for s in self.model.scenarios if s.span is not None and s.span.file == name]


def load_source(source: Source, known_fields: dict[str, str] | None = None) -> Loaded:
    """One file on its own. `known_fields` (field -> type) are fields known
    from elsewhere, such as the columns of the database a run will read."""
    try:
        module = parse(source.text, source.name)
    except DiagnosticError as err:
        return Loaded(source, None, err.diagnostics)
    model, diags = check(module, known_fields)
    return Loaded(source, model, diags)


def load_path(path: str, known_fields: dict[str, str] | None = None) -> Loaded:
    """A file: on its own, or with every file of the project it lies in."""
    project = find_project(Path(path))
    if project is None:
        return load_source(read_source(path), known_fields)
    return load_project(project, known_fields, given=path)


def program_file(path: str) -> str:
    """The file a session on one program loads for PATH (`mkc repl [PATH]`):
    the file itself, with its project's other files beside it; for a
    project's directory, its first file under that directory (spec section
    10). A directory outside a project is not one program: bad input."""
    given = Path(path)
    if not given.is_dir():
        return path  # its reader says what is wrong with it
    project = find_project(given)
    if project is None:
        raise BadInput(f"{path}: a directory outside a project (no mkc.toml) is not one program; give a .mkc file")
    inside = given.resolve()
    files = [f for f in project.files() if f.resolve().is_relative_to(inside)]
    if not files:
        raise BadInput(f"{path}: no .mkc file of project {project.name} here")
    return display_name(files[0])


def load_project(
    project: Project,
    known_fields: dict[str, str] | None = None,
    given: str | None = None,
    text: str | None = None,
    overlay: dict[str, str] | None = None,
) -> Loaded:
    """Every file of a project, checked as one program (spec section 2);
    with `text`, that text stands in the `given` file's place (`mkc diff OLD
    NEW` puts OLD in NEW's place); `overlay` (real path -> text) stands in
    for files as an editor holds them, unsaved."""
    overlay = overlay or {}
    sources = [
        Source(display_name(p), overlay[str(p.resolve())])
        if str(p.resolve()) in overlay
        else read_source(display_name(p))
        for p in project.files()
    ]
    if text is not None and given is not None:
        sources = [Source(s.name, text) if same_file(s.name, given) else s for s in sources]
    by_name = {s.name: s for s in sources}
    asked = _asked(given, sources) if given is not None else None
    first = asked or (sources[0] if sources else Source(str(project.root / "mkc.toml"), ""))
    modules, problems = [], []
    for source in sources:
        try:
            modules.append(parse(source.text, source.name))
        except DiagnosticError as err:
            problems += err.diagnostics
    if problems:
        return Loaded(first, None, problems, by_name, project)
    module = ast.Module(project.name, tuple(item for m in modules for item in m.items))
    model, diags = check(module, known_fields)
    return Loaded(first, model, diags, by_name, project)


_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", "build", "dist"}


def load_paths(paths, known_fields: dict[str, str] | None = None) -> list[Loaded]:
    """What `PATH...` names (spec section 10): each file, with its project if
    it lies in one; a directory's every `.mkc` file (a project whole). Each
    project is loaded once; no path means the project holding the current
    directory, or else the current directory."""
    out: list[Loaded] = []
    projects: set[Path] = set()

    def add(path: Path, project: Project | None) -> None:
        if project is None:
            out.append(load_source(read_source(str(path)), known_fields))
        elif project.root not in projects:
            projects.add(project.root)
            out.append(load_project(project, known_fields, given=str(path) if path.is_file() else None))

    for raw in paths or (".",):
        path = Path(raw)
        if not path.exists():
            raise BadInput(f"{raw}: no such file")
        project = find_project(path)
        if path.is_dir() and project is None:
            for f in mkc_files(path):
                add(f, find_project(f))
        else:
            add(path, project)
    return out


def mkc_files(directory: Path) -> list[Path]:
    """The `.mkc` files under a directory, hidden and tool folders skipped, in path order."""
    found = []
    for f in directory.rglob("*.mkc"):
        parts = f.relative_to(directory).parts
        if f.is_file() and not (_SKIP_DIRS & set(parts)) and not any(p.startswith(".") for p in parts):
            found.append(f)
    return sorted(found, key=lambda f: f.relative_to(directory).parts)


def display_name(path: Path) -> str:
    """How a file is named in diagnostics and transcripts: relative to the
    current directory when it lies below it."""
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


def same_file(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _asked(given: str, sources: list[Source]) -> Source | None:
    found = next((s for s in sources if same_file(s.name, given)), None)
    return found if found is not None else read_source(given)  # an excluded file: read as asked
