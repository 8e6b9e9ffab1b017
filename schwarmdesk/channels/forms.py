"""The public web form (name, e-mail, subject, message, one optional file, a honeypot)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from schwarmdesk.channels.web_form import FormAttachment, FormInput

# The honeypot's name looks worth filling in to a bot; people never see the field.
HONEYPOT = "website"


class WebFormForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(label=_("Your message"), max_length=20_000, widget=forms.Textarea)
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("One image, PDF, text or office document."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_attachment(self) -> object:
        upload = self.cleaned_data.get("attachment")
        if upload is not None and upload.size > settings.MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return upload

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())

    def to_input(self, language: str) -> FormInput:
        upload = self.cleaned_data.get("attachment")
        attachment = None
        if upload is not None:
            attachment = FormAttachment(
                filename=upload.name or "attachment",
                content_type=upload.content_type or "application/octet-stream",
                content=upload.read(),
            )
        return FormInput(
            name=self.cleaned_data["name"].strip(),
            email=self.cleaned_data["email"],
            subject=self.cleaned_data["subject"].strip(),
            message=self.cleaned_data["message"],
            language=language,
            attachment=attachment,
        )
