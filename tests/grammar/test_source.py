"""`Source` quotes lines for diagnostics: the text is split once, not per diagnostic."""

from mkc.source import Source


class _CountingText(str):
    splits = 0

    def splitlines(self, keepends=False):
        type(self).splits += 1
        return super().splitlines(keepends)


def test_lines_are_split_once_for_many_diagnostics():
    text = _CountingText("".join(f"line {i}\n" for i in range(1, 1001)))
    source = Source("t.mkc", text)
    assert [source.line(n) for n in (1, 500, 1000)] == ["line 1", "line 500", "line 1000"]
    for n in range(1, 1001):
        source.line(n)
    assert source.line(0) == source.line(1001) == ""
    assert _CountingText.splits == 1


def test_sources_still_compare_and_hash_by_name_and_text():
    a, b = Source("a.mkc", "x\ny\n"), Source("a.mkc", "x\ny\n")
    a.line(1)  # the cached lines take no part in equality
    assert a == b and hash(a) == hash(b) and {a: 1}[b] == 1
    assert a != Source("b.mkc", "x\ny\n")
