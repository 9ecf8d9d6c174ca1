"""`mkc lsp` as an editor runs it: a real subprocess driven over JSON-RPC on
stdio by pygls's client, on a copy of the multi-file example project."""

from __future__ import annotations

import asyncio
import contextlib
import pathlib
import shutil
import sys

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from mkc.load import load_project
from mkc.project import find_project

ROOT = pathlib.Path(__file__).resolve().parents[2]
WAIT = 20  # seconds a reply may take on a loaded machine (a bound, not a measurement)


@pytest.fixture
def project(tmp_path) -> pathlib.Path:
    return pathlib.Path(shutil.copytree(ROOT / "examples" / "project", tmp_path / "project"))


class Editor:
    """A client with the documents it has open and the diagnostics it was sent."""

    def __init__(self, client: LanguageClient, root: pathlib.Path):
        self.client, self.root = client, root
        self.diagnostics: dict[str, list[lsp.Diagnostic]] = {}
        self.changed = asyncio.Event()
        self.versions: dict[str, int] = {}

    def uri(self, name: str) -> str:
        return from_fs_path(str((self.root / name).resolve()))

    def open(self, name: str, text: str | None = None) -> str:
        uri = self.uri(name)
        text = (self.root / name).read_text() if text is None else text
        self.versions[uri] = 1
        self.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri=uri, language_id="mkc", version=1, text=text))
        )
        return uri

    def replace(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(version=self.versions[uri], uri=uri),
                [lsp.TextDocumentContentChangeWholeDocument(text)],
            )
        )

    async def diagnostics_for(self, uri: str, until) -> list[lsp.Diagnostic]:
        """The diagnostics of `uri` once `until(them)` holds."""

        async def wait():
            while uri not in self.diagnostics or not until(self.diagnostics[uri]):
                self.changed.clear()
                await self.changed.wait()
            return list(self.diagnostics[uri])

        return await asyncio.wait_for(wait(), WAIT)

    def position(self, name: str, needle: str, offset: int = 0) -> tuple[str, lsp.Position]:
        """The place `offset` characters into the first `needle` of file `name`."""
        text = (self.root / name).read_text()
        at = text.index(needle) + offset
        line = text.count("\n", 0, at)
        return self.uri(name), lsp.Position(line, at - (text.rfind("\n", 0, at) + 1))


@contextlib.asynccontextmanager
async def editor(root: pathlib.Path):
    client = LanguageClient("mkc-tests", "1")
    ed = Editor(client, root)

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: lsp.PublishDiagnosticsParams):
        ed.diagnostics[params.uri] = params.diagnostics
        ed.changed.set()

    await client.start_io(sys.executable, "-m", "mkc.lsp", cwd=str(root))
    try:
        await asyncio.wait_for(
            client.initialize_async(
                lsp.InitializeParams(capabilities=lsp.ClientCapabilities(), root_uri=from_fs_path(str(root)))
            ),
            WAIT,
        )
        client.initialized(lsp.InitializedParams())
        yield ed
        await asyncio.wait_for(client.shutdown_async(None), WAIT)
        client.exit(None)
        await asyncio.wait_for(client.stop(), WAIT)
    finally:
        server = client._server  # the subprocess: never left running, whatever failed
        if server is not None and server.returncode is None:
            server.kill()
            await server.wait()


def run(coro):
    return asyncio.run(coro)


def test_a_diagnostic_appears_and_disappears_as_the_text_changes(project):
    async def scenario():
        async with editor(project) as ed:
            text = (project / "web.mkc").read_text()
            uri = ed.open("web.mkc")
            assert await ed.diagnostics_for(uri, lambda d: True) == []
            ed.replace(uri, text.replace("execute_campaign Score", "execute_campaign Scor"))
            found = await ed.diagnostics_for(uri, lambda d: len(d) > 0)
            (d,) = found
            assert d.code == "unknown-reference" and d.severity == lsp.DiagnosticSeverity.Error
            line = text[: text.index("execute_campaign Score")].count("\n")
            assert (d.range.start.line, d.range.start.character) == (line, 25)
            assert "Score" in d.message  # `mkc check`'s message and hint, as it says them
            ed.replace(uri, text)
            assert await ed.diagnostics_for(uri, lambda d: len(d) == 0) == []
            # An edit to one file shows its effect in the others of the project.
            shared = ed.open("shared.mkc")
            ed.replace(shared, (project / "shared.mkc").read_text().replace("Score executable", "Score batch"))
            found = await ed.diagnostics_for(uri, lambda d: len(d) > 0)
            assert [d.code for d in found] == ["not-executable"]
            assert [d.code for d in await ed.diagnostics_for(ed.uri("events.mkc"), lambda d: True)] == [
                "not-executable"
            ]

    run(scenario())


