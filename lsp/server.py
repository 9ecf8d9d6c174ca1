"""`mkc lsp`: a language server on standard input and output (pygls).

Diagnostics follow the text as it is typed (debounced, `DELAY`), for every
file of the project an open file lies in; completion, hover, definition,
references, rename, document symbols and formatting read the program as
`lsp.program` analyses it. Positions: LSP's lines and characters are 0-based,
mkc's spans 1-based and counted in code points, the client's characters in
the position encoding negotiated at initialisation (UTF-16 code units unless
both sides agree otherwise): `Positions` converts every position that crosses.
"""

from __future__ import annotations

import asyncio

from lsprotocol import types as lsp
from prompt_toolkit.document import Document
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import PositionCodec

from mkc import __version__
from mkc.diagnostics import Diagnostic
from mkc.grammar import ast, unparse
from mkc.lsp.program import Program, analyse, key_of, real
from mkc.repl.completion import MkcCompleter, Vocabulary, vocabulary_of
from mkc.source import BadInput, Span
from mkc.stdlib import CONDITIONS, STEPS, TRIGGERS

DELAY = 0.25
"""Seconds of quiet after a change before the program is checked again."""


class MkcServer(LanguageServer):
    def __init__(self):
        super().__init__("mkc", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.programs: dict[str, Program] = {}  # by key_of: the last analysis
        self.good: dict[str, Program] = {}  # by key_of: the last analysis that checked (for completion mid-edit)
        self.pending: dict[str, asyncio.TimerHandle] = {}

    # -- analysis
    def overlay(self) -> dict[str, str]:
        return {real(to_fs_path(uri)): doc.source for uri, doc in self.workspace.text_documents.items()}

    def program(self, uri: str) -> Program:
        """The analysis `uri` belongs to, brought up to date with the open texts."""
        path = real(to_fs_path(uri))
        key = key_of(path)
        overlay = self.overlay()
        current = self.programs.get(key)
        if current is None or any(current.texts.get(f) != overlay.get(f) for f in set(current.files) | {path}):
            current = self._analyse(key, path, overlay)
        return current

    def _analyse(self, key: str, path: str, overlay: dict[str, str]) -> Program:
        try:
            prog = analyse(path, overlay)
        except BadInput as err:  # an unreadable mkc.toml or file: said once, as a message
            self.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error, str(err)))
            raise JsonRpcInvalidParams(str(err)) from None
        prog.texts = {f: overlay[f] for f in prog.files if f in overlay}
        self.programs[key] = prog
        if prog.model is not None:
            self.good[key] = prog
        return prog

    def publish(self, uri: str) -> None:
        self.pending.pop(key_of(real(to_fs_path(uri))), None)
        try:
            prog = self.program(uri)
        except JsonRpcInvalidParams:
            return
        versions = {real(to_fs_path(u)): d.version for u, d in self.workspace.text_documents.items()}
        for path, diags in prog.diagnostics().items():
            # The version of the text they are about: a client drops those of a text it no longer holds.
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(
                    from_fs_path(path),
                    [_diagnostic(d, self.positions(prog, path)) for d in diags],
                    version=versions.get(path),
                )
            )

    def positions(self, prog: Program, path: str) -> Positions:
        """The conversions for file `path` as `prog` analysed it."""
        return Positions(self.workspace.position_codec, prog.text(path))

    def location(self, prog: Program, s: Span) -> lsp.Location:
        path = real(s.file)
        return lsp.Location(from_fs_path(path), self.positions(prog, path).range(s))

    def later(self, uri: str) -> None:
        """Publish diagnostics once the typing pauses."""
        key = key_of(real(to_fs_path(uri)))
        if key in self.pending:
            self.pending[key].cancel()
        self.pending[key] = asyncio.get_running_loop().call_later(DELAY, self.publish, uri)


