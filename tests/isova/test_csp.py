"""Text stays text: a Content-Security-Policy on every response; chart text escaped (9.8)."""

import json
import re

from objectives import charts
from objectives.models import Objective
from tests.objectives.conftest import add_values, make_objective

UNIT = '<a href="//x.io">u</a>'


def test_every_response_carries_a_policy_that_allows_no_inline_script(org, as_user, client):
    for response in (client.get("/accounts/login/"), as_user(org.manager).get("/actions/")):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy
        assert "object-src 'none'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-eval" not in policy


def test_htmx_is_told_not_to_inject_its_indicator_styles(org, as_user):
    page = as_user(org.manager).get("/actions/").content.decode()
    assert '"includeIndicatorStyles":false' in page


def test_no_page_has_inline_script_or_event_handlers(org, as_user):
    objective = make_objective(org.organisation, org.manager)
    add_values(objective, [81, 82])
    client = as_user(org.manager)
    for path in ("/", "/dashboard/", "/actions/", "/objectives/", objective.get_absolute_url()):
        page = client.get(path).content.decode()
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
        # Only data (json_script) may be inline.
        assert all('type="application/json"' in attrs for attrs in scripts), (path, scripts)
        assert not re.search(r"\son[a-z]+\s*=", page), path
        assert "hx-on" not in page, path


def test_a_unit_with_markup_reaches_the_chart_escaped(org, as_user):
    objective = make_objective(org.organisation, org.manager, unit=UNIT)
    add_values(objective, [81, 82])
    annotated = Objective.objects.with_progress(org.organisation.today()).get(pk=objective.pk)
    assert charts.series(annotated, list(objective.measurements.order_by("period")))["unit"] == (
        '&lt;a href="//x.io"&gt;u&lt;/a&gt;'
    )
    page = as_user(org.manager).get(objective.get_absolute_url()).content.decode()
    data = re.search(r'id="objective-chart-data"[^>]*>(.*?)</script>', page, re.S)
    assert data is not None
    assert json.loads(data.group(1))["unit"].startswith("&lt;a href=")
