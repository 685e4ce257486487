from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "trustledger.money"
    label = "money"
    verbose_name = "Money: base currency and exchange rates"