server = MkcServer()


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: MkcServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: MkcServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.later(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: MkcServer, params: lsp.DidSaveTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


# ---- completion -----------------------------------------------------------------------

_KINDS = {
    "step": lsp.CompletionItemKind.Function,
    "trigger": lsp.CompletionItemKind.Event,
    "condition": lsp.CompletionItemKind.Function,
    "field": lsp.CompletionItemKind.Field,
    "token": lsp.CompletionItemKind.Variable,
    "person": lsp.CompletionItemKind.Value,
    "keyword argument": lsp.CompletionItemKind.Property,
    "operator": lsp.CompletionItemKind.Operator,
}


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=["<", ".", " ", "="]))
def completion(ls: MkcServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    uri = params.text_document.uri
    ls.program(uri)
    prog = ls.good.get(key_of(real(to_fs_path(uri))))
    source = ls.workspace.get_text_document(uri).source
    to = Positions(ls.workspace.position_codec, source)
    pos = to.server(params.position)
    lines = source.split("\n")
    line = lines[pos.line][: pos.character] if pos.line < len(lines) else ""
    vocab = vocabulary_of(prog.model) if prog is not None else Vocabulary()
    items = []
    for c in MkcCompleter(lambda: vocab).get_completions(Document(line, len(line)), None):
        meta = c.display_meta_text
        start = lsp.Position(pos.line, pos.character + c.start_position)
        kind = _KINDS.get(meta) or (lsp.CompletionItemKind.Class if "campaign" in meta else lsp.CompletionItemKind.Text)
        items.append(
            lsp.CompletionItem(
                label=c.text,
                kind=kind,
                detail=_signature(c.text, meta) or meta or None,
                text_edit=lsp.TextEdit(to.client_range(start, pos), c.text),
            )
        )
    return lsp.CompletionList(is_incomplete=False, items=items)


def _signature(name: str, meta: str) -> str | None:
    table = {"step": STEPS, "trigger": TRIGGERS, "condition": CONDITIONS}.get(meta)
    spec = table.get(name) if table else None
    return (
        f"{name} {spec.signature.describe()}".strip() + (f" — {spec.summary}" if spec.summary else "") if spec else None
    )


# ---- hover ------------------------------------------------------------------------------


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: MkcServer, params: lsp.HoverParams) -> lsp.Hover | None:
    uri = params.text_document.uri
    prog = ls.program(uri)
    pos = ls.positions(prog, real(to_fs_path(uri))).server(params.position)
    path, line, column = real(to_fs_path(uri)), pos.line + 1, pos.character + 1
    place = prog.place_at(path, line, column)
    text = None
    if place is not None:
        text = _describe(prog, place, prog.campaign_at(path, line, column))
    if text is None:
        word = ls.workspace.get_text_document(uri).word_at_position(params.position)
        for kind, table in (("step", STEPS), ("trigger", TRIGGERS), ("condition", CONDITIONS)):
            if word in table:
                text = f"**{kind}** `{_signature(word, kind)}`"
                break
    if text is None:
        return None
    return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, text))


def _describe(prog: Program, place, inside) -> str | None:
    if place.kind == "campaign" and place.target is not None:
        c = place.target
        q = c.qualification
        rule = f"{q.mode}{' ' + str(q.period) if q.period else ''}" if q else "once (the default)"
        callers = prog.callers(c)
        lines = [f"**{c.kind} campaign** `{c.full_name}`", f"qualification: {rule}"]
        if c.description:
            lines.append(c.description)
        lines.append("used by: " + ("; ".join(callers) if callers else "nothing"))
        return "\n\n".join(lines)
    if place.kind == "token":
        values = prog.token_values(place.target, None if place.declaration else inside)
        lines = [f"**My Token** `my.{place.target}`"]
        for campaign, rows in values:
            lines.append(f"in {campaign}:")
            lines += [f"- {ctx}: {value}" for ctx, value in rows]
        return "\n".join(lines)
    if place.kind == "person":
        person = prog.model.person(place.target) if prog.model else None
        if person is None:
            return f"**person** `{place.target}` (not declared)"
        values = ", ".join(f"{fv.field} {unparse.value(fv.value)}" for fv in person.fields)
        return f"**person** `{place.target}`" + (f": {values}" if values else "")
    if place.kind == "field":
        spec = prog.model.fields.get(place.target) if prog.model else None
        return f"**person field** `{place.target}`" + (f": {spec.type}" if spec else " (not declared)")
    if place.target is not None:
        return f"**{place.kind.replace('_', ' ')}** `{place.name}` — {place.what}".rstrip(" —")
    return None


# ---- definition, references, rename -------------------------------------------------------


