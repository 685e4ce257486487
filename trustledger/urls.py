from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from trustledger.api.urls import api, unknown_path
from trustledger.clients import views as client_views
from trustledger.core import views as core_views
from trustledger.workspaces import views as workspace_views

urlpatterns = [
    path("", workspace_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        workspace_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("search/", client_views.search, name="search"),
    path("clients/", include("trustledger.clients.urls")),
    path("engagements/", include("trustledger.engagements.urls")),
    path("communications/", include("trustledger.communications.urls")),
    path("trust/", include("trustledger.trust.urls")),
    path("analytics/", include("trustledger.analytics.urls")),
    path("surveys/", include("trustledger.feedback.urls")),
    path("s/", include("trustledger.feedback.public_urls")),
    path("imports/", include("trustledger.imports.urls")),
    path("recovery/", include("trustledger.recovery.urls")),
    path("relationships/", include("trustledger.relationships.urls")),
    path("reports/", include("trustledger.reports.urls")),
    path("portal/", include("trustledger.portal.urls")),
    path("settings/status/", include("trustledger.core.urls")),
    path("settings/currency/", include("trustledger.money.urls")),
    path("settings/webhooks/", include("trustledger.webhooks.urls")),
    path("settings/", include("trustledger.workspaces.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("api/", api.urls),
    path("api/<path:path>", unknown_path),
]
if settings.ADMIN_ENABLED:
    urlpatterns.append(path("admin/", admin.site.urls))