def test_completion_hover_and_symbols(project):
    async def scenario():
        async with editor(project) as ed:
            text = (project / "web.mkc").read_text()
            uri = ed.open("web.mkc")
            uri, pos = ed.position("web.mkc", "execute_campaign Score", len("execute_campaign "))
            got = await ed.client.text_document_completion_async(
                lsp.CompletionParams(text_document=lsp.TextDocumentIdentifier(uri), position=pos)
            )
            labels = {i.label: i for i in got.items}
            assert {"Score", "Touch", "Promote"} <= set(labels)
            assert "executable campaign Shared.Score" in labels["Score"].detail
            # A step, with its signature, at the start of a flow line.
            at = text.index("        execute_campaign Touch")
            line = text.count("\n", 0, at)
            got = await ed.client.text_document_completion_async(
                lsp.CompletionParams(text_document=lsp.TextDocumentIdentifier(uri), position=lsp.Position(line, 8))
            )
            step = next(i for i in got.items if i.label == "execute_campaign")
            assert step.detail.startswith("execute_campaign CAMPAIGN [use_parent_token_context=")
            assert step.kind == lsp.CompletionItemKind.Function
            # Tokens in scope, inside `<<`.
            ed.replace(uri, text.replace('"Contact Us"', '"<<my.'))
            pos = ed.position("web.mkc", '"Contact Us"', 6)[1]
            got = await ed.client.text_document_completion_async(
                lsp.CompletionParams(text_document=lsp.TextDocumentIdentifier(uri), position=pos)
            )
            assert {"<<my.points>>", "<<my.touch>>"} <= {i.label for i in got.items}
            ed.replace(uri, text)

            # Hover: a campaign's kind, qualification rule and callers.
            uri, pos = ed.position("web.mkc", "execute_campaign Score", len("execute_campaign S"))
            hover = await ed.client.text_document_hover_async(
                lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri), position=pos)
            )
            shown = hover.contents.value
            assert "executable campaign" in shown and "Shared.Score" in shown and "every_time" in shown
            assert 'execute_campaign in Marketing.Web."Form Fill"' in shown or "Form Fill" in shown
            # A step's signature and summary.
            uri, pos = ed.position("web.mkc", "execute_campaign Score", 3)
            hover = await ed.client.text_document_hover_async(
                lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri), position=pos)
            )
            assert "run an executable campaign" in hover.contents.value
            # A token: its value in every context that can run the campaign.
            suri = ed.open("shared.mkc")
            uri, pos = ed.position("shared.mkc", 'change_data_value last_touch "<<my.touch>>"', 35)
            hover = await ed.client.text_document_hover_async(
                lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri), position=pos)
            )
            shown = hover.contents.value
            assert "my.touch" in shown and '"web form"' in shown and '"unknown"' in shown and '"webinar"' not in shown

            symbols = await ed.client.text_document_document_symbol_async(
                lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(suri))
            )
            (folder,) = [s for s in symbols if s.name == "Operational"]
            (program,) = folder.children
            assert program.name == "Shared"
            assert [c.name for c in program.children] == ["Score", "Touch", "Promote"]
            assert [c.detail for c in program.children] == ["executable"] * 3

    run(scenario())


