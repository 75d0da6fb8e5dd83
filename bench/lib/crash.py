#!/usr/bin/env python3
"""Crash-safety check: SIGKILL the server under concurrent writes, restart it
on the same database, and prove that nothing acknowledged was lost and no
invariant broke.

usage: crash.py --bin target/release/selfserve --database-url URL --data-dir DIR
                [--rounds 3] [--clients 8] [--min-load 2] [--max-load 5]

Each round: background clients buy subscriptions (with Idempotency-Key),
assign and unassign members, and change license counts (PATCH with If-Match
from GET's ETag); after a random 2-5 s the server gets SIGKILL mid-load; it
is restarted on the same database; unanswered buys are retried with their
keys; then every check below runs. Exit 0 when all hold, 1 otherwise.

Checks (DB = read straight from the database file / PostgreSQL):
  C1 every subscription answered 201 exists, with its purchaser (DB and GET)
  C2 for every subscription, assigned_count = its assignment rows (DB; and,
     for the clients' subscriptions, by paging GET .../assignments?limit=100)
  C3 0 <= assigned_count <= license_count everywhere (DB)
  C4 every invoice: its lines sum to subtotal, subtotal + tax = total (DB)
  C5 invoice numbers of the organisation are 1..N, no gap or duplicate (DB)
  C6 every purchased subscription has its purchase invoice (DB)
  C7 no double purchase: subscriptions in the DB <= answered + unresolved buys
  C8 acknowledged assignments/unassignments survived: for every (subscription,
     member) pair whose requests were all answered and never overlapped, the
     pair is present exactly when its last 2xx request was an assign
  C9 acknowledged license counts survived: the value of the 2xx PATCH with the
     highest ETag, for subscriptions with no unanswered PATCH; and the stored
     version is >= every ETag a client was given
  C10 every event in the outbox (DB; written with each acknowledged change,
     PRODUCT.md §8) reaches the webhook receiver this script runs, after
     the restart (waited for up to 60 s; at least once, so repeats are fine)
"""
import argparse
import http.client
import http.server
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid

JWT_SECRET = "crash-secret-crash-secret-crash-secret-0123456789"
TIMEOUT = 10.0


