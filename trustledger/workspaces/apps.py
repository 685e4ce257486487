from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "trustledger.workspaces"
    label = "workspaces"
    verbose_name = "Workspaces and people"
