"""Completion offers what fits where the cursor is, from the stdlib and the loaded program."""

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from mkc.repl.completion import MkcCompleter


def complete(session, text):
    completer = MkcCompleter(session.vocabulary)
    return [c.text for c in completer.get_completions(Document(text, len(text)), CompleteEvent(True))]


def test_first_word_steps_and_keywords(session):
    assert complete(session, "chan") == [
        "change_score",
        "change_data_value",
        "change_program_status",
        "change_status_in_sfdc_campaign",
    ]
    assert "campaign" in complete(session, "camp") and "scenario" in complete(session, "")


def test_after_a_step_its_arguments_by_signature(session):
    assert complete(session, "send_email ") == ['"Welcome"']
    assert complete(session, 'send_email "W') == ['"Welcome"']
    assert complete(session, "add_to_list N") == ['"Newsletter"']  # the quote is added
    assert complete(session, "execute_campaign ") == ["Score", "ParentA", "ParentB", "Nurture"]
    assert complete(session, "execute_campaign Score ") == ["use_parent_token_context="]
    assert complete(session, "execute_campaign Score use_parent_token_context=") == ["true", "false"]
    assert "this_campaign" in complete(session, "remove_from_flow ")
    assert complete(session, "change_data_value coun") == ["country"]
    assert complete(session, "change_program_status ") == ["Scoring", "Ops"]
    assert complete(session, "interesting_moment ") == ["web", "email", "milestone"]
    assert complete(session, "change_score ") == ["<<my.sender>>", "<<my.score>>", "<<my.label>>"]
    assert complete(session, "change_score +5 ") == ["field="]  # keyword arguments after the required ones
    assert complete(session, "change_score +5 field=lead") == ["lead_score", "lead_status"]


def test_inside_a_block_only_the_current_item_counts(session):
    assert complete(session, "campaign A < flow < send_email ") == ['"Welcome"']
    assert complete(session, "campaign A < flow < do_nothing; chan")[0] == "change_score"


def test_tokens(session):
    assert complete(session, 'send_email "Hi <<my.s') == ["<<my.sender>>", "<<my.score>>"]
    assert "<<lead.first_name>>" in complete(session, "change_data_value x <<lead.f")
    assert complete(session, "<<system.") == ["<<system.date>>", "<<system.dateTime>>"]


def test_people_and_scenario_commands(session):
    assert complete(session, "set ") == ["ann", "bob"]
    assert complete(session, "set ann lead_s") == ["lead_score", "lead_status"]
    assert complete(session, "run ParentA for ") == ["ann", "bob"]
    assert complete(session, "request ") == ["Score", "ParentA", "ParentB", "Nurture"]
    assert complete(session, "event ann fills") == ["fills_out_form"]
    assert complete(session, "expect b") == ["bob"]
    assert complete(session, "expect ann member_of_l") == ["member_of_list"]
    assert complete(session, "expect ann lead_score ")[:3] == ["=", "!=", "<"]


def test_smart_lists(session):
    assert complete(session, "trigger data_") == ["data_value_changes"]
    assert complete(session, "trigger data_value_changes lead_status ") == ["from=", "to="]
    assert complete(session, "filter member_of_list ") == ['"Newsletter"']
    assert complete(session, "campaign X ") == ["batch", "trigger", "executable", "clone_of"]
    assert complete(session, "campaign X clone_of P") == ["ParentA", "ParentB"]


def test_repl_commands(session, tmp_path):
    assert complete(session, ":p") == [":people", ":person"]
    assert complete(session, ":use P") == ["ParentA", "ParentB"]
    assert complete(session, ":person ") == ["ann", "bob"]
    assert complete(session, ":help change_s") == ["change_score", "change_status_in_sfdc_campaign"]
    (tmp_path / "flows.mkc").write_text("")
    assert complete(session, f":load {tmp_path}/fl") == ["ows.mkc"]


def test_declarations_typed_in_the_session_complete(session):
    session.handle('list "VIP Customers"')
    session.handle('people < person cy < email "cy@example.com" vip true > >')
    assert complete(session, "add_to_list V") == ['"VIP Customers"']
    assert "cy" in complete(session, "set ")
    assert complete(session, "set cy v") == ["vip"]
