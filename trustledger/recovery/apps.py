from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "trustledger.recovery"
    label = "recovery"
    verbose_name = "Trust recovery"
