from pathlib import Path

from django.contrib.staticfiles import finders


def test_plotly_js_is_served_from_the_installed_package():
    found = finders.find("vendor/plotly.min.js")
    assert found and Path(found).name == "plotly.min.js" and Path(found).stat().st_size > 1_000_000


def test_a_missing_static_file_is_not_found_rather_than_a_list_of_none():
    assert finders.find("css/no-such-file.css") is None
    assert finders.find("css/no-such-file.css", find_all=True) == []


def test_htmx_is_vendored_not_fetched_from_a_cdn(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "/static/django_htmx/htmx-2" in html
    assert "unpkg" not in html and "cdn" not in html.lower()
