"""What a terminal shows differently: colour, and the width of text in cells.

Colour is chosen by each printing command's `--color`: `auto` (the default)
colours only a terminal; `always` colours a pipe too and `never` nothing.
`NO_COLOR` wins over all three: the reference (section 10) says never when it
is set, stricter than no-color.org, which lets a flag override it. Styles are
rich's, written as ANSI codes by rich itself.
"""

from __future__ import annotations

import os

import click

COLOR_CHOICES = ("auto", "always", "never")
_KEY = "mkc.color"  # where the choice is kept: the command line's root click context, not a global

TAB = "    "  # a tab in a quoted source line (carets are placed by what is shown)


def _remember(ctx: click.Context, _param, value: str) -> str:
    ctx.find_root().meta[_KEY] = value
    return value


color_option = click.option(
    "--color",
    type=click.Choice(COLOR_CHOICES),
    default="auto",
    show_default=True,
    expose_value=False,
    is_eager=True,
    callback=_remember,
    help="Colour: auto (only on a terminal, and not when NO_COLOR is set), always or never.",
)


def wants_color(stream) -> bool:
    """Whether to colour what goes to `stream`: as `--color` says, or by default
    only on a terminal; never when NO_COLOR is set."""
    if os.environ.get("NO_COLOR"):
        return False
    ctx = click.get_current_context(silent=True)
    choice = ctx.find_root().meta.get(_KEY, "auto") if ctx is not None else "auto"
    if choice != "auto":
        return choice == "always"
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, style: str, color: bool = True) -> str:
    """`text` in a rich style ("bold red"), as ANSI codes; itself without colour."""
    if not color or not text or not style:
        return text
    from rich.color import ColorSystem  # rich is imported only when something is coloured
    from rich.style import Style

    return Style.parse(style).render(text, color_system=ColorSystem.STANDARD)


def cells(text: str) -> int:
    """How many terminal cells `text` takes: two for a CJK character or an
    emoji, none for a combining accent."""
    if text.isascii():
        return len(text)  # the common case, without importing rich
    from rich.cells import cell_len

    return cell_len(text)
