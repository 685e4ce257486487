from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "trustledger.clients"
    label = "clients"
    verbose_name = "Clients and contacts"
