from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "trustledger.analytics"
    label = "analytics"
    verbose_name = "Portfolio analytics"

    def ready(self) -> None:
        """Keep the roll-up of time in step with every committed change of time or engagements."""
        from trustledger.analytics.tasks import rebuild_after_change
        from trustledger.core.facts import subscribe

        subscribe(rebuild_after_change)
