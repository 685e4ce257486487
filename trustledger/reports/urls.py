from django.urls import path

from trustledger.reports import views

app_name = "reports"
R = "<int:report_id>/"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("clients/<int:client_id>/", views.client_list, name="client_list"),
    path("clients/<int:client_id>/draft/", views.draft_client, name="draft_client"),
    path("engagements/<int:engagement_id>/", views.engagement_list, name="engagement_list"),
    path("engagements/<int:engagement_id>/draft/", views.draft_engagement, name="draft_engagement"),
    path(R, views.detail, name="detail"),
    path(R + "edit/", views.edit, name="edit"),
    path(R + "refresh/", views.refresh, name="refresh"),
    path(R + "send/", views.send, name="send"),
    path(R + "pdf/", views.pdf, name="pdf"),
    path(R + "delete/", views.delete, name="delete"),
]
