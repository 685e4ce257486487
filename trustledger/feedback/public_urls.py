"""The public survey links, mounted at /s/ (short, because they travel in e-mails)."""

from django.urls import path

from trustledger.feedback import public_views

urlpatterns = [
    path("<slug:token>/", public_views.survey, name="survey"),
    path("<slug:token>/opt-out/", public_views.opt_out, name="survey_opt_out"),
]
