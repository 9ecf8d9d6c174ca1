"""The REST API's endpoints (REST.md, Endpoints): each takes a `Call` (the
world, the merged parameters, the JSON body, the path's ids) and gives the
answer's `result` (with `moreResult` and `nextPageToken` where it pages).
They run on a worker thread; a changing one holds the world's write lock and
one transaction for its whole work."""

from __future__ import annotations

import base64
import datetime as dt
import re

import attrs

from mkc.grammar import ast
from mkc.interpreter.records import activity_date
from mkc.serve.errors import ApiError, RecordError, reason
from mkc.serve.fields import RestField, WrongType, from_json, parse_time, rest_fields, to_json
from mkc.serve.world import World, api_tokens
from mkc.stdlib.rest import REST_ACTIVITIES, attribute_names
from mkc.store import codec
from mkc.store.export import activity_records

MAX_BATCH = 300
MAX_REQUESTED = 100
DEFAULT_FIELDS = ("id", "email", "firstName", "lastName", "updatedAt", "createdAt")


@attrs.define
class Call:
    world: World
    params: dict
    body: dict
    path: dict

    def param(self, name: str, default=None):
        value = self.params.get(name)
        return default if value is None or value == "" else value

    def number(self, name: str, default: int | None = None) -> int | None:
        value = self.param(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise ApiError("1003", f"{name}: {value!r} is not a whole number") from None

    def listed(self, name: str) -> list[str]:
        value = self.param(name)
        return [v.strip() for v in str(value).split(",") if v.strip()] if value is not None else []

    def path_id(self, name: str = "id") -> int:
        return int(self.path[name])


def _fields(world: World, store) -> dict[str, RestField]:
    return rest_fields(world.model.fields, store.columns())


def _lead(handle: str, fields: dict, rest: dict[str, RestField], wanted, ids) -> dict:
    record = {}
    for name in wanted:
        if name == "id":
            record["id"] = ids.lead(handle)
            continue
        field = rest.get(name)
        if field is None:
            raise ApiError("1006", f"Field '{name}' not found")
        record[name] = to_json(fields.get(field.name))
    return record


# ---- leads ------------------------------------------------------------------------------


def describe(call: Call) -> dict:
    with call.world.read() as store:
        return {"result": [f.describe() for f in _fields(call.world, store).values()]}


def get_lead(call: Call) -> dict:
    wanted = call.listed("fields") or list(DEFAULT_FIELDS)
    with call.world.read() as store:
        ids = call.world.ids
        rest = _fields(call.world, store)
        found = call.world.find(store, "id", [_handle_of(ids, call.path_id())])
        return {"result": [_lead(h, f, rest, wanted, ids) for _, h, f in found.values()]}


def _handle_of(ids, lead_id: int) -> str:
    """The handle of the person whose REST id is `lead_id`."""
    for handle, number in ids.people.items():
        if number == lead_id:
            return handle
    return str(lead_id)


def get_leads(call: Call) -> dict:
    filter_type = call.param("filterType")
    values = call.listed("filterValues")
    if filter_type is None or not values:
        raise ApiError("1003", "filterType and filterValues are required")
    if len(values) > MAX_BATCH:
        raise ApiError("1003", f"at most {MAX_BATCH} filterValues")
    size = min(call.number("batchSize", MAX_BATCH), MAX_BATCH)
    after = _page_after(call.param("nextPageToken"))
    wanted = call.listed("fields") or list(DEFAULT_FIELDS)
    with call.world.read() as store:
        ids = call.world.ids
        rest = _fields(call.world, store)
        if filter_type == "id":
            field = "id"
            values = [_handle_of(ids, int(v)) if re.fullmatch(r"-?\d+", v) else v for v in values]
        elif filter_type in rest:
            field = rest[filter_type].name
        else:
            raise ApiError("1003", f"filterType '{filter_type}' is not a field")
        page = call.world.page_of_people(store, field, values, after, size)
        answer = {"result": [_lead(h, f, rest, wanted, ids) for _, h, f in page[:size]]}
        if len(page) > size:
            answer["nextPageToken"] = _token("p", page[size - 1][0])
        return answer


def upsert_leads(call: Call) -> dict:
    body = call.body
    action = body.get("action") or "createOrUpdate"
    if action not in ("createOnly", "updateOnly", "createOrUpdate", "createDuplicate"):
        raise ApiError("1003", f"action '{action}' is not createOnly, updateOnly or createOrUpdate")
    lookup = body.get("lookupField") or "email"
    records = body.get("input")
    if not isinstance(records, list) or not records:
        raise ApiError("1003", "input: a list of leads is required")
    if len(records) > MAX_BATCH:
        raise ApiError("1003", f"at most {MAX_BATCH} leads a call")
    world = call.world
    result = []
    with world.write() as store:
        ids = call.world.ids
        rest = _fields(world, store)
        for record in records:
            try:
                result.append(_upsert(world, store, ids, rest, record, action, lookup))
            except RecordError as err:
                result.append({"status": "skipped", "reasons": [err.error()]})
        world.created()
    return {"result": result}


def _upsert(world: World, store, ids, rest, record, action: str, lookup: str) -> dict:
    if not isinstance(record, dict):
        raise RecordError("1003", "a lead is an object of fields")
    fields = {}
    for name, value in record.items():
        if name == "id":
            continue
        field = rest.get(name)
        if field is None:
            raise RecordError("1006", f"Field '{name}' not found")
        try:
            fields[field.name] = from_json(field, value)
        except WrongType as err:
            raise RecordError("1001", f"Invalid value for field '{name}': {err}") from None
    if lookup == "id":
        key, value = "id", record.get("id")
        value = _handle_of(ids, int(value)) if isinstance(value, int) and not isinstance(value, bool) else value
    else:
        field = rest.get(lookup)
        if field is None:
            raise RecordError("1006", f"Lookup field '{lookup}' not found")
        key, value = field.name, fields.get(field.name)
    existing = world.find(store, key, [value]).get(str(value)) if value is not None else None
    if existing is None or action == "createDuplicate":
        if action == "updateOnly":
            raise RecordError("1004")
        if lookup == "id" and value is not None:
            raise RecordError("1004")
        pid, handle = world.create(fields)
        return {"id": ids.lead(handle), "status": "created"}
    if action == "createOnly":
        raise RecordError("1005")
    pid, handle, was = existing
    world.update(pid, handle, was, fields)
    return {"id": ids.lead(handle), "status": "updated"}


# ---- lists ------------------------------------------------------------------------------


def get_lists(call: Call) -> dict:
    world = call.world
    names = set(call.listed("name"))
    result = []
    for list_id, (node, scope) in sorted(world.lists.items()):
        if names and node.name not in names:
            continue
        program = scope if scope.kind == "program" else None
        result.append(
            {
                "id": list_id,
                "name": node.name,
                "programName": program.name if program is not None else None,
                "workspaceName": scope.workspace,
            }
        )
    return {"result": result}


def list_leads(call: Call, add: bool) -> dict:
    world = call.world
    list_id = call.path_id("list")
    if list_id not in world.lists:
        raise ApiError("1013", f"List {list_id} not found")
    records = call.body.get("input") or [{"id": v} for v in call.listed("id")]
    if not isinstance(records, list) or len(records) > MAX_BATCH:
        raise ApiError("1003", f"input: up to {MAX_BATCH} leads as {{id}}")
    result, people = [], []
    with world.write() as store:
        ids = call.world.ids
        for record in records:
            lead_id = record.get("id") if isinstance(record, dict) else None
            found = _person(world, store, ids, lead_id)
            if found is None:
                result.append({"id": lead_id, "status": "skipped", "reasons": [reason("1004")]})
                continue
            people.append(found)
            result.append({"id": int(lead_id), "status": "added" if add else "removed"})
        world.list_member(list_id, people, add)
    return {"result": result}


def _person(world: World, store, ids, lead_id):
    """(pid, handle) of the person with REST id `lead_id`, or None."""
    try:
        number = int(lead_id)
    except (TypeError, ValueError):
        return None
    found = world.find(store, "id", [_handle_of(ids, number)])
    return next(((pid, handle) for pid, handle, _ in found.values()), None)


def add_to_list(call: Call) -> dict:
    return list_leads(call, True)


def remove_from_list(call: Call) -> dict:
    return list_leads(call, False)


# ---- campaigns --------------------------------------------------------------------------


def triggerable(world: World, campaign) -> bool:
    """Active and listening to `campaign_is_requested` with source `api` (or any source)."""
    if not campaign.active or campaign.kind != "trigger":
        return False
    for trigger in world.model.bound.triggers_of(campaign):  # as the checker bound them
        if trigger.name != "campaign_is_requested":
            continue
        source = trigger.args.get("source")
        text = source.name if isinstance(source, ast.Ref) else getattr(source, "text", None)
        if source is None or (text or "").casefold() == "api":
            return True
    return False


def _campaign_record(world: World, campaign_id: int, campaign) -> dict:
    program = campaign.program
    return {
        "id": campaign_id,
        "name": campaign.name,
        "description": campaign.description or "",
        "type": "batch" if campaign.kind == "batch" else "trigger",
        "programName": program.name,
        "programId": world.keys.id_of(program),
        "workspaceName": campaign.workspace,
        "active": campaign.active,
    }


def get_campaign(call: Call) -> dict:
    world = call.world
    campaign = world.campaigns.get(call.path_id())
    return {"result": [] if campaign is None else [_campaign_record(world, call.path_id(), campaign)]}


def get_campaigns(call: Call) -> dict:
    world = call.world
    wanted_ids = {int(v) for v in call.listed("id") if v.lstrip("-").isdigit()}
    names, programs = set(call.listed("name")), set(call.listed("programName"))
    workspaces = set(call.listed("workspaceName"))
    triggerable_only = str(call.param("isTriggerable", "")).casefold() == "true"
    size = min(call.number("batchSize", MAX_BATCH), MAX_BATCH)
    after = _page_after(call.param("nextPageToken"))
    chosen = [
        (cid, c)
        for cid, c in sorted(world.campaigns.items())
        if (not wanted_ids or cid in wanted_ids)
        and (not names or c.name in names)
        and (not programs or c.program.name in programs)
        and (not workspaces or c.workspace in workspaces)
        and (not triggerable_only or triggerable(world, c))
        and cid > after
    ]
    answer = {"result": [_campaign_record(world, cid, c) for cid, c in chosen[:size]]}
    if len(chosen) > size:
        answer["nextPageToken"] = _token("p", chosen[size - 1][0])
    return answer


def _campaign(call: Call):
    campaign = call.world.campaigns.get(call.path_id())
    if campaign is None:
        raise ApiError("1013", f"Campaign {call.path_id()} not found")
    return campaign


def trigger_campaign(call: Call) -> dict:
    world = call.world
    campaign = _campaign(call)
    if not triggerable(world, campaign):
        raise ApiError("1003", f"Campaign {call.path_id()} is not requestable (active, campaign_is_requested)")
    given = call.body.get("input") or {}
    leads = given.get("leads") if isinstance(given, dict) else None
    if not isinstance(leads, list) or not leads:
        raise ApiError("1003", "input.leads: a list of {id} is required")
    if len(leads) > MAX_REQUESTED:
        raise ApiError("1003", f"at most {MAX_REQUESTED} leads a request")
    tokens = api_tokens(given.get("tokens"))
    with world.write() as store:
        ids = call.world.ids
        people = [p for p in (_person(world, store, ids, (r or {}).get("id")) for r in leads) if p is not None]
        world.request(campaign, list(dict.fromkeys(people)), tokens)
    return {"result": [{"id": call.path_id()}]}


def schedule_campaign(call: Call) -> dict:
    world = call.world
    campaign = _campaign(call)
    if campaign.kind != "batch":
        raise ApiError("1003", f"Campaign {call.path_id()} is a trigger campaign: only batch campaigns are scheduled")
    given = call.body.get("input") or {}
    if not isinstance(given, dict):
        raise ApiError("1003", "input must be an object")
    tokens = api_tokens(given.get("tokens"))
    with world.write():
        when = _time(given["runAt"], "runAt") if given.get("runAt") else world.clock + dt.timedelta(minutes=5)
        world.schedule(campaign, when, tokens)
    return {"result": [{"id": call.path_id()}]}


# ---- activities -------------------------------------------------------------------------


def activity_types(call: Call) -> dict:
    result = []
    for spec in sorted(REST_ACTIVITIES.values(), key=lambda s: s.type_id):
        entry = {"id": spec.type_id, "name": spec.name, "description": spec.description}
        if spec.primary is not None:
            entry["primaryAttribute"] = {"name": spec.primary.replace("_", " ").capitalize(), "dataType": "string"}
        entry["attributes"] = [{"name": n, "dataType": "string"} for n in attribute_names(spec)]
        result.append(entry)
    return {"result": result}


def paging_token(call: Call) -> dict:
    since = call.param("sinceDatetime")
    if since is None:
        raise ApiError("1003", "sinceDatetime is required")
    when = _time(since, "sinceDatetime")
    return {"result": [], "nextPageToken": _token("a", when.isoformat(), -1)}


def activities(call: Call) -> dict:
    token = call.param("nextPageToken")
    if token is None:
        raise ApiError("1003", "nextPageToken is required (GET /rest/v1/activities/pagingtoken.json)")
    when, seq = _read_token(token, "a")
    size = min(call.number("batchSize", MAX_BATCH), MAX_BATCH)
    types = [int(t) for t in call.listed("activityTypeIds") if t.lstrip("-").isdigit()]
    leads = [int(t) for t in call.listed("leadIds") if t.lstrip("-").isdigit()]
    list_id = call.number("listId")
    world = call.world
    where = ["(time > ? OR (time = ? AND seq > ?))"]
    params: list = [when, when, seq]
    with world.read() as store:
        ids = call.world.ids
        if list_id is not None:
            node = world.lists.get(list_id)
            if node is None:
                raise ApiError("1013", f"List {list_id} not found")
            where.append("pid IN (SELECT pid FROM list_members WHERE list_key = ?)")
            params.append(codec.dump_key(world.keys(node[0])))
        if leads:
            handles = [_handle_of(ids, n) for n in leads]
            where.append(f"person IN ({', '.join('?' for _ in handles)})")
            params += handles
        if types:
            names = [n for n, s in REST_ACTIVITIES.items() if s.type_id in types]
            if not names:
                names = [""]
            where.append(f"type IN ({', '.join('?' for _ in names)})")
            params += names
        records = activity_records(store, None, ids, " AND ".join(where), params, limit=size + 1)
        page = list(records)
    more = len(page) > size
    page = page[:size]
    if page:
        last = page[-1]
        when = dt.datetime.strptime(last["activityDate"], "%Y-%m-%dT%H:%M:%SZ")
        next_token = _token("a", when.isoformat(), last["id"])
    else:
        next_token = token
    return {"result": page, "moreResult": more, "nextPageToken": next_token}


# ---- the clock --------------------------------------------------------------------------

_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(minute|hour|day|week|month)s?\s*", re.IGNORECASE)


def get_clock(call: Call) -> dict:
    with call.world.read() as store:
        return {"result": [{"now": activity_date(store.clock), "activities": 0}]}


def move_clock(call: Call) -> dict:
    world = call.world
    body = call.body
    advance, to = body.get("advance"), body.get("to")
    if (advance is None) == (to is None):
        raise ApiError("1003", 'give {"advance": "3 days"} or {"to": "2026-03-01T09:00:00Z"}')
    with world.write() as store:
        now = store.clock
        if advance is not None:
            match = _DURATION.fullmatch(str(advance))
            if match is None:
                raise ApiError("1003", f"advance: {advance!r} is not a duration such as '3 days'")
            amount = float(match.group(1)) if "." in match.group(1) else int(match.group(1))
            try:
                target = now + ast.Duration(amount, match.group(2).casefold()).delta
            except OverflowError:
                raise ApiError("1003", f"advance: {advance!r} goes past the end of the clock") from None
        else:
            target = _time(to, "to")
        if target < now:
            raise ApiError("1003", f"the clock never goes back: it is {activity_date(now)}")
        logged = world.advance(target)
    return {"result": [{"now": activity_date(target), "activities": logged}]}


# ---- helpers ----------------------------------------------------------------------------


def _time(text, name: str) -> dt.datetime:
    try:
        return parse_time(str(text))
    except ValueError:
        raise ApiError("1003", f"{name}: {text!r} is not an ISO-8601 date-time") from None


def _token(kind: str, *parts) -> str:
    text = "|".join([kind, *map(str, parts)])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _read_token(token: str, kind: str) -> tuple:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        found, *parts = text.split("|")
        if found != kind:
            raise ValueError
        if kind == "a":
            return dt.datetime.fromisoformat(parts[0]), int(parts[1])
        return (int(parts[0]),)
    except (ValueError, IndexError, UnicodeDecodeError):
        raise ApiError("1003", "nextPageToken is not one this server gave") from None


def _page_after(token) -> int:
    return -(2**63) if token is None else _read_token(token, "p")[0]


_ID = r"(?P<id>\d+)"
ROUTES = {
    ("GET", r"/rest/v1/leads/describe\.json"): describe,
    ("GET", rf"/rest/v1/lead/{_ID}\.json"): get_lead,
    ("GET", r"/rest/v1/leads\.json"): get_leads,
    ("POST", r"/rest/v1/leads\.json"): upsert_leads,
    ("POST", r"/rest/v1/lists/(?P<list>\d+)/leads\.json"): add_to_list,
    ("DELETE", r"/rest/v1/lists/(?P<list>\d+)/leads\.json"): remove_from_list,
    ("GET", r"/rest/v1/lists\.json"): get_lists,
    ("GET", rf"/rest/v1/campaigns/{_ID}\.json"): get_campaign,
    ("GET", r"/rest/v1/campaigns\.json"): get_campaigns,
    ("POST", rf"/rest/v1/campaigns/{_ID}/trigger\.json"): trigger_campaign,
    ("POST", rf"/rest/v1/campaigns/{_ID}/schedule\.json"): schedule_campaign,
    ("GET", r"/rest/v1/activities/types\.json"): activity_types,
    ("GET", r"/rest/v1/activities/pagingtoken\.json"): paging_token,
    ("GET", r"/rest/v1/activities\.json"): activities,
    ("GET", r"/mkc/v1/clock\.json"): get_clock,
    ("POST", r"/mkc/v1/clock\.json"): move_clock,
}
