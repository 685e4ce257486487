"""Recovery plans: acknowledge, root causes, improvement actions, updates, small wins, close."""

from __future__ import annotations
