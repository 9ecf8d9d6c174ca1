"""The hand-written baseline: bench/campaign.mkc's batch run as plain Python.

`run(people, names, now)` does by hand what the interpreter does for
`Nurture.Qualify` (and the `Nurture.OnMQL` flows it triggers) on the same
in-memory records (`PersonState`s: fields, lists, programs), and logs the
same `Activity` records in the same order. It knows the campaign, so it
evaluates nothing: every filter, token and string is Python written for
this data (whole-number scores, text fields), with Marketo's rules spelled
out where they matter (text compares case-insensitively, an empty score is
0, a program status never moves backwards, a change that is no change logs
nothing). What it shares with the interpreter is only the output format
(`Activity`, `CampaignName`) and the stable keys of lists and programs.
"""

from __future__ import annotations

import datetime as dt

import attrs

from mkc.checker.model import Model
from mkc.interpreter import Activity
from mkc.interpreter.runtime import CampaignName, Keys


@attrs.frozen
class Names:
    """What the hand-written code hard-codes, taken from the model once:
    campaign names as the log shows them and the keys of lists, programs,
    emails and campaigns."""

    qualify: CampaignName
    score: CampaignName
    on_mql: CampaignName
    score_key: tuple
    nurture_key: tuple
    scored_key: tuple
    members_key: tuple
    welcome_key: tuple
    alert_key: tuple

    @classmethod
    def of(cls, model: Model) -> Names:
        keys = Keys(model)
        campaigns = {c.full_name: c for c in model.campaigns}
        programs = model.programs["Default"]
        scoring, nurture = programs["Scoring"], programs["Nurture"]
        return cls(
            qualify=CampaignName(campaigns["Nurture.Qualify"]),
            score=CampaignName(campaigns["Scoring.Score"]),
            on_mql=CampaignName(campaigns["Nurture.OnMQL"]),
            score_key=keys(campaigns["Scoring.Score"]),
            nurture_key=keys(nurture),
            scored_key=keys(scoring.assets["list"]["Scored"]),
            members_key=keys(nurture.assets["list"]["Nurture Members"]),
            welcome_key=keys(nurture.assets["email"]["Welcome"]),
            alert_key=keys(nurture.assets["email"]["Sales Alert"]),
        )


COUNTRIES = {"nl", "be", "de", "fr"}
NURTURE_STATUSES = ("Invited", "Engaged", "Qualified")


@attrs.define
class Stats:
    """What the run did, for people/s and steps/s."""

    entered: int = 0
    executed: int = 0  # people who qualified for Scoring.Score
    triggered: int = 0  # Nurture.OnMQL flows run

    def steps(self, parent_steps: int = 8, child_steps: int = 3, trigger_steps: int = 3) -> int:
        return self.entered * parent_steps + self.executed * child_steps + self.triggered * trigger_steps


