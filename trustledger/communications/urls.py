from django.urls import path

from trustledger.communications import views

app_name = "communications"
C = "clients/<int:client_id>/"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("business-hours/", views.business_hours, name="business_hours"),
    path("holidays/<int:holiday_id>/delete/", views.holiday_delete, name="holiday_delete"),
    path(C + "plan/", views.plan_edit, name="plan_edit"),
    path(C + "timeline/", views.timeline, name="timeline"),
    path(C + "interactions/new/", views.interaction_create, name="interaction_create"),
    path(C + "inquiries/new/", views.inquiry_create, name="inquiry_create"),
    path(C + "commitments/new/", views.commitment_create, name="commitment_create"),
    path(
        "interactions/<int:interaction_id>/edit/",
        views.interaction_edit,
        name="interaction_edit",
    ),
    path("inquiries/<int:inquiry_id>/respond/", views.inquiry_respond, name="inquiry_respond"),
    path("inquiries/<int:inquiry_id>/resolve/", views.inquiry_resolve, name="inquiry_resolve"),
    path("commitments/<int:commitment_id>/done/", views.commitment_done, name="commitment_done"),
    path(
        "commitments/<int:commitment_id>/broken/",
        views.commitment_broken,
        name="commitment_broken",
    ),
]
