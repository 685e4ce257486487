from django.urls import URLPattern, path

from trustledger.imports import views

app_name = "imports"
urlpatterns: list[URLPattern] = [
    path("", views.upload, name="upload"),
]
