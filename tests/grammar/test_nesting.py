"""Nesting deeper than `MAX_NESTING` is a located `syntax` error; flat sequences
of any length (items, separators, comments, `and` chains) are not nesting.
Later phases walk the AST recursively, so neither may reach them as deep trees."""

from mkc_cli import mkc

from mkc.grammar import MAX_NESTING, parse
from mkc.grammar.dump import dump
from mkc.load import load_source
from mkc.source import Source

PERSON = "people < person ann < lead_score 5 > >\n"
TOO_DEEP = f"nesting deeper than {MAX_NESTING} levels (blocks, lists, parentheses and `not` count)"


def folders(n):
    return "folder F <\n" * n + "campaign A < flow < do_nothing > >\n" + ">\n" * n


def nots(n):  # a campaign's and a smart list's blocks, then `not`s
    return "campaign A < smart_list < trigger campaign_is_requested; filter " + "not " * n + "lead_score > 1 > >\n"


def expect(n):  # a scenario's block, then `not (` pairs
    cond = "not (" * (n // 2) + "not " * (n % 2) + "lead_score > 1" + ")" * (n // 2)
    return PERSON + f"scenario S < expect ann {cond} >\n"


def only_diagnostic(text):
    (diag,) = load_source(Source("t.mkc", text)).diagnostics
    return diag.code, (diag.span.line, diag.span.column), diag.message


def test_500_nested_folders_stop_at_the_65th(tmp_path):
    path = tmp_path / "deep.mkc"
    path.write_text(folders(500))
    code, out, err = mkc("check", str(path))
    assert code == 1 and "Traceback" not in err
    assert err.startswith(f"{path}:{MAX_NESTING + 1}:10: error[syntax]: {TOO_DEEP}\n")
    assert only_diagnostic(folders(500)) == ("syntax", (MAX_NESTING + 1, 10), TOO_DEEP)


def test_900_nested_nots_and_a_600_deep_expect_are_refused(tmp_path):
    assert only_diagnostic(nots(900)) == ("syntax", (1, 65 + 4 * (MAX_NESTING - 2)), TOO_DEEP)
    path = tmp_path / "expect.mkc"
    path.write_text(expect(600))
    code, out, err = mkc("parse", "--ast", str(path))
    assert code == 1 and out == "" and f"{path}:2:" in err and TOO_DEEP in err and "Traceback" not in err


def test_deep_lists_are_refused():
    text = "campaign A < flow < add_to_list " + "[" * 500 + '"L"' + "]" * 500 + " > >\n"
    assert only_diagnostic(text)[::2] == ("syntax", TOO_DEEP)


def test_exactly_the_limit_checks_runs_and_dumps(tmp_path):
    at_limit = [folders(MAX_NESTING - 2), nots(MAX_NESTING - 2), expect(MAX_NESTING - 1)]
    for text in at_limit:
        assert load_source(Source("t.mkc", text)).diagnostics == []
        assert dump(parse(text)).count("\n") > MAX_NESTING // 2
    for over in [folders(MAX_NESTING - 1), nots(MAX_NESTING - 1), expect(MAX_NESTING)]:
        assert only_diagnostic(over)[::2] == ("syntax", TOO_DEEP)
    path = tmp_path / "limit.mkc"
    path.write_text(at_limit[2])
    code, out, err = mkc("run", str(path))
    assert (code, err) == (0, "") and out.startswith("PASS expect ann not not ")


def test_thousands_of_comments_and_separators_around_a_file():
    text = "# note\n" * 5000 + ";" * 5000 + "\ncampaign A < flow < do_nothing > >\n" + "# note\n;\n" * 5000
    (campaign,) = parse(text).items
    assert campaign.name == "A" and campaign.span.line == 5002


def test_a_flat_chain_of_5000_terms(tmp_path):
    chain = " and ".join(f"lead_score > {-i}" for i in range(5000))
    text = (
        PERSON
        + f"campaign C < smart_list < trigger campaign_is_requested; filter ({chain}) >; flow < change_score +1 > >\n"
        + f"scenario S < request C for ann; expect ann {chain} or lead_score = 7 >\n"
    )
    path = tmp_path / "chain.mkc"
    path.write_text(text)
    code, out, err = mkc("run", str(path))
    assert (code, err) == (0, "")
    assert out.splitlines()[1].startswith("2026-01-01T00:00  ann  Change Score  lead_score  5 -> 6")
    assert out.splitlines()[2].startswith("PASS expect ann (lead_score > 0 and lead_score > -1 and ")
    assert dump(parse(text)).count("  terms:") == 3
