from django.urls import URLPattern, path

from trustledger.trust import views

app_name = "trust"
urlpatterns: list[URLPattern] = [
    path("", views.portfolio, name="portfolio"),
    path("recompute/", views.recompute, name="recompute"),
    path("clients/<int:client_id>/", views.client_trust, name="client"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:alert_id>/status/", views.alert_status, name="alert_status"),
    path("settings/", views.settings_page, name="settings"),
    path("backtest/", views.backtest, name="backtest"),
    path("backtest/adopt/", views.adopt_weights, name="adopt_weights"),
]
