"""The session in docs/repl.md is real: replay its input and compare the transcript."""

import pathlib
import re
import shutil
import subprocess
import sys

ROOT_DIR = pathlib.Path(__file__).resolve().parents[2]

DOC = ROOT_DIR / "docs" / "repl.md"


def test_the_documented_session_replays_exactly(tmp_path):
    text = DOC.read_text()
    marker = re.search(r"<!-- transcript: (\S+) .*?-->\n```text\n(.*?)\n```", text, re.S)
    assert marker, "docs/repl.md lost its transcript block"
    example, transcript = marker.group(1), marker.group(2)
    inputs = [m.group(1) for m in re.finditer(r"^(?:mkc|\.\.\.)>(?: (.*))?$", transcript, re.M)]
    inputs = [line or "" for line in inputs]
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT_DIR / example, tmp_path / example)
    proc = subprocess.run(
        [sys.executable, "-c", "from mkc.cli import main; main()", "repl", example],
        input="\n".join(inputs) + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.stderr == ""
    assert proc.stdout.rstrip("\n") == transcript
    saved = re.search(r"`:save welcome.mkc`.*?\n```\n(.*?)\n```", text, re.S).group(1)
    assert (tmp_path / "welcome.mkc").read_text().rstrip("\n") == saved
