#!/usr/bin/env python3
"""End-to-end: Spotter as an application service of a real Synapse on loopback.

    python3 Tests/e2e/spotter_matrix_e2e.py --spotter .build/debug/spotter

Starts Synapse with Tests/e2e/synapse.sh (installed into .tools/, git-ignored), registers
users, starts `spotter serve`, and checks, through the homeserver as a person would:
  a. invite → Spotter joins; a question gets an m.notice reply with the avoid verdict, in reply
     to the question and mentioning the asker;
  b. in a three-person room an unaddressed message gets no reply; an addressed one (mention or
     !coach) does;
  c. a check-in completes over Matrix;
  d. Spotter stopped, a question sent, Spotter started: answered exactly once;
  e. Spotter killed between acknowledging and replying: the reply is sent once after restart;
  f. a scheduled check-in in the group room (Spotter's clock set to 07:29:40 Berlin time with
     SPOTTER_CLOCK_START): `!coach checkin at 07:30 Europe/Berlin`, the prompt appears, alice and
     bob answer in its thread, `!coach summary` shows counts only, bob's details (pain) come by DM;
  g. bob, at power level 0, is refused a schedule change; made a moderator (50) by alice, he is obeyed;
  h. alice names herself the room's coach, bob runs `!coach share`: her DM digest names bob only;
  i. Spotter's own 1-5 rating reactions are on the prompt; carol joins and taps one: `!coach summary`
     counts her quick check-in; she removes it (a redaction): no longer counted.
With --db postgres://..., the same on PostgreSQL (migrated first with `spotter migrate`).
Prints `e2e: N passed, M failed` and exits non-zero when anything failed.
Only 127.0.0.1 is contacted.
"""
import argparse
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
# SYNAPSE_PORT (as in synapse.sh) runs against a second homeserver beside another one.
SYNAPSE = "http://127.0.0.1:" + os.environ.get("SYNAPSE_PORT", "18008")
BOT = "@coach:localhost"


def http(method, url, token=None, body=None, timeout=15):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode() or "{}"
            return response.status, json.loads(text)
    except urllib.error.HTTPError as error:
        text = error.read().decode() or "{}"
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, {"raw": text}
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return 0, {"error": str(error)}


def q(text):
    return urllib.parse.quote(text, safe="")


def wait_for(predicate, timeout, interval=0.3):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


