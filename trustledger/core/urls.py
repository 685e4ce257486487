from django.urls import path

from trustledger.core import views

app_name = "core"
urlpatterns = [
    path("", views.status, name="status"),
    path("retry/", views.retry, name="retry"),
]
