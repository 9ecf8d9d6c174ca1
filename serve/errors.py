"""Marketo's error codes (REST.md, Shape of every answer): an `ApiError`
fails the whole request; a `RecordError` skips one record, with the reason
in the record."""

from __future__ import annotations

MESSAGES = {
    "601": "Access token invalid",
    "602": "Access token expired",
    "606": "Max rate limit '100' exceeded with in '20' secs",
    "609": "Invalid JSON",
    "610": "Requested resource not found",
    "611": "System error",
    "615": "Concurrent access limit reached",
    "1001": "Invalid value",
    "1003": "Invalid request",
    "1004": "Lead not found",
    "1005": "Lead already exists",
    "1006": "Field not found",
    "1013": "Object not found",
}


class ApiError(Exception):
    def __init__(self, code: str, message: str | None = None):
        super().__init__(message or MESSAGES[code])
        self.code = code
        self.message = message or MESSAGES[code]

    def error(self) -> dict:
        return {"code": self.code, "message": self.message}


class RecordError(ApiError):
    """One record's problem: the record is skipped, the others go on."""


def reason(code: str, message: str | None = None) -> dict:
    return {"code": code, "message": message or MESSAGES[code]}
