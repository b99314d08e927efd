#!/usr/bin/env python3
"""Several instances: three `spotter serve` on one PostgreSQL behind nginx, a real Synapse.

    python3 Tests/e2e/spotter_instances_e2e.py --spotter .build/debug/spotter --db postgres://user@host:port/db

The database must be new (it is migrated here with `spotter migrate`). Starts nginx (Debian's
package) as the load balancer in front of three instances, and Synapse (Tests/e2e/synapse.sh)
with the application service at nginx. Then, through the homeserver as people would:
  - four lifters each ask a steady stream of questions in their direct room with Spotter, and a
    group room has a daily check-in scheduled for a minute during the stream;
  - every few seconds one instance is SIGKILLed and started again;
  - at the end: every question the homeserver acknowledged is answered exactly once, the replies
    in each room come in the order the questions were asked, the prompt was posted once, and
    the journal and the outbox are drained.
Prints `instances: N passed, M failed` and exits non-zero when anything failed.
Only 127.0.0.1 is contacted.
"""
import argparse
import glob
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spotter_matrix_e2e import BOT, HERE, ROOT, SYNAPSE, Results, User, http, q, wait_for  # noqa: E402

INSTANCES = 3


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_config(folder, listen, upstreams):
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in upstreams)
    return f"""# The load balancer in front of the instances (README "Beyond one machine" has the same).
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/nginx-body;
    proxy_temp_path {folder}/nginx-proxy;
    fastcgi_temp_path {folder}/nginx-fastcgi;
    uwsgi_temp_path {folder}/nginx-uwsgi;
    scgi_temp_path {folder}/nginx-scgi;
    upstream spotter {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{listen};
        client_max_body_size 2m;
        client_body_buffer_size 2m;
        location / {{
            proxy_pass http://spotter;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_connect_timeout 1s;
            proxy_read_timeout 30s;
            # A transaction (PUT) whose instance died is sent to the next one; Spotter journals
            # it there, deduplicated by event id.
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries {len(upstreams)};
        }}
    }}
}}
"""


class Instance:
    def __init__(self, binary, folder, registration, port, db, name):
        self.binary, self.folder, self.registration, self.port, self.db, self.name = binary, folder, registration, port, db, name
        self.process = None
        self.starts = 0

    def start(self):
        log = open(os.path.join(self.folder, f"{self.name}.log"), "a")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--registration", self.registration, "--homeserver", SYNAPSE,
             "--listen", f"127.0.0.1:{self.port}", "--db", self.db],
            stdout=log, stderr=log, env=dict(os.environ, LOG_LEVEL="info"), cwd=ROOT)
        self.starts += 1
        healthy = wait_for(lambda: http("GET", f"http://127.0.0.1:{self.port}/readyz", timeout=2)[0] == 200
                           if self.process.poll() is None else None, 30, interval=0.1)
        if not healthy:
            raise RuntimeError(f"{self.name} did not become ready; see {self.folder}/{self.name}.log")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def psql():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    return found[-1] if found else shutil.which("psql")


