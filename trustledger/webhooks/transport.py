"""One HTTP POST, bounded in time, that never follows a redirect (a redirect could lead into a
private network the target check refused)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings

USER_AGENT = "Trustledger-Webhooks/1"


def timeout() -> float:
    return float(getattr(settings, "TRUSTLEDGER_WEBHOOK_TIMEOUT", 10))


@dataclass(frozen=True)
class Response:
    status: int
    duration_ms: int

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx is returned as the response, and counts as a failure


# No proxies from the environment: the target check must judge where the request really goes.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


def post(url: str, body: str, headers: dict[str, str]) -> Response:
    """POST ``body``; a network error raises (``OSError``), any HTTP answer returns its code."""
    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
    )
    started = time.monotonic()
    try:
        with _opener.open(request, timeout=timeout()) as response:
            response.read(65536)
            status = int(response.status)
    except urllib.error.HTTPError as error:
        status = int(error.code)
        error.close()
    except urllib.error.URLError as error:  # name the cause (refused, timed out), not the wrapper
        raise (error.reason if isinstance(error.reason, OSError) else error) from None
    return Response(status, int((time.monotonic() - started) * 1000))
