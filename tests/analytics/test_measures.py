"""The new portfolio measures on the database, against hand-computed examples, and segments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.analytics.factories import TimeEntryFactory
from tests.communications.factories import InquiryFactory
from tests.engagements.factories import EngagementFactory
from tests.factories import ClientFactory, UserFactory, WorkspaceFactory
from tests.feedback.factories import SurveyResponseFactory
from trustledger.analytics import selectors
from trustledger.analytics.selectors import Period, Segment
from trustledger.clients.models import Referral

pytestmark = pytest.mark.django_db
D = dt.date
H1 = Period(D(2026, 1, 1), D(2026, 6, 30))  # previous period: 2 Jul 2025 to 31 Dec 2025


def work(client, day, amount, *, status="active", start=None):
    """An engagement of `client` with `amount` billed on `day` (hours x 100)."""
    engagement = EngagementFactory(
        client=client,
        status=status,
        start_date=start or day,
        end_date=(start or day) + dt.timedelta(days=60),
    )
    TimeEntryFactory(
        engagement=engagement,
        date=day,
        hours=Decimal(amount) / 100,
        bill_rate=Decimal(100),
        cost_rate=Decimal(40),
    )
    return engagement


def test_revenue_retention_gross_and_net(personas):
    ws = WorkspaceFactory()
    a, b, c, new = (ClientFactory(workspace=ws, name=n) for n in "ABCN")
    work(a, D(2025, 9, 1), 1000)
    work(a, D(2026, 2, 1), 1500)  # expanded
    work(b, D(2025, 9, 1), 2000)
    work(b, D(2026, 2, 1), 500)  # shrank
    work(c, D(2025, 9, 1), 1000)  # churned
    work(new, D(2026, 2, 1), 9000)  # new: in neither
    work(a, D(2025, 6, 1), 5000)  # before the previous period: ignored

    r = selectors.revenue_retention(ws, H1)

    assert (r.cohort, r.start_revenue, r.churned) == (3, 4000, 1)
    assert r.grr == pytest.approx((1000 + 500) / 4000)
    assert r.nrr == pytest.approx((1500 + 500) / 4000)
    tier = selectors.revenue_retention(ws, H1, Segment("tier", "key"))
    assert tier.grr is None  # no key client


def test_repeat_business_on_the_database(personas):
    ws = WorkspaceFactory()
    old, twice, once = (ClientFactory(workspace=ws, name=n) for n in ("Old", "Twice", "Once"))
    work(old, D(2025, 3, 1), 1000, status="closed")
    work(old, D(2026, 3, 1), 3000)  # second engagement, 365 days later: existing client
    work(twice, D(2026, 1, 10), 1000)
    work(twice, D(2026, 2, 9), 1000)  # 30 days after the first
    work(once, D(2026, 4, 1), 1000)
    EngagementFactory(client=once, status="proposed", start_date=D(2026, 5, 1))  # not won

    r = selectors.repeat_business(ws, H1)

    assert (r.clients, r.repeat_clients) == (3, 2)
    assert r.median_days_to_next == pytest.approx((30 + 365) / 2)
    assert r.revenue == 6000
    assert r.existing_revenue == 3000  # Old's first engagement began before the period
    assert r.existing_share == pytest.approx(0.5)


def test_referrals_given_received_converted_and_their_revenue(personas):
    ws = WorkspaceFactory()
    key = ClientFactory(workspace=ws, name="Key", tier="key")
    won, silent, old = (ClientFactory(workspace=ws, name=n) for n in ("Won", "Silent", "Old"))
    Referral.objects.create(workspace=ws, referrer=key, referred=won, referred_on=D(2026, 2, 1))
    Referral.objects.create(workspace=ws, referrer=key, referred=silent, referred_on=D(2026, 3, 1))
    Referral.objects.create(workspace=ws, referrer=won, referred=old, referred_on=D(2025, 3, 1))
    work(won, D(2026, 3, 1), 2000)  # converted, revenue from a referred client
    work(old, D(2026, 3, 1), 1000)  # referred before the period: its revenue counts
    work(key, D(2026, 3, 1), 1000)

    r = selectors.referrals(ws, H1)

    assert (r.given, r.received, r.converted) == (2, 2, 1)
    assert r.conversion_rate == 0.5
    assert r.referred_revenue == 3000
    assert r.revenue_share == pytest.approx(0.75)
    by_key = selectors.referrals(ws, H1, Segment("tier", "key"))
    assert (by_key.given, by_key.received) == (2, 0)


def test_response_times_by_channel_reuse_the_communications_arithmetic(personas):
    ws = WorkspaceFactory(time_zone="UTC")
    c = ClientFactory(workspace=ws)
    monday = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)  # office hours 9-17 on weekdays
    for hours in (1, 2, 6):
        InquiryFactory(
            client=c,
            channel="email",
            received_at=monday,
            sla_due=monday + dt.timedelta(hours=4),
            first_response_at=monday + dt.timedelta(hours=hours),
        )
    InquiryFactory(
        client=c, channel="phone", received_at=monday, sla_due=monday + dt.timedelta(hours=2)
    )
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)

    r = selectors.response_times(ws, H1, selectors.ALL, "month", now=now)

    email, phone = r.by_channel["email"], r.by_channel["phone"]
    assert (email.inquiries, email.median_hours, email.within_sla, email.judged) == (3, 2, 2, 3)
    assert email.p90_hours == pytest.approx(5.2)  # 1, 2, 6: 2 + 0.8 x 4
    assert (phone.inquiries, phone.open_past_sla, phone.attainment) == (1, 1, 0)
    assert r.overall.attainment == pytest.approx(2 / 4)
    assert r.trend[D(2026, 3, 1)].inquiries == 4


def test_success_rates_by_type_and_lead(personas):
    ws = WorkspaceFactory()
    c = ClientFactory(workspace=ws)
    lead = UserFactory(full_name="Lena Lead")
    for kind, closed_on in (("fixed_fee", D(2026, 2, 1)), ("retainer", D(2026, 3, 1))):
        EngagementFactory(
            client=c,
            type=kind,
            lead=lead,
            status="closed",
            closed_on=closed_on,
            start_date=D(2026, 1, 1),
            end_date=D(2026, 2, 15),
        )
    s = selectors.success_rates(ws, H1)
    by_type = dict(s.by("type"))
    assert by_type["Fixed fee"].on_time == 1.0  # closed before its end date
    assert by_type["Retainer"].on_time == 0.0  # closed after it
    assert dict(s.by("lead"))["Lena Lead"].engagements == 2
    assert s.trend("quarter")[D(2026, 1, 1)].on_time == 0.5


def test_nps_by_segment_and_over_time(personas):
    ws = WorkspaceFactory()
    key = ClientFactory(workspace=ws, tier="key", industry="Legal")
    std = ClientFactory(workspace=ws, tier="standard", industry="Retail")
    at = dt.datetime(2026, 2, 10, 12, tzinfo=dt.UTC)
    for client, score, when in (
        (key, 10, at),
        (key, 9, at),
        (key, 3, at.replace(month=4)),
        (std, 6, at),
        (std, 8, at.replace(month=4)),
    ):
        SurveyResponseFactory(client=client, score=score, answered_at=when, recorded_at=when)

    overall = selectors.nps(ws, H1)
    groups = {g.label: g.result for g in selectors.nps_by_segment(ws, H1)}
    trend = selectors.nps_trend(ws, H1, selectors.ALL, "month")

    assert overall.nps == pytest.approx(0)  # 2 promoters, 2 detractors of 5
    assert groups["Tier: Key"].nps == pytest.approx(100 / 3)  # 2 - 1 of 3
    assert groups["Industry: Retail"].nps == pytest.approx(-50)
    assert groups["Tier: Key"].margin_of_error is not None
    assert trend[D(2026, 2, 1)].nps == pytest.approx(100 / 3)
    assert trend[D(2026, 4, 1)].nps == pytest.approx(-50)
    assert selectors.nps(ws, H1, Segment("industry", "Legal")).n == 3


def test_feedback_themes_per_month(personas):
    ws = WorkspaceFactory()
    c = ClientFactory(workspace=ws)
    at = dt.datetime(2026, 1, 15, tzinfo=dt.UTC)
    for theme, comment, when in (
        ("deadlines", "Late again", at),
        ("deadlines", "Slipped", at),
        ("quality", "Sloppy", at),
        ("praise", "Great", at.replace(month=3)),
        ("praise", "", at.replace(month=3)),  # no comment: not counted
    ):
        SurveyResponseFactory(
            client=c, theme=theme, comment=comment, answered_at=when, recorded_at=when
        )
    buckets = selectors.trend_buckets(H1, "month")

    themes = selectors.theme_trend(ws, buckets, H1, selectors.ALL, "month")

    jan, feb, mar = themes[:3]
    assert jan.comments == 3
    assert jan.shares["deadlines"] == pytest.approx(2 / 3)
    assert feb.comments == 0
    assert mar.shares["praise"] == 1.0
    assert len(themes) == 6


def test_retention_curves_by_start_cohort(personas):
    ws = WorkspaceFactory()

    def client(start, lost=None):
        ClientFactory(
            workspace=ws,
            relationship_start=start,
            status="lost" if lost else "active",
            lost_on=lost,
        )

    client(D(2024, 1, 1), D(2024, 7, 1))  # 182 days, lost
    client(D(2024, 3, 1))  # censored at 30 Jun 2026
    client(D(2024, 5, 1), D(2025, 5, 1))  # 365 days, lost
    client(D(2025, 2, 1))
    client(D(2026, 8, 1))  # starts after the period: left out

    cohorts = {c.key: c for c in selectors.cohort_curves(ws, H1.end)}

    assert set(cohorts) == {"2024", "2025"}
    c24 = cohorts["2024"]
    assert (c24.clients, c24.lost) == (3, 2)
    assert c24.survival_at(200) == pytest.approx(2 / 3)
    assert c24.survival_at(400) == pytest.approx(1 / 3)  # 2/3 x (1 - 1/2)
    assert cohorts["2025"].survival_at(100) == 1.0
    quarters = selectors.cohort_curves(ws, H1.end, by="quarter")
    assert [c.key for c in quarters] == ["2024 Q1", "2024 Q2", "2025 Q1"]


def test_retention_trend_per_month_and_a_segment(personas):
    ws = WorkspaceFactory()
    ClientFactory(workspace=ws, relationship_start=D(2025, 1, 1), tier="key")
    ClientFactory(
        workspace=ws, relationship_start=D(2025, 1, 1), status="lost", lost_on=D(2026, 2, 10)
    )
    buckets = selectors.trend_buckets(H1, "month")

    trend = selectors.retention_trend(ws, buckets)
    key_only = selectors.retention_trend(ws, buckets, Segment("tier", "key"))

    assert trend[D(2026, 1, 1)].logo_retention == 1.0
    assert trend[D(2026, 2, 1)].logo_retention == 0.5
    assert trend[D(2026, 3, 1)].at_start == 1
    assert key_only[D(2026, 2, 1)].logo_retention == 1.0


def test_a_segment_is_parsed_strictly():
    assert Segment.parse("") == selectors.ALL
    assert Segment.parse("tier:key").q() is not None
    for bad in ("tier:gold", "colour:red", "manager:abc", "industry:"):
        with pytest.raises(ValueError, match=r"tier|segment|manager"):
            Segment.parse(bad)
