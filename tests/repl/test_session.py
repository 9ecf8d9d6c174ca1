"""The session object, driven directly: declarations, checks, commands over the model."""

import datetime as dt

import pytest

from mkc.grammar import parse
from mkc.repl.runtime import Runtime
from mkc.repl.session import Session


class FakeRuntime(Runtime):
    """A world that records what it is asked and changes a score, so the
    session's own work (checking, printing activities and changed fields) is
    tested apart from the interpreter."""

    def __init__(self):
        self.calls = []
        self.log = []
        self.folks = {}

    def reset(self, model):
        self.log = []
        self.folks = {p.handle: {f.field: getattr(f.value, "value", None) for f in p.fields} for p in model.people}

    def use(self, model):
        for p in model.people:
            self.folks.setdefault(p.handle, {f.field: getattr(f.value, "value", None) for f in p.fields})

    def run_steps(self, model, campaign, person, steps):
        self.calls.append(("steps", campaign.full_name, person, steps))
        if steps[0].name == "change_score":
            old = self.folks[person].get("lead_score") or 0
            self.folks[person]["lead_score"] = old + steps[0].args[0].amount
            self.log.append(f"2026-01-01T00:00  {person}  Change Score  flow={campaign.full_name}")

    def command(self, model, command):
        self.calls.append(("command", command))
        return ["PASS expect"], True

    def log_size(self):
        return len(self.log)

    def log_lines(self, start=0, person=None):
        return [line for line in self.log[start:] if person is None or f"  {person}  " in line]

    def people(self):
        return {h: dict(f) for h, f in self.folks.items()}

    def clock(self):
        return dt.datetime(2026, 1, 1)


@pytest.fixture
def fake(program):
    runtime = FakeRuntime()
    return Session(str(program), runtime_factory=lambda: runtime), runtime


def test_loading_reports_what_is_there(session, program):
    assert not session.startup.failed
    assert session.startup.lines[0] == f"loaded {program}: 4 campaigns, 2 people, 1 scenario"
    assert session.person == "ann"
    # The file has one workspace only, so the scratch campaign lives there.
    assert session.scratch().full_name == "Europe.Scratch"


def test_declaration_is_added_checked_and_kept_as_text(session):
    reply = session.handle("campaign Greet <\n  flow < send_email Hello >\n>")
    assert reply.failed and "error[unknown-reference]: no email named `Hello`" in reply.text
    assert reply.lines[-1] == "not added: 1 error; fix the declaration and enter it again"
    assert session.entries == []
    reply = session.handle('email "Hello" < subject "Hi" >')
    assert not reply.failed and reply.text == "added email Hello"
    reply = session.handle('campaign Greet <\n  flow < send_email "Hello" >\n>')
    # The file declares only workspace Europe: what is typed outside a workspace goes there too.
    assert reply.text == "added batch campaign Europe.Greet"
    assert [e.text for e in session.entries][-1] == 'campaign Greet <\n  flow < send_email "Hello" >\n>'


def test_outside_a_single_workspace_file_declarations_go_to_default():
    session = Session()
    assert session.workspace() == "Default"
    assert session.handle("campaign A < flow < do_nothing > >").text == "added batch campaign Default.A"


def test_redeclaring_replaces_the_earlier_declaration(session):
    session.handle("campaign A < flow < change_score +1 > >")
    reply = session.handle("campaign A < flow < change_score +2 > >")
    assert reply.text == "replaced batch campaign Europe.A (was <repl:1>)"
    assert len(session.entries) == 1 and "+2" in session.entries[0].text
    assert [c.full_name for c in session.model.campaigns].count("Europe.A") == 1


def test_a_workspace_typed_twice_adds_to_it(session):
    assert not session.handle("workspace Europe < program Extra < list L1 > >").failed
    assert not session.handle("workspace Europe < program More < list L2 > >").failed
    assert len(session.entries) == 2
    assert {"Extra", "More"} <= set(session.model.programs["Europe"])


def test_a_declaration_with_new_errors_is_not_added_and_the_session_goes_on(session):
    reply = session.handle("campaign B executable < flow < wait 1 day > >")
    assert reply.failed and "error[wait-in-executable]" in reply.text
    assert "<repl:1>:1:32" in reply.text and "not added: 1 error" in reply.text
    assert session.entries == []
    assert not session.handle("campaign B executable < flow < do_nothing > >").failed
    assert session.handle(":check").text == "ok: no errors, 0 warnings"


def test_a_syntax_error_is_shown_with_its_place(session):
    reply = session.handle("campaign C < flow < change_score +1 > > >")
    assert reply.failed
    assert reply.text.startswith("<repl:1>:1:41: error[syntax]: unexpected `>`")
    assert session.handle(":people").lines  # still usable


