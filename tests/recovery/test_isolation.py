"""Charlie (workspace B) reaches nothing of A's recovery plans, page or API, whatever the method.

tests/test_tenancy.py walks every URL of the project; this walk covers the recovery routes alone,
so that they are checked even while another app's walk is incomplete.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver

from tests.recovery.tenancy_objects import objects
from tests.test_tenancy import PARAM, _patterns


def recovery_urls(p):
    found = {name: obj.pk for name, obj in objects(p).items()}
    urls = []
    for route in _patterns(get_resolver().url_patterns):
        if not (
            route.startswith("recovery/") or ("recovery" in route and route.startswith("api/"))
        ):
            continue
        urls.append("/" + PARAM.sub(lambda m: str(found[m["name"]]), route))
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_a_stranger_reaches_no_recovery_object_of_another_workspace(client, personas, method):
    urls = recovery_urls(personas)
    assert len(urls) >= 25
    client.force_login(personas.charlie)
    for url in urls:
        response = getattr(client, method)(url, content_type="application/json", data={"what": "x"})
        assert "Acme Secret" not in response.content.decode(), f"{method} {url}"
        if any(ch.isdigit() for ch in url):
            assert response.status_code in (403, 404, 405, 422), f"{method} {url}"
