from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "trustledger.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks: events out to the subscribers' servers"

    def ready(self) -> None:
        from trustledger.core import events
        from trustledger.webhooks import services

        events.subscribe(services.fan_out)
