"""The preview shows every row as it will be saved, a page of PREVIEW_ROWS at a time (?page=),
with every error and warning of the whole file on each page."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from isova.imports import engine
from isova.imports.models import ImportUpload
from isova.imports.reading import read_table
from isova.registry import registry
from tests.conftest import membership_of
from tests.isova.imports.conftest import run_import


def _actions(n: int, bad: set[int] = frozenset()) -> bytes:
    lines = [f"A-{i},Action {i},{'Enormous' if i in bad else 'High'},Open" for i in range(1, n + 1)]
    return ("ID,Action,Priority,Status\n" + "\n".join(lines) + "\n").encode()


def _rows(page: str) -> list[int]:
    table = page.split('id="preview"', 1)[1].split("</table>", 1)[0]
    return [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", table)]


def test_the_engine_shows_the_page_of_rows_asked_for(org):
    leader = membership_of(org.leader, org.organisation)
    report = run_import("actions", leader, _actions(450), write=False)
    assert [n for n, _, _ in report.preview] == list(range(2, 202))  # file lines 2–201
    kind = registry.import_kind("actions")
    ctx = engine.make_context(leader)
    table = read_table(_actions(450))
    mapping = engine.suggest(kind, ctx, table)
    report = engine.run(kind, ctx, table, mapping, write=False, preview_from=400)
    assert [n for n, _, _ in report.preview] == list(range(402, 452))
    assert report.preview[0][1]["Title"] == "Action 401"
    assert report.would_create == 450


def test_the_preview_page_walks_every_row_and_lists_every_error_on_each_page(org, as_user):
    client = as_user(org.leader)
    client.post(
        reverse("imports:upload", args=["actions"]),
        {"file": SimpleUploadedFile("log.csv", _actions(450, bad={3, 420}))},
    )
    upload = ImportUpload.objects.get()
    url = reverse("imports:preview", args=[upload.pk])
    first = client.get(url).content.decode()
    assert "Rows 1–200 of 450" in first
    assert _rows(first) == [n for n in range(2, 202) if n != 4]  # line 4 (row 3) has an error
    assert "?page=2" in first and "Page 1 of 3" in first
    last = client.get(url + "?page=3").content.decode()
    assert "Rows 401–450 of 450" in last
    assert _rows(last) == [n for n in range(402, 452) if n != 421]
    for page in (first, last):  # every error of the file, whichever page is shown
        assert "<td>4</td><td>Priority</td>" in page and "<td>421</td><td>Priority</td>" in page
        assert "2 errors" in page
    # Past the end is the last page; nonsense is the first.
    assert "Rows 401–450 of 450" in client.get(url + "?page=99").content.decode()
    assert "Rows 1–200 of 450" in client.get(url + "?page=x").content.decode()


def test_a_page_of_the_preview_costs_the_same_queries_whatever_the_page(org, as_user):
    client = as_user(org.leader)
    client.post(
        reverse("imports:upload", args=["actions"]),
        {"file": SimpleUploadedFile("log.csv", _actions(450))},
    )
    url = reverse("imports:preview", args=[ImportUpload.objects.get().pk])
    counts = []
    for page in ("1", "3"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"page": page}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
