"""Extension points: what one app contributes to a feature another app owns.

Every extension point (timeline events, due items, trust inputs, periodic jobs, API routers,
importers) works the same way: the owner declares a ``Registry`` naming a module; each app that
contributes has a module of that name whose functions register themselves when it is imported;
``discover()`` imports those modules from every installed app at start-up (``CoreConfig.ready``).
Nothing needs a hand-written list, and the owner never imports the contributors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.utils.module_loading import autodiscover_modules

_REGISTRIES: list[Registry[Any]] = []


class Registry[T]:
    """Items contributed to one extension point, in registration (app) order."""

    def __init__(self, name: str, *, module: str) -> None:
        self.name = name
        self.module = module
        self._items: list[T] = []
        _REGISTRIES.append(self)

    def register(self, item: T) -> T:
        """Add ``item`` (usable as a decorator); registering the same item twice is harmless."""
        if item not in self._items:
            self._items.append(item)
        return item

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def where(self, predicate: Callable[[T], bool]) -> list[T]:
        return [item for item in self._items if predicate(item)]


# The extension points, each with the module name its contributors use. Items are typed loosely
# here because their shapes belong to the owning apps (named beside each), which core must not
# import.
timeline_sources: Registry[Callable[..., Any]] = Registry("timeline events", module="timeline")
"""``events(workspace, client) -> Iterable[TimelineEvent]`` (owner: clients.timeline)."""

due_sources: Registry[Callable[..., Any]] = Registry("due items", module="due")
"""``source(workspace, user | None, until) -> list[DueItem]`` (owner: relationships.due)."""

trust_inputs: Registry[Any] = Registry("trust inputs", module="trust_inputs")
"""``TrustInput``: SQL turning an app's facts into indicator inputs (owner: trust.signals)."""

periodic_jobs: Registry[Any] = Registry("periodic jobs", module="jobs")
"""``PeriodicJob``: work the worker enqueues once per due period (owner: core.schedule)."""

api_routers: Registry[Any] = Registry("API routers", module="api")
"""A ninja ``Router`` mounted under /api/ (owner: api.urls)."""

importers: Registry[Any] = Registry("importers", module="importers")
"""``ImporterSpec``: a kind of file the import page and CLI accept (owner: imports.registry)."""


def discover() -> None:
    """Import every installed app's contributing modules, once, at start-up."""
    for module in sorted({registry.module for registry in _REGISTRIES}):
        autodiscover_modules(module)
