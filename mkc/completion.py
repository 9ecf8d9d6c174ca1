"""Shell completion of names declared in the file on the command line.

click completes commands and options itself (`_MKC_COMPLETE=bash_source mkc`,
see docs/guide.md); these callbacks add the campaigns, scenarios and people
of the FILE already typed (for `mkc diff`, NEW, else OLD), by loading it as
any command would. Completion never fails: a file that is missing or does
not parse completes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when completing, not by every command
    from click.shell_completion import CompletionItem

_FILE_PARAMS = ("file", "new", "old")  # the parameter naming the .mkc file, by command


def _loaded(ctx):
    """The file on the command line, loaded (with its project), or None."""
    from mkc.load import load_path

    file = next((ctx.params[p] for p in _FILE_PARAMS if ctx.params.get(p)), None)
    if file is None:
        # An option still waiting for its value (`--campaign <TAB>`) leaves the words unparsed:
        # the file is the last one naming a .mkc file (for `mkc diff`, NEW).
        file = next((a for a in reversed(ctx.args) if a.endswith(".mkc")), None)
    if file is None:
        return None
    try:
        loaded = load_path(file)
    except Exception:  # a bad path or mkc.toml: completion offers nothing rather than a traceback
        return None
    return loaded if loaded.model is not None else None


def _matching(items: list[CompletionItem], incomplete: str) -> list[CompletionItem]:
    """The items starting with what is typed (case aside), each value once."""
    prefix = incomplete.casefold()
    unique = {item.value: item for item in items}
    return [item for value, item in unique.items() if value.casefold().startswith(prefix)]


def complete_campaigns(ctx, _param, incomplete: str) -> list[CompletionItem]:
    """`--campaign` of `mkc explain`: every campaign."""
    return _campaigns(ctx, incomplete, batch_only=False)


def complete_batch_campaigns(ctx, _param, incomplete: str) -> list[CompletionItem]:
    """`--campaign` of `mkc run` and `mkc diff`: the batch campaigns, the only ones they run."""
    return _campaigns(ctx, incomplete, batch_only=True)


def _campaigns(ctx, incomplete: str, batch_only: bool) -> list[CompletionItem]:
    """Each campaign as Program.Name, and by its bare name when that names no
    other campaign; the help is its kind."""
    from click.shell_completion import CompletionItem

    loaded = _loaded(ctx)
    if loaded is None:
        return []
    bare: dict[str, int] = {}
    for c in loaded.model.campaigns:
        bare[c.name] = bare.get(c.name, 0) + 1
    offered = [c for c in loaded.model.campaigns if c.kind == "batch" or not batch_only]
    items = [CompletionItem(c.full_name, help=c.kind) for c in offered]
    items += [CompletionItem(c.name, help=c.kind) for c in offered if bare[c.name] == 1]
    return _matching(items, incomplete)


def complete_scenarios(ctx, _param, incomplete: str) -> list[CompletionItem]:
    """`--scenario`: the scenarios written in the file (in a project, not the others')."""
    from click.shell_completion import CompletionItem

    loaded = _loaded(ctx)
    if loaded is None:
        return []
    return _matching([CompletionItem(s.name) for s in loaded.scenarios_of(loaded.source.name)], incomplete)


def complete_people(ctx, _param, incomplete: str) -> list[CompletionItem]:
    """`--person`: the handles of the people declared."""
    from click.shell_completion import CompletionItem

    loaded = _loaded(ctx)
    return [] if loaded is None else _matching([CompletionItem(p.handle) for p in loaded.model.people], incomplete)
