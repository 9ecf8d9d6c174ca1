"""`mkc serve`: a Marketo-compatible REST API over a project and a database
(../shared/spec/REST.md), so integrations can be tested against mkc.

- `command.py`: the command line (`mkc serve PATH --db DB`);
- `app.py`: HTTP: parsing, tokens, rate limits, Marketo JSON answers;
- `endpoints.py`: one function per endpoint;
- `world.py`: what a request does to the database, through the interpreter
  and the store (the same as `mkc run --db`);
- `fields.py`: fields by REST name, values checked against their type;
- `errors.py`: Marketo's error codes.
"""
