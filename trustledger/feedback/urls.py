from django.urls import path

from trustledger.feedback import views

app_name = "feedback"
C = "<int:campaign_id>/"
urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("new/", views.campaign_create, name="campaign_create"),
    path(C, views.campaign_detail, name="campaign"),
    path(C + "edit/", views.campaign_edit, name="campaign_edit"),
    path(C + "launch/", views.campaign_launch, name="campaign_launch"),
    path(C + "pause/", views.campaign_pause, name="campaign_pause"),
    path("responses/", views.response_list, name="responses"),
    path("follow-ups/", views.follow_up_list, name="follow_ups"),
    path("follow-ups/<int:follow_up_id>/", views.follow_up_detail, name="follow_up"),
    path("settings/", views.survey_settings, name="settings"),
]
