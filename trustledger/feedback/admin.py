from django.contrib import admin

from trustledger.feedback.models import (
    FollowUp,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    SurveySettings,
)


@admin.register(SurveySettings)
class SurveySettingsAdmin(admin.ModelAdmin[SurveySettings]):
    list_display = ["workspace", "throttle_days", "reminder_after_days", "link_valid_days"]


@admin.register(SurveyCampaign)
class SurveyCampaignAdmin(admin.ModelAdmin[SurveyCampaign]):
    list_display = ["name", "workspace", "schedule", "status", "next_run_on", "last_run_on"]
    list_filter = ["workspace", "schedule", "status"]
    search_fields = ["name"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin[SurveyInvitation]):
    list_display = ["contact", "campaign", "sent_at", "reminded_at", "answered_at", "expires_at"]
    list_filter = ["workspace"]
    exclude = ["token_hash", "reminder_token_hash"]
    raw_id_fields = ["contact", "client", "engagement", "campaign"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin[SurveyResponse]):
    list_display = ["client", "respondent", "score", "theme", "sentiment_label", "answered_at"]
    list_filter = ["workspace", "source", "theme", "sentiment_label"]
    search_fields = ["comment", "respondent", "client__name"]
    raw_id_fields = ["invitation", "contact", "client", "engagement", "campaign"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin[FollowUp]):
    list_display = ["client", "summary", "owner", "due_on", "done_on"]
    list_filter = ["workspace", "reason"]
    raw_id_fields = ["client", "response"]
