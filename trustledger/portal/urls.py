from django.urls import URLPattern, path

from trustledger.portal import firm_views, views

app_name = "portal"
urlpatterns: list[URLPattern] = [
    path("", views.sign_in, name="sign_in"),
    path("sent/", views.link_sent, name="link_sent"),
    path("link/<str:token>/", views.link, name="link"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("home/", views.home, name="home"),
    path("engagements/<int:engagement_id>/", views.engagement, name="engagement"),
    path("change-requests/<int:change_request_id>/", views.change_request, name="change_request"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:report_id>/", views.report, name="report"),
    path("ask/", views.ask, name="ask"),
    path("feedback/", views.feedback, name="feedback"),
    # the firm's side
    path(
        "firm/clients/<int:client_id>/settings/",
        firm_views.client_settings,
        name="client_settings",
    ),
    path("firm/clients/<int:client_id>/access/", firm_views.contact_access, name="contact_access"),
    path("firm/clients/<int:client_id>/invite/", firm_views.invite, name="invite"),
    path(
        "firm/engagements/<int:engagement_id>/sharing/",
        firm_views.engagement_sharing,
        name="engagement_sharing",
    ),
]
