"""Heat-map labels wrap between words, never inside one (issue 22.9): "Catastrophic" is not
drawn as "Catastroph / ic"; on a narrow screen the map scrolls sideways in a region that
takes focus instead."""

import re
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

CSS = Path(settings.BASE_DIR) / "static" / "css" / "risks.css"


def _heat_map_rules() -> list[str]:
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    return [m.group(0) for m in re.finditer(r"[^{}]*\.heat-map[^{}]*\{[^}]*\}", text)]


def test_heat_map_labels_never_break_inside_a_word():
    rules = _heat_map_rules()
    assert rules
    for rule in rules:
        assert "anywhere" not in rule and "break-all" not in rule and "auto-phrase" not in rule
    table = next(r for r in rules if r.strip().startswith(".heat-map {"))
    assert "hyphens: none" in table and "overflow-wrap: normal" in table
    assert "table-layout: fixed" not in table


def test_the_heat_map_scrolls_in_a_focusable_region():
    html = render_to_string(
        "risks/_grid.html", {"grid": [], "impact_levels": [], "caption": "Current positions"}
    )
    assert re.search(r'<div class="scroll" tabindex="0" role="region" aria-label="[^"]+">', html)
