"""The properties of the assets a flow step uses (spec section 2): what an
`email` and a `webhook` may say, as Marketo's editors have them. A name not
here would be ignored at run time (an email without its subject), so the
checker rejects it. Every property is text, tokens allowed."""

from __future__ import annotations

PROPERTIES: dict[str, tuple[str, ...]] = {
    # subject: rendered when the email is sent; from, from_name, reply_to: the sender.
    "email": ("subject", "from", "from_name", "reply_to"),
    # url and body (the payload template): rendered for each person; method: the request type.
    "webhook": ("url", "method", "body"),
}

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")  # a webhook's method; POST when not given
