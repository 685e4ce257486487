from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "trustledger.reports"
    label = "reports"
    verbose_name = "Status reports"
