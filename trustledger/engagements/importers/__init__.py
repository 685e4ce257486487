"""Importers of delivery history, so a firm can load years of it in one go: time entries from
Harvest, Toggl Track or any CSV (``time_entries``), clients and engagements from a CSV
(``engagements_csv``). Importing this package registers their kinds."""

from trustledger.engagements.importers import engagements_csv, time_entries

__all__ = ["engagements_csv", "time_entries"]
