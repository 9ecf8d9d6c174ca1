"""Wait steps in the columnar engine, and runs over a database holding
waiting flows: every table (`waits` too, in row order, with its `seq`) as
the reference leaves it."""

from __future__ import annotations

import datetime as dt
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from engines import AT, both, campaign, imported, model_of, run  # noqa: E402
from tables import copies, differences, dump  # noqa: E402
from wait_programs import STORED, WAITS, WITHOUT_A  # noqa: E402

from mkc.columnar import run as columnar_run  # noqa: E402
from mkc.interpreter.tokens import parse_token_value  # noqa: E402

COLUMNAR = "mkc run: columnar engine"
DAY = dt.timedelta(days=1)

PEOPLE = """Id,first_name,lead_score,lead_status,tier
1,Ann,10,Open,a
2,,5,"say ""hi"" x",a
3,Bob,,,b
4,Zed,30,MQL,b
5,,-3,Open,a
"""


def test_waits_of_every_form_go_into_the_pending_waits_table(tmp_path):
    """In the batch campaign's flow (in choices, after them), in trigger
    campaigns' (their context holds the event, old and new values), with
    API My Tokens: what comes after a wait does not run, and the rows are
    the reference's."""
    model = model_of(WAITS)
    db = imported(tmp_path, PEOPLE)
    tokens = {"label": parse_token_value("From the API")}
    said, _ = both(model, campaign(model, "P.Go"), db, tokens=tokens)
    assert said == COLUMNAR
    col = f"{db}.col1"
    rows = dump(col)["waits"][1:]
    assert len(rows) >= 10 and any('"oldvalue"' in r[-1] for r in rows) and any('"my":{"label"' in r[-1] for r in rows)


def _sequence(model_of_run, db: str, runs) -> list[str]:
    """`runs` ((model, campaign, at, until)...) with each engine on its own copy of `db`; the
    tables compared after each run; the auto side's engine lines."""
    ref, col = copies(db, "ref", "col")
    said = []
    for number, (model, name, at, until) in enumerate(runs, 1):
        r = run(model, campaign(model, name), ref, "reference", at, until=until)
        c = run(model, campaign(model, name), col, "auto", at, until=until)
        assert (r[0], r[1]) == (c[0], c[1]), f"run {number}: output differs: {c[2]}"
        assert differences(dump(ref), dump(col)) == [], f"run {number}"
        said.append(c[2].strip().splitlines()[-1])
    return said


def test_stored_waits_that_are_not_due_leave_the_engine_running(tmp_path):
    """A stores waits; B runs before they end (some of its own end with
    them: stored ones first), again after A's model is gone, then a run
    whose clock passes them: the reference resumes them."""
    full, without = model_of(STORED), model_of(WITHOUT_A)
    db = imported(tmp_path, PEOPLE)
    hour = dt.timedelta(hours=1)
    said = _sequence(
        None,
        db,
        [
            (full, "Default.A", AT, None),
            (full, "Default.B", AT + hour, None),
            (without, "Default.B", AT + 2 * hour, AT + 3 * hour),
            (full, "Default.B", AT + 3 * DAY, None),
        ],
    )
    assert said[:3] == [COLUMNAR] * 3
    assert said[3] == (
        "mkc run: reference interpreter (the columnar engine does not run Default.B: "
        "waiting flows in the database that go on in this run)"
    )


def test_stored_waits_over_several_batches_and_chunks(tmp_path, monkeypatch):
    """Each batch's activities, then its waits, numbered on; stored waits
    rewritten in batches where nobody enters (B admits the first batch's
    tier only) and in chunks where nobody does."""
    monkeypatch.setattr(columnar_run, "CHUNK", 2000)
    rows = "".join(f"{i},N{i},{i % 40},Open,{'a' if i <= 1500 else 'b'}\n" for i in range(1, 5201))
    db = imported(tmp_path, "Id,first_name,lead_score,lead_status,tier\n" + rows)
    full = model_of(STORED)
    hour = dt.timedelta(hours=1)
    said = _sequence(
        None,
        db,
        [(full, "Default.A", AT, None), (full, "Default.B", AT + hour, None), (full, "Default.A", AT + DAY, None)],
    )
    assert said == [COLUMNAR] * 3


REQUESTED = """
program P <
  campaign T <
    smart_list < trigger campaign_is_requested >
    flow < change_score +2; wait 2 days; change_score +3 >
  >
  campaign S <
    smart_list < trigger score_is_changed >
    flow < wait 1 day; interesting_moment web "<<trigger.name>> <<trigger.old_value>>" >
  >
  campaign C <
    smart_list < filter lead_score > 0 >
    flow < request_campaign P.T; change_score +1 >
  >
>
"""


def test_a_requested_campaign_waits_with_its_event(tmp_path):
    """A campaign that Request Campaign starts keeps its event (`trigger.*`:
    the campaign's name, "Campaign is Requested") in its waits' context, as
    a campaign a data change starts does."""
    model = model_of(REQUESTED)
    db = imported(tmp_path, PEOPLE)
    said, _ = both(model, campaign(model, "P.C"), db)
    assert said == COLUMNAR
    rows = dump(f"{db}.col1")["waits"][1:]
    assert any('"triggername":"Campaign is Requested"' in r[-1] for r in rows)
