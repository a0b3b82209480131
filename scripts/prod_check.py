"""`make prod-check`: the production topology as local processes, under load, with faults.

Starts, on loopback ports PROD_CHECK_PORT (default 9800) to +11, in a work directory of its
own (removed and made again on every run, so a second run starts clean):

  PostgreSQL primary (+1) and a streaming replica made with `pg_basebackup -R` (+2);
  PgBouncer in transaction pooling (+3) in front of both; Redis with an append-only file (+4);
  an SMTP server (aiosmtpd, +5) that records each message; `manage.py migrate_locked` twice
  at once (one applies, the other waits and finds nothing); two gunicorn instances (+10, +11)
  with DEBUG=0 and the production settings (PLAIN_HTTP=1: no TLS on loopback); two Celery
  workers and one beat.

Then a bounded mixed load (readers on dashboards and lists, writers creating actions, moving
their status and recording objective values, alert scans) while it injects faults: one worker
SIGKILLed, Redis restarted, every application connection to PostgreSQL terminated, the SMTP
server down for PROD_CHECK_SMTP_DOWN seconds (default 60). It reports requests, 5xx (none
allowed but clean 503s while a dependency is down), e-mails (each sent notification exactly
once at the SMTP server, none left undelivered), and rows (verify_records passes; what the
writers were told was saved is there, once). Exits non-zero on any failure.

Only processes it started are stopped, by their own process group; the shared PostgreSQL and
Redis are never touched.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.cookiejar
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent
PASSWORD = "isova-demo"
# prod-check's own connections, spared when it terminates the application's.
DRIVER = "prod-check"


def pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts)
    if not versions:
        sys.exit("prod-check: PostgreSQL server binaries (initdb) are not installed")
    return versions[-1].parent


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- processes -----------------------------------------------------------------------------


class Stack:
    """Every process prod-check starts, each in its own process group, with a pid file so
    the next run can stop what a crashed run left behind."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        # How each process was started, so that `supervise` can start it again.
        self.specs: dict[str, tuple[list[str], dict[str, str] | None, bool]] = {}
        # What `supervise` restarted: "worker2 (exit 1)", in order.
        self.restarts: list[str] = []
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def start(
        self,
        name: str,
        args: list[str],
        env: dict[str, str] | None = None,
        as_postgres: bool = False,
    ) -> subprocess.Popen[bytes]:
        out = (self.work / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            (self.as_postgres if as_postgres else []) + args,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        self.specs[name] = (args, env, as_postgres)
        (self.work / "pids").mkdir(exist_ok=True)
        (self.work / "pids" / name).write_text(str(proc.pid))
        return proc

    def kill(self, name: str, sig: int = signal.SIGTERM, wait: float = 20) -> None:
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        with contextlib.suppress(FileNotFoundError):
            (self.work / "pids" / name).unlink()

    def send(self, name: str, sig: int) -> None:
        """Send `sig` to a process group and leave it to `supervise` (a worker SIGKILLed)."""
        with contextlib.suppress(ProcessLookupError, KeyError):
            os.killpg(self.procs[name].pid, sig)

    def supervise(self, names: tuple[str, ...]) -> None:
        """Start again each of `names` that has exited, as the production supervisor does
        (docker-compose.yml: `restart: unless-stopped`; systemd: `Restart=always`). A Celery
        worker exits on purpose when its broker connection breaks in some ways (kombu's
        reconnect raises and the worker stops with "Unrecoverable error"); in production the
        supervisor starts it again, so prod-check does the same and reports each restart."""
        for name in names:
            proc = self.procs.get(name)
            if proc is None or proc.poll() is None:
                continue
            code = proc.returncode
            args, env, as_postgres = self.specs[name]
            log(f"{name} exited ({code}); started again, as its supervisor would")
            self.restarts.append(f"{name} (exit {code})")
            self.start(name, args, env=env, as_postgres=as_postgres)

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.kill(name)


def stop_leftovers(work: Path) -> None:
    """Stop what an earlier, interrupted run left (our own pid files only)."""
    pids = work / "pids"
    if pids.is_dir():
        for pidfile in pids.iterdir():
            with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
                os.killpg(int(pidfile.read_text()), signal.SIGKILL)
    for cluster in ("primary", "replica"):
        pid = work / cluster / "postmaster.pid"
        if pid.is_file():
            with contextlib.suppress(ValueError, ProcessLookupError, IndexError):
                os.kill(int(pid.read_text().split()[0]), signal.SIGQUIT)
    time.sleep(1)


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def wait_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not port_free(port):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {seconds:.0f} s")


def run(args: list[str], env: dict[str, str] | None = None, **kw: Any) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])}… failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# --- SMTP sink (run as `prod_check.py smtp-sink PORT FILE`) ----------------------------------