class User:
    def __init__(self, name, secret):
        self.name = name
        self.id = f"@{name}:localhost"
        password = name + "-password-e2e"
        status, nonce = http("GET", SYNAPSE + "/_synapse/admin/v1/register")
        mac = hmac.new(secret.encode(), b"\0".join([nonce["nonce"].encode(), name.encode(), password.encode(), b"notadmin"]),
                       hashlib.sha1).hexdigest()
        status, body = http("POST", SYNAPSE + "/_synapse/admin/v1/register",
                            body={"nonce": nonce["nonce"], "username": name, "password": password, "mac": mac, "admin": False})
        if status != 200 and body.get("errcode") != "M_USER_IN_USE":
            raise RuntimeError(f"register {name}: {status} {body}")
        status, body = http("POST", SYNAPSE + "/_matrix/client/v3/login",
                            body={"type": "m.login.password", "identifier": {"type": "m.id.user", "user": name},
                                  "password": password})
        if status != 200:
            raise RuntimeError(f"login {name}: {status} {body}")
        self.token = body["access_token"]
        self.counter = 0

    def create_room(self, invite=(), direct=False):
        body = {"preset": "private_chat", "invite": list(invite)}
        if direct:
            body["is_direct"] = True
        status, answer = http("POST", SYNAPSE + "/_matrix/client/v3/createRoom", self.token, body)
        if status != 200:
            raise RuntimeError(f"createRoom: {status} {answer}")
        return answer["room_id"]

    def join(self, room):
        status, answer = http("POST", SYNAPSE + f"/_matrix/client/v3/join/{q(room)}", self.token, {})
        if status != 200:
            raise RuntimeError(f"join: {status} {answer}")

    def send(self, room, body, extra=None):
        self.counter += 1
        content = {"msgtype": "m.text", "body": body}
        content.update(extra or {})
        txn = f"e2e-{int(time.time() * 1000)}-{self.counter}"
        status, answer = http("PUT", SYNAPSE + f"/_matrix/client/v3/rooms/{q(room)}/send/m.room.message/{txn}", self.token, content)
        if status != 200:
            raise RuntimeError(f"send: {status} {answer}")
        return answer["event_id"]

    def set_power_level(self, room, user, level):
        path = SYNAPSE + f"/_matrix/client/v3/rooms/{q(room)}/state/m.room.power_levels/"
        status, levels = http("GET", path, self.token)
        if status != 200:
            raise RuntimeError(f"power levels: {status} {levels}")
        levels.setdefault("users", {})[user] = level
        status, answer = http("PUT", path, self.token, levels)
        if status != 200:
            raise RuntimeError(f"set power levels: {status} {answer}")

    def invite(self, room, user):
        status, answer = http("POST", SYNAPSE + f"/_matrix/client/v3/rooms/{q(room)}/invite", self.token, {"user_id": user})
        if status != 200:
            raise RuntimeError(f"invite: {status} {answer}")

    def react(self, room, target, key):
        self.counter += 1
        txn = f"e2e-react-{int(time.time() * 1000)}-{self.counter}"
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": key}}
        status, answer = http("PUT", SYNAPSE + f"/_matrix/client/v3/rooms/{q(room)}/send/m.reaction/{txn}", self.token, content)
        if status != 200:
            raise RuntimeError(f"react: {status} {answer}")
        return answer["event_id"]

    def redact(self, room, event_id):
        self.counter += 1
        txn = f"e2e-redact-{int(time.time() * 1000)}-{self.counter}"
        status, answer = http("PUT", SYNAPSE + f"/_matrix/client/v3/rooms/{q(room)}/redact/{q(event_id)}/{txn}", self.token, {})
        if status != 200:
            raise RuntimeError(f"redact: {status} {answer}")

    def members(self, room):
        status, answer = http("GET", SYNAPSE + f"/_matrix/client/v3/rooms/{q(room)}/joined_members", self.token)
        return set(answer.get("joined", {}).keys()) if status == 200 else set()

    def events(self, room):
        status, answer = http("GET", SYNAPSE + f"/_matrix/client/v3/rooms/{q(room)}/messages?dir=b&limit=100", self.token)
        return answer.get("chunk", []) if status == 200 else []

    def replies(self, room, event_id):
        return [event for event in self.events(room)
                if event.get("sender") == BOT and event.get("type") == "m.room.message"
                and event.get("content", {}).get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id") == event_id]

    def invites(self):
        status, answer = http("GET", SYNAPSE + "/_matrix/client/v3/sync?timeout=0", self.token)
        return list(answer.get("rooms", {}).get("invite", {}).keys()) if status == 200 else []

    def bot_messages(self, room):
        return [e for e in self.events(room) if e.get("sender") == BOT and e.get("type") == "m.room.message"]


def berlin_just_before(hhmm):
    """The latest instant that is 20 s before HH:MM in Berlin and at least an hour ago, as ISO 8601."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo
    zone = ZoneInfo("Europe/Berlin")
    hour, minute = map(int, hhmm.split(":"))
    day = datetime.now(zone)
    for _ in range(3):
        candidate = day.replace(hour=hour, minute=minute, second=0, microsecond=0) - timedelta(seconds=20)
        if candidate <= datetime.now(zone) - timedelta(hours=1):
            return candidate.isoformat()
        day -= timedelta(days=1)
    raise RuntimeError("no suitable clock start")


class Spotter:
    def __init__(self, binary, folder, registration, port, db=None):
        self.binary, self.folder, self.registration, self.port = binary, folder, registration, port
        self.db = db or os.path.join(folder, "spotter.sqlite")
        self.process = None

    def start(self, env_extra=None):
        env = dict(os.environ)
        env["LOG_LEVEL"] = "info"
        env.update(env_extra or {})
        log = open(os.path.join(self.folder, "spotter.log"), "a")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--registration", self.registration, "--homeserver", SYNAPSE,
             "--listen", f"127.0.0.1:{self.port}", "--db", self.db],
            stdout=log, stderr=log, env=env, cwd=ROOT)
        healthy = wait_for(lambda: http("GET", f"http://127.0.0.1:{self.port}/healthz", timeout=2)[0] == 200
                           if self.process.poll() is None else None, 30)
        if not healthy:
            raise RuntimeError("spotter serve did not become healthy; see " + os.path.join(self.folder, "spotter.log"))

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Results:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS {name}")
        else:
            self.failed += 1
            print(f"FAIL {name} {detail}")
        sys.stdout.flush()
        return ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spotter", default=os.path.join(ROOT, ".build", "debug", "spotter"))
    parser.add_argument("--port", type=int, default=29400)
    parser.add_argument("--keep", action="store_true", help="leave Synapse running")
    parser.add_argument("--db", help="the store (a postgres:// URL: migrated first); default: a SQLite file in the run's folder")
    args = parser.parse_args()
    binary = os.path.abspath(args.spotter)
    folder = tempfile.mkdtemp(prefix="spotter-e2e-")
    registration = os.path.join(folder, "registration.yaml")
    with open(registration, "w") as handle:
        handle.write(subprocess.check_output([binary, "matrix", "registration", "--url", f"http://127.0.0.1:{args.port}",
                                              "--id", "spotter", "--localpart", "coach"], text=True))
    os.chmod(registration, 0o600)
    env = dict(os.environ, SPOTTER_REGISTRATION=registration)
    started = time.time()
    subprocess.run(["bash", os.path.join(HERE, "synapse.sh"), "start"], check=True, env=env)
    print(f"synapse ready in {time.time() - started:.1f} s")
    secret = subprocess.check_output(["bash", os.path.join(HERE, "synapse.sh"), "secret"], text=True).strip()
    alice, bob = User("alice", secret), User("bob", secret)
    if args.db and args.db.startswith("postgres"):
        subprocess.run([binary, "migrate", "--db", args.db], check=True, cwd=ROOT)
    print(f"store: {'PostgreSQL' if args.db else 'SQLite'}")
    spotter = Spotter(binary, folder, registration, args.port, args.db)
    results = Results()
    try:
        spotter.start()
        # a. Invite, join, answer.
        dm = alice.create_room(invite=[BOT], direct=True)
        joined = wait_for(lambda: BOT in alice.members(dm), 20)
        results.check("a. Spotter joins on invite", joined)
        question = alice.send(dm, "should I go to failure on squats?")
        replies = wait_for(lambda: alice.replies(dm, question), 20)
        reply = (replies or [{}])[0].get("content", {})
        results.check("a. the reply arrives", bool(replies))
        results.check("a. it is an m.notice with the avoid verdict", reply.get("msgtype") == "m.notice" and "avoid" in reply.get("body", ""),
                      json.dumps(reply)[:300])
        results.check("a. it mentions the asker and has HTML", alice.id in reply.get("m.mentions", {}).get("user_ids", [])
                      and reply.get("format") == "org.matrix.custom.html" and reply.get("formatted_body"))

        # b. Group manners.
        group = alice.create_room(invite=[bob.id, BOT])
        bob.join(group)
        results.check("b. Spotter joins the group room", wait_for(lambda: {BOT, bob.id} <= alice.members(group), 20))
        quiet = alice.send(group, "should I go to failure on squats?")
        time.sleep(6)
        results.check("b. an unaddressed message gets no reply", not alice.replies(group, quiet))
        mentioned = alice.send(group, "@coach should I go to failure on curls?", {"m.mentions": {"user_ids": [BOT]}})
        results.check("b. a mention gets a reply", wait_for(lambda: alice.replies(group, mentioned), 20))
        prefixed = bob.send(group, "!coach how long should I rest between sets of bench?")
        results.check("b. the !coach prefix gets a reply", wait_for(lambda: bob.replies(group, prefixed), 20))

        # c. A check-in over Matrix.
        start = alice.send(dm, "check in")
        first = wait_for(lambda: alice.replies(dm, start), 20)
        results.check("c. check-in starts", first and "sleep" in first[0]["content"]["body"].lower())
        answers = alice.send(dm, "slept 8h, soreness 2, energy 4, stress 2, motivation 4, no pain")
        done = wait_for(lambda: alice.replies(dm, answers), 20)
        results.check("c. check-in completes green", done and "Readiness: green" in done[0]["content"]["body"],
                      json.dumps(done)[:300] if done else "no reply")

        # d. Down, message, up: answered exactly once.
        spotter.stop(signal.SIGTERM)
        while_down = alice.send(dm, "curls to failure?")
        time.sleep(1)
        spotter.start()
        results.check("d. the question sent while Spotter was down is answered", wait_for(lambda: alice.replies(dm, while_down), 30))
        time.sleep(6)
        results.check("d. exactly once", len(alice.replies(dm, while_down)) == 1, str(len(alice.replies(dm, while_down))))

        # e. Killed between acknowledging and replying.
        spotter.stop(signal.SIGTERM)
        spotter.start({"SPOTTER_CRASH_AFTER_JOURNAL": "1"})
        crash_question = alice.send(dm, "leg press to failure?")
        died = wait_for(lambda: spotter.process.poll() is not None, 30)
        results.check("e. Spotter died after journaling", died and not alice.replies(dm, crash_question))
        spotter.start()
        results.check("e. the reply is sent after the restart", wait_for(lambda: alice.replies(dm, crash_question), 30))
        time.sleep(6)
        results.check("e. exactly once", len(alice.replies(dm, crash_question)) == 1, str(len(alice.replies(dm, crash_question))))
        # f. A scheduled check-in in the group room, with Spotter's clock set just before 07:30 Berlin time.
        spotter.stop(signal.SIGTERM)
        spotter.start({"SPOTTER_CLOCK_START": berlin_just_before("07:30")})
        command = alice.send(group, "!coach checkin at 07:30 Europe/Berlin")
        confirmed = wait_for(lambda: alice.replies(group, command), 20)
        results.check("f. the room command sets the schedule",
                      confirmed and "Daily check-in set for 07:30 Europe/Berlin" in confirmed[0]["content"]["body"],
                      json.dumps(confirmed)[:300] if confirmed else "no reply")
        prompt = wait_for(lambda: [e for e in alice.bot_messages(group)
                                   if e["content"].get("body", "").startswith("Good morning! Time for today's check-in")], 40)
        results.check("f. the prompt appears at the configured time", bool(prompt))
        root = prompt[0]["event_id"]
        thread = {"m.relates_to": {"rel_type": "m.thread", "event_id": root}}
        answer_a = alice.send(group, "slept 8h, soreness 1, energy 5, stress 1, motivation 5, no pain", thread)
        answer_b = bob.send(group, "slept 5 hours, soreness 4, energy 2, stress 4, motivation 2, sharp pain in my knee", thread)
        acks = [wait_for(lambda e=e, u=u: u.replies(group, e), 20) for e, u in ((answer_a, alice), (answer_b, bob))]
        results.check("f. both answers in the thread are acknowledged in the thread, without their details",
                      all(a and "check-in recorded" in a[0]["content"]["body"]
                          and a[0]["content"].get("m.relates_to", {}).get("event_id") == root
                          and "Readiness" not in a[0]["content"]["body"] for a in acks), json.dumps(acks)[:400])
        summary_request = alice.send(group, "!coach summary")
        summary = wait_for(lambda: alice.replies(group, summary_request), 20)
        body = summary[0]["content"]["body"] if summary else ""
        results.check("f. the summary has counts: 2 of 2 checked in, and with two no readiness breakdown that would name them",
                      "2 of 2 lifters checked in" in body and "1 red" not in body and "Too few check-ins today" in body, body[:300])
        results.check("f. the summary has no individual answers or pain",
                      body and not any(word in body.lower() for word in ("pain", "knee", "slept", "alice", "bob", "8h"))
                      and "Readiness" not in body.replace("Readiness:", "", 1), body[:300])
        invited = wait_for(lambda: bob.invites(), 20)
        details = ""
        if invited:
            bob.join(invited[0])
            found = wait_for(lambda: [e["content"]["body"] for e in bob.bot_messages(invited[0])
                                      if "Readiness" in e["content"].get("body", "")], 20)
            details = found[0] if found else ""
        results.check("f. bob's readiness and the pain follow-up come by direct message",
                      "Readiness: red" in details and "qualified professional" in details, details[:300])

        # g. Room permissions from the room's power levels: bob (level 0) is refused, then made a
        # moderator (level 50) by alice and obeyed.
        refused_request = bob.send(group, "!coach reminder off")
        refused = wait_for(lambda: bob.replies(group, refused_request), 20)
        results.check("g. a member at power level 0 is refused a schedule change",
                      refused and "Only the room's moderators" in refused[0]["content"]["body"],
                      json.dumps(refused)[:300] if refused else "no reply")
        alice.set_power_level(group, bob.id, 50)
        time.sleep(2)
        obeyed_request = bob.send(group, "!coach reminder off")
        obeyed = wait_for(lambda: bob.replies(group, obeyed_request), 20)
        results.check("g. a moderator (power level 50) is obeyed",
                      obeyed and "Reminders are off" in obeyed[0]["content"]["body"],
                      json.dumps(obeyed)[:300] if obeyed else "no reply")

        # h. The coach's private digest: alice names herself coach, bob shares, alice does not;
        # a summary time already passed today is posted late at once, with the digest by DM.
        named = alice.send(group, f"!coach coaches {alice.id}")
        results.check("h. the room's coach is named", wait_for(lambda: alice.replies(group, named), 20))
        shared = bob.send(group, "!coach share")
        results.check("h. bob agrees to share with the coach", wait_for(lambda: bob.replies(group, shared), 20))
        alice.send(group, "!coach summary at 07:30")
        digest = wait_for(lambda: [e["content"]["body"] for e in alice.bot_messages(dm)
                                   if e["content"].get("body", "").startswith("Coach digest")], 30)
        text = digest[0] if digest else ""
        results.check("h. the coach's DM digest names bob, who shared, as red with pain",
                      f"Red today: {bob.id}" in text and f"Reported pain: {bob.id}" in text, text[:400])
        results.check("h. the digest does not name alice, who did not share", text and alice.id not in text
                      and "Not sharing: 1 lifter" in text, text[:400])

        # i. One-tap check-in: Spotter's rating reactions on its prompt; carol (who did no full
        # check-in) taps 4, and the summary counts her quick check-in; her redaction removes it.
        keys = ["1\ufe0f\u20e3", "2\ufe0f\u20e3", "3\ufe0f\u20e3", "4\ufe0f\u20e3", "5\ufe0f\u20e3"]
        offered = wait_for(lambda: sorted({e["content"]["m.relates_to"]["key"] for e in alice.events(group)
                                           if e.get("sender") == BOT and e.get("type") == "m.reaction"
                                           and e.get("content", {}).get("m.relates_to", {}).get("event_id") == root}) == sorted(keys), 20)
        results.check("i. Spotter offers the 1-5 rating as reactions on its prompt", offered)
        carol = User("carol", secret)
        alice.invite(group, carol.id)
        carol.join(group)
        tapped = carol.react(group, root, keys[3])
        quick_request = alice.send(group, "!coach summary")
        quick = wait_for(lambda: alice.replies(group, quick_request), 20)
        body = quick[0]["content"]["body"] if quick else ""
        results.check("i. the summary counts carol's quick check-in",
                      "3 of 3 lifters checked in (1 by a quick rating)" in body and "carol" not in body, body[:300])
        carol.redact(group, tapped)
        removed_request = alice.send(group, "!coach summary")
        removed = wait_for(lambda: alice.replies(group, removed_request), 20)
        body = removed[0]["content"]["body"] if removed else ""
        results.check("i. carol's redaction removes her quick check-in", "2 of 3 lifters checked in." in body, body[:300])
    except Exception as error:  # a broken step fails the run, with its reason
        results.check("run", False, repr(error))
    finally:
        spotter.stop()
        if not args.keep:
            subprocess.run(["bash", os.path.join(HERE, "synapse.sh"), "stop"], env=env)
    print(f"e2e: {results.passed} passed, {results.failed} failed")
    if results.failed:
        print("logs: " + folder)
    sys.exit(1 if results.failed else 0)


if __name__ == "__main__":
    main()
