"""What every part of the demo generator shares while it builds one firm."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trustledger.demo.simulation import ClientStory

if TYPE_CHECKING:
    from trustledger.clients.models import Client
    from trustledger.workspaces.models import User, Workspace


@dataclass
class DemoContext:
    workspace: Workspace
    owner: User
    rng: random.Random
    today: dt.date
    people: dict[str, list[User]] = field(default_factory=dict)
    stories: list[ClientStory] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)  # clients[i] lives stories[i]
