"""The demo firm's survey history follows what the simulation did to each client."""

import datetime as dt

import pytest

from trustledger.demo import generate_demo_firm
from trustledger.feedback.models import FollowUp, SurveyCampaign, SurveyResponse
from trustledger.scoring.nps import compute_nps

TODAY = dt.date(2026, 11, 1)


@pytest.mark.django_db
def test_the_demo_has_twice_yearly_nps_that_tracks_service_and_closes_the_loop():
    """One generation for all the checks: building the firm takes a few seconds."""
    workspace = generate_demo_firm(seed=7, today=TODAY)
    answers = SurveyResponse.objects.for_workspace(workspace)
    assert answers.count() > 150
    months = {a.answered_at.month for a in answers}
    assert months <= {3, 4, 9, 10}  # asked on 15 March and 15 September
    assert answers.exclude(comment="").filter(theme="").count() == 0  # every comment analysed

    def nps(status):
        return compute_nps(answers.filter(client__status=status).values_list("score", flat=True))

    assert nps("lost").nps < nps("active").nps  # clients served worse answer worse

    detractors = answers.filter(score__lte=6)
    assert detractors.exists()
    assert FollowUp.objects.filter(response__in=detractors).count() == detractors.count()
    closed = FollowUp.objects.for_workspace(workspace).filter(done_on__isnull=False)
    late = [f for f in closed if f.done_on > f.due_on]
    assert late and len(late) < closed.count()
    campaign = SurveyCampaign.objects.get(workspace=workspace, name="Relationship NPS")
    assert campaign.next_run_on == dt.date(2027, 3, 15)

    # comments name what went wrong, and the classifier reads them as complaints
    themes = set(detractors.exclude(theme="").values_list("theme", flat=True))
    assert {"deadlines", "quality"} <= themes
    assert detractors.filter(sentiment_label="negative").count() > detractors.count() / 2
