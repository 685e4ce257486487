"""An answer cannot come from the future, whatever brought it in (issue 14, "Gaming").

The API alone refused one before; an import with a timestamp an hour ahead, or any other caller
of the service, stored it.
"""

import datetime as dt

import pytest
import time_machine

import trustledger.feedback.importers  # noqa: F401  (registers the kinds)
from tests.factories import ContactFactory
from trustledger.feedback.models import ResponseSource, SurveyResponse
from trustledger.feedback.responses import NewResponse, record_response
from trustledger.imports.errors import ImportFailed
from trustledger.imports.result import ImportOptions
from trustledger.imports.services import run_import
from trustledger.workspaces.services import DomainError

NOW = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


def answer(personas, answered_at, source=ResponseSource.MANUAL):
    return NewResponse(client=personas.client_a, score=9, answered_at=answered_at, source=source)


@pytest.mark.parametrize(
    "source", [ResponseSource.MANUAL, ResponseSource.SURVEY, ResponseSource.CSV]
)
def test_an_answer_dated_after_now_is_refused_whatever_its_source(personas, source):
    with pytest.raises(DomainError) as error:
        record_response(answer(personas, NOW + dt.timedelta(hours=1), source), by=None)

    assert error.value.field == "answered_at"
    assert not SurveyResponse.objects.exists()


def test_a_caller_whose_clock_runs_a_minute_ahead_is_not_in_the_future(personas):
    record_response(answer(personas, NOW + dt.timedelta(minutes=1)), by=None)

    assert SurveyResponse.objects.count() == 1


def test_the_api_refuses_an_answer_an_hour_ahead_naming_the_field(client, personas):
    client.force_login(personas.alice)

    refused = client.post(
        "/api/surveys/responses",
        {"client_id": personas.client_a.pk, "score": 9, "answered_at": "2026-03-10T10:00:00Z"},
        content_type="application/json",
    )

    assert refused.status_code == 400
    assert refused.json()["detail"][0]["loc"] == ["body", "answered_at"]


def test_an_import_names_the_line_of_an_answer_timed_in_the_future(personas, tmp_path):
    ContactFactory(client=personas.client_a, name="Ana Acme", email="ana@acme.example")
    export = tmp_path / "answers.csv"
    export.write_text(
        "email,score,date\n"
        "ana@acme.example,9,2026-03-09T10:00:00Z\n"
        "ana@acme.example,3,2026-03-10T11:00:00Z\n"
    )

    with pytest.raises(ImportFailed) as failure:
        run_import(personas.workspace_a, "responses-csv", export, ImportOptions(name="a.csv"))

    assert any(line.startswith("a.csv, line 3, field date:") for line in failure.value.lines())
    assert not SurveyResponse.objects.exists()


def test_an_imported_plain_date_of_today_is_answered_by_now_at_the_latest(personas, tmp_path):
    ContactFactory(client=personas.client_a, name="Ana Acme", email="ana@acme.example")
    export = tmp_path / "answers.csv"
    export.write_text("email,score,date\nana@acme.example,9,2026-03-10\n")  # noon: 3 h ahead

    result = run_import(personas.workspace_a, "responses-csv", export, ImportOptions())
    again = run_import(personas.workspace_a, "responses-csv", export, ImportOptions())

    assert (result.created, again.created) == (1, 0)  # still recognised the second time
    assert SurveyResponse.objects.get().answered_at == NOW
