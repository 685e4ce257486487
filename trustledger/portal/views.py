"""The portal's pages for client contacts: sign-in by e-mailed link, then only what the firm
shares with their client. Thin: parse, look up through the contact's own scope, call a service.

The sign-in page answers the same whether or not the address is known, so it tells nobody who
the firm's contacts are. A link is used by a POST from its page (a button), not by opening it:
mail scanners that open links would otherwise burn them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from trustledger.communications import sla
from trustledger.core.http import absolute_url, client_ip
from trustledger.portal import selectors, services, session
from trustledger.portal.forms import DecisionForm, FeedbackForm, LinkRequestForm, QuestionForm
from trustledger.portal.selectors import PortalUser
from trustledger.portal.session import portal_login_required
from trustledger.web import apply_domain_error
from trustledger.workspaces.services import DomainError


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a portal page in the firm's time zone, never cached, never indexed."""
    who: PortalUser | None = getattr(request, "portal", None)
    if who is not None:
        context = {"who": who, "firm": who.workspace.name, **context}
        with timezone.override(sla.business_calendar(who.workspace).zone):
            response = render(request, f"portal/{template}", context, status=status)
    else:
        response = render(request, f"portal/{template}", context, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _who(request: HttpRequest) -> PortalUser:
    who: PortalUser = request.portal  # type: ignore[attr-defined]
    return who


# --- signing in ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if session.current(request) is not None:
        return redirect("portal:home")
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not services.allow_request(email, client_ip(request)):
            form.add_error(
                None, "Too many sign-in links were asked for. Please try again in an hour."
            )
            return _page(request, "sign_in.html", {"form": form}, status=429)
        contact = services.find_contact(email)
        if contact is not None:
            services.send_link(contact, lambda token: _link_url(request, token))
        return redirect("portal:link_sent")
    return _page(request, "sign_in.html", {"form": form}, status=400 if form.errors else 200)


def _link_url(request: HttpRequest, token: str) -> str:
    return absolute_url(reverse("portal:link", kwargs={"token": token}))


def link_sent(request: HttpRequest) -> HttpResponse:
    return _page(request, "link_sent.html", {"minutes": services.SIGN_IN_TTL.seconds // 60})


@require_http_methods(["GET", "HEAD", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            contact = services.redeem_link(token)
        except services.LinkRefused as refusal:
            return _page(request, "link_refused.html", {"reason": refusal.message}, status=410)
        session.sign_in(request, contact)
        return redirect("portal:home")
    found = services.find_link(token)
    if found is None or found.used_at is not None or found.expires_at <= timezone.now():
        reason = (
            "This sign-in link is not valid."
            if found is None
            else "This sign-in link has been used already."
            if found.used_at
            else "This sign-in link has expired."
        )
        return _page(request, "link_refused.html", {"reason": reason}, status=410)
    return _page(request, "link.html", {"firm": found.workspace.name})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    session.sign_out(request)
    messages.success(request, "You are signed out. Ask for a new link whenever you need one.")
    return redirect("portal:sign_in")


# --- pages --------------------------------------------------------------------------------------


@portal_login_required
def home(request: HttpRequest) -> HttpResponse:
    who = _who(request)
    context = {
        "cards": selectors.home(who),
        "awaiting": list(
            selectors.visible_change_requests(who).filter(status="submitted").order_by("pk")
        ),
        "questions": selectors.my_questions(who),
        "reports": list(selectors.shared_reports(who)[:REPORTS_ON_HOME]),
        "plans": list(selectors.shared_recovery_plans(who)),
    }
    return _page(request, "home.html", context)


REPORTS_ON_HOME = 5


@portal_login_required
def reports(request: HttpRequest) -> HttpResponse:
    """Every status report the firm sent the client, newest first."""
    who = _who(request)
    page = Paginator(selectors.shared_reports(who), 20).get_page(request.GET.get("page"))
    return _page(request, "reports.html", {"page": page})


@portal_login_required
def report(request: HttpRequest, report_id: int) -> HttpResponse:
    who = _who(request)
    return _page(request, "report.html", {"report": selectors.shared_report_or_404(who, report_id)})


@portal_login_required
def engagement(request: HttpRequest, engagement_id: int) -> HttpResponse:
    who = _who(request)
    eng = selectors.shared_engagement_or_404(who, engagement_id)
    context = {
        "engagement": eng,
        "change_requests": list(
            selectors.visible_change_requests(who).filter(engagement=eng).order_by("-pk")
        ),
        **selectors.engagement_status(eng),
        "reports": list(selectors.shared_reports(who).filter(engagement=eng)[:REPORTS_ON_HOME]),
    }
    return _page(request, "engagement.html", context)


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def change_request(request: HttpRequest, change_request_id: int) -> HttpResponse:
    who = _who(request)
    cr = selectors.change_request_or_404(who, change_request_id)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.decide_change_request(
                cr, contact=who.contact, approve=approve, note=form.cleaned_data["note"]
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            verb = "approved" if approve else "rejected"
            messages.success(request, f"You {verb} “{cr.title}”. The team has been told.")
            return redirect("portal:engagement", engagement_id=cr.engagement_id)
    context = {"cr": cr, "engagement": cr.engagement, "form": form}
    return _page(request, "change_request.html", context, status=400 if form.errors else 200)


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    who = _who(request)
    engagements = selectors.shared_engagements(who)
    initial = {"engagement": request.GET.get("engagement")} if request.method != "POST" else None
    form = QuestionForm(request.POST or None, engagements=engagements, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.ask_question(
                who.contact,
                subject=form.cleaned_data["subject"],
                details=form.cleaned_data["details"],
                engagement=form.cleaned_data["engagement"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Your question is with the team. You will hear back soon.")
            return redirect("portal:home")
    return _page(request, "ask.html", {"form": form}, status=400 if form.errors else 200)


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    who = _who(request)
    engagements = selectors.shared_engagements(who)
    initial = {"engagement": request.GET.get("engagement")} if request.method != "POST" else None
    form = FeedbackForm(request.POST or None, engagements=engagements, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.give_feedback(
                who.contact,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                engagement=form.cleaned_data["engagement"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Thank you: your feedback went to the team.")
            return redirect("portal:home")
    context = {"form": form, "scores": range(11), "chosen": form["score"].value()}
    return _page(request, "feedback.html", context, status=400 if form.errors else 200)
