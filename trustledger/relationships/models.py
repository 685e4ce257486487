"""Tier routines, relationship health checks and business reviews."""

from __future__ import annotations
