"""Values as JSON text, and back, for what the store keeps outside typed columns:
field values that do not fit their column, the token context of a waiting flow
(API My Tokens are AST values, `trigger.*` run-time values) and keys.

JSON's own types (null, booleans, numbers, strings) stand for themselves; the
rest are tagged objects: `{"$": "date", "v": "2026-01-05"}`, `"datetime"`,
`"tuple"`, `"score"` (a score change `{"op", "amount"}`) and `"ast"` (an AST
value, by class name, with its value encoded the same way).
"""

from __future__ import annotations

import datetime as dt
import json

from mkc.grammar import ast

_AST = {cls.__name__: cls for cls in (ast.Str, ast.Num, ast.Bool, ast.Null, ast.DateTime, ast.ScoreChange)}


def encode(value):
    """A value (run-time or literal AST) as a JSON-ready structure."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return str(value)  # a CampaignName is kept as its text
    if isinstance(value, dt.datetime):
        return {"$": "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$": "date", "v": value.isoformat()}
    if isinstance(value, (tuple, list)):
        return {"$": "tuple", "v": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, ast.ScoreChange):
        return {"$": "ast", "t": "ScoreChange", "op": value.op, "amount": value.amount}
    if isinstance(value, ast.DateTime):
        return {"$": "ast", "t": "DateTime", "v": value.value.isoformat(), "has_time": value.has_time}
    if isinstance(value, ast.Str):
        return {"$": "ast", "t": "Str", "v": value.text}
    if isinstance(value, (ast.Num, ast.Bool)):
        return {"$": "ast", "t": type(value).__name__, "v": value.value}
    if isinstance(value, ast.Null):
        return {"$": "ast", "t": "Null"}
    if isinstance(value, ast.ListValue):
        return {"$": "ast", "t": "ListValue", "v": [encode(v) for v in value.items]}
    return str(value)


def decode(data):
    """The value `encode` gave `data` for."""
    if not isinstance(data, dict):
        return data
    tag = data.get("$")
    if tag == "datetime":
        return dt.datetime.fromisoformat(data["v"])
    if tag == "date":
        return dt.date.fromisoformat(data["v"])
    if tag == "tuple":
        return tuple(decode(v) for v in data["v"])
    if tag == "ast":
        kind = data["t"]
        if kind == "ScoreChange":
            return ast.ScoreChange(data["op"], data["amount"])
        if kind == "DateTime":
            return ast.DateTime(dt.datetime.fromisoformat(data["v"]), data["has_time"])
        if kind == "Str":
            return ast.Str(data["v"])
        if kind == "Null":
            return ast.Null()
        if kind == "ListValue":
            return ast.ListValue(tuple(decode(v) for v in data["v"]))
        return _AST[kind](data["v"])
    return {k: decode(v) for k, v in data.items()}


def dumps(value) -> str:
    return json.dumps(encode(value), ensure_ascii=False, separators=(",", ":"))


def loads(text: str):
    return decode(json.loads(text))


def dump_map(mapping: dict) -> str:
    """A dict of values (field name -> value, token name -> value) as JSON text."""
    return json.dumps({k: encode(v) for k, v in mapping.items()}, ensure_ascii=False, separators=(",", ":"))


def load_map(text: str | None) -> dict:
    if not text:
        return {}
    return {k: decode(v) for k, v in json.loads(text).items()}


_KEY_TEXT: dict[tuple, str] = {}
_KEYS: dict[str, tuple] = {}


def dump_key(key: tuple) -> str:
    """A campaign's, list's or program's key (kind, workspace, names...) as text."""
    text = _KEY_TEXT.get(key)
    if text is None:
        text = _KEY_TEXT[key] = json.dumps(list(key), ensure_ascii=False, separators=(",", ":"))
    return text


def load_key(text: str) -> tuple:
    key = _KEYS.get(text)
    if key is None:
        key = _KEYS[text] = tuple(json.loads(text))
    return key
