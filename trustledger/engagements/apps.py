from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "trustledger.engagements"
    label = "engagements"
    verbose_name = "Engagements and delivery"
