from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ImportsConfig(AppConfig):
    name = "trustledger.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        """Load every app's ``importers`` module so its kinds register themselves."""
        autodiscover_modules("importers")