def smtp_sink(port: int, path: str) -> None:
    from aiosmtpd.controller import Controller

    class Record:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            text = envelope.content.decode("utf8", errors="replace")
            found = re.search(r"^Message-ID:\s*(\S+)", text, re.M | re.I)
            with open(path, "a") as out:
                out.write(
                    json.dumps({"id": found.group(1) if found else "", "to": envelope.rcpt_tos})
                    + "\n"
                )
            return "250 OK"

    controller = Controller(Record(), hostname="127.0.0.1", port=port)
    controller.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


# --- HTTP load -------------------------------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    by_status: collections.Counter[int] = field(default_factory=collections.Counter)
    unexpected: list[str] = field(default_factory=list)
    expected_503: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Faults:
    """When each dependency was down: a 503 then is the clean answer, at no other time."""

    GRACE = 5.0

    def __init__(self) -> None:
        self.windows: list[tuple[str, float, float]] = []
        self.open: dict[str, float] = {}

    def begin(self, name: str) -> None:
        self.open[name] = time.monotonic()
        log(f"FAULT {name}")

    def end(self, name: str) -> None:
        self.windows.append((name, self.open.pop(name), time.monotonic()))
        log(f"fault over: {name}")

    def during(self, started: float, ended: float) -> bool:
        spans = [(s, e) for _, s, e in self.windows] + [
            (s, time.monotonic()) for s in self.open.values()
        ]
        return any(started <= e + self.GRACE and ended >= s - self.GRACE for s, e in spans)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    def __init__(self, bases: list[str], tally: Tally, faults: Faults) -> None:
        self.bases, self.tally, self.faults = bases, tally, faults
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def csrf(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        base = random.choice(self.bases)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(base + path, data=body)
        if data is not None:
            req.add_header("X-CSRFToken", self.csrf())
            req.add_header("Referer", base + path)
        started = time.monotonic()
        try:
            with self.opener.open(req, timeout=60) as response:
                status, text = response.status, response.read().decode("utf8", "replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode("utf8", "replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            status, text = 599, repr(error)
        ended = time.monotonic()
        with self.tally.lock:
            self.tally.requests += 1
            self.tally.by_status[status] += 1
            if status >= 500:
                if status == 503 and self.faults.during(started, ended):
                    self.tally.expected_503 += 1
                else:
                    self.tally.unexpected.append(f"{status} {'POST' if data else 'GET'} {path}")
        return status, text

    def login(self, email: str) -> None:
        for _ in range(30):
            self.jar.clear()
            self.request("/accounts/login/")
            status, _ = self.request(
                "/accounts/login/",
                {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
            )
            if status == 302:
                return
            time.sleep(1)
        raise RuntimeError(f"{email} could not log in")


READ_PAGES = [
    "/dashboard/",
    "/actions/",
    "/actions/mine/",
    "/objectives/",
    "/risks/",
    "/risks/heat-map/",
    "/audits/findings/",
    "/reviews/",
    "/notifications/",
]


def reader(browser: Browser, email: str, stop: threading.Event) -> None:
    browser.login(email)
    while not stop.is_set():
        browser.request(random.choice(READ_PAGES))


@dataclass
class Written:
    """What the writers were told was saved (a 302 after the POST)."""

    created: dict[str, str] = field(default_factory=dict)  # title -> form token
    statuses: dict[str, str] = field(default_factory=dict)  # title -> last status saved
    values: dict[int, str] = field(default_factory=dict)  # objective id -> last value saved
    value_writes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def writer(
    browser: Browser, n: int, ctx: dict[str, Any], written: Written, stop: threading.Event
) -> None:
    """Until `stop`: create an action, move it to in progress then done, and (the first
    writer) record a value of the objective; what the server said was saved goes in
    `written`."""
    import psycopg

    browser.login("leader@example.com")
    db = psycopg.connect(ctx["direct_url"], autocommit=True, application_name=DRIVER)
    i = 0
    while not stop.is_set():
        i += 1
        title = f"{ctx['run']} w{n} action {i}"
        if not create_action(browser, title, ctx, written):
            continue
        row = db.execute(
            "SELECT id, version FROM isova_action WHERE title = %s", [title]
        ).fetchone()
        if row is None:
            continue  # verified at the end: the action the writer was told was saved is missing
        move_action(browser, db, title, row, written)
        if ctx["objective_id"] and n == 0:
            record_value(browser, f"{i}.5", ctx, written)
    db.close()


def create_action(browser: Browser, title: str, ctx: dict[str, Any], written: Written) -> bool:
    """Create an overdue action for the staff member; True when the server said it saved it.

    A 503 (a dependency down) is retried with the same form token: the server makes the
    action at most once whatever happened to the first answer."""
    token = str(uuid.uuid4())
    form = {
        "title": title,
        "description": "made by make prod-check",
        "owner": str(ctx["staff_id"]),
        # Overdue on purpose (the scans must find it): confirmed, as the form asks.
        "due_date": ctx["yesterday"],
        "confirm_past_due": "on",
        "priority": "medium",
        "form_token": token,
        "csrfmiddlewaretoken": browser.csrf(),
    }
    for _ in range(20):
        status, _ = browser.request("/actions/new/", form)
        if status != 503 and status != 599:
            break
        time.sleep(1)
    if status != 302:
        if status < 500:
            browser.tally.unexpected.append(f"{status} creating an action (not saved)")
        return False
    with written.lock:
        written.created[title] = token
    return True


def move_action(browser: Browser, db: Any, title: str, row: Any, written: Written) -> None:
    """Move the action (id, version) to in progress, then to done, each at its current
    version; the last status the server said it saved goes in `written`."""
    for move in ("in_progress", "done"):
        status, _ = browser.request(
            f"/actions/{row[0]}/status/",
            {
                "status": move,
                "version": str(row[1]),
                "note": "",
                "csrfmiddlewaretoken": browser.csrf(),
            },
        )
        if status == 302:
            with written.lock:
                written.statuses[title] = move
            row = db.execute(
                "SELECT id, version FROM isova_action WHERE id = %s", [row[0]]
            ).fetchone()
        if row is None:
            break


def record_value(browser: Browser, value: str, ctx: dict[str, Any], written: Written) -> None:
    """Record `value` for the objective's current period; kept in `written` when saved."""
    status, _ = browser.request(
        f"/objectives/{ctx['objective_id']}/values/",
        {
            "period": ctx["period"],
            "value": value,
            "comment": "",
            "csrfmiddlewaretoken": browser.csrf(),
        },
    )
    if status == 302:
        with written.lock:
            written.values[ctx["objective_id"]] = value
            written.value_writes += 1


# --- the check -----------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    if len(sys.argv) > 1 and sys.argv[1] == "smtp-sink":
        return 0
    base = args.port
    ports = {
        "primary": base + 1,
        "replica": base + 2,
        "pgbouncer": base + 3,
        "redis": base + 4,
        "smtp": base + 5,
        "web1": base + 10,
        "web2": base + 11,
    }
    work = Path(os.getenv("PROD_CHECK_DIR", f"/tmp/isova-prod-check-{base}"))
    stop_leftovers(work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    busy = [f"{name}:{port}" for name, port in ports.items() if not port_free(port)]
    if busy:
        print(f"prod-check: ports in use by something else: {', '.join(busy)}", file=sys.stderr)
        return 2
    install_pgbouncer()
    started = time.monotonic()
    stack = Stack(work)
    # Stopped from outside (CI's timeout, Ctrl-C): still stop every process it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return check(stack, work, ports, args, started)
    finally:
        stack.stop_all()
        stop_clusters(stack, work)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.getenv("PROD_CHECK_PORT", "9800")))
    parser.add_argument(
        "--load-seconds", type=int, default=int(os.getenv("PROD_CHECK_LOAD_SECONDS", "150"))
    )
    parser.add_argument(
        "--smtp-down", type=int, default=int(os.getenv("PROD_CHECK_SMTP_DOWN", "60"))
    )
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="leave the work directory")
    return parser.parse_args()


def install_pgbouncer() -> None:
    """PgBouncer from apt when it is not installed yet."""
    if shutil.which("pgbouncer") is None:
        log("installing pgbouncer (apt-get install -y pgbouncer)")
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "pgbouncer"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )


