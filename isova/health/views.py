"""The leaders' page for the leadership health thresholds (the dashboard's health panel)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from isova.accounts.tenancy import OrgRequest, member_required, require
from isova.errors import DomainError
from isova.forms import SafeForm
from isova.health import services as health
from isova.http import flash_redirect
from isova.registry import registry


class ThresholdsForm(SafeForm):
    """An amber and a red threshold for every registered health figure."""

    def __init__(self, *args: Any, current: dict[str, tuple[float, float]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for figure in registry.health_figures():
            amber, red = current[figure.key]
            unit = f" ({figure.unit})" if figure.unit else ""
            way = "at or below" if figure.worse == "lower" else "from"
            for name, value in (("amber", amber), ("red", red)):
                self.fields[f"{figure.key}-{name}"] = forms.FloatField(
                    label=f"{figure.title}: {name} {way}{unit}",
                    min_value=0,
                    max_value=100_000,
                    initial=value,
                )

    def values(self) -> dict[str, tuple[float, float]]:
        data = self.cleaned_data
        return {
            f.key: (data[f"{f.key}-amber"], data[f"{f.key}-red"]) for f in registry.health_figures()
        }


@member_required
def thresholds(request: OrgRequest) -> HttpResponse:
    require(request, "isova.health.edit")
    current = health.thresholds(request.organisation)
    form = ThresholdsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            health.health_thresholds_update(membership=request.membership, values=form.values())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return flash_redirect(request, reverse("dashboard"), "Health thresholds saved.")
    return render(request, "isova/health_thresholds.html", {"form": form})
