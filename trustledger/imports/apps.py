from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "trustledger.imports"
    label = "imports"
    verbose_name = "Imports"
