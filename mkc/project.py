"""Projects (spec section 2, Files and projects): a directory holding
`mkc.toml` makes every `.mkc` file under it one program.

The nearest `mkc.toml` above a file decides its project; a directory with
its own `mkc.toml` is another project and is left out of the outer one.
Hidden path parts (starting with `.`) are skipped, `exclude` globs are
relative to the project directory, and files are read in the order of their
relative paths, compared part by part.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path, PurePosixPath

import attrs

from mkc.source import BadInput

MARKER = "mkc.toml"


@attrs.frozen
class Project:
    root: Path
    exclude: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return str(self.root)

    def files(self) -> list[Path]:
        """Every `.mkc` file of the project, in declaration order."""
        found = []
        for path in self.root.rglob("*.mkc"):
            rel = path.relative_to(self.root)
            if any(part.startswith(".") for part in rel.parts) or not path.is_file():
                continue
            if self._excluded(rel) or _nearest_root(path.parent, self.root) != self.root:
                continue
            found.append(path)
        return sorted(found, key=lambda p: PurePosixPath(p.relative_to(self.root)).parts)

    def _excluded(self, rel: Path) -> bool:
        text = PurePosixPath(rel).as_posix()
        return any(fnmatch.fnmatchcase(text, glob) or PurePosixPath(text).match(glob) for glob in self.exclude)

    def holds(self, path: Path) -> bool:
        return find_project(path) == self


def _nearest_root(directory: Path, stop: Path | None = None) -> Path | None:
    """The nearest directory at or above `directory` holding mkc.toml (not above `stop`)."""
    for d in (directory, *directory.parents):
        if (d / MARKER).is_file():
            return d
        if stop is not None and d == stop:
            return None
    return None


def find_project(path: Path) -> Project | None:
    """The project a file or directory lies in, or None for a file that stands alone."""
    path = path.resolve()
    root = _nearest_root(path if path.is_dir() else path.parent)
    return None if root is None else load_project(root)


def load_project(root: Path) -> Project:
    marker = root / MARKER
    try:
        config = tomllib.loads(marker.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise BadInput(f"{marker}: not valid TOML ({err})") from None
    except (OSError, UnicodeDecodeError) as err:
        raise BadInput(f"{marker}: cannot be read ({err})") from None
    exclude = config.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(g, str) for g in exclude):
        raise BadInput(f'{marker}: `exclude` is a list of globs, as in exclude = ["drafts/*"]')
    unknown = sorted(set(config) - {"exclude"})
    if unknown:
        raise BadInput(f"{marker}: unknown setting `{unknown[0]}` (mkc.toml knows `exclude`)")
    return Project(root, tuple(exclude))