def test_warnings_are_shown_and_the_declaration_added(session):
    reply = session.handle('campaign D < smart_list < filter member_of_list "Nope" >; flow < do_nothing > >')
    assert not reply.failed
    assert "warning[invalid-smart-list]" in reply.text and reply.lines[-1] == "added batch campaign Europe.D"


def test_a_step_is_checked_in_the_current_campaign(fake):
    session, runtime = fake
    assert session.handle(":use Score").text.startswith("campaign Scoring.Score: executable")
    reply = session.handle("wait 1 day")
    assert reply.failed and "error[wait-in-executable]" in reply.text and reply.lines[-1] == "not run"
    assert runtime.calls == []
    assert session.handle(":use -").text.startswith("campaign Europe.Scratch (scratch): batch")
    assert session.handle('webhook "Sync" < url "https://crm.example.com/" >').text == "added webhook Sync"
    reply = session.handle('call_webhook "Sync"')
    assert reply.failed and "error[webhook-not-allowed]" in reply.text and "unknown-reference" not in reply.text
    session.handle(":use Nurture")  # a trigger campaign may call a webhook
    assert not session.handle('call_webhook "Sync"').failed
    assert runtime.calls[-1][:3] == ("steps", "Ops.Nurture", "ann")


def test_a_step_runs_for_the_current_person_and_shows_what_changed(fake):
    session, runtime = fake
    reply = session.handle("change_score +5")
    assert not reply.failed
    assert reply.lines == ["2026-01-01T00:00  ann  Change Score  flow=Europe.Scratch", "  ann.lead_score: 0 -> 5"]
    (call,) = runtime.calls
    assert call[:3] == ("steps", "Europe.Scratch", "ann")
    session.handle(":person bob")
    session.handle(":use Ops.ParentA")
    reply = session.handle("change_score +1")
    assert reply.lines[-1] == "  bob.lead_score: 40 -> 41"
    assert runtime.calls[-1][:3] == ("steps", "Ops.ParentA", "bob")


def test_a_scenario_command_is_checked_then_run(fake):
    session, runtime = fake
    reply = session.handle('set zed lead_status "MQL"')
    assert reply.failed and "error[unknown-person]" in reply.text and runtime.calls == []
    reply = session.handle("expect ann lead_score = 0")
    assert not reply.failed and reply.lines == ["PASS expect"]
    reply = session.handle("request ParentA for ann")
    assert reply.failed and "not-requestable" in reply.text


def test_api_tokens_given_in_the_session_show_in_tokens(fake):
    session, _ = fake
    assert not session.handle("request Nurture for ann tokens < my.score = +7 >").failed
    text = session.handle(":tokens Nurture").text
    assert 'my.score = +3  API, from scenario "api": request Nurture for ann' in text
    assert "my.score = +7  API, from this session: request Nurture for ann" in text


def test_tokens_name_the_scope_each_comes_from(session):
    text = session.handle(":tokens Score").text
    assert "my.score = +0" in text and "program Scoring  (overrides folder Operational)" in text
    assert 'my.sender = "ops@example.com"  root' in text
    assert "from Ops.ParentA (use_parent_token_context=true):" in text
    assert "my.score = +10                 program Ops" in text
    assert "Ops.ParentB calls it with use_parent_token_context=false" in text
    assert "campaign.name = Scoring.Score" in text
    assert session.handle(":tokens Nope").failed


def test_people_and_person(session):
    assert session.handle(":people").lines == [
        '* ann  email="ann@example.com"  first_name="Ann"  lead_score=0  country="NL"',
        '  bob  email="bob@example.com"  lead_score=40',
    ]
    assert session.handle(":person").lines[0] == "person ann"
    reply = session.handle(":person bob")
    assert reply.lines == ["person bob", '  email = "bob@example.com"', "  lead_score = 40"]
    assert session.person == "bob"
    reply = session.handle(":person zed")
    assert reply.failed and "no person `zed` (people: ann, bob)" in reply.text and session.person == "bob"


def test_people_declared_in_the_session_can_be_picked(tmp_path):
    session = Session()
    assert session.person is None
    session.handle('people < person cy < email "cy@example.com" > >')
    assert session.person == "cy"


def test_save_writes_the_declarations_back(session, tmp_path):
    session.handle('email "Hello" < subject "Hi" >')
    session.handle('campaign Greet <\n  flow <\n    send_email "Hello"  # hi\n  >\n>')
    session.handle("change_score +1")  # a step is not a declaration: not saved
    out = tmp_path / "saved.mkc"
    reply = session.handle(f":save {out}")
    assert reply.text == f"saved 2 declarations to {out}"
    text = out.read_text()
    assert text == (
        'workspace Europe <\n  email "Hello" < subject "Hi" >\n>\n\n'
        'workspace Europe <\n  campaign Greet <\n    flow <\n      send_email "Hello"  # hi\n    >\n  >\n>\n'
    )
    assert len(parse(text).items) == 2
    assert session.handle(f":save {out}").failed  # no silent overwrite
    assert not session.handle(f":save! {out}").failed
    again = Session(str(out))
    assert not again.startup.failed and "Europe.Greet" in [c.full_name for c in again.model.campaigns]


