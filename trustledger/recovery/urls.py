from django.urls import URLPattern, path

from trustledger.recovery import views

app_name = "recovery"
P = "<int:recovery_plan_id>/"
urlpatterns: list[URLPattern] = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("systemic/", views.systemic, name="systemic"),
    path(P, views.plan_detail, name="detail"),
    path(P + "settings/", views.plan_settings, name="settings"),
    path(P + "delete/", views.plan_delete, name="delete"),
    path(P + "acknowledge/", views.acknowledge, name="acknowledge"),
    path(P + "chains/", views.chain_add, name="chain_add"),
    path("chains/<int:recovery_chain_id>/whys/", views.why_add, name="why_add"),
    path(P + "causes/", views.cause_add, name="cause_add"),
    path(P + "actions/", views.action_add, name="action_add"),
    path("actions/<int:recovery_action_id>/status/", views.action_status, name="action_status"),
    path(P + "goals/", views.goal_add, name="goal_add"),
    path("goals/<int:recovery_goal_id>/progress/", views.goal_progress, name="goal_progress"),
    path(P + "updates/", views.update_send, name="update_send"),
    path(P + "wins/", views.win_add, name="win_add"),
    path(P + "close/", views.close, name="close"),
]
