"""Time the main pages of the large bench organisation in-process and over HTTP, then the
alert scan and the verification of its sign-off chain; write bench/results.json.

In-process: the Django test client, SQL queries counted per request (an execute wrapper,
since the test client's request_started signal resets `connection.queries`). Over HTTP:
gunicorn (sync workers, DEBUG=0, collected static files) on a free loopback port; one fresh
connection per request (http.client), a session cookie made with the test client's
`force_login` (a real row in django_session, which the gunicorn workers read). Percentiles
after a warm-up; at 1 user and at 8 concurrent users (threads); requests per second.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import setup_test_environment

from isova import records
from isova.models import Membership, Notification, Organisation, User
from isova.notifications import alerts

from . import seeding

RESULTS = Path(__file__).resolve().parent / "results.json"
BASE_DIR = Path(settings.BASE_DIR)
CORE_APPS = ("isova", "objectives", "audits", "risks", "reviews")


@dataclass
class Page:
    label: str
    # A path, or a function of the large organisation giving one (a page of one record,
    # whose id the seed decided).
    path: str | Callable[[Organisation], str]
    who: str  # "leader" or "staff"

    def url(self, organisation: Organisation) -> str:
        return self.path(organisation) if callable(self.path) else self.path


def pages() -> list[Page]:
    """Every seeder module's PAGES, plus one per dashboard panel, in the seeders' order."""
    from isova.registry import registry

    found: list[Page] = []
    for module in seeding.seeder_modules():
        found += [Page(*row) for row in getattr(module, "PAGES", [])]
        if module.NAME == "isova_core":
            found += [
                Page(f"panel {name}", f"/dashboard/panels/{name}/", "leader")
                for name in [panel.name for panel in registry.panels()]
            ]
    return found


def percentile(sorted_ms: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_ms:
        return 0.0
    rank = max(1, int(round(share * len(sorted_ms) + 0.5)))
    return sorted_ms[min(rank, len(sorted_ms)) - 1]


def _figures(times_ms: list[float], wall: float) -> dict[str, float]:
    times_ms = sorted(times_ms)
    return {
        "p50_ms": round(statistics.median(times_ms), 1),
        "p95_ms": round(percentile(times_ms, 0.95), 1),
        "p99_ms": round(percentile(times_ms, 0.99), 1),
        "rps": round(len(times_ms) / wall, 1) if wall else 0.0,
    }


# --- in-process ------------------------------------------------------------------------


def in_process(client: Client, path: str, repeat: int) -> tuple[int, int, float, float]:
    """(status, queries of one request, p50 ms, SQL floor ms) with the test client.

    The SQL floor is the median time of the same request's queries (same SQL, same
    parameters) run bare on the same connection, in the same run: what the page would cost
    if Python, templates and HTTP took nothing. Page time over it is overhead we own."""
    first = client.get(path)
    if first.status_code != 200:
        return first.status_code, 0, 0.0, 0.0
    queries: list[tuple[str, Any]] = []

    def count(execute: Callable[..., Any], sql: str, params: Any, *args: Any) -> Any:
        queries.append((sql, params))
        return execute(sql, params, *args)

    with connection.execute_wrapper(count):
        client.get(path)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    return 200, len(queries), round(statistics.median(times), 1), sql_floor(queries, repeat)


def sql_floor(queries: list[tuple[str, Any]], repeat: int) -> float:
    """Median ms of running `queries` bare, reading every row, inside a transaction rolled
    back (the hourly "last seen" UPDATE among them must not change the bench data)."""
    times = []
    for _ in range(max(repeat, 1)):
        with transaction.atomic(), connection.cursor() as cursor:
            start = time.perf_counter()
            for sql, params in queries:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
            times.append((time.perf_counter() - start) * 1000)
            transaction.set_rollback(True)
    return round(statistics.median(times), 1)


# --- over HTTP -------------------------------------------------------------------------


def _free_port() -> int:
    """BENCH_PORT when set (a shared machine gives each user a range), else any free one."""
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """gunicorn isova.wsgi on loopback with production settings (DEBUG=0)."""

    def __init__(self, secret_key: str, workers: int = 2) -> None:
        self.port = _free_port()
        # The database this process uses (under pytest: the test database, not DATABASE_URL's).
        url = os.environ["DATABASE_URL"].split("?")[0].rsplit("/", 1)[0]
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{self.port}",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"{url}/{connection.settings_dict['NAME']}",
        }
        # DEBUG=0 serves the collected, hashed static files: collect them every time (it only
        # copies what changed), since a manifest left from an older checkout lacks newer files
        # and every page naming one of them answers 500.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=BASE_DIR,
            env=env,
            check=True,
        )
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [
                gunicorn,
                "isova.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited at start (its log is above)")
            try:  # the master listens before its workers boot: wait for a real answer
                if self.get("/accounts/login/", "")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def get(self, path: str, cookie: str) -> tuple[int, float]:
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(
                "GET",
                path,
                headers={"Cookie": cookie, "Host": "127.0.0.1", "X-Forwarded-Proto": "https"},
            )
            response = conn.getresponse()
            response.read()
            status = response.status
        finally:
            conn.close()
        return status, (time.perf_counter() - start) * 1000

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def over_http(
    server: Gunicorn, path: str, cookie: str, repeat: int, users: int
) -> dict[str, float]:
    """`users` threads each make `repeat` requests (after one warm-up each)."""
    times: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            server.get(path, cookie)
        except OSError:
            barrier.abort()
            raise
        barrier.wait()
        mine = []
        for _ in range(repeat):
            status, ms = server.get(path, cookie)
            if status != 200:
                errors.append(status)
            mine.append(ms)
        with lock:
            times.extend(mine)

    barrier = threading.Barrier(users + 1, timeout=120)
    threads = [threading.Thread(target=run) for _ in range(users)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{path}: HTTP {sorted(set(errors))} under load")
    return _figures(times, wall)


# --- scan and verification -------------------------------------------------------------


def alert_scan() -> dict[str, Any]:
    """Every bench organisation's alert scan for today, with the e-mails queued (to an
    in-memory broker), not sent inline: the scan makes notifications, workers send them."""
    from isova.celery import app as celery_app

    Notification.objects.filter(organisation__slug__startswith=seeding.SLUG_PREFIX).delete()
    organisations = list(Organisation.objects.filter(slug__startswith=seeding.SLUG_PREFIX))
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    made = 0
    try:
        start = time.perf_counter()
        for organisation in organisations:
            made += alerts.scan(organisation)
        seconds = time.perf_counter() - start
    finally:
        celery_app.conf.task_always_eager = eager
    return {
        "organisations": len(organisations),
        "notifications": made,
        "seconds": round(seconds, 3),
        "notifications_per_second": round(made / seconds, 1) if seconds else 0.0,
    }


def verification(organisation: Organisation) -> dict[str, Any]:
    start = time.perf_counter()
    count, breaks = records.verify_chain(organisation)
    seconds = time.perf_counter() - start
    return {"signoffs": count, "intact": not breaks, "seconds": round(seconds, 3)}


IMPORT_ROWS = 20_000  # at scale 1: issue 23's "big file"


def big_import(organisation: Organisation, rows: int) -> dict[str, Any]:
    """A risk register of `rows` rows imported by the web flow's task (in-process, the file
    read from its upload row, progress after each batch), then rolled back."""
    from isova.imports import engine
    from isova.imports.reading import read_table
    from isova.registry import registry

    membership = Membership.objects.select_related("organisation", "user").get(
        organisation=organisation, user__email=f"leader@{organisation.slug}.example"
    )
    data = _risk_register_csv(membership.user.get_full_name(), rows)
    kind = registry.import_kind("risks")
    table = read_table(data, "bench.csv")
    mapping = engine.suggest(kind, engine.make_context(membership), table)
    state, seconds, batches, queries = _import_rolled_back(membership, data, mapping, rows)
    return {
        "rows": rows,
        "state": str(state),
        "seconds": round(seconds, 3),
        "rows_per_second": round(rows / seconds, 1) if seconds else 0.0,
        "batches": len(batches),
        "queries": queries,
        "queries_per_batch": round(queries / len(batches), 1) if batches else None,
    }


def _risk_register_csv(owner: str, rows: int) -> bytes:
    """A risk register of `rows` rows as CSV, every risk owned by `owner`."""
    lines = ["Risk ID,Risk,Type,Likelihood,Impact,Owner,Status,Review date,Notes"] + [
        f"BENCH-IMPORT-{i},Imported risk {i},{'Opportunity' if i % 7 == 0 else 'Risk'},"
        f"{['Low', 'Medium', 'High'][i % 3]},{['High', 'Low', 'Medium'][i % 3]},{owner},"
        f"{['Open', 'Mitigated', 'Closed'][i % 3]},{i % 28 + 1}/03/2026,note {i}"
        for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def _import_rolled_back(
    membership: Membership, data: bytes, mapping: dict[str, Any], rows: int
) -> tuple[str, float, list[int], int]:
    """Upload `data` and run its import task in-process, in a transaction rolled back after:
    the import's state, seconds, rows done after each batch and queries made."""
    from isova.imports import services
    from isova.imports.models import ImportUpload

    organisation = membership.organisation
    batches: list[int] = []
    queries = 0

    def count(execute: Callable[..., Any], sql: str, params: Any, *args: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, *args)

    with transaction.atomic():
        upload = ImportUpload.objects.create(
            organisation=organisation,
            user=membership.user,
            kind="risks",
            filename="bench.csv",
            data=data,
            mapping=mapping,
        )
        services.upload_start(upload=upload, total_rows=rows)  # its task is queued on commit
        with connection.execute_wrapper(count):
            start = time.perf_counter()
            state = services.upload_import(
                upload_id=upload.pk, progress=lambda done, total: batches.append(done)
            )
            seconds = time.perf_counter() - start
        transaction.set_rollback(True)  # never committed: the task is never queued either
    return state, seconds, batches, queries


