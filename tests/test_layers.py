"""The seams between packages (issue 14): no module reaches into another
package's private names, and the parent-context flag is read from the
program in one place, the binder (checker/bound.py)."""

from __future__ import annotations

import ast
import pathlib
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def package_dirs() -> dict[str, pathlib.Path]:
    """Each installed package (`mkc.checker`, ...) and the folder holding it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {name: ROOT / folder for name, folder in config["tool"]["setuptools"]["package-dir"].items()}


def modules():
    """(package, file, its syntax tree) for every module of every package."""
    for package, folder in package_dirs().items():
        for path in sorted(folder.glob("*.py")):
            yield package, path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def package_of(module: str, packages) -> str:
    """The package a dotted module name belongs to (`mkc.interpreter.flow` -> `mkc.interpreter`)."""
    return max((p for p in packages if module == p or module.startswith(p + ".")), key=len, default=module)


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_module_uses_another_packages_private_names():
    packages = package_dirs()
    found = []
    for package, path, tree in modules():
        others: set[str] = set()  # names bound to another package's modules or objects
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mkc"):
                for alias in node.names:
                    source = package_of(f"{node.module}.{alias.name}", packages)
                    if package_of(node.module, packages) == package and source == package:
                        continue
                    if private(alias.name):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: from {node.module} import {alias.name}")
                    others.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in others
                and private(node.attr)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr}")
    assert found == []


def test_the_parent_context_flag_is_read_by_the_binder_alone():
    """Outside the standard library (the step's signature, its effect and its
    activity), only the binder names the flag; every tool reads the bound
    edges (`Execute.parent_context`, `BoundStep.parent_context`)."""
    readers = {
        str(path.relative_to(ROOT))
        for package, path, tree in modules()
        if package != "mkc.stdlib"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value == "use_parent_token_context"
    }
    assert readers == {"checker/bound.py"}
