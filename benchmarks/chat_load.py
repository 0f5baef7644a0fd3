"""Load test of the anonymous chat on loopback: 100 concurrent chats, 5 counsellors.

    .venv/bin/python benchmarks/chat_load.py [--chats 100] [--counsellors 5] [--messages 5]

Starts the development server (`samen runserver --noreload`, as `make run` does) on a throwaway
SQLite database in a temporary directory, signs 5 counsellors in, opens 100 chats; every person
and every counsellor follows their conversation over server-sent events. Each person sends
`--messages` messages (one a second, inside the rate limit); the counsellor answers each as it
arrives. Prints the delivery latency (from the start of the POST to the event arriving in the
other browser's stream; median and p95 ms), whether any message was lost, and the server
process's memory (peak RSS). Bounded: it gives up after --timeout seconds.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import requests
from benchlib import bench_env, log

SAMEN = str(Path(sys.executable).parent / "samen")
PASSWORD = "Chat-load-test-1!"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(env: dict[str, str], counsellors: int) -> None:
    subprocess.run([SAMEN, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    script = f"""
from samen.accounts.models import User
from samen.organisations.models import Membership, Municipality, Organisation
org, _ = Organisation.objects.get_or_create(
    name="Chat load test", municipality=Municipality.objects.get(code="GM0080"),
    defaults={{"type": "youth_care", "is_synthetic": True}})
for i in range({counsellors}):
    u = User.objects.create_user(username=f"load-c{{i}}", password={PASSWORD!r})
    Membership.objects.create(user=u, organisation=org, role="counsellor")
