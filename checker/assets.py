"""Assets: the properties of each `email` and `webhook` (stdlib/assets.py).

Code: bad-argument for a property the asset kind does not have (it would be
ignored: an email sent without its subject), one given twice, a value that
is not text, and a webhook `method` that is not a request type.
"""

from __future__ import annotations

import difflib

from mkc.checker.model import Model
from mkc.checker.report import Report
from mkc.grammar import ast, template
from mkc.grammar.dump import show_value
from mkc.stdlib.assets import METHODS, PROPERTIES


def check(model: Model, report: Report) -> None:
    for scope in model.all_scopes:
        for kind, known in PROPERTIES.items():
            for asset in scope.assets.get(kind, {}).values():
                _props(report, kind, asset, known)


def _props(report: Report, kind: str, asset, known: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for prop in asset.props:
        value = prop.value
        if prop.name not in known:
            close = difflib.get_close_matches(prop.name, list(known), n=1)
            hint = f"did you mean `{close[0]}`?" if close else f"an {kind} has: " + ", ".join(known)
            report.error("bad-argument", f'{kind} "{asset.name}" has no property `{prop.name}`', prop.span, hint)
        elif prop.name in seen:
            report.error("bad-argument", f'{kind} "{asset.name}" gives `{prop.name}` twice', prop.span)
        elif prop.name == "method" and isinstance(value, (ast.Str, ast.Ref)):
            # `method POST` reads as well as `method "POST"`.
            text = value.text if isinstance(value, ast.Str) else str(value)
            if not template.has_tokens(text) and text.upper() not in METHODS:
                report.error(
                    "bad-argument",
                    f"`method {show_value(value)}` is not a request type",
                    value.span or prop.span,
                    "a webhook's method is " + ", ".join(METHODS),
                )
        elif not isinstance(value, (ast.Str, ast.Token)):
            report.error(
                "bad-argument",
                f"`{prop.name}` is text, not {show_value(value)}",
                value.span or prop.span,
                f'write it in quotes: {prop.name} "…"',
            )
        seen.add(prop.name)
