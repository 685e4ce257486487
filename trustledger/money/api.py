"""Money in the REST API: the base currency, the currencies in use and their dated rates.

Everyone with the figures (owners, leaders, API keys) reads them; owners, leaders and read-write
keys add and remove rates; only owners change the base currency.
"""

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from trustledger.api.auth import ApiCaller, caller
from trustledger.api.errors import ERRORS, created, ok
from trustledger.api.pagination import Pagination
from trustledger.core.extensions import api_routers
from trustledger.money import selectors, services
from trustledger.money.models import ExchangeRate
from trustledger.money.schemas import (
    BaseCurrencyIn,
    CurrencySettingsOut,
    RateFilter,
    RateIn,
    RateOut,
)
from trustledger.workspaces.permissions import Action
from trustledger.workspaces.tenancy import get_for_workspace_or_404

router = Router(tags=["money"])
api_routers.register(router)

RULE = (
    "Sums across engagements are in the base currency: each month's amounts in another currency "
    "are converted at its latest rate on or before the month's last day (1 unit = rate base). "
    "Amounts no rate converts are left out of the sum and listed in missing_rates."
)


def _reader(request: HttpRequest) -> ApiCaller:
    who = caller(request)
    if who.membership is not None:
        who.require(Action.VIEW_FINANCIALS)
    return who


def _settings(who: ApiCaller) -> dict[str, Any]:
    return {
        "base_currency": who.workspace.base_currency,
        "rule": RULE,
        "currencies": [asdict(u) for u in selectors.currencies_in_use(who.workspace)],
    }


@router.get("/money/currency", response=ok(CurrencySettingsOut))
def currency_settings(request: HttpRequest) -> Any:
    return _settings(_reader(request))


@router.put("/money/currency", response=ok(CurrencySettingsOut))
def set_base_currency(request: HttpRequest, payload: BaseCurrencyIn) -> Any:
    who = caller(request)
    who.require(Action.MANAGE_WORKSPACE)
    services.set_base_currency(who.workspace, payload.base_currency, by=who.user)
    return _settings(who)


@router.get("/money/rates", response={200: list[RateOut], **ERRORS})
@paginate(Pagination)
def list_rates(request: HttpRequest, filters: Query[RateFilter]) -> Any:
    """Rates to the current base currency, newest first."""
    who = _reader(request)
    return selectors.rates_of(who.workspace, (filters.currency or "").upper())


@router.post("/money/rates", response=created(RateOut))
def record_rate(request: HttpRequest, payload: RateIn) -> Any:
    """1 ``currency`` = ``rate`` base currency on ``date``; a second one that day corrects it."""
    who = _reader(request)
    who.require(Action.VIEW_FINANCIALS)
    rate = services.record_rate(
        who.workspace, currency=payload.currency, on=payload.date, rate=payload.rate, by=who.user
    )
    return Status(201, rate)


@router.delete("/money/rates/{exchange_rate_id}", response={204: None, **ERRORS})
def delete_rate(request: HttpRequest, exchange_rate_id: int) -> Any:
    who = _reader(request)
    who.require(Action.VIEW_FINANCIALS)
    rate = get_for_workspace_or_404(ExchangeRate, who.workspace, pk=exchange_rate_id)
    services.delete_rate(rate, by=who.user)
    return Status(204, None)
