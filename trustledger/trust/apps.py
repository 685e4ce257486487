from django.apps import AppConfig


class TrustConfigApp(AppConfig):
    name = "trustledger.trust"
    label = "trust"
    verbose_name = "Trust index"
