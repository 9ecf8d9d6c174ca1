"""The rendered text of a checker diagnostic, as a user sees it."""

from mkc.diagnostics import render
from mkc.load import load_source
from mkc.source import Source

TEXT = """\
campaign Welcome <
  flow <
    change_score 5
  >
>
"""


def test_rendered_diagnostic_names_place_quotes_line_and_points_at_argument():
    source = Source("welcome.mkc", TEXT)
    (diag,) = load_source(source).diagnostics
    assert render(diag, {source.name: source}) == (
        "welcome.mkc:3:18: error[bad-argument]: `5` is a bare number: say whether to add it or to set the "
        "score to it\n"
        "  |\n"
        "3 |     change_score 5\n"
        "  |                  ^\n"
        "  = hint: write +5 to add 5, or =5 to set the score to 5"
    )


def test_unknown_step_hint_suggests_the_closest_name():
    source = Source("a.mkc", 'campaign A < flow < send_emial "E" > >\nemail "E" < subject "Hi" >\n')
    (diag,) = load_source(source).diagnostics
    assert diag.code == "unknown-step" and diag.hints == ("did you mean `send_email`?",)


def test_no_color_turns_colour_off(monkeypatch):
    # Spec section 10: colour only on a terminal, and never when NO_COLOR is set.
    from mkc.diagnostics import wants_color

    class Terminal:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert wants_color(Terminal())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_color(Terminal())
