"""Entries that run, through the real interpreter: steps, scenario commands, the world's state."""

from mkc.repl.session import Session


def lines(session, text):
    reply = session.handle(text)
    assert not reply.failed, reply.text
    return reply.lines


def test_a_bare_step_runs_for_the_current_person_in_the_scratch_campaign(session):

    assert lines(session, "change_score +5") == [
        "2026-01-01T00:00  ann  Change Score  lead_score  0 -> 5  change=+5  flow=Europe.Scratch",
        "  ann.lead_score: 0 -> 5",
    ]
    assert lines(session, 'change_data_value lead_status "MQL"')[-1] == '  ann.lead_status: null -> "MQL"'
    assert lines(session, 'send_email "Welcome"') == [
        '2026-01-01T00:00  ann  Send Email  Welcome  subject="Hi Ann"  flow=Europe.Scratch'
    ]


def test_the_current_campaign_gives_the_token_context(session):
    """The spec's worked example, typed: parent A passes +10, parent B lets the child use its own +0."""
    session.handle(":use ParentA")
    out = lines(session, "execute_campaign Score use_parent_token_context=true")
    assert out == [
        "2026-01-01T00:00  ann  Executed Campaign  Scoring.Score  qualified=TRUE  use_parent_token_context=TRUE"
        "  flow=Ops.ParentA",
        "2026-01-01T00:00  ann  Change Score  lead_score  0 -> 10  change=+10  flow=Scoring.Score  via=Ops.ParentA",
        "  ann.lead_score: 0 -> 10",
    ]
    # Score qualifies each person once (the default), so ann does not run it again.
    assert "qualified=FALSE" in lines(session, "execute_campaign Score")[0]
    session.handle(":person bob")
    session.handle(":use ParentB")
    out = lines(session, "execute_campaign Score")
    assert "change=+0" in out[1] and len(out) == 2  # no field changed
    session.handle(":use Score")
    assert "change=+0  flow=Scoring.Score" in lines(session, "change_score <<my.score>>")[0]


def test_scenario_commands_keep_one_world(session):
    assert lines(session, "at 2026-01-05T09:00") == ["(no activity)"]
    out = lines(session, "run ParentA")
    assert [line.split("  ")[1] for line in out if line.startswith("2026")] == ["ann", "ann", "bob", "bob"]
    assert "  bob.lead_score: 40 -> 50" in out
    assert lines(session, "expect ann lead_score = 10") == ["PASS expect ann lead_score = 10"]
    reply = session.handle("expect bob lead_score = 10")
    assert reply.failed and reply.lines == ["FAIL expect bob lead_score = 10, got 50"]
    assert lines(session, 'set ann lead_status "MQL"')[-1] == '  ann.lead_status: null -> "MQL"'
    assert lines(session, 'expect activity ann "Executed Campaign" campaign=Score qualified=true') == [
        'PASS expect activity ann "Executed Campaign" campaign=Score qualified=true'
    ]
    assert session.handle(":clock").lines == ["2026-01-05T09:00"]
    assert len(session.handle(":log ann").lines) == 3 and len(session.handle(":log").lines) == 5


def test_waits_are_shown_as_queued_and_advance_runs_them(session):
    lines(session, "campaign Later < flow < wait 1 day; change_score +2 > >")
    out = lines(session, "run Later for ann")
    assert out == ["  queued:", "    2026-01-02T00:00  ann waits in Europe.Later until then; then change_score"]
    assert session.handle(":clock").lines[1:] == [
        "queued (`advance` or `at` runs what falls due):",
        "  2026-01-02T00:00  ann waits in Europe.Later until then; then change_score",
    ]
    assert lines(session, "advance 1 day") == [
        "2026-01-02T00:00  ann  Change Score  lead_score  0 -> 2  change=+2  flow=Europe.Later",
        "  ann.lead_score: 0 -> 2",
    ]


def test_requests_and_triggers(session):
    out = lines(session, "request Nurture for bob tokens < my.score = +3 >")
    assert out[0] == "2026-01-01T00:00  bob  Request Campaign  Ops.Nurture  source=api"
    assert out[-1] == "  bob.lead_score: 40 -> 41"
    lines(
        session,
        'campaign OnMQL < smart_list < trigger data_value_changes lead_status to="MQL" >; '
        'flow < add_to_list "Newsletter" > >',
    )
    out = lines(session, 'set ann lead_status "MQL"')
    assert any("Add to List" in line and "flow=Europe.OnMQL" in line for line in out)
    lines(session, "deactivate OnMQL")
    assert not any("Add to List" in line for line in lines(session, 'set ann lead_status "SQL"'))


