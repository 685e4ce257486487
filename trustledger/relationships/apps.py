from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    name = "trustledger.relationships"
    label = "relationships"
    verbose_name = "Relationship management"
