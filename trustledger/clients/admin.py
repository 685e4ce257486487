from django.contrib import admin

from trustledger.clients.models import Client, Contact, Referral


class ContactInline(admin.TabularInline[Contact, Client]):
    model = Contact
    extra = 0
    exclude = ["workspace"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin[Client]):
    list_display = ["name", "workspace", "tier", "status", "account_manager", "relationship_start"]
    list_filter = ["workspace", "tier", "status"]
    search_fields = ["name", "industry"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin[Contact]):
    list_display = ["name", "email", "client", "role", "is_primary", "survey_opt_out"]
    list_filter = ["workspace", "is_primary", "survey_opt_out"]
    search_fields = ["name", "email", "client__name"]


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin[Referral]):
    list_display = ["referrer", "referred", "referred_on", "workspace"]
    list_filter = ["workspace"]