def row_counts() -> dict[str, int]:
    counts = {}
    for app in CORE_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.db_table.startswith("isova_historical"):
                continue
            counts[model._meta.db_table] = model._default_manager.count()
    return {table: n for table, n in sorted(counts.items()) if n}


# --- the run ---------------------------------------------------------------------------


def run(
    *,
    repeat: int = 20,
    concurrent_repeat: int = 10,
    workers: int = 2,
    http: bool = True,
    out: Callable[[str], None] = print,
    only: list[str] | None = None,
) -> dict[str, Any]:
    """Measure every page (or those whose label is in `only`); returns the results."""
    _prepare_settings()
    organisation = Organisation.objects.get(slug=seeding.LARGE_SLUG)
    clients, cookies = _logged_in(organisation)
    results = _results_head(repeat, concurrent_repeat, workers)
    out(f"{sum(results['rows'].values()):,} rows; {results['database']}")
    server = Gunicorn(settings.SECRET_KEY, workers) if http else None
    try:
        out(_header(server))
        for page in pages():
            if only and page.label not in only:
                continue
            _measure(
                page,
                organisation,
                clients,
                cookies,
                server,
                results,
                out,
                repeat=repeat,
                concurrent_repeat=concurrent_repeat,
            )
    finally:
        if server:
            server.stop()
    _scan_and_verify(organisation, results, out)
    _import(organisation, results, out)
    results["machine"]["loadavg"] = list(os.getloadavg())
    return results


