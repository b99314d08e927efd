#!/usr/bin/env python3
"""Figures for issue 10's server items (figures only; nothing here passes or fails on a number).

  python3 scripts/bench_hostile.py [--bin .build/debug]

Starts a homeserver stand-in and `spotter serve` (with the webhook channel) on loopback, then:
  - Matrix transaction acknowledgement latency, alone and while 1 MiB webhooks are processed;
  - /healthz latency while three 0.5 MiB webhooks are processed;
  - webhook throughput (small messages, 4 concurrent senders);
  - server memory (RSS) with 60 unauthenticated connections that each announce 8 MiB minus one
    byte of body and send the first 2 MiB;
  - how long one 64 KiB webhook of unknown words takes (the typo corrector's worst case).
"""
import argparse, base64, hashlib, hmac, json, os, socket, subprocess, sys, tempfile, threading, time, urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--bin", default=".build/debug")
args = parser.parse_args()
spotter = os.path.join(args.bin, "spotter")
server = os.path.join(args.bin, "spotter-server")
work = tempfile.mkdtemp()
key = os.urandom(32)
secret = "whsec_" + base64.b64encode(key).decode()
processes = []


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def wait(url):
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1); return
        except Exception:
            time.sleep(0.1)
    sys.exit(f"timeout waiting for {url}")


hs_port, port = free_port(), free_port()
processes.append(subprocess.Popen([server, "bench", "fake-homeserver", "--listen", f"127.0.0.1:{hs_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
registration = subprocess.run([spotter, "matrix", "registration", "--url", f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True).stdout
with open(f"{work}/registration.yaml", "w") as f: f.write(registration)
os.chmod(f"{work}/registration.yaml", 0o600)
hs_token = [l.split('"')[1] for l in registration.splitlines() if l.startswith("hs_token:")][0]
time.sleep(1)
env = dict(os.environ, LOG_LEVEL="error", SPOTTER_WEBHOOK_SECRET=secret)
processes.append(subprocess.Popen([spotter, "serve", "--registration", f"{work}/registration.yaml", "--homeserver", f"http://127.0.0.1:{hs_port}",
                                   "--listen", f"127.0.0.1:{port}", "--db", f"{work}/s.sqlite"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
base = f"http://127.0.0.1:{port}"
wait(base + "/healthz")
pid = processes[-1].pid


def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        return int([l for l in f if l.startswith("VmRSS")][0].split()[1]) / 1024


def webhook(text, user="bench"):
    body = json.dumps({"user": user, "text": text}).encode()
    wid, ts = os.urandom(8).hex(), str(int(time.time()))
    sig = base64.b64encode(hmac.new(key, f"{wid}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
    request = urllib.request.Request(base + "/webhook", data=body, method="POST", headers={
        "webhook-id": wid, "webhook-timestamp": ts, "webhook-signature": "v1," + sig, "Content-Type": "application/json"})
    return urllib.request.urlopen(request, timeout=120).status


txn = [0]


def ack_seconds():
    txn[0] += 1
    request = urllib.request.Request(f"{base}/_matrix/app/v1/transactions/b{txn[0]}", data=b'{"events": []}', method="PUT",
                                     headers={"Authorization": f"Bearer {hs_token}", "Content-Type": "application/json"})
    start = time.perf_counter(); urllib.request.urlopen(request, timeout=120).read(); return time.perf_counter() - start


def get_seconds(path):
    start = time.perf_counter(); urllib.request.urlopen(base + path, timeout=120).read(); return time.perf_counter() - start


def during(load, measure, count):
    threads = [threading.Thread(target=load) for _ in range(count)]
    for t in threads: t.start()
    time.sleep(0.05)
    value = measure()
    for t in threads: t.join()
    return value


words = " ".join("zx" + os.urandom(4).hex().translate(str.maketrans("0123456789", "ghijklmnop")) for _ in range(20000))
mib = ("squat 100kg x 5 " * 70000)[: 1024 * 1024 - 200]
half = mib[: 512 * 1024]
print(f"machine: {os.cpu_count()} cores; binaries: {args.bin}")
alone = sorted(ack_seconds() for _ in range(20))[10]
print(f"transaction ack alone (median of 20): {alone * 1000:.1f} ms")
print(f"transaction ack while one 1 MiB webhook is processed: {during(lambda: webhook(mib), ack_seconds, 1) * 1000:.1f} ms")
print(f"/healthz while three 0.5 MiB webhooks are processed: {during(lambda: webhook(half), lambda: get_seconds('/healthz'), 3) * 1000:.1f} ms")
def big_transaction():
    txn[0] += 1
    events = [{"event_id": f"$big{txn[0]}-{i}", "room_id": f"!dm{i}:bench", "sender": f"@u{i}:bench", "type": "m.room.message",
               "origin_server_ts": int(time.time() * 1000), "content": {"msgtype": "m.text", "body": words[: 64 * 1024 - 100]}} for i in range(16)]
    request = urllib.request.Request(f"{base}/_matrix/app/v1/transactions/big{txn[0]}", data=json.dumps({"events": events}).encode(), method="PUT",
                                     headers={"Authorization": f"Bearer {hs_token}", "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=120).read()


big_transaction()
time.sleep(0.05)
print(f"empty-transaction ack while sixteen 64 KiB events are handled: {max(ack_seconds() for _ in range(10)) * 1000:.1f} ms (worst of 10)")
start = time.perf_counter(); webhook(words[: 64 * 1024 - 100]); print(f"one 64 KiB webhook of unknown words: {(time.perf_counter() - start) * 1000:.1f} ms")
count = [0]
stop_at = time.perf_counter() + 5


def sender(i):
    n = 0
    while time.perf_counter() < stop_at:
        webhook("should I go to failure on squats?", user=f"u{i}-{n % 50}"); n += 1
    count[0] += n


threads = [threading.Thread(target=sender, args=(i,)) for i in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print(f"webhook throughput, 4 senders, 5 s: {count[0] / 5:.0f} requests/s")
before = rss_mb()
sockets = []
chunk = b" " * (2 * 1024 * 1024)
for i in range(60):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(5)
    try:
        s.sendall(f"PUT /_matrix/app/v1/transactions/m{i} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\nContent-Length: {8 * 1024 * 1024 - 1}\r\n\r\n".encode() + chunk)
    except OSError:
        pass  # refused and closed before all of it was sent
    sockets.append(s)
time.sleep(1)
print(f"RSS: {before:.0f} MB before, {rss_mb():.0f} MB with 60 unauthenticated 8 MiB-announced bodies in flight (2 MiB sent each)")
for s in sockets: s.close()
for p in processes: p.terminate()
for p in processes: p.wait()
