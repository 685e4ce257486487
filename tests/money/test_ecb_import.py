"""The ECB's reference rates imported as exchange rates to the workspace's base currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import MembershipFactory
from tests.money.factories import ExchangeRateFactory
from trustledger.cli import main
from trustledger.imports.errors import ImportFailed
from trustledger.imports.result import ImportOptions
from trustledger.imports.services import run_import
from trustledger.money.models import ExchangeRate, RateSource
from trustledger.workspaces.models import Role

pytestmark = pytest.mark.django_db
D = dt.date
DATA = Path(__file__).parent / "data"
HISTORY = DATA / "eurofxref-hist.csv"  # 3 days; GBP is N/A on 27 Feb; CYP and TRL always N/A


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        yield


def ecb(workspace, path=HISTORY, **options):
    options.setdefault("may_override", True)
    return run_import(workspace, "ecb-rates", path, ImportOptions(**options))


def rates(workspace, base=None):
    return {
        (currency, day): rate
        for currency, day, rate in ExchangeRate.objects.filter(
            workspace=workspace, base=base or workspace.base_currency
        ).values_list("currency", "date", "rate")
    }


def test_the_history_file_gives_each_days_rates_to_the_euro(personas):
    ws = personas.workspace_a
    result = ecb(ws)

    got = rates(ws)
    assert got[("USD", D(2026, 3, 3))] == Decimal("0.924812725423")  # 1 / 1.0813
    assert got[("GBP", D(2026, 3, 3))] == Decimal("1.185677021579")  # 1 / 0.8434
    assert ("GBP", D(2026, 2, 27)) not in got  # N/A that day
    assert not {c for c, _ in got} & {"CYP", "TRL", "EUR"}
    assert (result.rows, result.created) == (3, 17)  # 6 + 6 + 5 rates
    assert result.details == {"currencies": 6}
    assert set(ExchangeRate.objects.values_list("source", flat=True)) == {RateSource.ECB}


def test_a_firm_whose_base_is_not_the_euro_gets_cross_rates(personas):
    ws = personas.workspace_a
    ws.base_currency = "GBP"
    ws.save()

    result = ecb(ws)

    got = rates(ws)
    assert got[("USD", D(2026, 3, 3))] == Decimal("0.779987052622")  # 0.8434 / 1.0813
    assert got[("EUR", D(2026, 3, 3))] == Decimal("0.8434")
    assert ("GBP", D(2026, 3, 3)) not in got
    assert result.details == {"currencies": 6, "days_without_a_GBP_rate": 1}  # 27 Feb
    assert "1 days without a GBP rate" in result.summary()


def test_the_latest_days_file_with_its_spaces_and_long_dates_imports_too(personas):
    ecb(personas.workspace_a, DATA / "eurofxref.csv")
    assert rates(personas.workspace_a)[("JPY", D(2026, 3, 3))] == Decimal("0.006196554716")


def test_importing_again_adds_nothing_and_keeps_a_typed_rate(personas):
    ws = personas.workspace_a
    ExchangeRateFactory(workspace=ws, currency="USD", date=D(2026, 3, 3), rate=Decimal("0.9"))
    ecb(ws)
    again = ecb(ws)

    assert (again.created, again.skipped_duplicates) == (0, 17)
    assert rates(ws)[("USD", D(2026, 3, 3))] == Decimal("0.9")


def test_a_bad_rate_or_date_is_reported_by_line_and_field_and_nothing_is_imported(
    personas, tmp_path
):
    bad = tmp_path / "rates.csv"
    bad.write_text(
        "Date,USD,GBP,\n2026-03-03,1.0813,abc,\n2026-03-02,-1,0.84,\n03/02/2026,1.07,0.84,\n"
        "2026-03-20,1.07,0.84,\n"
    )
    with pytest.raises(ImportFailed) as failed:
        ecb(personas.workspace_a, bad)

    assert failed.value.lines() == [
        "rates.csv, line 2, field GBP: abc is not a rate (a number such as 1.0813, or N/A).",
        "rates.csv, line 3, field USD: -1 is not a rate: units per euro are more than zero.",
        "rates.csv, line 4, field Date: 03/02/2026 is not a date (expected YYYY-MM-DD, as the "
        "ECB writes it).",
        "rates.csv, line 5, field Date: 2026-03-20 has not come yet.",
    ]
    assert not ExchangeRate.objects.exists()


def test_a_column_that_is_not_a_currency_refuses_the_file(personas, tmp_path):
    bad = tmp_path / "rates.csv"
    bad.write_text("Date,US Dollar\n2026-03-03,1.0813\n")
    with pytest.raises(ImportFailed, match="line 1, field US Dollar: not a currency code"):
        ecb(personas.workspace_a, bad)


def test_only_leaders_and_owners_import_rates(personas):
    with pytest.raises(ImportFailed, match="only a leader or owner may import exchange rates"):
        ecb(personas.workspace_a, may_override=False)
    assert not ExchangeRate.objects.exists()


def test_the_upload_page_offers_the_kind_preselected_from_the_currency_page(client, personas):
    client.force_login(personas.alice)
    page = client.get("/imports/?kind=ecb-rates").content.decode()
    assert '<option value="ecb-rates" selected>' in page


def test_an_account_manager_cannot_import_rates_from_the_page(client, personas, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    amir = MembershipFactory(workspace=personas.workspace_a, role=Role.ACCOUNT_MANAGER).user
    client.force_login(amir)
    upload = SimpleUploadedFile("eurofxref-hist.csv", HISTORY.read_bytes())
    body = client.post("/imports/", {"kind": "ecb-rates", "file": upload}).content.decode()
    assert "only a leader or owner may import exchange rates" in body
    assert not ExchangeRate.objects.exists()


def test_the_command_imports_the_file(personas, capsys):
    code = main(["import", "ecb-rates", str(HISTORY), "--workspace", personas.workspace_a.slug])
    assert code == 0
    assert "eurofxref-hist.csv: 3 rows read; 17 exchange rates created" in capsys.readouterr().out
