"""The report as a PDF: rendered offline, turned into PNG with pdftoppm, its text checked with
pdftotext. The PNGs are kept under tests/artifacts/ to be looked at."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.reports.scenario import build
from trustledger.reports import services
from trustledger.reports.mail import report_pdf

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def test_the_report_pdf_renders_with_its_key_texts(personas, tmp_path, mailoutbox, poppler):
    scenario = build(personas)
    report = services.draft_report(
        personas.client_a, engagement=scenario.engagement, by=personas.amir
    )
    services.update_report(
        report,
        by=personas.amir,
        narrative=report.narrative + "\n\nWe propose a call on Thursday to agree the shortlist.",
    )
    report = services.send_report(report, by=personas.amir, contacts=[personas.contact_a])
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report_pdf(report))

    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages, "pdftoppm made no page"
    assert all(p.stat().st_size > 5_000 for p in pages)  # not blank
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for number, page in enumerate(pages, start=1):
        shutil.copy(page, ARTIFACTS / f"reports-pdf-page{number}.png")

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for expected in (
        report.title,
        "Alpha Advisors",
        "Acme Secret Holdings",
        "Summary",
        "We propose a call on Thursday",
        "Progress since the last report",
        "Vendor longlist",
        "Milestones: committed and forecast",
        "Overdue 5 d",
        "Budget and forecast",
        "€25,500",
        "€60,000",
        "Change requests",
        "Awaiting your decision",
        "Data migration assessment",
        "Risks and issues",
        "Scores do not add up",
        "Next steps",
        "Contract signed",
        "Our promises to you",
        "Share vendor pricing",
        "Sent",
        "Page 1 of",
    ):
        assert expected in text, f"{expected!r} missing from the PDF"
    # the charts are vector SVG in the PDF: their labels are text
    assert "Told in advance" in text and "Forecast at completion" in text
