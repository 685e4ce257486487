from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "trustledger.analytics"
    label = "analytics"
    verbose_name = "Portfolio analytics"