def test_definition_references_and_rename_across_files(project):
    async def scenario():
        async with editor(project) as ed:
            ed.open("web.mkc")
            uri, pos = ed.position("web.mkc", "execute_campaign Score", len("execute_campaign S"))
            ident = lsp.TextDocumentIdentifier(uri)
            (loc,) = await ed.client.text_document_definition_async(
                lsp.DefinitionParams(text_document=ident, position=pos)
            )
            assert loc.uri == ed.uri("shared.mkc")
            assert (loc.range.start, loc.range.end) == (
                ed.position("shared.mkc", "campaign Score", 9)[1],
                ed.position("shared.mkc", "campaign Score", 14)[1],
            )
            found = await ed.client.text_document_references_async(
                lsp.ReferenceParams(
                    text_document=ident, position=pos, context=lsp.ReferenceContext(include_declaration=True)
                )
            )
            assert sorted({pathlib.Path(r.uri).name for r in found}) == ["events.mkc", "shared.mkc", "web.mkc"]
            assert len(found) == 3

            edit = await ed.client.text_document_rename_async(
                lsp.RenameParams(text_document=ident, position=pos, new_name="AddPoints")
            )
            apply(project, edit)
            (project / "web.mkc").read_text().index("execute_campaign AddPoints use_parent_token_context=true")
            (project / "shared.mkc").read_text().index("campaign AddPoints executable <")
            loaded = load_project(find_project(project))
            assert not loaded.has_errors and "AddPoints" in {c.name for c in loaded.model.campaigns}

            with pytest.raises(JsonRpcException, match="Shared.Touch already has the name Touch"):
                await ed.client.text_document_rename_async(
                    lsp.RenameParams(text_document=ident, position=pos, new_name="Touch")
                )

    run(scenario())


def test_rename_a_my_token_everywhere_it_is_declared_and_used(project):
    async def scenario():
        async with editor(project) as ed:
            uri, pos = ed.position("shared.mkc", "<<my.points>>", 6)
            edit = await ed.client.text_document_rename_async(
                lsp.RenameParams(text_document=lsp.TextDocumentIdentifier(uri), position=pos, new_name="bonus")
            )
            assert sorted(pathlib.Path(u).name for u in edit.changes) == ["events.mkc", "shared.mkc", "web.mkc"]
            apply(project, edit)
            every = "".join(p.read_text() for p in project.glob("*.mkc"))
            assert "<<my.points>>" not in every and "my.points =" not in every
            assert "<<my.bonus>>" in every and "my.bonus = +40" in every and "my.bonus = +0" in every
            assert not load_project(find_project(project)).has_errors
            with pytest.raises(JsonRpcException, match="my.touch already exists"):
                await ed.client.text_document_rename_async(
                    lsp.RenameParams(text_document=lsp.TextDocumentIdentifier(uri), position=pos, new_name="touch")
                )

    run(scenario())


def test_formatting(project):
    async def scenario():
        async with editor(project) as ed:
            uri = ed.open("extra.mkc", 'program P < campaign C < flow < wait 1 day; send_email "Hi" > > >\n')
            (edit,) = await ed.client.text_document_formatting_async(
                lsp.DocumentFormattingParams(lsp.TextDocumentIdentifier(uri), lsp.FormattingOptions(2, True))
            )
            assert edit.new_text == (
                'program P <\n  campaign C <\n    flow <\n      wait 1 day\n      send_email "Hi"\n    >\n  >\n>\n'
            )
            ed.replace(uri, "program P < campaign\n")  # does not parse: nothing to change
            assert not await ed.client.text_document_formatting_async(
                lsp.DocumentFormattingParams(lsp.TextDocumentIdentifier(uri), lsp.FormattingOptions(2, True))
            )

    run(scenario())


def apply(root: pathlib.Path, edit: lsp.WorkspaceEdit) -> None:
    """Apply a workspace edit's changes to the files on disk."""
    for uri, edits in edit.changes.items():
        path = pathlib.Path(uri.removeprefix("file://"))
        lines = path.read_text().split("\n")
        for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            s, t = e.range.start, e.range.end
            assert s.line == t.line
            line = lines[s.line]
            lines[s.line] = line[: s.character] + e.new_text + line[t.character :]
        path.write_text("\n".join(lines))


