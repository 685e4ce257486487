from django.urls import path

from trustledger.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscriptions, name="list"),
    path("new/", views.create, name="create"),
    path("private-targets/", views.private_targets, name="private_targets"),
    path("<int:subscription_id>/", views.detail, name="detail"),
    path("<int:subscription_id>/edit/", views.edit, name="edit"),
    path("<int:subscription_id>/pause/", views.pause, name="pause"),
    path("<int:subscription_id>/rotate/", views.rotate, name="rotate"),
    path("<int:subscription_id>/test/", views.send_test, name="test"),
    path("<int:subscription_id>/delete/", views.delete, name="delete"),
    path(
        "<int:subscription_id>/messages/<int:webhook_message_id>/redeliver/",
        views.redeliver,
        name="redeliver",
    ),
]