def count(db, sql):
    out = subprocess.run([psql(), "-tA", db, "-c", sql], capture_output=True, text=True)
    return int(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else -1


def timeline(user, room):
    """The room's events, oldest first (up to 1000)."""
    status, answer = http("GET", SYNAPSE + f"/_matrix/client/v3/rooms/{q(room)}/messages?dir=b&limit=1000", user.token)
    return list(reversed(answer.get("chunk", []))) if status == 200 else []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spotter", default=os.path.join(ROOT, ".build", "debug", "spotter"))
    parser.add_argument("--db", required=True, help="a new PostgreSQL database: postgres://user@host:port/db")
    parser.add_argument("--seconds", type=float, default=45, help="how long questions keep coming")
    parser.add_argument("--kill-every", type=float, default=4, help="seconds between SIGKILLs")
    parser.add_argument("--keep", action="store_true", help="leave Synapse running")
    args = parser.parse_args()
    binary = os.path.abspath(args.spotter)
    folder = tempfile.mkdtemp(prefix="spotter-instances-")
    os.chmod(folder, 0o755)
    for sub in ("nginx-body", "nginx-proxy", "nginx-fastcgi", "nginx-uwsgi", "nginx-scgi"):
        os.makedirs(os.path.join(folder, sub), mode=0o777)
        os.chmod(os.path.join(folder, sub), 0o777)
    balancer, ports = free_port(), [free_port() for _ in range(INSTANCES)]
    registration = os.path.join(folder, "registration.yaml")
    with open(registration, "w") as handle:
        handle.write(subprocess.check_output([binary, "matrix", "registration", "--url", f"http://127.0.0.1:{balancer}",
                                              "--id", "spotter", "--localpart", "coach"], text=True))
    os.chmod(registration, 0o600)
    subprocess.run([binary, "migrate", "--db", args.db], check=True, cwd=ROOT)
    with open(os.path.join(folder, "nginx.conf"), "w") as handle:
        handle.write(nginx_config(folder, balancer, ports))
    nginx = subprocess.Popen(["nginx", "-c", os.path.join(folder, "nginx.conf"), "-p", folder, "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=open(os.path.join(folder, "nginx.stderr"), "w"))
    env = dict(os.environ, SPOTTER_REGISTRATION=registration)
    subprocess.run(["bash", os.path.join(HERE, "synapse.sh"), "start"], check=True, env=env)
    secret = subprocess.check_output(["bash", os.path.join(HERE, "synapse.sh"), "secret"], text=True).strip()
    instances = [Instance(binary, folder, registration, port, args.db, f"instance{i + 1}") for i, port in enumerate(ports)]
    results = Results()
    stop_killing = threading.Event()
    kills = []
    try:
        for instance in instances:
            instance.start()
        lifters = [User(name, secret) for name in ("ivy", "jon", "kai", "lea")]
        rooms = [lifter.create_room(invite=[BOT], direct=True) for lifter in lifters]
        results.check("Spotter joins every direct room", all(wait_for(lambda r=r, u=u: BOT in u.members(r), 30)
                                                           for r, u in zip(rooms, lifters)))
        coach = lifters[0]
        group = coach.create_room(invite=[lifters[1].id, BOT])
        lifters[1].join(group)
        results.check("Spotter joins the group room", wait_for(lambda: {BOT, lifters[1].id} <= coach.members(group), 30))
        # The prompt falls due during the stream, while instances are being killed.
        due = (datetime.now(timezone.utc) + timedelta(seconds=75)).replace(second=0, microsecond=0)
        command = coach.send(group, f"!coach checkin at {due:%H:%M} UTC")
        results.check("the group's check-in is scheduled", wait_for(lambda: coach.replies(group, command), 30))

        def killer():
            while not stop_killing.wait(args.kill_every):
                victim = instances[len(kills) % INSTANCES]
                victim.kill()
                kills.append(time.time())
                time.sleep(random.uniform(0.2, 1.0))
                try:
                    victim.start()
                except RuntimeError as error:
                    print(f"restart failed: {error}")

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        asked = {room: [] for room in rooms}
        refused = 0
        started = time.time()
        number = 0
        # Until the prompt is well past due, and at least --seconds.
        end = max(started + args.seconds, due.timestamp() + 15)
        while time.time() < end:
            room, lifter = rooms[number % len(rooms)], lifters[number % len(rooms)]
            number += 1
            try:
                asked[room].append(lifter.send(room, f"q{number}: how long should I rest between sets of squats?"))
            except RuntimeError:
                refused += 1  # not acknowledged by the homeserver: not Spotter's to answer
            time.sleep(0.2)
        stop_killing.set()
        thread.join()
        total = sum(len(ids) for ids in asked.values())
        print(f"{total} questions in {time.time() - started:.0f} s, {len(kills)} instances killed, {refused} sends refused")
        for instance in instances:
            if instance.process.poll() is not None:
                instance.start()

        def answered():
            done = True
            for room, lifter in zip(rooms, lifters):
                replied = {e["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")
                           for e in timeline(lifter, room) if e.get("sender") == BOT and e.get("type") == "m.room.message"}
                done = done and set(asked[room]) <= replied
            return done
        results.check("every acknowledged question is answered", wait_for(answered, 120, interval=1))
        time.sleep(3)
        once, ordered = True, True
        for room, lifter in zip(rooms, lifters):
            replies = [e["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")
                       for e in timeline(lifter, room) if e.get("sender") == BOT and e.get("type") == "m.room.message"]
            to_questions = [r for r in replies if r in set(asked[room])]
            if len(to_questions) != len(set(to_questions)) or set(to_questions) != set(asked[room]):
                once = False
                print(f"{room}: {len(to_questions)} replies to {len(asked[room])} questions")
            if to_questions != asked[room]:
                ordered = False
                print(f"{room}: replies out of order")
        results.check("each question is answered exactly once", once)
        results.check("the replies in each room come in the order the questions were asked", ordered)
        def prompts():
            return [e for e in timeline(coach, group) if e.get("sender") == BOT
                    and e.get("content", {}).get("body", "").startswith("Good morning! Time for today's check-in")]
        wait_for(prompts, 30, interval=1)
        results.check("the scheduled prompt is posted once", len(prompts()) == 1, f"{len(prompts())} prompts")
        drained = wait_for(lambda: count(args.db, "SELECT COUNT(*) FROM journal WHERE status = 'pending'") == 0
                           and count(args.db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'") == 0, 30, interval=1)
        results.check("the journal and the outbox are drained", drained,
                      f"journal {count(args.db, 'SELECT COUNT(*) FROM journal WHERE status = $$pending$$')}, "
                      f"outbox {count(args.db, 'SELECT COUNT(*) FROM outbox WHERE status = $$pending$$')}")
        results.check("instances were killed while questions came", len(kills) >= 3, f"{len(kills)} kills")
    except Exception as error:  # a broken step fails the run, with its reason
        results.check("run", False, repr(error))
    finally:
        stop_killing.set()
        for instance in instances:
            instance.stop()
        nginx.terminate()
        nginx.wait()
        if not args.keep:
            subprocess.run(["bash", os.path.join(HERE, "synapse.sh"), "stop"], env=env)
    print(f"instances: {results.passed} passed, {results.failed} failed")
    if results.failed:
        print("logs: " + folder)
    sys.exit(1 if results.failed else 0)


if __name__ == "__main__":
    main()
