"""The objective page loads its chart script compressed and stays under 1.5 MB on a phone;
pages without a chart load no chart script."""

import re

import pytest
from django.test import Client, override_settings

from tests.objectives.conftest import add_values, make_objective

LIMIT = 1_500_000  # bytes transferred for the page and everything it loads
ASSETS = re.compile(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"')


@pytest.fixture
def served_like_make_run():
    """WhiteNoise as under `make run` (DEBUG): files found by the finders, with any .gz beside."""
    with override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
        yield


def _transferred(client: Client, url: str) -> tuple[int, str]:
    response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return len(body), response.get("Content-Encoding", "")


def test_the_objective_page_with_its_chart_transfers_under_one_and_a_half_megabytes(
    org, served_like_make_run
):
    objective = make_objective(org.organisation, org.manager)
    add_values(objective, [81, 83, 84])
    client = Client()
    client.force_login(org.staff)
    page, _ = _transferred(client, f"/objectives/{objective.pk}/")
    html = client.get(f"/objectives/{objective.pk}/").content.decode()
    assets = ASSETS.findall(html)
    plotly = [a for a in assets if "plotly" in a]
    assert plotly == ["/static/vendor/plotly/plotly-cartesian.min.js"]
    sizes = {url: _transferred(client, url) for url in assets}
    assert sizes[plotly[0]][1] == "gzip"
    total = page + sum(size for size, _ in sizes.values())
    assert total <= LIMIT, f"{total} bytes: {sizes}"


@pytest.mark.parametrize("path", ["/objectives/", "/dashboard/", "/actions/", "/audits/"])
def test_pages_without_a_chart_load_no_chart_script(org, as_user, path):
    assert "plotly" not in as_user(org.manager).get(path).content.decode()
