from __future__ import annotations

from typing import Any

from django import forms

from trustledger.imports.csvreader import parse_mapping
from trustledger.imports.registry import get_importer, importers


def _kinds() -> list[tuple[str, str]]:
    return [(spec.kind, spec.label) for spec in importers()]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="What is the file?", choices=_kinds)
    file = forms.FileField(label="File")
    mapping = forms.CharField(
        required=False,
        label="Column mapping",
        help_text="Only for the “any CSV” kinds, when the file's columns are named differently: "
        "our field = the file's column, separated by commas, e.g. "
        "date=Day, hours=Time, engagement=Project, person=Who, date_format=%d/%m/%Y.",
        widget=forms.TextInput(attrs={"placeholder": "date=Day, hours=Time, engagement=Project"}),
    )
    dry_run = forms.BooleanField(
        required=False, label="Only check the file (save nothing, show what would be imported)"
    )

    def clean_mapping(self) -> dict[str, str]:
        try:
            return parse_mapping(self.cleaned_data.get("mapping", ""))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, mapping = data.get("kind"), data.get("mapping")
        if kind and mapping and not get_importer(kind).takes_mapping:
            self.add_error("mapping", "This kind of file has fixed columns: leave this empty.")
        return data