def log(msg):
    print(f"[crash {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, args):
        self.args = args
        self.proc = None
        self.port = None
        self.env = dict(os.environ)
        self.env.update({
            "DATABASE_URL": args.database_url,
            "SELFSERVE_DATA_DIR": args.data_dir,
            "SELFSERVE_JWT_SECRET": JWT_SECRET,
            "SELFSERVE_BILLING_INTERVAL_SECS": "0",
            "SELFSERVE_TAX_RATE_BPS": "825",
            "SELFSERVE_CATALOG": args.catalog,
            "RUST_LOG": os.environ.get("CRASH_RUST_LOG", "warn"),
            # The webhook receiver below listens on 127.0.0.1.
            "SELFSERVE_WEBHOOK_ALLOW_PRIVATE": "true",
        })

    def start(self):
        self.port = free_port()
        self.env["SELFSERVE_BIND"] = f"127.0.0.1:{self.port}"
        logf = open(os.path.join(self.args.data_dir, "server.log"), "ab")
        t0 = time.monotonic()
        self.proc = subprocess.Popen([self.args.bin, "serve"], env=self.env, stdout=logf,
                                     stderr=logf, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = t0 + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode} at start (see server.log)")
            try:
                status, _, _ = request(self.port, "GET", "/readyz")
                if status == 200:
                    return (time.monotonic() - t0) * 1000
            except OSError:
                pass
            time.sleep(0.005)
        self.kill()
        raise SystemExit("server not ready within 60 s")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def token(self, org, user, admin=False, name=None):
        cmd = [self.args.bin, "token", "--org", org, "--user", user, "--ttl", "7200"]
        if admin:
            cmd.append("--admin")
        if name:
            cmd += ["--name", name, "--email", f"{user[:8]}@crash.example.com"]
        return subprocess.run(cmd, env=self.env, check=True, capture_output=True, text=True,
                              timeout=30).stdout.strip()


def request(port, method, path, token=None, body=None, headers=None, conn=None):
    """One HTTP request; returns (status, headers dict, parsed body or None)."""
    own = conn is None
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    try:
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        raw = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
    finally:
        if own:
            c.close()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return r.status, hdrs, parsed


class Receiver:
    """A webhook receiver on 127.0.0.1: answers 200 and remembers every event id."""

    def __init__(self):
        self.lock = threading.Lock()
        self.events = {}  # event id -> deliveries seen
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                event = self.headers.get("Selfserve-Event-Id") or ""
                with receiver.lock:
                    receiver.events[event] = receiver.events.get(event, 0) + 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            # socketserver's default listen backlog is 5: the delivery
            # worker's 32 concurrent sends overflowed it, and each dropped
            # SYN waited a second for its retransmission.
            request_queue_size = 256

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def seen(self):
        with self.lock:
            return set(self.events)


def register_webhook(server, org, receiver):
    admin = server.token(org, str(uuid.uuid4()), admin=True, name="Crash Webhooks")
    s, _, b = request(server.port, "POST", "/v1/admin/webhook-endpoints", admin,
                      {"url": receiver.url, "events": ["*"], "description": "crash receiver"})
    if s != 201:
        raise SystemExit(f"POST /v1/admin/webhook-endpoints answered {s}: {b}")


def check_deliveries(db, org, receiver, violations, wait_s=60):
    """C10: every event of the organisation in the outbox reaches the receiver."""
    events = {r[0] for r in db.rows(f"SELECT id FROM events WHERE organization_id = '{org}'")}
    if not events:
        violations.append("C10: no event in the outbox after acknowledged changes: nothing was checked")
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and not events <= receiver.seen():
        time.sleep(0.2)
    missing = events - receiver.seen()
    for event in sorted(missing)[:20]:
        violations.append(f"C10: event {event} is in the outbox but never reached the receiver")
    return {"events_in_outbox": len(events), "events_delivered": len(events - missing)}


class Journal:
    """Everything the clients sent and what was answered, with times."""

    def __init__(self):
        self.lock = threading.Lock()
        self.subs = {}            # sub id -> purchaser id (answered 201)
        self.sub_product = {}     # sub id -> product max licenses
        self.unanswered_buys = [] # (purchaser idx, key, body)
        self.buys_sent = 0
        self.pair_events = {}     # (sub, user) -> [[op, sent, answered_at|None, ok]]
        self.patches = {}         # sub -> list of [sent, answered_at|None, ok, value, version]
        self.versions = {}        # sub -> max version a client saw
        self.counts = {"2xx": 0, "4xx": 0, "5xx": 0, "no answer": 0}
        self.by_op = {}

    def count(self, op, status):
        with self.lock:
            k = ("no answer" if status is None else "refused" if status == "refused"
                 else f"{status // 100}xx")
            self.counts[k] = self.counts.get(k, 0) + 1
            d = self.by_op.setdefault(op, {})
            d[str(status)] = d.get(str(status), 0) + 1

    def saw_version(self, sub, etag):
        if not etag:
            return
        try:
            v = int(etag.strip('"'))
        except ValueError:
            return
        with self.lock:
            self.versions[sub] = max(self.versions.get(sub, 0), v)


class Client(threading.Thread):
    def __init__(self, port, actor, members, products, journal, stop, seed):
        super().__init__(daemon=True)
        self.port, self.actor, self.members = port, actor, members
        self.products, self.j, self.stop_flag = products, journal, stop
        self.rng = random.Random(seed)
        self.conn = None

    def call(self, method, path, body=None, headers=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            return request(self.port, method, path, self.actor["token"], body, headers, self.conn)
        except ConnectionRefusedError:
            self.conn.close()
            self.conn = None
            return "refused", {}, None  # never reached the server
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            return None, {}, None

    def my_subs(self):
        with self.j.lock:
            return [s for s, p in self.j.subs.items() if p == self.actor["id"]]

    def run(self):
        while not self.stop_flag.is_set():
            r = self.rng.random()
            subs = self.my_subs()
            if r < 0.2 or not subs:
                self.buy()
            elif r < 0.55:
                self.assign(self.rng.choice(subs))
            elif r < 0.7:
                self.unassign(self.rng.choice(subs))
            else:
                self.patch(self.rng.choice(subs))

    def buy(self):
        p = self.rng.choice(self.products)
        body = {"product_id": p["id"], "license_count": self.rng.randint(1, min(20, p["max_licenses"])),
                "billing_frequency": self.rng.choice(["monthly", "annual"]),
                "billing_profile_id": self.actor["profile"], "payment_method_id": self.actor["card"]}
        key = str(uuid.uuid4())
        with self.j.lock:
            self.j.buys_sent += 1
        status, h, b = self.call("POST", "/v1/subscriptions", body, {"Idempotency-Key": key})
        self.j.count("buy", status)
        if status == 201:
            with self.j.lock:
                self.j.subs[b["id"]] = self.actor["id"]
            self.j.saw_version(b["id"], h.get("etag"))
        elif status is None:
            with self.j.lock:
                self.j.unanswered_buys.append((self.actor["idx"], key, body))

    def pair_op(self, op, sub, path):
        users = self.rng.sample(self.members, self.rng.randint(1, 3))
        events = []
        with self.j.lock:
            now = time.monotonic()
            for u in users:
                e = [op, now, None, False]
                self.j.pair_events.setdefault((sub, u), []).append(e)
                events.append(e)
        status, _, _ = self.call("POST", path, {"user_ids": users})
        self.j.count(op, status)
        with self.j.lock:
            now = time.monotonic()
            for u, e in zip(users, events):
                if status == "refused":
                    self.j.pair_events[(sub, u)].remove(e)
                elif status is not None:
                    e[2] = now
                    e[3] = 200 <= status < 300

    def assign(self, sub):
        self.pair_op("assign", sub, f"/v1/subscriptions/{sub}/assignments")

    def unassign(self, sub):
        self.pair_op("unassign", sub, f"/v1/subscriptions/{sub}/assignments/remove")

    def patch(self, sub):
        status, h, b = self.call("GET", f"/v1/subscriptions/{sub}")
        self.j.count("get", status)
        if status != 200 or self.stop_flag.is_set():
            return
        self.j.saw_version(sub, h.get("etag"))
        assigned, total = b["assigned_count"], b["license_count"]
        maximum = next((p["max_licenses"] for p in self.products if p["id"] == b["product_id"]), total)
        value = self.rng.randint(max(1, assigned), min(maximum, max(total, assigned) + 10))
        e = [time.monotonic(), None, False, value, None]
        with self.j.lock:
            self.j.patches.setdefault(sub, []).append(e)
        status, h, b = self.call("PATCH", f"/v1/subscriptions/{sub}", {"license_count": value},
                                 {"If-Match": h.get("etag", "*")})
        self.j.count("patch", status)
        with self.j.lock:
            if status == "refused":
                self.j.patches[sub].remove(e)
            elif status is not None:
                e[1] = time.monotonic()
                e[2] = status == 200
                if status == 200:
                    e[4] = int(h.get("etag", '"0"').strip('"'))
        if status == 200:
            self.j.saw_version(sub, h.get("etag"))


class Db:
    def __init__(self, url):
        self.url = url
        self.pg = url.startswith("postgres")

    def rows(self, sql):
        if self.pg:
            out = subprocess.run(["psql", self.url, "-qAt", "-F", "\t", "-c", sql], check=True,
                                 capture_output=True, text=True, timeout=120).stdout
            return [line.split("\t") for line in out.splitlines() if line]
        path = self.url
        for prefix in ("sqlite://", "sqlite:"):
            if path.startswith(prefix):
                path = path[len(prefix):]
                break
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            return [[("" if v is None else str(v)) for v in r] for r in con.execute(sql)]
        finally:
            con.close()

    def write(self, sql):
        if self.pg:
            subprocess.run(["psql", self.url, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                           capture_output=True, text=True, timeout=120)
            return
        path = self.url.split("sqlite://", 1)[-1].split("sqlite:", 1)[-1]
        con = sqlite3.connect(path, timeout=30)
        try:
            con.executescript(sql)
        finally:
            con.close()


def self_test(server, db, org, actors, journal):
    """Breaks the data on purpose, one invariant at a time, and expects the checks to notice."""
    q = db.rows
    present = {(r[0], r[1]) for r in q("SELECT subscription_id, user_id FROM license_assignments")}
    pair = next((p for p, ev in journal.pair_events.items()
                 if p in present and ev and all(e[2] is not None for e in ev)
                 and sorted(ev, key=lambda e: e[1])[-1][3] and sorted(ev, key=lambda e: e[1])[-1][0] == "assign"), None)
    sub_ok = next(r[0] for r in q("SELECT id FROM subscriptions WHERE assigned_count < license_count"))
    inv = q(f"SELECT id FROM invoices WHERE organization_id = '{org}' ORDER BY number DESC LIMIT 2")
    mine = list(journal.subs.items())
    other = next(a["id"] for a in actors if a["id"] != mine[0][1])
    tampers = [
        ("C2", f"UPDATE subscriptions SET assigned_count = assigned_count + 1 WHERE id = '{sub_ok}'",
         f"UPDATE subscriptions SET assigned_count = assigned_count - 1 WHERE id = '{sub_ok}'"),
        ("C4", f"UPDATE invoices SET total = total + 1 WHERE id = '{inv[1][0]}'",
         f"UPDATE invoices SET total = total - 1 WHERE id = '{inv[1][0]}'"),
        ("C1", f"UPDATE subscriptions SET purchaser_id = '{other}' WHERE id = '{mine[0][0]}'",
         f"UPDATE subscriptions SET purchaser_id = '{mine[0][1]}' WHERE id = '{mine[0][0]}'"),
    ]
    if pair:
        s, u = pair
        tampers.append(("C8",
                        f"DELETE FROM license_assignments WHERE subscription_id = '{s}' AND user_id = '{u}'; "
                        f"UPDATE subscriptions SET assigned_count = assigned_count - 1 WHERE id = '{s}'",
                        None))
    results = []
    for code, breaking, repair in tampers:
        db.write(breaking)
        found = []
        check(server, db, org, actors, journal, found, api_pages=False)
        hit = any(v.startswith(code) for v in found)
        results.append((code, hit))
        if repair:
            db.write(repair)
    return results


def setup(server, org, n_purchasers, n_members):
    port = server.port
    admin_id = str(uuid.uuid4())
    admin = server.token(org, admin_id, admin=True, name="Crash Admin")
    members = []
    for i in range(n_members):
        s, _, b = request(port, "POST", "/v1/users", admin,
                          {"display_name": f"Crash Member {i}", "email": f"member{i}-{org[:8]}@crash.example.com"})
        if s != 201:
            raise SystemExit(f"POST /v1/users answered {s}: {b}")
        members.append(b["id"])
    s, _, b = request(port, "GET", "/v1/products?limit=100", admin)
    products = [{"id": p["id"], "max_licenses": p["max_licenses"]} for p in b["data"]
                if p.get("self_service_policy", "enabled") == "enabled"]
    actors = []
    for i in range(n_purchasers):
        uid = str(uuid.uuid4())
        tok = server.token(org, uid, name=f"Crash Purchaser {i}")
        s, _, b = request(port, "POST", "/v1/payment-methods", tok, {
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123",
                     "holder_name": f"Purchaser {i}"},
            "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345",
                                "country": "US"}})
        if s != 201:
            raise SystemExit(f"POST /v1/payment-methods answered {s}: {b}")
        card = b["id"]
        s, _, b = request(port, "GET", "/v1/billing-accounts", tok)
        if s != 200:
            raise SystemExit(f"GET /v1/billing-accounts answered {s}: {b}")
        account = b["data"][0]["id"]
        s, _, b = request(port, "POST", f"/v1/billing-accounts/{account}/billing-profiles", tok, {
            "name": f"Profile {i}", "invoice_email": f"billing{i}@crash.example.com",
            "bill_to": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
            "payment_method_id": card})
        if s != 201:
            raise SystemExit(f"POST billing-profiles answered {s}: {b}")
        actors.append({"idx": i, "id": uid, "token": tok, "card": card, "profile": b["id"]})
    return actors, members, products


def retry_unanswered(server, actors, journal, deadline_s):
    """Retries each unanswered buy with its key; in-progress leases are waited out (bounded)."""
    pending = list(journal.unanswered_buys)
    journal.unanswered_buys = []
    resolved = {"created": 0, "replayed": 0, "other": 0, "unresolved": 0, "waited_for_lease": 0}
    waited = set()
    started = time.monotonic()
    deadline = started + deadline_s
    while pending and time.monotonic() < deadline:
        left = []
        for idx, key, body in pending:
            a = actors[idx]
            try:
                s, h, b = request(server.port, "POST", "/v1/subscriptions", a["token"], body,
                                  {"Idempotency-Key": key})
            except OSError:
                left.append((idx, key, body))
                continue
            if s == 201:
                journal.subs[b["id"]] = a["id"]
                journal.saw_version(b["id"], h.get("etag"))
                resolved["replayed" if h.get("idempotent-replayed") == "true" else "created"] += 1
            elif s == 409 and b and b.get("code") == "idempotency_request_in_progress":
                left.append((idx, key, body))
                if key not in waited:
                    waited.add(key)
                    resolved["waited_for_lease"] += 1
            else:
                resolved["other"] += 1
        pending = left
        if pending:
            time.sleep(1)
    resolved["unresolved"] = len(pending)
    resolved["lease_wait_s"] = round(time.monotonic() - started, 1) if waited else 0
    return resolved


def check(server, db, org, actors, journal, violations, api_pages=True):
    port = server.port
    q = lambda sql: db.rows(sql)
    mine = "','".join(a["id"] for a in actors)
    stored = {r[0]: r for r in q(
        f"SELECT id, purchaser_id, license_count, assigned_count, version, status FROM subscriptions "
        f"WHERE organization_id = '{org}'")}

    def bad(code, msg):
        violations.append(f"{code} {msg}")

    # C1
    for sub, owner in journal.subs.items():
        if sub not in stored:
            bad("C1", f"subscription {sub} was answered 201 but is not in the database")
        elif stored[sub][1] != owner:
            bad("C1", f"subscription {sub} has purchaser {stored[sub][1]}, expected {owner}")
    tokens = {a["id"]: a["token"] for a in actors}
    for sub, owner in journal.subs.items():
        s, _, b = request(port, "GET", f"/v1/subscriptions/{sub}", tokens[owner])
        if s != 200:
            bad("C1", f"GET /v1/subscriptions/{sub} answered {s} after restart")
    # C2 (DB, every subscription)
    for sub, n_rows, assigned in q(
            "SELECT s.id, (SELECT count(*) FROM license_assignments a WHERE a.subscription_id = s.id), "
            "s.assigned_count FROM subscriptions s"):
        if int(n_rows) != int(assigned):
            bad("C2", f"subscription {sub}: assigned_count {assigned} but {n_rows} assignment rows")
    # C2 (API, the clients' subscriptions)
    if api_pages:
        for sub, owner in journal.subs.items():
            s, _, b = request(port, "GET", f"/v1/subscriptions/{sub}", tokens[owner])
            if s != 200:
                continue
            expected, seen, cursor, pages = b["assigned_count"], 0, None, 0
            while pages < 100:
                path = f"/v1/subscriptions/{sub}/assignments?limit=100" + (f"&cursor={cursor}" if cursor else "")
                s2, _, page = request(port, "GET", path, tokens[owner])
                if s2 != 200:
                    bad("C2", f"GET {path} answered {s2}")
                    break
                seen += len(page["data"])
                cursor, pages = page.get("next_cursor"), pages + 1
                if not cursor:
                    break
            if seen != expected:
                bad("C2", f"subscription {sub}: API assigned_count {expected} but {seen} listed assignments")
    # C3
    for sub, lic, assigned in q("SELECT id, license_count, assigned_count FROM subscriptions "
                                "WHERE assigned_count < 0 OR assigned_count > license_count"):
        bad("C3", f"subscription {sub}: assigned_count {assigned} outside 0..{lic}")
    # C4
    for inv, sub_total, tax, total, lines in q(
            "SELECT i.id, i.subtotal, i.tax, i.total, (SELECT coalesce(sum(l.amount), 0) FROM invoice_lines l "
            "WHERE l.invoice_id = i.id) FROM invoices i"):
        if int(lines) != int(sub_total):
            bad("C4", f"invoice {inv}: lines sum to {lines}, subtotal is {sub_total}")
        if int(sub_total) + int(tax) != int(total):
            bad("C4", f"invoice {inv}: subtotal {sub_total} + tax {tax} != total {total}")
    # C5
    numbers = sorted(int(r[0]) for r in q(f"SELECT number FROM invoices WHERE organization_id = '{org}'"))
    if numbers != list(range(1, len(numbers) + 1)):
        dup = len(numbers) - len(set(numbers))
        missing = sorted(set(range(1, (numbers[-1] if numbers else 0) + 1)) - set(numbers))[:10]
        bad("C5", f"invoice numbers are not 1..{len(numbers)}: {dup} duplicates, missing {missing}")
    next_number = q(f"SELECT next_invoice_number FROM organizations WHERE id = '{org}'")
    if next_number and int(next_number[0][0]) != len(numbers) + 1:
        bad("C5", f"organizations.next_invoice_number is {next_number[0][0]}, {len(numbers)} invoices exist")
    # C6
    for (sub,) in q("SELECT s.id FROM subscriptions s WHERE s.purchased_on IS NOT NULL AND NOT EXISTS "
                    "(SELECT 1 FROM invoices i WHERE i.subscription_id = s.id AND i.reason = 'purchase')"):
        bad("C6", f"subscription {sub} was purchased but has no purchase invoice")
    # C7
    in_db = sum(1 for r in stored.values() if r[1] in tokens)
    allowed = len(journal.subs) + journal.unresolved
    if in_db > allowed:
        bad("C7", f"{in_db} subscriptions in the database, but only {len(journal.subs)} answered and "
                  f"{journal.unresolved} unresolved buys: a purchase happened twice")
    # C8
    present = {(r[0], r[1]) for r in q("SELECT subscription_id, user_id FROM license_assignments")}
    settled = checked = 0
    for pair, events in journal.pair_events.items():
        if any(e[2] is None for e in events):
            continue
        ordered = sorted(events, key=lambda e: e[1])
        if any(b[1] < a[2] for a, b in zip(ordered, ordered[1:])):
            continue  # overlapping requests: the commit order is unknown
        settled += 1
        last_ok = [e for e in ordered if e[3]]
        if not last_ok:
            continue
        checked += 1
        want = last_ok[-1][0] == "assign"
        if (pair in present) != want:
            bad("C8", f"pair {pair}: last acknowledged request was {last_ok[-1][0]}, "
                      f"but the assignment is {'present' if pair in present else 'absent'}")
    # C9
    lic_checked = 0
    for sub, events in journal.patches.items():
        if sub not in stored or any(e[1] is None for e in events):
            continue
        acked = [e for e in events if e[2] and e[4] is not None]
        if not acked:
            continue
        lic_checked += 1
        best = max(acked, key=lambda e: e[4])
        if int(stored[sub][2]) != best[3]:
            bad("C9", f"subscription {sub}: license_count {stored[sub][2]}, but the last acknowledged "
                      f"PATCH (version {best[4]}) set {best[3]}")
    for sub, v in journal.versions.items():
        if sub in stored and int(stored[sub][4]) < v:
            bad("C9", f"subscription {sub}: stored version {stored[sub][4]} < version {v} a client was given")
    return {"subscriptions_in_db": len(stored), "pairs_checked": checked, "pairs_settled": settled,
            "license_counts_checked": lic_checked}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--catalog", default="catalog.toml")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--purchasers", type=int, default=4)
    ap.add_argument("--members", type=int, default=30)
    ap.add_argument("--min-load", type=float, default=2.0)
    ap.add_argument("--max-load", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--self-test", action="store_true",
                    help="after the rounds, break invariants on purpose and expect the checks to fail")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    backend = "postgres" if args.database_url.startswith("postgres") else "sqlite"
    log(f"{backend}: seed {seed}, {args.rounds} rounds, {args.clients} clients")
    server = Server(args)
    db = Db(args.database_url)
    org = str(uuid.uuid4())
    violations = []
    journal = Journal()
    journal.unresolved = 0
    try:
        ms = server.start()
        log(f"{backend}: server ready in {ms:.0f} ms")
        actors, members, products = setup(server, org, args.purchasers, args.members)
        receiver = Receiver()
        register_webhook(server, org, receiver)
        log(f"{backend}: {len(actors)} purchasers with a card and a billing profile, {len(members)} members")
        summary = []
        for rnd in range(1, args.rounds + 1):
            stop = threading.Event()
            clients = [Client(server.port, actors[i % len(actors)], members, products, journal, stop,
                              rng.randrange(1 << 30)) for i in range(args.clients)]
            for c in clients:
                c.start()
            load = rng.uniform(args.min_load, args.max_load)
            time.sleep(load)
            stop.set()     # no new requests after this instant ...
            server.kill()  # ... but the ones in flight are cut by SIGKILL
            for c in clients:
                c.join(timeout=TIMEOUT + 5)
            if any(c.is_alive() for c in clients):
                violations.append(f"round {rnd}: a client did not stop")
            ms = server.start()
            retried = retry_unanswered(server, actors, journal, 40)
            journal.unresolved += retried["unresolved"]
            result = check(server, db, org, actors, journal, violations)
            result.update(check_deliveries(db, org, receiver, violations))
            line = (f"round {rnd}: SIGKILL after {load:.1f} s of load; restart to ready {ms:.0f} ms; "
                    f"answers so far {journal.counts}; unanswered buys retried {retried}; {result}; "
                    f"violations so far {len(violations)}")
            summary.append(line)
            log(f"{backend}: {line}")
        if args.self_test:
            results = self_test(server, db, org, actors, journal)
            line = "self-test (checker must catch deliberate damage): " + ", ".join(
                f"{code} {'caught' if hit else 'NOT CAUGHT'}" for code, hit in results)
            summary.append(line)
            log(f"{backend}: {line}")
            if not all(hit for _, hit in results):
                violations.append("self-test: a deliberate violation was not detected")
        server.stop()
    finally:
        server.kill()
    print(f"== crash check, {backend}, seed {seed}")
    print(f"   subscriptions answered 201: {len(journal.subs)}; requests by operation and status: "
          f"{json.dumps(journal.by_op, sort_keys=True)}")
    for line in summary:
        print(f"   {line}")
    if violations:
        print(f"   FAILED: {len(violations)} violations")
        for v in violations[:50]:
            print(f"     {v}")
        return 1
    print("   OK: C1-C10 held after every restart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
