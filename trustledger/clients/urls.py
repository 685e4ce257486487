from django.urls import path

from trustledger.clients import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("<int:client_id>/", views.client_detail, name="detail"),
    path("<int:client_id>/story/", views.client_story, name="story"),
    path("<int:client_id>/edit/", views.client_edit, name="edit"),
    path("<int:client_id>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:contact_id>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:client_id>/referrals/new/", views.referral_create, name="referral_create"),
]
