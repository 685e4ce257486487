from django.apps import AppConfig


class TrustConfigApp(AppConfig):
    name = "trustledger.trust"
    label = "trust"
    verbose_name = "Trust index"

    def ready(self) -> None:
        """Recompute the clients every committed fact change touches."""
        from trustledger.core.facts import subscribe
        from trustledger.trust.tasks import refresh_after_change

        subscribe(refresh_after_change)
