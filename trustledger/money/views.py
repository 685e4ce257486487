"""The "Currency and exchange rates" settings page: owners set the base currency; owners and
leaders (who see the figures it converts) type, import and remove rates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from trustledger.money import selectors, services
from trustledger.money.forms import BaseCurrencyForm, RateForm
from trustledger.money.importers import KIND
from trustledger.money.models import ExchangeRate
from trustledger.scoring.currency import is_currency_code
from trustledger.web import acting_user, apply_domain_error, request_workspace
from trustledger.workspaces.models import Workspace
from trustledger.workspaces.permissions import Action, can, require, role_required
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

PAGE_SIZE = 50


@role_required(Action.VIEW_FINANCIALS)
def currency_settings(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    posted = request.POST if request.method == "POST" else None
    base_form = BaseCurrencyForm(
        posted if posted and "base_currency" in posted else None,
        initial={"base_currency": workspace.base_currency},
    )
    rate_form = RateForm(posted if posted and "rate" in posted else None)
    if posted and _save(request, workspace, base_form, rate_form):
        return redirect("money:settings")
    shown = request.GET.get("currency", "").strip().upper()
    shown = shown if is_currency_code(shown) else ""
    page = Paginator(selectors.rates_of(workspace, shown), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context: dict[str, Any] = {
        "base_form": base_form,
        "rate_form": rate_form,
        "may_change_base": can(getattr(request, "membership", None), Action.MANAGE_WORKSPACE),
        "currencies": selectors.currencies_in_use(workspace),
        "page": page,
        "shown": shown,
        "query": f"currency={shown}" if shown else "",
        "import_url": reverse("imports:upload") + f"?kind={KIND}",
    }
    return render(request, "money/settings.html", context)


def _save(
    request: HttpRequest, workspace: Workspace, base_form: BaseCurrencyForm, rate_form: RateForm
) -> bool:
    by = acting_user(request)
    try:
        if base_form.is_bound:
            require(request, Action.MANAGE_WORKSPACE)
            if base_form.is_valid():
                code = base_form.cleaned_data["base_currency"]
                derived = services.set_base_currency(workspace, code, by=by)
                note = f" {derived:,} rates to it derived by cross rates." if derived else ""
                messages.success(request, f"Sums across engagements are now in {code}.{note}")
                return True
        elif rate_form.is_valid():
            data = rate_form.cleaned_data
            rate = services.record_rate(
                workspace, currency=data["currency"], on=data["date"], rate=data["rate"], by=by
            )
            messages.success(request, f"Saved: {rate}.")
            return True
    except DomainError as error:
        apply_domain_error(base_form if base_form.is_bound else rate_form, error)
    return False


@require_POST
@role_required(Action.VIEW_FINANCIALS)
def rate_delete(request: HttpRequest, exchange_rate_id: int) -> HttpResponse:
    rate = get_for_workspace_or_404(ExchangeRate, request_workspace(request), pk=exchange_rate_id)
    services.delete_rate(rate, by=acting_user(request))
    messages.success(request, f"Removed: {rate}.")
    return redirect("money:settings")
