import gzip
from pathlib import Path

import plotly
from django.contrib.staticfiles import finders

VENDORED = "vendor/plotly/plotly-cartesian.min.js"


def test_plotly_js_is_the_vendored_cartesian_bundle_with_its_licence_and_version():
    found = finders.find(VENDORED)
    assert found and 1_000_000 < Path(found).stat().st_size < 1_600_000
    folder = Path(found).parent
    assert "MIT" in (folder / "LICENSE").read_text()
    assert "plotly.js-cartesian-dist-min 4.1.1" in (folder / "README.md").read_text()
    assert "plotly.js (cartesian - minified) v4.1.1" in Path(found).read_text()[:200]
    assert finders.find("vendor/plotly.min.js") is None  # the 4.8 MB full bundle is gone


def test_the_vendored_bundle_has_the_major_version_the_plotly_package_bundles():
    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    header = bundled.read_text()[:100]
    assert "plotly.js v4." in header, header


def test_the_gzipped_copy_is_exactly_the_bundle():
    found = Path(finders.find(VENDORED))
    assert gzip.decompress(found.with_name(found.name + ".gz").read_bytes()) == found.read_bytes()


def test_a_missing_static_file_is_not_found_rather_than_a_list_of_none():
    assert finders.find("css/no-such-file.css") is None
    assert finders.find("css/no-such-file.css", find_all=True) == []


def test_htmx_is_vendored_not_fetched_from_a_cdn(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "/static/django_htmx/htmx-2" in html
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_the_favicon_is_found_where_browsers_look_for_it(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
    assert finders.find("img/favicon.svg")
