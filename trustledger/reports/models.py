"""Status reports drafted from live data: page, PDF and e-mail."""

from __future__ import annotations
