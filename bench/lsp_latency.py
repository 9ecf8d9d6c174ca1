"""Language-server latency: `mkc lsp` on the 1,000-campaign instance
(bench/big_workspace.py) after a one-character edit.

    python bench/lsp_latency.py [--edits 10] [--programs 200]

The server runs as a subprocess driven over stdio by pygls's client, as an
editor drives it. For each edit (a character typed into a description, then
taken out again) it times: the diagnostics arriving (their debounce,
lsp.server.DELAY, included, as an editor sees it) and a completion asked
right after an edit (which checks the changed text first). The baseline, in
the same run: parsing and checking the same text in this process, as `mkc
check` does; the ratio says what the server adds to that. Memory: the
server's peak resident size.
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import statistics
import sys
import tempfile
import time

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from bench.big_workspace import generate
from mkc.load import load_source
from mkc.lsp.server import DELAY
from mkc.source import Source


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


async def measure(path: pathlib.Path, text: str, edits: int) -> dict:
    client = LanguageClient("bench", "1")
    arrived = asyncio.Event()
    wanted = [1]  # the version whose diagnostics are awaited

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params):
        if params.uri == uri and params.version == wanted[0]:
            arrived.set()

    uri = from_fs_path(str(path))
    await client.start_io(sys.executable, "-m", "mkc.lsp", cwd=str(path.parent))
    await client.initialize_async(lsp.InitializeParams(capabilities=lsp.ClientCapabilities()))
    client.initialized(lsp.InitializedParams())
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri=uri, language_id="mkc", version=1, text=text))
    )
    await arrived.wait()
    where = text.index('description "a copy of Route1"') + len('description "a')
    line = text.count("\n", 0, where)
    column = where - (text.rfind("\n", 0, where) + 1)
    at = lsp.Position(line, column)
    flow_line = text.count("\n", 0, text.index("          execute_campaign Score1\n"))
    diagnostics, completions, version = [], [], 1
    for i in range(edits * 2):
        version += 1
        change = (
            lsp.TextDocumentContentChangePartial(range=lsp.Range(at, at), text="x")
            if i % 2 == 0
            else lsp.TextDocumentContentChangePartial(range=lsp.Range(at, lsp.Position(line, column + 1)), text="")
        )
        arrived.clear()
        wanted[0] = version
        start = time.perf_counter()
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(version=version, uri=uri), content_changes=[change]
            )
        )
        await arrived.wait()
        diagnostics.append(time.perf_counter() - start)
        # Another character, then a completion at once: it checks the new text before it answers.
        version += 1
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(version=version, uri=uri),
                content_changes=[lsp.TextDocumentContentChangePartial(range=lsp.Range(at, at), text="y")],
            )
        )
        start = time.perf_counter()
        await client.text_document_completion_async(
            lsp.CompletionParams(text_document=lsp.TextDocumentIdentifier(uri), position=lsp.Position(flow_line, 10))
        )
        completions.append(time.perf_counter() - start)
        version += 1
        arrived.clear()
        wanted[0] = version
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(version=version, uri=uri),
                content_changes=[
                    lsp.TextDocumentContentChangePartial(range=lsp.Range(at, lsp.Position(line, column + 1)), text="")
                ],
            )
        )
        await arrived.wait()  # settled: nothing of this edit is left to answer
    peak = _peak_kb(client._server.pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {"diagnostics": diagnostics, "completion": completions, "peak_kb": peak}


def _peak_kb(pid: int) -> int | None:
    try:
        for row in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1])
    except OSError:
        return None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--programs", type=int, default=200)
    args = parser.parse_args()
    text = generate(args.programs)
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "big.mkc"
        path.write_text(text)
        baseline = []
        load_source(Source(str(path), text))  # warm: imports and the parser's tables, which the server has by then
        for _ in range(3):
            start = time.perf_counter()
            loaded = load_source(Source(str(path), text))
            baseline.append(time.perf_counter() - start)
        assert not loaded.has_errors
        got = asyncio.run(measure(path, text, args.edits))
    check = statistics.median(baseline)
    print(f"{args.programs * 5} campaigns, {text.count(chr(10)):,} lines; {args.edits * 2} one-character edits")
    print(f"baseline: parse and check in-process  p50 {check * 1000:7.0f} ms")
    for name in ("diagnostics", "completion"):
        xs = got[name]
        p50, p95 = percentile(xs, 50), percentile(xs, 95)
        note = f" (debounce {DELAY * 1000:.0f} ms included)" if name == "diagnostics" else ""
        times = f"p50 {p50 * 1000:7.0f} ms  p95 {p95 * 1000:7.0f} ms"
        print(f"{name:12s} after an edit  {times}  {p50 / check:.2f}x baseline{note}")
    if got["peak_kb"]:
        print(f"server peak memory: {got['peak_kb'] / 1024:.0f} MB (text: {len(text) / 1024 / 1024:.1f} MB)")


if __name__ == "__main__":
    main()