def test_definition_and_references_of_a_person_and_a_declared_field(project):
    (project / "web.mkc").write_text(
        (project / "web.mkc").read_text()
        + '\nscenario "web" <\n  event ann fills_out_form "Contact Us"\n  expect ann last_touch = "web form"\n>\n'
    )

    async def scenario():
        async with editor(project) as ed:
            ed.open("web.mkc")
            # (where in web.mkc, the word, its declaration: file, text, offset; uses but the declaration, per file)
            for needle, offset, word, (name, where, at), used in (
                ("event ann", 7, "ann", ("scenarios.mkc", "person ann", 7), {"scenarios.mkc": 5, "web.mkc": 2}),
                (
                    "ann last_touch",
                    6,
                    "last_touch",
                    ("shared.mkc", "last_touch text", 0),
                    {"scenarios.mkc": 2, "shared.mkc": 1, "web.mkc": 1},
                ),
            ):
                uri, pos = ed.position("web.mkc", needle, offset)
                ident = lsp.TextDocumentIdentifier(uri)
                (loc,) = await ed.client.text_document_definition_async(
                    lsp.DefinitionParams(text_document=ident, position=pos)
                )
                assert loc.uri == ed.uri(name)
                assert (loc.range.start, loc.range.end) == (
                    ed.position(name, where, at)[1],
                    ed.position(name, where, at + len(word))[1],
                )
                found = await ed.client.text_document_references_async(
                    lsp.ReferenceParams(
                        text_document=ident, position=pos, context=lsp.ReferenceContext(include_declaration=False)
                    )
                )
                counts: dict[str, int] = {}
                for r in found:
                    counts[pathlib.Path(r.uri).name] = counts.get(pathlib.Path(r.uri).name, 0) + 1
                    text = (project / pathlib.Path(r.uri).name).read_text().split("\n")[r.range.start.line]
                    assert text[r.range.start.character : r.range.end.character] == word
                assert counts == used
            uri, pos = ed.position("web.mkc", "event ann", 7)
            hover = await ed.client.text_document_hover_async(
                lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri), position=pos)
            )
            assert hover.contents.value == '**person** `ann`: email "ann@example.com", first_name "Ann", lead_score 10'

    run(scenario())


def test_positions_count_utf16_code_units_on_a_line_with_an_emoji(project):
    # 🎉 is one code point but two UTF-16 code units, LSP's default count: every
    # character after it on its line is one further along for the client.
    old = "        execute_campaign Score use"
    text = (
        (project / "web.mkc")
        .read_text()
        .replace(old, '        change_data_value city "🎉 Fête"; execute_campaign Score use')
    )
    (project / "web.mkc").write_text(text)
    number = text[: text.index("🎉")].count("\n")
    line = text.splitlines()[number]
    name = line.index("Score")

    def at(column: int) -> lsp.Position:
        return lsp.Position(number, len(line[:column].encode("utf-16-le")) // 2)

    assert at(name).character == name + 1

    async def scenario():
        async with editor(project) as ed:
            uri = ed.open("web.mkc", text.replace("execute_campaign Score", "execute_campaign Scor"))
            (d,) = await ed.diagnostics_for(uri, lambda d: len(d) > 0)
            assert d.code == "unknown-reference" and (d.range.start, d.range.end) == (at(name), at(name + 4))
            ed.replace(uri, text)
            assert await ed.diagnostics_for(uri, lambda d: len(d) == 0) == []

            ident, pos = lsp.TextDocumentIdentifier(uri), at(name + 4)  # on the name's last letter
            (loc,) = await ed.client.text_document_definition_async(
                lsp.DefinitionParams(text_document=ident, position=pos)
            )
            assert loc.uri == ed.uri("shared.mkc")
            found = await ed.client.text_document_references_async(
                lsp.ReferenceParams(
                    text_document=ident, position=pos, context=lsp.ReferenceContext(include_declaration=False)
                )
            )
            assert [(r.range.start, r.range.end) for r in found if r.uri == uri] == [(at(name), at(name + 5))]
            # Completion after `Sc`: the item replaces exactly `Sc`.
            got = await ed.client.text_document_completion_async(
                lsp.CompletionParams(text_document=ident, position=at(name + 2))
            )
            score = next(i for i in got.items if i.label == "Score")
            assert (score.text_edit.range.start, score.text_edit.range.end) == (at(name), at(name + 2))

    run(scenario())