def _place(ls: MkcServer, uri: str, pos: lsp.Position):
    prog, path = ls.program(uri), real(to_fs_path(uri))
    pos = ls.positions(prog, path).server(pos)
    return prog, prog.place_at(path, pos.line + 1, pos.character + 1)


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: MkcServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
    prog, place = _place(ls, params.text_document.uri, params.position)
    if place is None:
        return []
    return [ls.location(prog, prog.name_span(p) or p.span) for p in prog.same(place) if p.declaration and p.span]


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
def references(ls: MkcServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
    prog, place = _place(ls, params.text_document.uri, params.position)
    if place is None:
        return []
    wanted = [p for p in prog.same(place) if p.span and (params.context.include_declaration or not p.declaration)]
    return [ls.location(prog, prog.name_span(p) or p.span) for p in wanted]


@server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=False))
def rename(ls: MkcServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit:
    prog, place = _place(ls, params.text_document.uri, params.position)
    if place is None:
        raise JsonRpcInvalidParams("nothing to rename here")
    try:
        edits = prog.rename(place, params.new_name)
    except BadInput as err:
        raise JsonRpcInvalidParams(str(err)) from None
    return lsp.WorkspaceEdit(
        changes={
            from_fs_path(path): [
                lsp.TextEdit(ls.positions(prog, path).range(span), text) for span, text in sorted(spans, key=_order)
            ]
            for path, spans in sorted(edits.items())
        }
    )


def _order(edit):
    s = edit[0]
    return (s.line, s.column)


# ---- symbols and formatting ------------------------------------------------------------------


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: MkcServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
    from mkc.diagnostics import DiagnosticError
    from mkc.grammar import parse

    doc = ls.workspace.get_text_document(params.text_document.uri)
    try:
        module = parse(doc.source, doc.path)
    except DiagnosticError:
        return []
    to = Positions(ls.workspace.position_codec, doc.source)
    return [s for s in (_symbol(item, to) for item in module.items) if s is not None]


_SYMBOLS = {
    ast.Workspace: ("workspace", lsp.SymbolKind.Namespace),
    ast.Folder: ("folder", lsp.SymbolKind.Package),
    ast.Program: ("program", lsp.SymbolKind.Module),
    ast.Campaign: ("campaign", lsp.SymbolKind.Function),
    ast.ListAsset: ("list", lsp.SymbolKind.Array),
    ast.SmartListAsset: ("smart list", lsp.SymbolKind.Array),
    ast.EmailAsset: ("email", lsp.SymbolKind.File),
    ast.WebhookAsset: ("webhook", lsp.SymbolKind.Interface),
    ast.People: ("people", lsp.SymbolKind.Struct),
    ast.Person: ("person", lsp.SymbolKind.Object),
    ast.Scenario: ("scenario", lsp.SymbolKind.Event),
}


def _symbol(node, to: Positions) -> lsp.DocumentSymbol | None:
    word_kind = _SYMBOLS.get(type(node))
    if word_kind is None or node.span is None:
        return None
    word, kind = word_kind
    name = getattr(node, "name", None) or getattr(node, "handle", None) or word
    kids = getattr(node, "items", None) or getattr(node, "persons", None) or ()
    detail = node.kind if isinstance(node, ast.Campaign) and node.kind else word
    span = node.span
    head = Span(span.file, span.line, span.column, span.line, span.column + len(word))
    children = [s for s in (_symbol(k, to) for k in kids) if s is not None]
    return lsp.DocumentSymbol(name, kind, to.range(span), to.range(head), detail=detail, children=children or None)


@server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: MkcServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit]:
    from mkc.fmt import format_text

    doc = ls.workspace.get_text_document(params.text_document.uri)
    try:
        result = format_text(doc.source, doc.path)
    except BadInput:
        return []
    if result.text is None or result.text == doc.source:
        return []
    end = lsp.Position(len(doc.lines), 0)
    return [lsp.TextEdit(lsp.Range(lsp.Position(0, 0), end), result.text)]


# ---- conversions -----------------------------------------------------------------------------


class Positions:
    """Positions in one text, between mkc (code points) and the client (the
    negotiated encoding, which pygls's codec counts)."""

    def __init__(self, codec: PositionCodec, text: str):
        self.codec, self.lines = codec, text.splitlines()

    def client(self, line: int, character: int) -> lsp.Position:
        """0-based line and code point -> the client's position."""
        if line >= len(self.lines):  # past the text (a diagnostic at its end): nothing to count
            return lsp.Position(line, character)
        text = self.lines[line]
        units = self.codec.client_num_units(text[:character])
        return lsp.Position(line, units + max(0, character - len(text)))

    def client_range(self, start: lsp.Position, end: lsp.Position) -> lsp.Range:
        return lsp.Range(self.client(start.line, start.character), self.client(end.line, end.character))

    def range(self, s: Span) -> lsp.Range:
        return lsp.Range(self.client(s.line - 1, s.column - 1), self.client(s.end_line - 1, s.end_column - 1))

    def server(self, pos: lsp.Position) -> lsp.Position:
        """The client's position -> 0-based line and code point."""
        if pos.line >= len(self.lines):
            return pos
        text, units, character = self.lines[pos.line], 0, 0
        while character < len(text) and units < pos.character:
            units += self.codec.client_num_units(text[character])
            character += 1
        return lsp.Position(pos.line, character + max(0, pos.character - units))


def _diagnostic(d: Diagnostic, to: Positions) -> lsp.Diagnostic:
    severity = lsp.DiagnosticSeverity.Error if d.is_error else lsp.DiagnosticSeverity.Warning
    message = d.message + "".join(f"\nhint: {h}" for h in d.hints)
    return lsp.Diagnostic(to.range(d.span), message, severity=severity, code=d.code, source="mkc")


def main() -> None:
    server.start_io()
