"""The survey page a client contact reaches from their e-mail: no login, one answer per link.

The token in the URL is the only credential, so the page never shows anything but the question
and the firm's name, is never cached or indexed, and sends its address (a Referer) to no other
site. ``same-origin`` rather than ``no-referrer``: with no referrer at all, browsers send
``Origin: null`` on the form's POST, which Django's CSRF check rightly refuses. Forms carry
Django's CSRF token like every other form. Unknown links get a clear 404 page and expired ones a
410 page, never an error.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from trustledger.feedback import services
from trustledger.feedback.forms import AnswerForm
from trustledger.feedback.models import SurveyInvitation


def _page(
    request: HttpRequest, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    response = render(request, f"feedback/public/{template}", context, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _closed(request: HttpRequest, invitation: SurveyInvitation | None) -> HttpResponse | None:
    """The page for a link that cannot take an answer (unknown, answered, expired), or None."""
    if invitation is None:
        return _page(request, "unknown.html", {}, status=404)
    context = {"invitation": invitation, "firm": invitation.workspace.name}
    if invitation.answered_at:
        return _page(request, "thanks.html", context)
    if invitation.is_expired(timezone.now()):
        return _page(request, "expired.html", context, status=410)
    return None


@require_http_methods(["GET", "HEAD", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.find_invitation(token)
    if closed := _closed(request, invitation):
        return closed
    assert invitation is not None
    campaign = invitation.campaign
    form = AnswerForm(request.POST or None, questions=campaign.questions)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.submit_answer(
                    invitation,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    extra_answers=form.extra_answers(),
                )
            except services.SurveyClosed:
                invitation.refresh_from_db()
            return redirect("survey", token=token)  # the thank-you (or expired) page
    else:
        services.mark_opened(invitation)
    context = {
        "invitation": invitation,
        "campaign": campaign,
        "firm": invitation.workspace.name,
        "form": form,
        "scores": range(11),
        "chosen": form["score"].value(),
    }
    return _page(request, "survey.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """Ask (GET) and then record (POST) that the contact wants no more surveys."""
    invitation = services.find_invitation(token)
    if invitation is None:
        return _page(request, "unknown.html", {}, status=404)
    context = {"invitation": invitation, "firm": invitation.workspace.name, "token": token}
    if request.method == "POST":
        services.opt_out(invitation)
        return _page(request, "opted_out.html", context)
    return _page(request, "opt_out.html", context)
