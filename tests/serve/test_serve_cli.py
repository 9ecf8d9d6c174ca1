"""`mkc serve` on the command line: a project with errors is refused, a
taken port is one line (exit 2), the database is locked against `mkc run
--db` while it serves, and Ctrl-C stops it cleanly."""

from __future__ import annotations

import signal
import socket

from mkc_cli import mkc
from serve_helpers import SHOP, WEEKLY, Server


def test_a_project_with_errors_is_not_served(tmp_path):
    path = tmp_path / "bad.mkc"
    path.write_text("campaign C < flow < add_to_list Missing > >\n")
    code, out, err = mkc("serve", str(path), "--db", str(tmp_path / "s.duckdb"), "--port", "0")
    assert code == 1 and out == ""
    assert "bad.mkc:1:" in err and "mkc serve: not started: the project has errors" in err
    assert not (tmp_path / "s.duckdb").exists()


def test_a_taken_port_is_one_line(tmp_path):
    path = tmp_path / "shop.mkc"
    path.write_text(SHOP)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, _, err = mkc("serve", str(path), "--db", str(tmp_path / "s.duckdb"), "--port", str(port))
    assert code == 2
    assert err == f"mkc: error: --port {port}: 127.0.0.1:{port} is in use by another process\n"


def test_credentials_go_together(tmp_path):
    path = tmp_path / "shop.mkc"
    path.write_text(SHOP)
    code, _, err = mkc("serve", str(path), "--db", str(tmp_path / "s.duckdb"), "--client-id", "x")
    assert code == 2 and err == "mkc: error: --client-id and --client-secret go together\n"


def test_the_database_is_locked_while_served_and_ctrl_c_stops(tmp_path):
    server = Server(tmp_path)
    try:
        code, _, err = mkc(
            "run", str(server.path), "--campaign", "Weekly", "--db", server.db, "--at", "2026-02-01T00:00"
        )
        assert code == 2 and err == f"mkc: error: {server.db}: in use by another process\n"
        with server.client() as http:
            assert http.post(f"/rest/v1/campaigns/{WEEKLY}/schedule.json").json()["success"]
        server.proc.send_signal(signal.SIGINT)
    finally:
        code, said = server.stop()
    assert code == 0 and said.endswith("mkc serve: stopped\n")
    # The schedule was committed: `mkc run` opens the database again.
    code, out, _ = mkc("run", str(server.path), "--campaign", "Weekly", "--db", server.db, "--at", "2026-02-01T00:00")
    assert code == 0 and "Change Score" in out


def test_declared_schedules_run_as_the_clock_passes_them(tmp_path):
    server = Server(tmp_path, "--rate-limit", "off")
    try:
        with server.client() as http:
            moved = http.post("/mkc/v1/clock.json", json={"to": "2026-03-02T12:00:00Z"}).json()["result"][0]
            assert moved == {"now": "2026-03-02T12:00:00Z", "activities": 2}  # Mar 1 and 2, 09:00
            moved = http.post("/mkc/v1/clock.json", json={"advance": "1 week"}).json()["result"][0]
            assert moved == {"now": "2026-03-09T12:00:00Z", "activities": 1}  # Mar 3, the last
            token = http.get("/rest/v1/activities/pagingtoken.json", params={"sinceDatetime": "2026-03-01"}).json()
            page = http.get("/rest/v1/activities.json", params={"nextPageToken": token["nextPageToken"]}).json()
    finally:
        server.stop()
    assert [(r["activityDate"], r["leadId"], r["activityTypeId"]) for r in page["result"]] == [
        ("2026-03-01T09:00:00Z", 1, 46),
        ("2026-03-02T09:00:00Z", 1, 46),
        ("2026-03-03T09:00:00Z", 1, 46),
    ]
    assert page["moreResult"] is False
