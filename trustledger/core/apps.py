from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "trustledger.core"
    label = "core"
    verbose_name = "Core: extension points, the fact seam, background work"

    def ready(self) -> None:
        """Load every app's contributions to the extension points (see ``extensions``)."""
        from trustledger.core import extensions, outbox, schedule  # noqa: F401 (declare registries)

        extensions.discover()
