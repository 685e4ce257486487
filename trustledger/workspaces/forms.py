from django import forms

from trustledger.workspaces.models import ApiKeyScope, Role


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What uses this key, e.g. “Nightly BI export”."
    )
    scope = forms.ChoiceField(choices=ApiKeyScope.choices, initial=ApiKeyScope.READ)


class MemberForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    full_name = forms.CharField(max_length=200, required=False, label="Full name")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.STAFF)
