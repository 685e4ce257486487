"""HTML to PDF with WeasyPrint, offline: stylesheets and images come from our static files.

Every PDF the product makes (status reports, the analytics dashboard) goes through ``render_pdf``,
so none of them can reach the network: a URL outside /static/ is refused, not fetched.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string


def _static_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves our static files and refuses everything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            prefix = "file:///static/"
            found = finders.find(url.removeprefix(prefix)) if url.startswith(prefix) else None
            if not found or isinstance(found, list):
                raise ValueError(f"PDF rendering is offline; refusing to fetch {url}")
            with open(found, "rb") as handle:
                body = handle.read()
            kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, headers={"Content-Type": kind})

    return StaticOnly(fail_on_errors=True)


def render_pdf(html: str) -> bytes:
    """The PDF of an HTML document; its static links (STATIC_URL...) are read from disk."""
    from weasyprint import HTML  # imported late: it loads Pango, which pages never need

    html = html.replace(f'"{settings.STATIC_URL}', '"file:///static/')
    document = HTML(string=html, base_url="file:///", url_fetcher=_static_fetcher())
    pdf: bytes = document.write_pdf()
    return pdf


def pdf_response(template: str, context: dict[str, Any], *, filename: str) -> HttpResponse:
    """Render a template to a PDF download."""
    response = HttpResponse(render_to_string(template, context), content_type="application/pdf")
    response.content = render_pdf(response.content.decode())
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
