from django.urls import URLPattern, path

from trustledger.analytics import views

app_name = "analytics"
urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    path("drill/", views.drill, name="drill"),
    path("pdf/", views.dashboard_pdf, name="pdf"),
]
