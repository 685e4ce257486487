"""Importers of e-mail (.mbox, .eml), calendars (.ics) and help-desk exports (Zendesk, Freshdesk).

Registered with ``trustledger.imports``, which discovers this module at start-up: each kind is
then available to ``trustledger import KIND FILE`` and to the upload page.
"""

from __future__ import annotations

from trustledger.communications.importers.eml import import_eml
from trustledger.communications.importers.helpdesk import import_freshdesk, import_zendesk
from trustledger.communications.importers.ics import import_ics
from trustledger.communications.importers.mbox import import_mbox
from trustledger.imports.registry import register

register("mbox", label="E-mail mailbox (.mbox)", extensions=(".mbox", ".mbx", ".txt", ""))(
    import_mbox
)
register("eml", label="E-mail message (.eml)", extensions=(".eml",))(import_eml)
register("ics", label="Calendar (.ics)", extensions=(".ics", ".ical", ".ifb"))(import_ics)
register("zendesk", label="Zendesk tickets (CSV export)", extensions=(".csv",))(import_zendesk)
register("freshdesk", label="Freshdesk tickets (CSV export)", extensions=(".csv",))(
    import_freshdesk
)

__all__ = ["import_eml", "import_freshdesk", "import_ics", "import_mbox", "import_zendesk"]
