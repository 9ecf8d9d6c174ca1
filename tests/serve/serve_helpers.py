"""A real `mkc serve` process on a free loopback port, for the tests: started
once per test module, stopped (SIGTERM) at its end."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx

SHOP = """
list "Newsletter"
email "Welcome" < subject "Hi <<lead.first_name:default=there>>" >

program Scoring <
  tokens < my.score = +1 >
  campaign Score executable < flow < change_score <<my.score>> > >
>
program Web <
  tokens < my.score = +5 >
  campaign Requested <
    smart_list < trigger campaign_is_requested source=api >
    flow <
      execute_campaign Score use_parent_token_context=true
      send_email "Welcome"
    >
    qualification every_time
  >
  campaign OnList <
    smart_list < trigger added_to_list "Newsletter" >
    flow < wait 1 day; change_data_value lead_status "Subscribed" >
    qualification every_time
  >
  campaign Weekly batch <
    smart_list < filter lead_score >= 0 >
    flow < change_score +2 >
    qualification every_time
  >
  campaign Created <
    smart_list < trigger person_is_created >
    flow < change_score +10 >
  >
  campaign Nightly batch <
    smart_list < filter email = "ann@example.com" >
    flow < interesting_moment milestone "nightly <<system.date>>" >
    qualification every_time
    schedule at 2026-03-01T09:00 every 1 day until 2026-03-03T09:00
  >
  campaign Flowing <
    smart_list < trigger campaign_is_requested source=flow_action >
    flow < do_nothing >
  >
>
fields < renewal_date date "Renewal Date" >
people < person ann < email "ann@example.com" first_name "Ann" lead_score 0 > >
"""
# The project's numbering (declaration order).
SCORE, REQUESTED, ON_LIST, WEEKLY, CREATED, NIGHTLY, FLOWING = 1001, 1002, 1003, 1004, 1005, 1006, 1007
NEWSLETTER = 1001


class Server:
    def __init__(self, tmp_path, *options, text: str = SHOP, env: dict | None = None):
        self.path = tmp_path / "shop.mkc"
        self.path.write_text(text)
        self.db = str(tmp_path / "state.duckdb")
        args = [sys.executable, "-c", "from mkc.cli import main; main()", "serve", str(self.path), "--db", self.db]
        self.proc = subprocess.Popen(
            [*args, "--port", "0", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.said = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.said.append(line)
            found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
            if found:
                self.url = f"http://127.0.0.1:{found.group(1)}"
                return
        self.proc.kill()
        raise RuntimeError("mkc serve did not start: " + "".join(self.said) + self.proc.stderr.read())

    def token(self, client_id="any", secret="any") -> str:
        answer = httpx.get(
            f"{self.url}/identity/oauth/token",
            params={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        )
        return answer.json()["access_token"]

    def client(self, token: str | None = None) -> httpx.Client:
        """An httpx client with a fresh access token."""
        token = token or self.token()
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)

    def stop(self) -> tuple[int, str]:
        """SIGTERM, and wait: the exit status and what it said on stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return self.proc.returncode, "".join(self.said) + err
