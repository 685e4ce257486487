from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "trustledger.portal"
    label = "portal"
    verbose_name = "Client portal"
