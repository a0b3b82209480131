"""isova.clauses: the ISO 9001:2015 clause list, and findings that cite it."""

import pytest
from django.core.exceptions import ValidationError

from audits import services
from isova import clauses

from .conftest import raise_finding


def test_the_clause_list_runs_from_4_to_10_3_with_titles():
    assert clauses.CLAUSES["4"] == "Context of the organization"
    assert clauses.CLAUSES["7.1.5.2"] == "Measurement traceability"
    assert clauses.CLAUSES["10.3"] == "Continual improvement"
    assert "11" not in clauses.CLAUSES
    assert len(clauses.CLAUSES) == 91


@pytest.mark.parametrize("value", ["4", "8.5.1", "7.1.5.1", "10.2.2"])
def test_real_clauses_are_valid(value):
    clauses.validate_clause(value)


@pytest.mark.parametrize("value", ["11", "8.9", "4.4.3", "3", "8.5.1.", " 8.5.1", "x", ""])
def test_other_values_are_refused_with_a_clear_message(value):
    with pytest.raises(ValidationError) as error:
        clauses.validate_clause(value)
    assert "ISO 9001:2015" in error.value.messages[0]


def test_what_people_type_is_normalised():
    assert clauses.normalise_clause(" Clause 8.5.1. ") == "8.5.1"
    assert clauses.normalise_clause("§7.2") == "7.2"
    assert clauses.normalise_clause("cl. 9.2") == "9.2"


def test_a_clause_list_names_every_unknown_number():
    assert clauses.parse_clause_list("8.4, clause 8.5.1; 8.4") == ["8.4", "8.5.1"]
    with pytest.raises(ValidationError) as error:
        clauses.parse_clause_list("8.4, 12, 8.99")
    assert "12, 8.99" in error.value.messages[0]


def test_labels_carry_the_title():
    assert clauses.clause_label("9.2") == "9.2 Internal audit"
    assert clauses.clause_label("99") == "99"


def test_the_service_refuses_a_finding_on_an_unknown_clause(org, running_audit):
    with pytest.raises(services.AuditError, match="not a clause of ISO 9001:2015"):
        raise_finding(org, running_audit, clause="8.9")
    assert raise_finding(org, running_audit, clause="clause 10.2.1").clause == "10.2.1"


def test_the_model_validates_its_clause(org, finding):
    finding.clause = "12.1"
    with pytest.raises(ValidationError) as error:
        finding.full_clean()
    assert "clause" in error.value.message_dict
