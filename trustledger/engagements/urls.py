from django.urls import path

from trustledger.engagements import time_views, views

app_name = "engagements"
E = "<int:engagement_id>/"
urlpatterns = [
    path("", views.engagement_list, name="list"),
    path("new/", views.engagement_create, name="create"),
    path(E, views.engagement_detail, name="detail"),
    path(E + "edit/", views.engagement_edit, name="edit"),
    path(E + "status/", views.engagement_status, name="status"),
    # the charter
    path(E + "scope/new/", views.scope_item_create, name="scope_item_create"),
    path(E + "roles/new/", views.responsibility_create, name="responsibility_create"),
    path(E + "sign-off/", views.sign_off, name="sign_off"),
    path(E + "criteria/new/", views.criterion_create, name="criterion_create"),
    path("criteria/<int:criterion_id>/assess/", views.criterion_assess, name="criterion_assess"),
    path(E + "team/new/", views.assignment_create, name="assignment_create"),
    # delivery
    path(E + "milestones/new/", views.milestone_create, name="milestone_create"),
    path(
        "milestones/<int:milestone_id>/deliver/",
        views.milestone_deliver,
        name="milestone_deliver",
    ),
    path(E + "deliverables/new/", views.deliverable_create, name="deliverable_create"),
    path(
        "deliverables/<int:deliverable_id>/submit/",
        views.deliverable_submit,
        name="deliverable_submit",
    ),
    path(
        "deliverables/<int:deliverable_id>/review/",
        views.deliverable_review,
        name="deliverable_review",
    ),
    path(E + "time/new/", views.time_create, name="time_create"),
    # time and scope: what imported tasks count as
    path(E + "time/", time_views.engagement_time, name="time"),
    path(E + "time/map/", time_views.map_engagement_task, name="map_task"),
    path("tasks/", time_views.firm_tasks, name="tasks"),
    path("tasks/map/", time_views.map_firm_task, name="map_firm_task"),
    path(
        "task-mappings/<int:task_mapping_id>/remove/",
        time_views.remove_task_mapping,
        name="remove_task_mapping",
    ),
    path(E + "notices/new/", views.notice_create, name="notice_create"),
    path(E + "quality-issues/new/", views.quality_issue_create, name="quality_issue_create"),
    path(
        "quality-issues/<int:quality_issue_id>/resolve/",
        views.quality_issue_resolve,
        name="quality_issue_resolve",
    ),
    # change requests
    path(E + "change-requests/new/", views.change_request_create, name="change_request_create"),
    path(
        "change-requests/<int:change_request_id>/submit/",
        views.change_request_submit,
        name="change_request_submit",
    ),
    path(
        "change-requests/<int:change_request_id>/decide/",
        views.change_request_decide,
        name="change_request_decide",
    ),
    path(
        "change-requests/<int:change_request_id>/withdraw/",
        views.change_request_withdraw,
        name="change_request_withdraw",
    ),
]
