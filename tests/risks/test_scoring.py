"""Scoring and banding: every edge of the default bands, custom bands, and matrix versions."""

import datetime

import pytest
import time_machine

from risks import services
from risks.models import DEFAULT_BANDS, DEFAULT_IMPACT, DEFAULT_LIKELIHOOD, validate_matrix
from tests.conftest import membership_of
from tests.risks.conftest import raise_risk


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "band"),
    [
        (1, 1, 1, "Low"),
        (2, 2, 4, "Low"),
        (1, 5, 5, "Medium"),
        (3, 3, 9, "Medium"),
        (2, 5, 10, "High"),
        (4, 4, 16, "High"),
        (4, 5, 20, "Critical"),
        (5, 5, 25, "Critical"),
    ],
)
def test_default_bands_place_each_edge_score_in_the_right_band(
    org, likelihood, impact, score, band
):
    matrix = services.current_matrix(org.organisation)
    result = services.score(matrix, likelihood, impact)
    assert (result.score, result.band_name) == (score, band)


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 3), (6, 1), (3, 0), (3, 6)])
def test_a_level_outside_the_matrix_is_refused(org, likelihood, impact):
    matrix = services.current_matrix(org.organisation)
    with pytest.raises(services.RiskError):
        services.score(matrix, likelihood, impact)


CUSTOM_BANDS = [
    {"name": "Green", "min": 1, "max": 2, "colour": "#00aa00", "review_days": 400,
     "treatment_days": 200, "approval": False},
    {"name": "Amber", "min": 3, "max": 5, "colour": "#ffaa00", "review_days": 60,
     "treatment_days": 30, "approval": False},
    {"name": "Red", "min": 6, "max": 9, "colour": "#ff0000", "review_days": 14,
     "treatment_days": 7, "approval": True},
]  # fmt: skip
THREE = [{"name": n, "description": ""} for n in ("Low", "Medium", "High")]


def _custom(org):
    return services.matrix_update(
        membership=membership_of(org.leader, org.organisation),
        likelihood=THREE,
        impact=THREE,
        bands=CUSTOM_BANDS,
    )


@pytest.mark.parametrize(
    ("likelihood", "impact", "band"),
    [
        (1, 1, "Green"),
        (1, 2, "Green"),
        (1, 3, "Amber"),
        (2, 2, "Amber"),
        (2, 3, "Red"),
        (3, 3, "Red"),
    ],
)
def test_custom_bands_on_a_three_by_three_matrix(org, likelihood, impact, band):
    matrix = _custom(org)
    assert services.score(matrix, likelihood, impact).band_name == band


def test_a_band_definition_leaving_a_reachable_score_outside_every_band_is_refused():
    bands = [dict(b) for b in DEFAULT_BANDS]
    bands[2]["max"] = 14  # 15 and 16 are reachable (3 × 5, 4 × 4)
    problems = validate_matrix(DEFAULT_LIKELIHOOD, DEFAULT_IMPACT, bands)
    assert any("15, 16" in p for p in problems)


def test_overlapping_bands_are_refused():
    bands = [dict(b) for b in DEFAULT_BANDS]
    bands[1]["max"] = 10
    assert any("overlap" in p for p in validate_matrix(DEFAULT_LIKELIHOOD, DEFAULT_IMPACT, bands))


def test_a_matrix_change_keeps_old_assessments_on_their_version(org):
    risk = raise_risk(org, inherent_likelihood=2, inherent_impact=3)  # 6: Medium on v1
    first = risk.assessments.get()
    assert (first.matrix.number, first.band) == (1, "Medium")
    v2 = _custom(org)
    assert v2.number == 2  # v1 scored something, so it is frozen
    v1 = first.matrix
    v1.refresh_from_db()
    assert v1.bands == DEFAULT_BANDS
    risk.refresh_from_db()
    assert (risk.matrix.number, risk.residual_band) == (1, "Medium")
    assert services.current_matrix(org.organisation).number == 1  # v2 is not approved yet


def test_an_unused_matrix_version_is_edited_in_place(org):
    matrix = services.current_matrix(org.organisation)
    edited = _custom(org)
    assert edited.pk == matrix.pk and edited.number == 1


def test_an_approved_matrix_version_scores_new_risks_and_reviews(org):
    from isova import records
    from tests.factories import PASSWORD

    raise_risk(org)
    v2 = _custom(org)
    records.submit(membership=membership_of(org.manager, org.organisation), obj=v2)
    records.approve(
        membership=membership_of(org.leader, org.organisation), obj=v2, password=PASSWORD
    )
    assert services.current_matrix(org.organisation).pk == v2.pk
    risk = raise_risk(org, inherent_likelihood=3, inherent_impact=3)
    assert (risk.matrix.number, risk.inherent_band) == (2, "Red")


@pytest.mark.parametrize(
    ("likelihood", "impact", "days"),
    [(1, 2, 365), (3, 3, 180), (3, 4, 90), (5, 5, 30)],
)
def test_the_next_review_follows_the_band_of_the_reviewed_score(org, likelihood, impact, days):
    risk = raise_risk(org)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC), tick=False):
        services.risk_review_record(
            membership=membership_of(org.manager, org.organisation),
            risk=risk,
            reviewed_on=datetime.date(2026, 3, 1),
            likelihood=likelihood,
            impact=impact,
            controls_effective=True,
        )
    risk.refresh_from_db()
    assert risk.next_review_date == datetime.date(2026, 3, 1) + datetime.timedelta(days=days)


def test_a_risk_with_its_own_review_frequency_keeps_it(org):
    risk = raise_risk(org, review_every_days=45)
    review = services.risk_review_record(
        membership=membership_of(org.manager, org.organisation),
        risk=risk,
        reviewed_on=org.organisation.today(),
        likelihood=5,
        impact=5,
        controls_effective=False,
    )
    risk.refresh_from_db()
    assert risk.next_review_date == review.assessed_on + datetime.timedelta(days=45)
    assert (risk.residual_score, risk.residual_band, risk.inherent_score) == (25, "Critical", 9)


def test_a_review_cannot_be_dated_in_the_future(org):
    risk = raise_risk(org)
    with pytest.raises(services.RiskError):
        services.risk_review_record(
            membership=membership_of(org.manager, org.organisation),
            risk=risk,
            reviewed_on=org.organisation.today() + datetime.timedelta(days=1),
            likelihood=1,
            impact=1,
            controls_effective=True,
        )
    assert risk.assessments.count() == 1


def test_references_are_numbered_per_kind(org):
    assert raise_risk(org).reference == "R-001"
    assert raise_risk(org).reference == "R-002"
    assert raise_risk(org, kind="opportunity", treatment="pursue").reference == "O-001"


def test_an_opportunity_cannot_be_treated_as_a_risk(org):
    with pytest.raises(services.RiskError):
        raise_risk(org, kind="opportunity", treatment="reduce")
