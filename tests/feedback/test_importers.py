"""Importing answers from Delighted, Typeform and any CSV: all or nothing, no duplicates."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine

import trustledger.feedback.importers  # noqa: F401  (registers the kinds)
from tests.factories import ContactFactory
from trustledger.feedback.importers import parse_moment, parse_score
from trustledger.feedback.models import FollowUp, SurveyResponse
from trustledger.imports.errors import ImportFailed
from trustledger.imports.registry import get_importer
from trustledger.imports.result import ImportOptions
from trustledger.imports.services import run_import

DATA = Path(__file__).parent / "data"
MARCH = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


@pytest.fixture
def people(personas):
    ContactFactory(client=personas.client_a, name="Ana Acme", email="ana@acme.example")
    ContactFactory(client=personas.other_client_a, name="Olu Other", email="olu@other.example")
    return personas


def run(personas, kind, file, **options):
    return run_import(personas.workspace_a, kind, DATA / file, ImportOptions(**options))


@pytest.mark.django_db
def test_a_delighted_export_imports_each_answer_once(people):
    with time_machine.travel(MARCH, tick=False):
        result = run(people, "delighted", "delighted.csv")
        again = run(people, "delighted", "delighted.csv")
    assert (result.rows, result.created, result.skipped_duplicates) == (3, 3, 0)
    assert (again.created, again.skipped_duplicates) == (0, 3)
    olu = SurveyResponse.objects.get(score=3)
    assert olu.client == people.other_client_a and olu.contact.name == "Olu Other"
    assert olu.source == "delighted"
    assert olu.answered_at == dt.datetime(2026, 3, 4, 0, 40, 51, tzinfo=dt.UTC)  # -0800
    assert olu.sentiment_label == "negative" and olu.theme in ("deadlines", "communication")
    assert FollowUp.objects.get().response == olu  # a recent detractor: followed up
    assert result.details["follow_ups_opened"] == 1


@pytest.mark.django_db
def test_a_typeform_export_finds_the_questions_by_their_wording(people):
    with time_machine.travel(MARCH, tick=False):
        result = run(people, "typeform", "typeform.csv")
    assert (result.rows, result.created, result.skipped_empty) == (3, 2, 1)  # one partial
    answers = {r.contact.name: r for r in SurveyResponse.objects.all()}
    assert answers["Ana Acme"].score == 9
    assert answers["Ana Acme"].comment.startswith("Clear reporting")
    assert answers["Olu Other"].theme == "quality"
    assert answers["Olu Other"].answered_at == dt.datetime(2026, 3, 6, 14, 25, 1, tzinfo=dt.UTC)
    assert run(people, "typeform", "typeform.csv").created == 0


@pytest.mark.django_db
def test_any_csv_imports_with_a_mapping_and_finds_clients_by_name(people):
    mapping = {"client": "Company", "name": "Respondent", "date": "Answered", "comment": "Why"}
    result = run(people, "responses-csv", "responses.csv", mapping=mapping)
    assert result.created == 2
    board = SurveyResponse.objects.get(score=6)
    assert board.client == people.client_a and board.contact is None
    assert board.respondent == "Board member"
    assert board.answered_at.date() == dt.date(2026, 2, 10)
    assert run(people, "responses-csv", "responses.csv", mapping=mapping).created == 0


@pytest.mark.django_db
def test_a_bad_file_is_refused_whole_with_file_line_and_field(people):
    with pytest.raises(ImportFailed) as failure:
        run(people, "delighted", "delighted_bad.csv", name="march.csv")
    lines = failure.value.lines()
    assert "march.csv, line 3, field Score: 11 is not a whole score from 0 to 10." in lines
    assert any(
        line.startswith("march.csv, line 4, field Email: no contact of this workspace")
        for line in lines
    )
    assert any(line.startswith("march.csv, line 5, field Response timestamp:") for line in lines)
    assert not SurveyResponse.objects.exists()  # line 2 was fine, and still nothing is saved


@pytest.mark.django_db
def test_a_file_without_a_score_or_a_respondent_is_refused(people, tmp_path):
    no_score = tmp_path / "export.csv"
    no_score.write_text("email,comment\nana@acme.example,Good\n")
    with pytest.raises(ImportFailed, match="missing column score"):
        run_import(people.workspace_a, "responses-csv", no_score)
    nobody = tmp_path / "nobody.csv"
    nobody.write_text("score,comment\n9,Good\n")
    with pytest.raises(ImportFailed, match="must say who gave it"):
        run_import(people.workspace_a, "responses-csv", nobody)
    typeform = tmp_path / "typeform.csv"
    typeform.write_text("#,Rate us,email\nabc,9,ana@acme.example\n")
    with pytest.raises(ImportFailed, match="--mapping score=COLUMN"):
        run_import(people.workspace_a, "typeform", typeform)
    fixed = run_import(
        people.workspace_a, "typeform", typeform, ImportOptions(mapping={"score": "Rate us"})
    )
    assert fixed.created == 1


@pytest.mark.django_db
def test_identical_rows_without_ids_are_two_answers_and_reimport_adds_neither(people, tmp_path):
    path = tmp_path / "phone.csv"
    path.write_text(
        "email,score,date\nana@acme.example,9,2026-01-05\nana@acme.example,9,2026-01-05\n"
    )
    assert run_import(people.workspace_a, "responses-csv", path).created == 2
    assert run_import(people.workspace_a, "responses-csv", path).created == 0


def test_the_kinds_are_registered_for_the_command_and_the_upload_page():
    assert {get_importer(k).kind for k in ("delighted", "typeform", "responses-csv")} == {
        "delighted",
        "typeform",
        "responses-csv",
    }


def test_scores_and_moments_parse_as_the_exports_write_them():
    assert parse_score("9") == 9 and parse_score("10.0") == 10
    for bad in ("11", "-1", "7.5", "nine"):
        with pytest.raises(ValueError, match="score from 0 to 10"):
            parse_score(bad)
    assert parse_moment("1713418460") == dt.datetime(2024, 4, 18, 5, 34, 20, tzinfo=dt.UTC)
    assert parse_moment("2026-03-02T09:14:05Z").tzinfo is not None
    assert parse_moment("2026-03-02 09:14:05 +0100").hour == 9
    assert parse_moment("2026-03-02").time() == dt.time(12)
    with pytest.raises(ValueError, match="future"):
        parse_moment("2099-01-01")