def _results_head(repeat: int, concurrent_repeat: int, workers: int) -> dict[str, Any]:
    """What the results say before any page is measured: when, at what scale, on which
    database and machine, with what settings, over how many rows."""
    return {
        "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "scale": organisation_scale(),
        "database": f"{connection.vendor}:{connection.settings_dict['NAME']}",
        "machine": {"cpus": os.cpu_count(), "loadavg_before": list(os.getloadavg())},
        "settings": {
            "repeat": repeat,
            "concurrent_users": 8,
            "concurrent_repeat_per_user": concurrent_repeat,
            "gunicorn_workers": workers,
        },
        "rows": row_counts(),
        "pages": {},
        "skipped": [],
    }


def _prepare_settings() -> None:
    """The test environment (when not under pytest) and what the gunicorn workers need: a
    production-grade key to check the session cookie's signature, the test client's host."""
    if not hasattr(mail, "outbox"):  # setup_test_environment() not called yet (not under pytest)
        setup_test_environment()
    key = settings.SECRET_KEY
    if len(key) < 50 or key.startswith("django-insecure"):
        settings.SECRET_KEY = secrets.token_urlsafe(50)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def _logged_in(organisation: Organisation) -> tuple[dict[str, Client], dict[str, str]]:
    """A test client logged in as the leader and as the staff member, and their session
    cookies as a Cookie header for the HTTP measurements."""
    people = {
        "leader": User.objects.get(email=f"leader@{organisation.slug}.example"),
        "staff": User.objects.get(email=f"staff@{organisation.slug}.example"),
    }
    clients = {}
    for who, user in people.items():
        clients[who] = Client()
        clients[who].force_login(user)
    cookies = {
        who: f"{settings.SESSION_COOKIE_NAME}={c.cookies[settings.SESSION_COOKIE_NAME].value}"
        for who, c in clients.items()
    }
    return clients, cookies


def _header(server: Gunicorn | None) -> str:
    """The table's header line (the HTTP columns only with a server)."""
    header = f"{'page':24} {'queries':>7} {'in-proc p50':>11} {'sql floor':>9}"
    if server:
        header += (
            f" {'p50':>7} {'p95':>7} {'p99':>7} {'rps':>6} {'c8 p50':>7} {'c8 p95':>7} "
            f"{'c8 rps':>7}   (ms over HTTP; c8: 8 concurrent users)"
        )
    return header


