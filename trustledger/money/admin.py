from django.contrib import admin

from trustledger.money.models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin[ExchangeRate]):
    list_display = ["date", "currency", "base", "rate", "source", "workspace"]
    list_filter = ["workspace", "base", "currency", "source"]
    date_hierarchy = "date"