def test_people_declared_in_the_session_join_the_world(session):
    lines(session, 'people < person cy < email "cy@example.com" lead_score 7 > >')
    assert "cy" in session.runtime.people()
    session.handle(":person cy")
    assert lines(session, "change_score +1")[-1] == "  cy.lead_score: 7 -> 8"


def test_deleting_the_current_person_moves_on(session):
    out = lines(session, "delete_person")
    assert out[1:] == ["  ann: deleted", "  the current person is now bob"]
    assert session.person == "bob"
    assert [line[:5] for line in session.handle(":people").lines] == ["* bob"]


def test_a_failure_at_run_time_is_reported_and_the_session_goes_on(session):
    reply = session.handle("event ann data_value_changes lead_status")
    assert reply.failed and reply.text.startswith("error: ")
    reply = session.handle("change_score <<my.missing>>")  # the checker knows this one
    assert reply.failed and "error[undefined-token]" in reply.text and reply.lines[-1] == "not run"
    out = lines(session, "change_score <<lead.country>>")  # only running can tell: a Failed Step, logged
    assert "Failed Step  change_score" in out[0] and len(out) == 1
    assert lines(session, "change_score +1")[-1] == "  ann.lead_score: 0 -> 1"


def test_reset_starts_the_world_afresh(session):
    lines(session, "change_score +5")
    lines(session, "advance 2 days")
    assert session.handle(":reset").text == "the world starts afresh at 2026-01-01T00:00: 2 people, empty log"
    assert session.handle(":log").text == "(no activity yet)"
    assert session.handle(":people").lines[0].endswith('lead_score=0  country="NL"')


def test_the_world_survives_a_new_declaration(session):
    lines(session, "change_score +5")
    lines(session, "campaign Another < flow < change_score +1 > >")
    assert session.runtime.people()["ann"]["lead_score"] == 5
    assert lines(session, "run Another for ann")[-1] == "  ann.lead_score: 5 -> 6"


def test_without_people_a_step_says_how_to_declare_one():
    session = Session()
    reply = session.handle("change_score +1")
    assert reply.failed and "people < person ann" in reply.text


def test_a_declared_scenario_plays_in_a_fresh_world_and_leaves_it_at_its_end(tmp_path):
    import pathlib

    from mkc.interpreter import render, run_scenarios
    from mkc.load import load_source
    from mkc.source import Source

    path = pathlib.Path(__file__).resolve().parents[2] / "examples" / "token_inheritance.mkc"
    session = Session(str(path))
    session.handle("change_score +50")  # forgotten: the scenario starts afresh
    listed = lines(session, ":scenario")
    assert listed == ['  "parent context true"', '  "parent context false"', '  "API tokens come first"']

    out = lines(session, ':scenario "parent context false"')
    model = load_source(Source(str(path), path.read_text())).model
    expected = render(run_scenarios(model, ["parent context false"])).splitlines()
    assert out == [*expected, 'scenario "parent context false" passed; the world is as it left it']
    assert session.runtime.people()["ann"]["lead_score"] == 0
    assert lines(session, ":clock")[0] == "2026-01-05T09:00"

    assert lines(session, ":scenario api")[-1].startswith('scenario "API tokens come first" passed')
    ambiguous = session.handle(":scenario parent")
    assert ambiguous.failed and ambiguous.lines[-1] == '`parent` could be "parent context true", "parent context false"'
    assert session.handle(":scenario nope").failed


def test_a_failing_scenario_fails_the_entry():
    session = Session()
    session.handle('people < person ann < email "ann@example.com" lead_score 1 > >')
    session.handle('scenario "wrong" < expect ann lead_score = 2 >')
    reply = session.handle(":scenario wrong")
    assert reply.failed
    assert reply.lines[-2:] == [
        "FAIL expect ann lead_score = 2, got 1",
        'scenario "wrong" failed; the world is as it left it',
    ]


def test_without_scenarios_the_command_says_how_to_declare_one():
    assert lines(Session(), ":scenario") == ['no scenarios: declare one with `scenario "NAME" < … >`']
