"""`mkc serve` under load: `python -m bench.serve_load [--clients 10] [--requests 1000]`.

A real server (`--rate-limit off`) on a loopback port, over a new database;
CLIENTS threads, each with its own connection, send REQUESTS mixed requests
each: half lead upserts (a new person each: New Lead, and a trigger campaign
changes a field), three in ten campaign requests (one of the client's people,
with a token: Request Campaign, Change Score, Send Email), two in ten
activity reads (the client's last person's activities). Reports throughput,
p50/p99 latency per kind, and the server's peak memory; then checks that
nothing was lost: every upserted person is there, and the log holds exactly
the activities those requests make (read back through the API, and counted
in `mkc db export` after the server stops).

A second, short run with the default limits (`--rate-limit marketo`) checks
that the 101st call within 20 s answers 606 rather than failing.

Not a test: the figures depend on the machine (shared, here); the README
quotes one run.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import httpx

PROGRAM = """
email "Thanks" < subject "Thanks <<lead.first_name:default=you>>" >
program Web <
  tokens < my.points = +5 >
  campaign Requested <
    smart_list < trigger campaign_is_requested source=api >
    flow < change_score <<my.points>>; send_email "Thanks" >
    qualification every_time
  >
  campaign Created <
    smart_list < trigger person_is_created >
    flow < change_data_value lead_status "New" >
  >
>
"""
REQUESTED = 1001
MKC = "from mkc.cli import main; main()"
PER_UPSERT, PER_REQUEST = 2, 3  # activities each makes


class Server:
    def __init__(self, folder: pathlib.Path, *options: str):
        (folder / "load.mkc").write_text(PROGRAM)
        self.db = str(folder / "load.duckdb")
        command = [sys.executable, "-c", MKC, "serve", str(folder / "load.mkc"), "--db", self.db, "--port", "0"]
        self.proc = subprocess.Popen([*command, *options], stderr=subprocess.PIPE, text=True)
        for line in self.proc.stderr:
            found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
            if found:
                self.url = f"http://127.0.0.1:{found.group(1)}"
                break
        else:
            raise SystemExit("mkc serve did not start")
        token = httpx.get(f"{self.url}/identity/oauth/token", params={"client_id": "x", "client_secret": "y"})
        self.token = token.json()["access_token"]

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=600)

    def peak_memory(self) -> int:
        """The server's peak resident memory (kB), from Linux's /proc."""
        with open(f"/proc/{self.proc.pid}/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM"))

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.communicate(timeout=600)
        return self.proc.returncode


def client_work(server: Server, number: int, requests: int, timings: dict, errors: list) -> None:
    mine: list[int] = []
    with server.client() as http:
        for i in range(requests):
            kind = "upsert" if i % 10 < 5 or not mine else "request" if i % 10 < 8 else "read"
            started = time.perf_counter()
            if kind == "upsert":
                lead = {"email": f"c{number}-{i}@example.com", "firstName": f"C{number}"}
                answer = http.post("/rest/v1/leads.json", json={"input": [lead]}).json()
                if answer.get("success"):
                    mine.append(answer["result"][0]["id"])
            elif kind == "request":
                body = {"input": {"leads": [{"id": mine[-1]}], "tokens": [{"name": "{{my.points}}", "value": "+2"}]}}
                answer = http.post(f"/rest/v1/campaigns/{REQUESTED}/trigger.json", json=body).json()
            else:
                token = http.get("/rest/v1/activities/pagingtoken.json", params={"sinceDatetime": "2025-01-01"})
                page = {"nextPageToken": token.json()["nextPageToken"], "leadIds": mine[-1]}
                answer = http.get("/rest/v1/activities.json", params=page).json()
            timings[kind].append(time.perf_counter() - started)
            if not answer.get("success"):
                errors.append((kind, answer))


def all_activities(server: Server) -> list[dict]:
    with server.client() as http:
        token = http.get("/rest/v1/activities/pagingtoken.json", params={"sinceDatetime": "2025-01-01"})
        page_token, found = token.json()["nextPageToken"], []
        while True:
            page = http.get("/rest/v1/activities.json", params={"nextPageToken": page_token}).json()
            found += page["result"]
            if not page["moreResult"]:
                return found
            page_token = page["nextPageToken"]


def load_run(clients: int, requests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(pathlib.Path(tmp), "--rate-limit", "off")
        kinds = ("upsert", "request", "read")
        timings: dict[str, list[float]] = {k: [] for k in kinds}
        errors: list = []
        threads = [
            threading.Thread(target=client_work, args=(server, n, requests, timings, errors)) for n in range(clients)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        peak = server.peak_memory()
        total = sum(len(v) for v in timings.values())
        rate = total / elapsed
        print(f"{clients} clients x {requests} requests: {total:,} in {elapsed:.1f} s, {rate:,.0f} requests/s")
        every = sorted(t for v in timings.values() for t in v)
        for kind, values in [("all", every), *((k, sorted(timings[k])) for k in kinds)]:
            p50, p99 = statistics.median(values), values[int(len(values) * 0.99) - 1]
            print(f"  {kind:8} {len(values):6,}  p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms")
        print(f"  server peak memory: {peak / 1024:.0f} MB")
        # Nothing lost.
        upserts, triggers = len(timings["upsert"]), len(timings["request"])
        emails = [f"c{n}-{i}@example.com" for n in range(clients) for i in range(requests) if i % 10 < 5]
        found = 0
        with server.client() as http:
            for at in range(0, len(emails), 300):
                chunk = ",".join(emails[at : at + 300])
                answer = http.post(
                    "/rest/v1/leads.json", data={"_method": "GET", "filterType": "email", "filterValues": chunk}
                )
                found += len(answer.json()["result"])
        expected = upserts * PER_UPSERT + triggers * PER_REQUEST
        through_api = len(all_activities(server))
        assert server.stop() == 0
        out = pathlib.Path(tmp) / "a.jsonl"
        subprocess.run([sys.executable, "-c", MKC, "db", "export", str(out), "--db", server.db], check=True)
        exported = len(out.read_text().splitlines())
        print(f"  people: {found:,} of {len(emails):,} upserted; errors: {len(errors)}")
        print(f"  activities: {through_api:,} through the API, {exported:,} exported, {expected:,} expected")
        ok = not errors and found == len(emails) and through_api == exported == expected
        print("  nothing lost" if ok else "  MISMATCH")
        if not ok:
            raise SystemExit(1)


def limit_run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(pathlib.Path(tmp))
        with server.client() as http:
            answers = [http.get("/mkc/v1/clock.json").json() for _ in range(101)]
        server.stop()
        codes = [None if a["success"] else a["errors"][0]["code"] for a in answers]
        ok = codes[:100] == [None] * 100 and codes[100] == "606"
        print(f"default limits: calls 1-100 answered, call 101: {codes[100]}" + ("" if ok else "  MISMATCH"))
        if not ok:
            raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("MKC_PROGRESS", "lines")
    load_run(args.clients, args.requests)
    limit_run()


if __name__ == "__main__":
    main()