def stop_clusters(stack: Stack, work: Path) -> None:
    """Stop the replica, then the primary, when they run (pg_ctl stop -m fast)."""
    for cluster in ("replica", "primary"):
        if (work / cluster / "postmaster.pid").exists():
            subprocess.run(
                stack.as_postgres
                + [str(pg_bin() / "pg_ctl"), "-D", str(work / cluster), "-m", "fast", "-w", "stop"],
                capture_output=True,
            )


@dataclass
class Site:
    """The topology prod-check starts: its processes, work directory and ports, where each
    part answers, and the environment the application runs with."""

    stack: Stack
    work: Path
    ports: dict[str, int]
    env: dict[str, str] = field(default_factory=dict)  # web, workers and beat (PgBouncer)
    direct_env: dict[str, str] = field(default_factory=dict)  # manage.py, on the primary

    @property
    def admin(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.ports['primary']}/postgres"

    @property
    def direct(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.ports['primary']}/isova"

    @property
    def web(self) -> list[str]:
        return [f"http://127.0.0.1:{self.ports['web1']}", f"http://127.0.0.1:{self.ports['web2']}"]

    @property
    def mail_file(self) -> Path:
        return self.work / "mail.jsonl"

    @property
    def redis_args(self) -> list[str]:
        return [
            "redis-server",
            "--port",
            str(self.ports["redis"]),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.work),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--unixsocket",
            "",
            "--protected-mode",
            "yes",
        ]

    @property
    def smtp_args(self) -> list[str]:
        return [PY, __file__, "smtp-sink", str(self.ports["smtp"]), str(self.mail_file)]

    def start_redis(self) -> None:
        self.stack.start("redis", self.redis_args)
        wait_port(self.ports["redis"])

    def start_smtp(self) -> None:
        self.stack.start("smtp", self.smtp_args)
        wait_port(self.ports["smtp"])


