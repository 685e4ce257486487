from django.urls import path

from trustledger.money import views

app_name = "money"
urlpatterns = [
    path("", views.currency_settings, name="settings"),
    path("rates/<int:exchange_rate_id>/delete/", views.rate_delete, name="rate_delete"),
]
