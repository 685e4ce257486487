from django.contrib import admin

from trustledger.communications.models import (
    BusinessCalendar,
    Commitment,
    CommunicationPlan,
    EscalationContact,
    Holiday,
    Inquiry,
    Interaction,
    PlanMember,
)


class PlanMemberInline(admin.TabularInline[PlanMember, CommunicationPlan]):
    model = PlanMember
    extra = 0
    exclude = ["workspace"]


class EscalationInline(admin.TabularInline[EscalationContact, CommunicationPlan]):
    model = EscalationContact
    extra = 0
    exclude = ["workspace"]


@admin.register(CommunicationPlan)
class CommunicationPlanAdmin(admin.ModelAdmin[CommunicationPlan]):
    list_display = ["client", "check_in_days", "review_days", "budget_update_days", "starts_on"]
    list_filter = ["workspace"]
    search_fields = ["client__name"]
    inlines = [PlanMemberInline, EscalationInline]


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin[Interaction]):
    list_display = ["occurred_at", "client", "channel", "direction", "kind", "subject", "source"]
    list_filter = ["workspace", "channel", "kind", "source"]
    search_fields = ["subject", "client__name", "source_key"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["client", "contact", "person", "recorded_by"]


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin[Inquiry]):
    list_display = ["received_at", "client", "channel", "subject", "sla_due", "first_response_at"]
    list_filter = ["workspace", "channel", "priority", "source"]
    search_fields = ["subject", "client__name", "source_key"]
    date_hierarchy = "received_at"
    raw_id_fields = ["client", "contact", "interaction", "first_response_by", "recorded_by"]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin[Commitment]):
    list_display = ["description", "client", "owner", "made_on", "due_on", "done_on", "broken_on"]
    list_filter = ["workspace"]
    search_fields = ["description", "client__name"]
    raw_id_fields = ["client", "interaction", "owner", "recorded_by"]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin[BusinessCalendar]):
    list_display = ["workspace", "time_zone", "updated_at"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin[Holiday]):
    list_display = ["date", "name", "workspace"]
    list_filter = ["workspace"]
