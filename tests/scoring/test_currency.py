"""The currency rule, pure: the latest rate on or before a date, month rates, cross rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustledger.scoring.currency import (
    MissingRate,
    NoRate,
    Rates,
    cross_rates,
    format_day,
    format_rate,
    is_currency_code,
    month_rate_date,
    rebase,
)

D = dt.date
RATES = Rates.of(
    "EUR",
    [
        ("USD", D(2026, 3, 3), Decimal("0.92")),
        ("USD", D(2026, 1, 5), Decimal("0.95")),  # any order
        ("GBP", D(2026, 1, 5), Decimal("1.17")),
    ],
)


def test_an_amount_converts_at_the_latest_rate_on_or_before_its_date():
    assert RATES.rate("USD", D(2026, 1, 5)) == Decimal("0.95")
    assert RATES.rate("USD", D(2026, 3, 2)) == Decimal("0.95")
    assert RATES.rate("USD", D(2026, 3, 3)) == Decimal("0.92")
    assert RATES.rate("USD", D(2027, 1, 1)) == Decimal("0.92")


def test_the_base_currency_is_worth_one_of_itself_without_any_rate():
    assert RATES.rate("EUR", D(1999, 1, 1)) == Decimal(1)
    assert RATES.convert(Decimal("12.34"), "EUR", D(1999, 1, 1)) == Decimal("12.34")


def test_conversion_is_exact_decimal_arithmetic():
    assert RATES.convert(Decimal("1000.10"), "USD", D(2026, 3, 31)) == Decimal("920.0920")


def test_an_amount_before_the_first_rate_is_refused_and_the_refusal_names_currency_and_day():
    assert RATES.rate("USD", D(2026, 1, 4)) is None
    assert RATES.rate("CHF", D(2026, 6, 1)) is None
    with pytest.raises(NoRate, match=r"^No rate for USD on 4 Jan 2026 \(to EUR\)\.$"):
        RATES.convert(Decimal(10), "USD", D(2026, 1, 4))


@pytest.mark.parametrize(
    ("month", "day"),
    [
        (D(2026, 3, 1), D(2026, 3, 31)),
        (D(2026, 2, 1), D(2026, 2, 28)),
        (D(2028, 2, 1), D(2028, 2, 29)),
        (D(2026, 12, 1), D(2026, 12, 31)),
        (D(2026, 4, 17), D(2026, 4, 30)),
    ],
)
def test_a_months_amounts_convert_at_the_rate_of_its_last_day(month, day):
    assert month_rate_date(month) == day


def test_the_ecb_table_of_units_per_euro_gives_rates_to_the_euro():
    rates = cross_rates({"USD": Decimal("1.0813"), "GBP": Decimal("0.8434")}, "EUR", "EUR")
    assert rates == {"USD": Decimal("0.924812725423"), "GBP": Decimal("1.185677021579")}


def test_the_ecb_table_gives_rates_to_another_base_by_cross_rates():
    rates = cross_rates({"USD": Decimal("1.0813"), "GBP": Decimal("0.8434")}, "EUR", "GBP")
    assert rates == {"USD": Decimal("0.779987052622"), "EUR": Decimal("0.843400000000")}


def test_a_table_without_the_base_gives_no_rates():
    assert cross_rates({"USD": Decimal("1.0813")}, "EUR", "GBP") is None


def test_rates_to_one_base_rebase_to_another_through_its_rate_that_day():
    to_eur = {"USD": Decimal("0.92"), "GBP": Decimal("1.15")}
    assert rebase(to_eur, "EUR", "GBP") == {
        "USD": Decimal("0.800000000000"),  # 0.92 / 1.15
        "EUR": Decimal("0.869565217391"),  # 1 / 1.15
    }
    assert rebase(to_eur, "EUR", "CHF") is None


positive = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), places=4)


@given(usd=positive, gbp=positive)
def test_rebasing_there_and_back_gives_the_rates_again_to_the_stored_precision(usd, gbp):
    there = rebase({"USD": usd, "GBP": gbp}, "EUR", "GBP")
    back = rebase(there, "GBP", "EUR")
    assert back is not None
    # 12 decimal places keep at least 6 significant digits of a rate down to 1e-6
    assert abs(back["USD"] - usd) <= usd * Decimal("1e-5")
    assert abs(back["GBP"] - gbp) <= gbp * Decimal("1e-5")


def test_a_missing_rate_says_which_currency_day_and_amount_are_left_out():
    gap = MissingRate("USD", "EUR", D(2026, 3, 1), Decimal("4300.5"), Decimal(2000))
    assert gap.rate_date == D(2026, 3, 31)
    assert gap.text == (
        "No rate for USD on 31 Mar 2026 (to EUR): 4,300 USD billed in Mar 2026 is left out of "
        "revenue, cost and margin."
    )


def test_currency_codes_are_three_letters_and_days_read_day_month_year():
    assert is_currency_code("USD")
    assert not is_currency_code("US")
    assert not is_currency_code("U5D")
    assert not is_currency_code("ÜSD")
    assert format_day(D(2026, 3, 3)) == "3 Mar 2026"


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        ("0.924812725423", "0.924813"),
        ("161.380000000000", "161.38"),
        ("0.000058823529", "0.0000588235"),
        ("1.170000000000", "1.17"),
        ("17000", "17000"),
    ],
)
def test_a_rate_reads_with_six_significant_digits(rate, text):
    assert format_rate(Decimal(rate)) == text
