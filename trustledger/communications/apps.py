from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "trustledger.communications"
    label = "communications"
    verbose_name = "Communications"
