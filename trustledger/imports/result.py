"""What an importer is given (options) and what it reports back (counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trustledger.workspaces.models import User

DEFAULT_BATCH_SIZE = 5000


@dataclass(frozen=True)
class ImportOptions:
    """How to import one file.

    ``name`` is what messages call the file (an upload's original name, not the stored path).
    ``may_override`` lets the file create engagements already under way without the client's
    sign-off, which only leaders and owners may do (the command line is trusted).
    """

    name: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False
    by: User | None = None
    actor_label: str = ""
    may_override: bool = False
    batch_size: int = DEFAULT_BATCH_SIZE


@dataclass
class ImportResult:
    """The counts of one imported file; ``details`` holds importer-specific ones."""

    kind: str
    file: str
    noun: str = "records"
    rows: int = 0
    created: int = 0
    skipped_duplicates: int = 0
    skipped_empty: int = 0
    details: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def summary(self) -> str:
        """One line for people: what was read, created and skipped."""
        parts = [
            f"{self.rows:,} rows read",
            f"{self.created:,} {self.noun} {'to create' if self.dry_run else 'created'}",
            f"{self.skipped_duplicates:,} already imported",
        ]
        if self.skipped_empty:
            parts.append(f"{self.skipped_empty:,} empty (zero hours) skipped")
        parts += [f"{n:,} {label}" for label, n in self.detail_items]
        prefix = "Dry run, nothing saved: " if self.dry_run else ""
        return f"{prefix}{self.file}: " + "; ".join(parts) + "."

    @property
    def detail_items(self) -> list[tuple[str, int]]:
        """``details`` with readable labels: ``clients_created`` → ``clients created``."""
        return [(label.replace("_", " "), n) for label, n in self.details.items()]

    def as_audit(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "rows": self.rows,
            "created": self.created,
            "skipped_duplicates": self.skipped_duplicates,
            "skipped_empty": self.skipped_empty,
            **self.details,
        }
