import pytest

from mkc.repl.session import Session

PROGRAM = """\
tokens < my.sender = "ops@example.com" >

workspace Europe <
  folder "Operational" <
    tokens < my.score = +5 >
    program Scoring <
      tokens < my.score = +0  my.label = "score" >
      list "Newsletter"
      email "Welcome" < subject "Hi <<lead.first_name:default=there>>" from "<<my.sender>>" >
      campaign Score executable <
        flow < change_score <<my.score>> >
      >
    >
  >
  program Ops <
    tokens < my.score = +10 >
    campaign ParentA < flow < execute_campaign Score use_parent_token_context=true > >
    campaign ParentB < flow < execute_campaign Score > >
    campaign Nurture <
      smart_list < trigger campaign_is_requested >
      flow < change_score +1 >
    >
  >
>

people <
  person ann < email "ann@example.com" first_name "Ann" lead_score 0 country "NL" >
  person bob < email "bob@example.com" lead_score 40 >
>

scenario "api" <
  request Nurture for ann tokens < my.score = +3 >
>
"""


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "europe.mkc"
    path.write_text(PROGRAM)
    return path


@pytest.fixture
def session(program):
    return Session(str(program))


@pytest.fixture(autouse=True)
def _history(tmp_path, monkeypatch):
    # Never write the user's real ~/.mkc_history from a test.
    monkeypatch.setenv("MKC_HISTORY", str(tmp_path / "history"))