def run(people: list, names: Names, now: dt.datetime, history: dict | None = None) -> tuple[list[Activity], Stats]:
    """Nurture.Qualify for `people` (PersonStates, changed in place) at `now`;
    `history` (campaign -> handles that ran through it) carries the
    qualification rule (`once`) between runs. Returns the log and the stats."""
    history = history if history is not None else {}
    ran_qualify = history.setdefault("qualify", set())
    ran_score = history.setdefault("score", set())
    ran_on_mql = history.setdefault("on_mql", set())
    log: list[Activity] = []
    add = log.append
    stats = Stats()
    qualify, score_campaign, on_mql = names.qualify, names.score, names.on_mql
    via_qualify = (qualify,)
    today = now.date().isoformat()
    last_touch = f"{qualify} on {today}"

    # The smart list, for everyone first: score >= 20 and (country in [...] or title contains "manager").
    entering = []
    for person in people:
        fields = person.fields
        if (fields.get("lead_score") or 0) < 20:
            continue
        country = fields.get("country")
        title = fields.get("job_title")
        in_country = country is not None and country.casefold() in COUNTRIES
        manager = title is not None and "manager" in title.casefold()
        if (in_country or manager) and person.handle not in ran_qualify:
            entering.append(person)
    stats.entered = len(entering)

    mql: list[tuple] = []  # (person, old lead_status): OnMQL flows, queued in the order they fired
    for person in entering:
        handle, fields = person.handle, person.fields
        ran_qualify.add(handle)

        # 1. execute_campaign Scoring.Score use_parent_token_context=true (my.score +10, my.tier "warm")
        qualified = bool(fields.get("email")) and handle not in ran_score
        add(
            Activity(
                now,
                handle,
                "Executed Campaign",
                {"campaign": score_campaign, "qualified": qualified, "use_parent_token_context": True},
                qualify,
                (),
                names.score_key,
            )
        )
        if qualified:
            ran_score.add(handle)
            stats.executed += 1
            old = fields.get("lead_score")
            new = (old or 0) + 10
            fields["lead_score"] = new
            add(
                Activity(
                    now,
                    handle,
                    "Change Score",
                    {"field": "lead_score", "old": old, "new": new, "change": "+10"},
                    score_campaign,
                    via_qualify,
                )
            )
            old = fields.get("score_tier")
            if old is None or old.casefold() != "warm":
                fields["score_tier"] = "warm"
                add(
                    Activity(
                        now,
                        handle,
                        "Change Data Value",
                        {"field": "score_tier", "old": old, "new": "warm"},
                        score_campaign,
                        via_qualify,
                    )
                )
            if names.scored_key not in person.lists:
                person.lists[names.scored_key] = "Scored"
                add(
                    Activity(
                        now, handle, "Add to List", {"list": "Scored"}, score_campaign, via_qualify, names.scored_key
                    )
                )

        # 2. choice on the score just changed, the country and the title
        score = fields.get("lead_score") or 0
        country = fields.get("country")
        title = fields.get("job_title")
        status = None
        if score >= 80:
            status = "MQL"
        elif score >= 50 and country is not None and country.casefold() == "nl":
            status = "Nurture"
        elif title is not None and title.casefold().startswith("vp"):
            status = "Executive"
        if status is not None:
            old = fields.get("lead_status")
            if old is None or old.casefold() != status.casefold():
                fields["lead_status"] = status
                add(
                    Activity(
                        now, handle, "Change Data Value", {"field": "lead_status", "old": old, "new": status}, qualify
                    )
                )
                if status == "MQL" and handle not in ran_on_mql:  # data_value_changes lead_status to="MQL"
                    ran_on_mql.add(handle)
                    mql.append((person, old))

        # 3. change_program_status Nurture "Engaged" (never backwards)
        _program_status(person, "Engaged", now, qualify, names.nurture_key, add)

        # 4. add_to_list "Nurture Members"
        if names.members_key not in person.lists:
            person.lists[names.members_key] = "Nurture Members"
            add(Activity(now, handle, "Add to List", {"list": "Nurture Members"}, qualify, (), names.members_key))

        # 5. send_email "Welcome": subject "Hi <<lead.first_name:default=there>>, welcome to <<my.label>>"
        first_name = fields.get("first_name") or "there"
        add(
            Activity(
                now,
                handle,
                "Send Email",
                {"email": "Welcome", "subject": f"Hi {first_name}, welcome to Spring Nurture"},
                qualify,
                (),
                names.welcome_key,
            )
        )

        # 6. interesting_moment milestone "<<lead.first_name:default=Someone>> scored <<lead.lead_score>> in ..."
        score = fields.get("lead_score")
        description = (
            f"{fields.get('first_name') or 'Someone'} scored {'' if score is None else score} in Spring Nurture"
        )
        add(Activity(now, handle, "Interesting Moment", {"type": "milestone", "description": description}, qualify))

        # 7. change_data_value last_touch "<<campaign.name>> on <<system.date>>"
        old = fields.get("last_touch")
        if old is None or old.casefold() != last_touch.casefold():
            fields["last_touch"] = last_touch
            add(
                Activity(
                    now, handle, "Change Data Value", {"field": "last_touch", "old": old, "new": last_touch}, qualify
                )
            )

        # 8. change_score +1 field=engagement
        old = fields.get("engagement")
        new = (old or 0) + 1
        fields["engagement"] = new
        add(
            Activity(
                now, handle, "Change Score", {"field": "engagement", "old": old, "new": new, "change": "+1"}, qualify
            )
        )

    # Nurture.OnMQL, once for each person whose lead_status became MQL, after the batch.
    stats.triggered = len(mql)
    for person, old_status in mql:
        handle = person.handle
        _program_status(person, "Qualified", now, on_mql, names.nurture_key, add)
        add(
            Activity(
                now,
                handle,
                "Send Alert",
                {"email": "Sales Alert", "to": "sales@example.com"},
                on_mql,
                (),
                names.alert_key,
            )
        )
        description = f"MQL: {old_status or 'new'} to MQL"
        add(Activity(now, handle, "Interesting Moment", {"type": "milestone", "description": description}, on_mql))
    return log, stats


def _program_status(person, status: str, now, flow, key, add) -> None:
    old = person.programs.get(key)
    if old == status:
        return
    if old is not None and NURTURE_STATUSES.index(status) < NURTURE_STATUSES.index(old):
        add(
            Activity(
                now,
                person.handle,
                "Change Program Status",
                {
                    "program": "Nurture",
                    "old": old,
                    "new": old,
                    "requested": status,
                    "reason": "a program status never moves backwards",
                },
                flow,
                (),
                key,
            )
        )
        return
    person.programs[key] = status
    add(
        Activity(
            now,
            person.handle,
            "Change Program Status",
            {"program": "Nurture", "old": old, "new": status},
            flow,
            (),
            key,
        )
    )
