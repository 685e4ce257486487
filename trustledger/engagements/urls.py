from django.urls import URLPattern, path

from trustledger.engagements import views

app_name = "engagements"
urlpatterns: list[URLPattern] = [
    path("<int:engagement_id>/", views.engagement_detail, name="detail"),
]