def check(
    stack: Stack, work: Path, ports: dict[str, int], args: argparse.Namespace, started: float
) -> int:
    """Start the topology, migrate and seed, load it while injecting faults, drain the
    e-mails, then judge; returns the exit code."""
    import psycopg

    site = Site(stack, work, ports)
    if os.geteuid() == 0:
        shutil.chown(work, "postgres", "postgres")
    start_postgres(site)
    start_pgbouncer(site)
    site.start_redis()
    site.start_smtp()
    site.env, site.direct_env = app_env(site)
    failures: list[str] = []
    if not migrate_twice(site, failures):
        return report(failures, {}, started)
    seed_and_collect(site, failures)
    start_app(site, failures)
    db = psycopg.connect(site.direct, autocommit=True, application_name=DRIVER)
    tally, faults, written = Tally(), Faults(), Written()
    ctx = load_context(db, site, tally, faults, failures)
    replica_before = replica_reads(ports["replica"])
    load = apply_load(site, args, ctx, written, tally, faults, failures)
    drain(db, site, ctx["first_notification"])
    figures = verdicts(
        db,
        site.direct_env,
        site.mail_file,
        written,
        tally,
        failures,
        ctx["run"],
        ctx["first_notification"],
    )
    figures |= load | {
        "replica_transactions": replica_reads(ports["replica"]) - replica_before,
        "faults": [f"{name} ({e - s:.0f} s)" for name, s, e in faults.windows],
        "restarted_by_supervisor": stack.restarts,
    }
    if figures["replica_transactions"] <= 0:
        failures.append("the replica served no reads")
    db.close()
    return report(failures, figures, started)


def start_postgres(site: Site) -> None:
    """The PostgreSQL primary, a streaming replica made with `pg_basebackup -R`, and the
    isova database on the primary."""
    import psycopg

    work, ports, as_postgres = site.work, site.ports, site.stack.as_postgres
    pg = pg_bin()
    log(f"PostgreSQL primary on {ports['primary']}")
    run(
        as_postgres
        + [str(pg / "initdb"), "-D", str(work / "primary"), "-U", "postgres", "-A", "trust"]
        + ["--no-sync", "-E", "UTF8"]
    )
    pg_start(site, "primary")
    log(f"streaming replica on {ports['replica']} (pg_basebackup -R)")
    run(
        as_postgres
        + [str(pg / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(ports["primary"])]
        + ["-U", "postgres", "-D", str(work / "replica"), "-R", "-X", "stream", "--no-sync"]
    )
    pg_start(site, "replica")
    with psycopg.connect(site.admin, autocommit=True) as conn:
        conn.execute("CREATE DATABASE isova")


def pg_start(site: Site, cluster: str) -> None:
    """Start a cluster ("primary" or "replica") on its port, with the check's settings."""
    options = (
        f"-c listen_addresses=127.0.0.1 -c unix_socket_directories={site.work} "
        "-c fsync=off -c max_connections=200 -c wal_level=replica -c max_wal_senders=5 "
        "-c hot_standby=on -c hot_standby_feedback=on -c max_standby_streaming_delay=30s"
    )
    run(
        site.stack.as_postgres
        + [str(pg_bin() / "pg_ctl"), "-D", str(site.work / cluster)]
        + ["-l", str(site.work / f"{cluster}.log"), "-w"]
        + ["-o", f"-p {site.ports[cluster]} {options}", "start"]
    )


def start_pgbouncer(site: Site) -> None:
    """PgBouncer in transaction pooling in front of both clusters (isova, isova_replica)."""
    work, ports = site.work, site.ports
    (work / "userlist.txt").write_text('"postgres" ""\n')
    (work / "pgbouncer.ini").write_text(f"""[databases]
isova = host=127.0.0.1 port={ports["primary"]} dbname=isova
isova_replica = host=127.0.0.1 port={ports["replica"]} dbname=isova
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {ports["pgbouncer"]}
unix_socket_dir =
auth_type = trust
auth_file = {work / "userlist.txt"}
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
server_check_delay = 0
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = {work / "pgbouncer.out"}
""")
    if os.geteuid() == 0:
        for name in ("userlist.txt", "pgbouncer.ini"):
            shutil.chown(work / name, "postgres", "postgres")
    site.stack.start("pgbouncer", ["pgbouncer", str(work / "pgbouncer.ini")], as_postgres=True)
    wait_port(ports["pgbouncer"])


def app_env(site: Site) -> tuple[dict[str, str], dict[str, str]]:
    """The production environment of web, workers and beat (through PgBouncer, with the
    replica), and the one of manage.py commands (straight to the primary)."""
    ports = site.ports
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE", "CELERY", "EMAIL", "TEST_REDIS"))
    }
    env |= {
        "DEBUG": "0",
        "PLAIN_HTTP": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": site.web[0],
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{ports['pgbouncer']}/isova",
        "DB_POOLER": "transaction",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{ports['pgbouncer']}/isova_replica",
        "BACKUP_DATABASE_URL": site.direct,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{ports['redis']}/0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(ports["smtp"]),
        "EMAIL_TIMEOUT": "5",
        "ALERTS_LOCAL_HOUR": "0",
        "ALERTS_LEASE_SECONDS": "30",
        "LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
    }
    direct_env = {**env, "DATABASE_URL": site.direct, "DB_POOLER": ""}
    direct_env.pop("DATABASE_REPLICA_URL")
    return env, direct_env


