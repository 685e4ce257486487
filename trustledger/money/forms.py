"""The settings page's forms: the base currency, and one dated rate."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

CODE_HELP = "Three letters, e.g. EUR, USD, GBP."


class BaseCurrencyForm(forms.Form):
    base_currency = forms.CharField(
        label="Base currency",
        min_length=3,
        max_length=3,
        help_text=CODE_HELP + " Revenue, cost and margin across engagements are shown in it.",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 4}),
    )

    def clean_base_currency(self) -> str:
        return str(self.cleaned_data["base_currency"]).strip().upper()


class RateForm(forms.Form):
    date = forms.DateField(
        label="On", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    currency = forms.CharField(
        min_length=3,
        max_length=3,
        help_text=CODE_HELP,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 4}),
    )
    rate = forms.DecimalField(
        label="Worth, in the base currency",
        min_value=Decimal("0.000000000001"),
        max_digits=24,
        decimal_places=12,
        help_text="What one unit of the currency was worth that day, e.g. 0.9215.",
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).strip().upper()