"""
    subprocess.run([SAMEN, "shell", "-c", script], env=env, check=True)


def csrf(session: requests.Session, base: str, path: str) -> str:
    page = session.get(base + path, timeout=10)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    return found.group(1) if found else session.cookies.get("csrftoken", "")


class Stream(threading.Thread):
    """Follows one event stream, reconnecting after each end with the last id it had."""

    def __init__(self, session: requests.Session, url: str, on_message, stop: threading.Event):
        super().__init__(daemon=True)
        self.session, self.url, self.on_message, self.stop = session, url, on_message, stop
        self.last = 0

    def run(self) -> None:
        # http.client reads a line as soon as it arrives (requests' iter_lines waits for a full
        # chunk, or for the end of a stream that has no length).
        url = urlsplit(self.url)
        while not self.stop.is_set():
            cookie = "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            try:
                conn.request("GET", f"{url.path}?after={self.last}", headers={"Cookie": cookie})
                r = conn.getresponse()
                event, data = "", ""
                while not self.stop.is_set():
                    raw = r.fp.readline()
                    if not raw:
                        break
                    line = raw.decode().rstrip("\r\n")
                    if line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: "):
                        data = line[6:]
                    elif line == "" and event:
                        if event == "message":
                            row = json.loads(data)
                            self.last = max(self.last, row["id"])
                            self.on_message(row, time.perf_counter())
                        event, data = "", ""
            except OSError:
                time.sleep(0.2)
            finally:
                conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--counsellors", type=int, default=5)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=240.0)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between messages")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="samen-chat-load-"))
    env = bench_env(f"sqlite:///{tmp / 'chat.sqlite3'}")
    env.update(
        {
            "SAMEN_VAR_DIR": str(tmp),
            "SAMEN_FIELD_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "SAMEN_PSEUDONYM_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "SAMEN_AUDIT_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "SAMEN_CHAT_MAX_WAITING": str(args.chats + 10),
            "SAMEN_LOGIN_RATE_LIMIT": "10000",
        }
    )
    server = None
    try:
        log(f"preparing a throwaway database in {tmp}")
        prepare(env, args.counsellors)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [SAMEN, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp / "server.log", "w"),  # noqa: SIM115  (closed with the process)
        )
        proc = psutil.Process(server.pid)
        for _ in range(300):  # up to a minute on a busy machine
            try:
                requests.get(base + "/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        rss_idle = proc.memory_info().rss
        stop = threading.Event()
        peak = [rss_idle]

        def sample() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], proc.memory_info().rss)
                time.sleep(0.2)

        threading.Thread(target=sample, daemon=True).start()

        counsellors = []
        for i in range(args.counsellors):
            s = requests.Session()
            token = csrf(s, base, "/account/login/")
            s.post(
                base + "/account/login/",
                data={"username": f"load-c{i}", "password": PASSWORD, "csrfmiddlewaretoken": token},
                headers={"Referer": base + "/account/login/"},
                timeout=10,
            )
            counsellors.append((s, csrf(s, base, "/chat/dienst/")))
        log(f"{args.counsellors} counsellors signed in; opening {args.chats} chats")

        sent: dict[str, float] = {}
        refused: set[str] = set()  # the sender was told it failed (an error status, a timeout)
        received: dict[str, float] = {}
        lock = threading.Lock()
        persons = []
        for _ in range(args.chats):
            s = requests.Session()
            token = csrf(s, base, "/chat/")
            s.post(base + "/chat/start/", data={"csrfmiddlewaretoken": token},
                   headers={"Referer": base + "/chat/"}, timeout=10)  # fmt: skip
            persons.append((s, csrf(s, base, "/chat/")))
        # Each counsellor takes every n-th waiting chat (ids are in the order they were opened).
        first_id = None
        queue = counsellors[0][0].get(base + "/chat/dienst/", timeout=10).text
        ids = sorted(int(x) for x in set(re.findall(r"/chat/dienst/(\d+)/oppakken/", queue)))
        first_id = ids[0]
        assert len(ids) == args.chats, f"{len(ids)} chats waiting, expected {args.chats}"

        def counsellor_of(k: int):
            return counsellors[k % args.counsellors]

        def reply(pk: int, session, token):
            def on_message(row, at):
                if row["sender"] == "person":
                    tag = row["body"]
                    with lock:
                        received[tag] = at
                    answer = "re " + tag
                    with lock:
                        sent[answer] = time.perf_counter()
                    try:
                        r = session.post(f"{base}/chat/dienst/{pk}/bericht/",
                                         data={"body": answer, "csrfmiddlewaretoken": token},
                                         headers={"Accept": "application/json",
                                                  "Referer": base + "/chat/dienst/"},
                                         timeout=120)  # fmt: skip
                        ok = r.status_code == 200
                    except requests.RequestException:
                        ok = False
                    if not ok:
                        log("reply refused")
                        with lock:
                            refused.add(answer)

            return on_message

        def person_sees(row, at):
            if row["sender"] == "counsellor":
                with lock:
                    received[row["body"]] = at

        for k, pk in enumerate(ids):
            session, token = counsellor_of(k)
            session.post(f"{base}/chat/dienst/{pk}/oppakken/", data={"csrfmiddlewaretoken": token},
                         headers={"Referer": base + "/chat/dienst/"}, timeout=30)  # fmt: skip
            Stream(session, f"{base}/chat/dienst/{pk}/stroom/", reply(pk, session, token),
                   stop).start()  # fmt: skip
        for s, _ in persons:
            Stream(s, base + "/chat/stroom/", person_sees, stop).start()
        log(f"{2 * args.chats} event streams open; persons start sending")
        time.sleep(1.0)

        def person_sends(k: int) -> None:
            s, token = persons[k]
            time.sleep(random.uniform(0, 2.0))  # people do not all type at the same instant
            for n in range(args.messages):
                tag = f"chat{first_id + k}-msg{n}-{secrets.token_hex(4)}"
                with lock:
                    sent[tag] = time.perf_counter()
                try:
                    r = s.post(base + "/chat/bericht/",
                               data={"body": tag, "csrfmiddlewaretoken": token},
                               headers={"Referer": base + "/chat/"}, timeout=120)  # fmt: skip
                    if r.status_code != 201:
                        log(f"send refused: {r.status_code}")
                        with lock:
                            refused.add(tag)
                except requests.RequestException as exc:
                    log(f"send failed: {type(exc).__name__}")
                    with lock:
                        refused.add(tag)
                time.sleep(args.interval)

        started = time.perf_counter()
        senders = [threading.Thread(target=person_sends, args=(k,)) for k in range(args.chats)]
        for t in senders:
            t.start()
        expected = 2 * args.chats * args.messages
        while time.perf_counter() - started < args.timeout:
            with lock:
                if len(received) >= expected:
                    break
            time.sleep(0.2)
        stop.set()
        with lock:
            latencies = sorted(
                (received[tag] - sent[tag]) * 1000 for tag in received if tag in sent
            )
            # A refused message was never accepted (its reply was never written either); lost is
            # what the server accepted and a stream never delivered.
            accepted = set(sent) - refused
            lost = len(accepted - set(received))
        p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
        result = {
            "chats": args.chats,
            "counsellors": args.counsellors,
            "messages_expected": expected,
            "messages_delivered": len(latencies),
            "refused": len(refused),
            "lost": lost,
            "latency_median_ms": round(statistics.median(latencies), 1) if latencies else None,
            "latency_p95_ms": round(p95, 1),
            "latency_max_ms": round(latencies[-1], 1) if latencies else None,
            "server_rss_idle_mb": round(rss_idle / 2**20, 1),
            "server_rss_peak_mb": round(peak[0] / 2**20, 1),
            "server_threads_peak": proc.num_threads(),
            "load_average": os.getloadavg(),
        }
        print(json.dumps(result, indent=2))
        return 0 if lost == 0 else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
