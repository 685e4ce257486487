"""A status report as an e-mail (HTML with the SVG charts, a plain-text twin, the PDF attached)
and as a PDF; both drawn from the report's stored figures."""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify

from trustledger.clients.models import Contact
from trustledger.pdf import pdf_response, render_pdf
from trustledger.reports.content import report_content
from trustledger.reports.models import StatusReport
from trustledger.reports.selectors import with_live_figures


def _context(report: StatusReport, **extra: Any) -> dict[str, Any]:
    return {"report": report, "content": report_content(report), **extra}


def pdf_filename(report: StatusReport) -> str:
    return f"{slugify(report.title) or 'status-report'}.pdf"


def report_pdf(report: StatusReport) -> bytes:
    """The report on A4 paper, from ``print.css``; charts inline as SVG."""
    return render_pdf(render_to_string("reports/pdf.html", _context(report)))


def pdf_download(report: StatusReport) -> HttpResponse:
    """The PDF the report page offers (and the API serves): live figures while a draft."""
    report = with_live_figures(report)
    return pdf_response("reports/pdf.html", {"report": report}, filename=pdf_filename(report))


def report_message(
    report: StatusReport, contacts: Sequence[Contact], pdf: bytes
) -> EmailMultiAlternatives:
    """The report to the chosen contacts; replies reach the person who sent it (or the account
    manager), not a no-reply box."""
    sender = report.sent_by or report.client.account_manager
    context = _context(report, sender=sender, firm=report.workspace.name)
    message = EmailMultiAlternatives(
        subject=f"{report.title} · {report.workspace.name}",
        body=render_to_string("reports/email/report.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((c.name, c.email)) for c in contacts],
        reply_to=[sender.email] if sender else [],
    )
    message.attach_alternative(render_to_string("reports/email/report.html", context), "text/html")
    message.attach(pdf_filename(report), pdf, "application/pdf")
    return message
