from django.urls import path

from trustledger.workspaces import views

app_name = "workspaces"
urlpatterns = [
    path("members/", views.members, name="members"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
    path("switch/<int:workspace_id>/", views.switch_workspace, name="switch"),
]