def migrate_twice(site: Site, failures: list[str]) -> bool:
    """`migrate_locked` twice at once (a retried deploy step): one applies, the other waits.
    False when either failed (nothing more to check)."""
    log("migrate_locked twice at once")

    def migrate_locked() -> subprocess.Popen[str]:
        return subprocess.Popen(
            [PY, "manage.py", "migrate_locked"],
            cwd=ROOT,
            env=site.direct_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    first = migrate_locked()
    time.sleep(0.5)
    second = migrate_locked()
    out1, out2 = first.communicate(timeout=600)[0], second.communicate(timeout=600)[0]
    if first.returncode or second.returncode:
        failures.append(f"migrate failed:\n{out1}\n{out2}")
        return False
    applied = [o for o in (out1, out2) if "Applying " in o]
    if len(applied) != 1 or "No migrations to apply" not in (out1 + out2):
        failures.append("the two concurrent migrates did not apply once and wait once")
    return True


def seed_and_collect(site: Site, failures: list[str]) -> None:
    """seed_demo (see SEED) while collectstatic runs alongside."""
    log("seed_demo, collectstatic")
    collect = subprocess.Popen(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=site.direct_env
    )
    seeding = time.monotonic()
    run([PY, "-c", SEED], env={**site.direct_env, "EMAIL_HOST": ""})
    log(f"seeded in {time.monotonic() - seeding:.0f} s")
    if collect.wait(600):
        failures.append("collectstatic failed")


def start_app(site: Site, failures: list[str]) -> None:
    """Two gunicorn instances, two Celery workers and beat; waits for the web ports, then
    for /readyz to answer 200."""
    stack, ports = site.stack, site.ports
    for i, port in enumerate((ports["web1"], ports["web2"]), start=1):
        multiproc = site.work / f"prom-web{i}"
        multiproc.mkdir()
        stack.start(
            f"web{i}",
            [str(BIN / "gunicorn"), "isova.wsgi", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "2", "--timeout", "30", "--graceful-timeout", "10"],
            env={**site.env, "PROMETHEUS_MULTIPROC_DIR": str(multiproc)},
        )
    celery = [str(BIN / "celery"), "-A", "isova"]
    for name in ("worker1", "worker2"):
        stack.start(
            name,
            celery
            + ["worker", "-Q", "isova", "--concurrency", "2", "-n", f"{name}@prodcheck"]
            + ["--without-gossip", "--without-mingle", "--loglevel", "INFO"],
            env=site.env,
        )
    stack.start(
        "beat",
        celery + ["beat", "--schedule", str(site.work / "beat-schedule"), "--loglevel", "INFO"],
        env=site.env,
    )
    for port in (ports["web1"], ports["web2"]):
        wait_port(port)
    ready = wait_ready(site.web[0])
    log(f"/readyz: {ready}")
    if ready != 200:
        failures.append("/readyz was not 200 once the stack was up")


def load_context(
    db: Any, site: Site, tally: Tally, faults: Faults, failures: list[str]
) -> dict[str, Any]:
    """What the writers need: the run's id (in every title), the staff member to assign,
    a past due date, and an active objective of the leader's with the period to record;
    and the first notification the check judges."""
    ids: dict[str, int] = dict(db.execute("SELECT email, id FROM isova_user").fetchall())
    objective = db.execute(
        "SELECT id FROM objectives_objective WHERE status = 'active' AND organisation_id IN "
        "(SELECT organisation_id FROM isova_membership WHERE user_id = %s) "
        "ORDER BY id LIMIT 1",
        [ids["leader@example.com"]],
    ).fetchone()
    ctx = {
        "run": f"pc{int(time.time())}",
        "direct_url": site.direct,
        "staff_id": ids["staff@example.com"],
        "yesterday": scalar(db, "SELECT (now() - interval '2 days')::date").isoformat(),
        "objective_id": objective[0] if objective else None,
        "period": "",
    }
    if objective:
        page = Browser(site.web, tally, faults)
        page.login("leader@example.com")
        _, html = page.request(f"/objectives/{objective[0]}/")
        found = re.search(r'name="period"[^>]*value="([^"]+)"', html)
        ctx["period"] = found.group(1) if found else ""
        if not found:
            failures.append("no period field on the objective's page: values not written")
            ctx["objective_id"] = None
    # The demo's own notifications (made while seeding, some shown as already e-mailed) are
    # not this check's: it judges the ones made from here on.
    ctx["first_notification"] = 1 + scalar(
        db, "SELECT coalesce(max(id), 0) FROM isova_notification"
    )
    return ctx


def apply_load(
    site: Site,
    args: argparse.Namespace,
    ctx: dict[str, Any],
    written: Written,
    tally: Tally,
    faults: Faults,
    failures: list[str],
) -> dict[str, Any]:
    """Readers and writers for `args.load_seconds` while the faults are injected in turn,
    the workers supervised, alerts scanned every 20 s and /readyz probed every second.
    Returns the load's figures."""
    stop = threading.Event()
    threads = load_threads(site, args, ctx, written, tally, faults, failures, stop)
    log(f"load: {args.readers} readers, {args.writers} writers, {args.load_seconds} s")
    load_started = time.monotonic()
    for thread in threads:
        thread.start()
    readyz_seen: collections.Counter[int] = collections.Counter()
    plan = fault_plan(args)
    smtp_back_at: float | None = None
    scans, next_scan = 0, 0.0
    while time.monotonic() - load_started < args.load_seconds or plan or smtp_back_at:
        now = time.monotonic() - load_started
        if plan and now >= plan[0][0]:
            smtp_back_at = inject(site, plan.pop(0)[1], faults, args) or smtp_back_at
        if smtp_back_at and time.monotonic() >= smtp_back_at:
            site.start_smtp()
            faults.end(f"SMTP down {args.smtp_down} s")
            smtp_back_at = None
        site.stack.supervise(SUPERVISED)
        if now >= next_scan:
            celery_call(site.env, "isova.tasks.scan_alerts")
            scans += 1
            next_scan += 20
        readyz_seen[probe(site.web[1] + "/readyz")] += 1
        time.sleep(1)
    stop.set()
    for thread in threads:
        thread.join(120)
    load_seconds = time.monotonic() - load_started
    log(f"load over after {load_seconds:.0f} s; draining e-mails")
    return {
        "load_seconds": round(load_seconds),
        "alert_scans_sent": scans + 1,
        "readyz_during_load": dict(readyz_seen),
    }


def load_threads(
    site: Site,
    args: argparse.Namespace,
    ctx: dict[str, Any],
    written: Written,
    tally: Tally,
    faults: Faults,
    failures: list[str],
    stop: threading.Event,
) -> list[threading.Thread]:
    """The readers (leader, manager, auditor in turn), then the writers, each with a browser
    of its own; not started."""
    people = ["leader@example.com", "manager@example.com", "auditor@example.com"]
    readers = [
        threading.Thread(
            target=guarded,
            args=(
                reader,
                failures,
                Browser(site.web, tally, faults),
                people[i % len(people)],
                stop,
            ),
        )
        for i in range(args.readers)
    ]
    writers = [
        threading.Thread(
            target=guarded,
            args=(writer, failures, Browser(site.web, tally, faults), n, ctx, written, stop),
        )
        for n in range(args.writers)
    ]
    return readers + writers


def inject(site: Site, what: str, faults: Faults, args: argparse.Namespace) -> float | None:
    """One fault of the plan; for the SMTP server's outage, when to start it again."""
    stack = site.stack
    if what == "kill-worker":
        faults.begin("worker SIGKILL")
        stack.send("worker1", signal.SIGKILL)
        time.sleep(1)
        stack.supervise(SUPERVISED)
        faults.end("worker SIGKILL")
    elif what == "restart-redis":
        faults.begin("Redis restart")
        stack.kill("redis", signal.SIGTERM)
        time.sleep(3)
        site.start_redis()
        faults.end("Redis restart")
    elif what == "terminate-connections":
        faults.begin("pg_terminate_backend")
        killed = terminate(site.admin, site.ports["replica"])
        log(f"terminated {killed} PostgreSQL connections")
        time.sleep(1)
        faults.end("pg_terminate_backend")
    elif what == "smtp-down":
        faults.begin(f"SMTP down {args.smtp_down} s")
        stack.kill("smtp")
        return time.monotonic() + args.smtp_down
    return None


def drain(db: Any, site: Site, first_notification: int) -> None:
    """The sweep (what beat runs every 15 minutes) until nothing is left to send, for at
    most PROD_CHECK_DRAIN_SECONDS (240)."""
    celery_call(site.env, "isova.tasks.scan_alerts")
    drain_until = time.monotonic() + int(os.getenv("PROD_CHECK_DRAIN_SECONDS", "240"))
    while time.monotonic() < drain_until:
        waiting = scalar(
            db,
            "SELECT count(*) FROM isova_notification WHERE status = 'pending' AND id >= %s",
            [first_notification],
        )
        if waiting == 0:
            break
        site.stack.supervise(SUPERVISED)
        celery_call(site.env, "isova.tasks.deliver_pending")
        time.sleep(10)
    time.sleep(3)


# seed_demo, with the demo's many password checks (signatures) on a fast hasher, then every
# demo password stored once with the production hasher: PBKDF2's rounds were most of the
# seeding time (a minute or more on a busy two-core machine).
SEED = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isova.settings")
import django
django.setup()
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import override_settings
from isova.models import User
with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
    call_command("seed_demo")
"""
SEED += f"User.objects.update(password=make_password({PASSWORD!r}))\n"


# Restarted when they exit (`Stack.supervise`), as docker-compose.yml's restart policy does.
SUPERVISED = ("worker1", "worker2", "beat")


def scalar(db: Any, sql: str, params: list[Any] | None = None) -> Any:
    row = db.execute(sql, params).fetchone()
    return row[0] if row else None


def guarded(target: Any, failures: list[str], *args: Any) -> None:
    try:
        target(*args)
    except Exception as error:  # a load thread that dies is a failed check, not a hang
        failures.append(f"{target.__name__} stopped: {error!r}")


def fault_plan(args: argparse.Namespace) -> list[tuple[float, str]]:
    span = args.load_seconds
    return [
        (span * 0.10, "kill-worker"),
        (span * 0.25, "restart-redis"),
        (span * 0.40, "terminate-connections"),
        (span * 0.50, "smtp-down"),
    ]


def terminate(admin: str, replica_port: int) -> int:
    import psycopg

    total = 0
    for url in (admin, admin.replace(admin.split(":")[2].split("/")[0], str(replica_port))):
        with psycopg.connect(url, autocommit=True) as conn:
            total += len(
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = 'isova' AND backend_type = 'client backend' "
                    "AND pid <> pg_backend_pid() AND application_name <> %s",
                    [DRIVER],
                ).fetchall()
            )
    return total


def replica_reads(port: int) -> int:
    import psycopg

    with psycopg.connect(
        f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True
    ) as conn:
        row = conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'isova'"
        ).fetchone()
    return int(row[0]) if row else 0


def celery_call(env: dict[str, str], task: str) -> None:
    subprocess.Popen(
        [str(BIN / "celery"), "-A", "isova", "call", task, "--queue", "isova"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def probe(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError):
        return 599


def wait_ready(base: str, seconds: float = 90) -> int:
    deadline = time.monotonic() + seconds
    status = 0
    while time.monotonic() < deadline:
        status = probe(base + "/readyz")
        if status == 200:
            return status
        time.sleep(1)
    return status


def verdicts(
    db: Any,
    direct_env: dict[str, str],
    mail_file: Path,
    written: Written,
    tally: Tally,
    failures: list[str],
    run_id: str,
    first_notification: int,
) -> dict[str, Any]:
    """Judge the requests, the e-mails and the rows; each failure goes in `failures`.
    Returns the figures of the report."""
    if tally.unexpected:
        shown = collections.Counter(tally.unexpected).most_common(10)
        failures.append(f"{len(tally.unexpected)} unexpected 5xx or errors: {shown}")
    emails = email_verdict(db, mail_file, failures, first_notification)
    verified = records_verdict(direct_env, failures)
    writes = writes_verdict(db, written, failures, run_id)
    return {
        "requests": tally.requests,
        "by_status": dict(sorted(tally.by_status.items())),
        "5xx_unexpected": len(tally.unexpected),
        "503_while_a_dependency_was_down": tally.expected_503,
        **writes,
        **emails,
        "verify_records": verified,
    }


def email_verdict(
    db: Any, mail_file: Path, failures: list[str], first_notification: int
) -> dict[str, int]:
    """Every notification sent reached the SMTP server exactly once, none is left pending
    or failed after the drain, and some were sent at all."""
    mails = (
        [json.loads(line) for line in mail_file.read_text().splitlines()]
        if mail_file.exists()
        else []
    )
    received = collections.Counter(m["id"] for m in mails)
    rows = db.execute(
        "SELECT organisation_id, id, status, digest_id FROM isova_notification "
        "WHERE status IN ('pending', 'sent', 'failed') AND id >= %s",
        [first_notification],
    ).fetchall()
    # A row carried by another's message (its digest, or the first of a bundle of at-once
    # alerts) reached the server as that message: its Message-ID is the carrier's.
    sent_ids = {
        f"<isova.{org}.{carrier or pk}@127.0.0.1>"
        for org, pk, status, carrier in rows
        if status == "sent"
    }
    pending = sum(1 for _, _, status, _ in rows if status == "pending")
    failed = sum(1 for _, _, status, _ in rows if status == "failed")
    lost = [m for m in sent_ids if received[m] == 0]
    doubled = [m for m, n in received.items() if n > 1]
    if lost:
        failures.append(f"{len(lost)} notifications marked sent never reached the SMTP server")
    if doubled:
        failures.append(f"{len(doubled)} e-mails arrived more than once: {doubled[:5]}")
    if pending or failed:
        failures.append(f"{pending} notifications still pending, {failed} failed after drain")
    if not sent_ids:
        failures.append("no notification was e-mailed during the check")
    return {
        "emails_received": len(mails),
        "notifications_sent": len(sent_ids),
        "emails_lost": len(lost),
        "emails_doubled": len(doubled),
        "notifications_pending_or_failed": pending + failed,
    }


def records_verdict(direct_env: dict[str, str], failures: list[str]) -> str:
    """`verify_records` passes on the sign-off chains; returns its last line."""
    verified = subprocess.run(
        [PY, "manage.py", "verify_records"],
        cwd=ROOT,
        env=direct_env,
        capture_output=True,
        text=True,
    )
    if verified.returncode != 0:
        failures.append(f"verify_records failed:\n{verified.stdout}{verified.stderr}")
    return verified.stdout.strip().splitlines()[-1] if verified.stdout else ""


def writes_verdict(db: Any, written: Written, failures: list[str], run_id: str) -> dict[str, int]:
    """What the writers were told was saved is there, once: each action, its last status,
    each objective's last value."""
    actions = dict(
        db.execute(
            "SELECT title, count(*) FROM isova_action WHERE title LIKE %s GROUP BY title",
            [f"{run_id} %"],
        ).fetchall()
    )
    missing = [t for t in written.created if t not in actions]
    twice = [t for t, n in actions.items() if n > 1]
    unreported = [t for t in actions if t not in written.created]
    if missing or twice:
        failures.append(f"actions: {len(missing)} saved but missing, {len(twice)} made twice")
    statuses = dict(
        db.execute(
            "SELECT title, status FROM isova_action WHERE title LIKE %s", [f"{run_id} %"]
        ).fetchall()
    )
    wrong_status = [t for t, s in written.statuses.items() if statuses.get(t) != s]
    if wrong_status:
        failures.append(f"{len(wrong_status)} actions lost their saved status")
    for objective_id, value in written.values.items():
        stored = db.execute(
            "SELECT value FROM objectives_measurement WHERE objective_id = %s "
            "ORDER BY recorded_at DESC LIMIT 1",
            [objective_id],
        ).fetchone()
        if stored is None or float(stored[0]) != float(value):
            failures.append(
                f"objective {objective_id}: last saved value {value}, stored "
                f"{stored[0] if stored else None}"
            )
    return {
        "actions_created": len(actions),
        "actions_writers_were_told_saved": len(written.created),
        "actions_saved_after_an_error_answer": len(unreported),
        "status_changes_saved": len(written.statuses),
        "objective_values_saved": written.value_writes,
    }


def report(failures: list[str], figures: dict[str, Any], started: float) -> int:
    figures["duration_seconds"] = round(time.monotonic() - started)
    print("\nprod-check figures:\n" + json.dumps(figures, indent=2, default=str))
    if failures:
        print("\nprod-check FAILED:", file=sys.stderr)
        for failure in failures:
            print(f"  - {failure}", file=sys.stderr)
        return 1
    print("\nprod-check passed.")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "smtp-sink":
        smtp_sink(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(main())