def test_save_refuses_a_symbolic_link_even_a_dangling_one(session, tmp_path):
    session.handle('email "Hello" < subject "Hi" >')
    target, plain = tmp_path / "elsewhere.mkc", tmp_path / "plain.mkc"
    (tmp_path / "dangling.mkc").symlink_to(target)
    plain.write_text("kept\n")
    (tmp_path / "to_plain.mkc").symlink_to(plain)
    for name in ("dangling.mkc", "to_plain.mkc"):
        for command in (":save", ":save!"):
            reply = session.handle(f"{command} {tmp_path / name}")
            assert (
                reply.failed
                and reply.text == f"{tmp_path / name} is a symbolic link: :save writes only to a plain file"
            )
    assert not target.exists() and plain.read_text() == "kept\n"


def test_save_with_nothing_typed(session, tmp_path):
    assert "nothing to save" in session.handle(f":save {tmp_path / 'x.mkc'}").text


def test_check_reports_every_problem_in_the_file(tmp_path):
    bad = tmp_path / "bad.mkc"
    bad.write_text("campaign A executable < flow < wait 1 day > >\ncampaign B < flow < execute_campaign Nope > >\n")
    session = Session(str(bad))
    assert session.startup.failed
    reply = session.handle(":check")
    assert reply.failed and "wait-in-executable" in reply.text and "unknown-reference" in reply.text
    assert f"{bad}:1:" in reply.text and reply.lines[-1] == "2 errors, 0 warnings"


def test_a_file_that_does_not_parse_still_gives_a_session(tmp_path):
    bad = tmp_path / "bad.mkc"
    bad.write_text("campaign A <\n")
    session = Session(str(bad))
    assert session.startup.failed and "input ended inside the `campaign` block" in session.startup.text
    assert not session.handle("campaign A < flow < do_nothing > >").failed
    bad.write_text("campaign Z < flow < do_nothing > >\n")
    reply = session.handle(":reload")
    assert not reply.failed and reply.lines[0].startswith(f"loaded {bad}: 2 campaigns")


def test_load_and_reload(session, tmp_path):
    assert session.handle(":load /no/such.mkc").text == "error: /no/such.mkc: no such file"
    assert session.path is not None  # the old file stays loaded
    session.handle("campaign Mine < flow < do_nothing > >")
    other = tmp_path / "other.mkc"
    other.write_text("campaign Theirs < flow < do_nothing > >\n")
    reply = session.handle(f":load {other}")
    assert not reply.failed
    names = [c.full_name for c in session.model.campaigns]
    assert "Default.Theirs" in names and "Default.Mine" in names and "Ops.ParentA" not in names
    assert Session().handle(":reload").failed


def test_commands_by_unique_prefix_and_unknown_ones(session):
    assert session.handle(":che").text == "ok: no errors, 0 warnings"
    reply = session.handle(":pe")
    assert reply.failed and reply.text == "`:pe` could be :people, :person; `:help` lists the commands"
    assert session.handle(":frobnicate").text == "no command `:frobnicate`; `:help` lists the commands"
    session.handle(":q")
    assert session.done


def test_help(session):
    text = session.handle(":help").text
    for name in (
        "help",
        "load",
        "reload",
        "check",
        "people",
        "person",
        "log",
        "tokens",
        "clock",
        "reset",
        "save",
        "quit",
        "use",
    ):
        assert f":{name}" in text
    assert session.handle(":help change_score").lines[0] == "step change_score CHANGE [field=…]"
    assert session.handle(":help member_of_list").lines[0] == "condition member_of_list LIST"
    assert session.handle(":help nothing_like_it").failed


def test_use_unknown_campaign(session):
    reply = session.handle(":use Nope")
    assert reply.failed and reply.text == "no campaign `Nope`"
    assert session.campaign is None


def test_blank_and_comment_entries_do_nothing(session):
    for text in ("", "   ", "# a note", "\n# two\n\n"):
        reply = session.handle(text)
        assert reply.lines == [] and not reply.failed


def test_vocabulary_has_the_program_names(session):
    vocab = session.vocabulary()
    campaigns = [c for c, _ in vocab.campaigns]
    assert campaigns == ["Score", "ParentA", "ParentB", "Nurture"]  # the scratch campaign is hidden
    assert vocab.people == ("ann", "bob")
    assert vocab.assets == {"list": ("Newsletter",), "email": ("Welcome",)}
    assert set(vocab.my_tokens) == {"sender", "score", "label"}
    assert "country" in vocab.fields and "lead_score" in vocab.fields
    assert ("quit", "leave (or Ctrl-D)") in vocab.commands