def _measure(
    page: Page,
    organisation: Organisation,
    clients: dict[str, Client],
    cookies: dict[str, str],
    server: Gunicorn | None,
    results: dict[str, Any],
    out: Callable[[str], None],
    *,
    repeat: int,
    concurrent_repeat: int,
) -> None:
    """One page in process (skipped unless it answers 200), then over HTTP alone and with 8
    concurrent users; its row put in `results` and its line written."""
    path = page.url(organisation)
    status, queries, local_p50, floor = in_process(clients[page.who], path, repeat)
    if status != 200:
        note = f"{path} answered {status} in-process: skipped"
        results["skipped"].append({"label": page.label, "path": path, "note": note})
        out(f"{page.label:24} skipped ({status})")
        return
    row: dict[str, Any] = {
        "path": path,
        "who": page.who,
        "queries": queries,
        "in_process_p50_ms": local_p50,
        "sql_floor_ms": floor,
        # page over its own SQL run bare: what Python, templates (and HTTP) add
        "over_floor": round(local_p50 / floor, 2) if floor else None,
    }
    if server:
        row.update(over_http(server, path, cookies[page.who], repeat, 1))
        row["c8"] = over_http(server, path, cookies[page.who], concurrent_repeat, 8)
    results["pages"][page.label] = row
    out(_line(page.label, row, http=server is not None))


def _line(label: str, row: dict[str, Any], *, http: bool) -> str:
    """A page's line of the table."""
    line = (
        f"{label:24} {row['queries']:>7} {row['in_process_p50_ms']:>11.1f} "
        f"{row['sql_floor_ms']:>9.1f}"
    )
    if http:
        c8 = row["c8"]
        line += (
            f" {row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f} {row['p99_ms']:>7.1f} "
            f"{row['rps']:>6.1f} {c8['p50_ms']:>7.1f} {c8['p95_ms']:>7.1f} "
            f"{c8['rps']:>7.1f}"
        )
    return line


def _scan_and_verify(
    organisation: Organisation, results: dict[str, Any], out: Callable[[str], None]
) -> None:
    """The alert scan over every organisation and the record chain's verification of the
    large one, timed, put in `results` and written."""
    results["scan"] = alert_scan()
    out(
        f"alert scan: {results['scan']['notifications']:,} notifications over "
        f"{results['scan']['organisations']} organisations in {results['scan']['seconds']} s "
        f"({results['scan']['notifications_per_second']:,}/s)"
    )
    results["verify"] = verification(organisation)
    out(
        f"verify_records ({organisation.slug}): {results['verify']['signoffs']:,} sign-offs "
        f"in {results['verify']['seconds']} s, "
        f"{'intact' if results['verify']['intact'] else 'BROKEN'}"
    )


def _import(
    organisation: Organisation, results: dict[str, Any], out: Callable[[str], None]
) -> None:
    """A large register imported through the background import's task (rolled back)."""
    rows = max(100, round(IMPORT_ROWS * results["scale"]))
    results["import"] = big_import(organisation, rows)
    out(
        f"import: {rows:,} risks in {results['import']['seconds']} s "
        f"({results['import']['rows_per_second']:,} rows/s, {results['import']['batches']} "
        f"batches, {results['import']['queries_per_batch']} queries a batch), "
        f"{results['import']['state']}"
    )


def organisation_scale() -> float:
    """The scale the database was seeded at, from the number of bench organisations."""
    return Organisation.objects.filter(slug__startswith=seeding.SLUG_PREFIX).count() / 100


def growth(small: dict[str, Any], large: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per page and panel, the larger scale's figures over the smaller one's: p50 over HTTP
    (in-process when there was no HTTP run) and the SQL floor, with both query counts."""
    found: dict[str, dict[str, Any]] = {}
    for label, row in large["pages"].items():
        before = small["pages"].get(label)
        if not before:
            continue
        key = "p50_ms" if "p50_ms" in row and "p50_ms" in before else "in_process_p50_ms"
        found[label] = {
            "queries": [before["queries"], row["queries"]],
            "measure": key,
            "ratio": round(row[key] / before[key], 2) if before.get(key) else None,
            "sql_floor_ratio": (
                round(row["sql_floor_ms"] / before["sql_floor_ms"], 2)
                if before.get("sql_floor_ms") and "sql_floor_ms" in row
                else None
            ),
        }
    return found


def compare(small: dict[str, Any], large: dict[str, Any], out: Callable[[str], None]) -> None:
    """Growth: each page's figures at the larger scale over the smaller one (also kept in the
    larger run's results as `growth`)."""
    large["growth"] = growth(small, large)
    large["growth_from_scale"] = small["scale"]
    out(f"growth from scale {small['scale']} to {large['scale']}")
    out(f"{'page':24} {'queries':>9} {'ratio':>6} {'sql floor ratio':>16}")
    for label, row in large["growth"].items():
        before, after = row["queries"]
        same = "" if before == after else " !"
        out(
            f"{label:24} {before:>4}→{after:<4}{same:2} {row['ratio'] or 0:>6.2f} "
            f"{row['sql_floor_ratio'] or 0:>16.2f}"
        )


def write(results: dict[str, Any], path: Path = RESULTS) -> None:
    path.write_text(json.dumps(results, indent=2) + "\n")
