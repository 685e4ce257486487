from django.urls import path

from trustledger.relationships import views

app_name = "relationships"
C = "clients/<int:client_id>/"
H = "health-checks/<int:health_check_id>/"
R = "reviews/<int:review_id>/"
urlpatterns = [
    path("due/", views.due, name="due"),
    path("routines/", views.routines, name="routines"),
    path(C, views.client_page, name="client"),
    path(C + "health-checks/new/", views.health_check_create, name="health_check_create"),
    path(C + "reviews/new/", views.review_create, name="review_create"),
    path(H, views.health_check_detail, name="health_check"),
    path(H + "edit/", views.health_check_edit, name="health_check_edit"),
    path(H + "delete/", views.health_check_delete, name="health_check_delete"),
    path(R, views.review_detail, name="review"),
    path(R + "edit/", views.review_edit, name="review_edit"),
    path(R + "delete/", views.review_delete, name="review_delete"),
]
