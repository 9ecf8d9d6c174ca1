"""The properties of the assets a flow step uses (spec section 2): what an
`email` and a `webhook` may say, as Marketo's editors have them. A name not
here would be ignored at run time (an email without its subject), so the
checker rejects it."""

from __future__ import annotations

# kind -> property -> what it holds. Every property is text (tokens allowed).
PROPERTIES: dict[str, dict[str, str]] = {
    "email": {
        "subject": "the subject line, rendered when the email is sent",
        "from": "the from address",
        "from_name": "the from name",
        "reply_to": "the reply-to address",
    },
    "webhook": {
        "url": "the address called, rendered for each person",
        "method": "the request type: GET, POST, PUT, PATCH or DELETE (default POST)",
        "body": "the payload template, rendered for each person",
    },
}

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
