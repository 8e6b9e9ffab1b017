"""Background entry points for accounts."""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.urls import reverse
from huey.contrib.djhuey import db_task

from schwarmdesk.accounts.actions import VERIFY_MAX_AGE, is_email_verified, verification_token
from schwarmdesk.accounts.mail import absolute_url, send_templated_mail
from schwarmdesk.accounts.models import Profile

log = logging.getLogger(__name__)


def send_verification_email(user_id: int) -> bool:
    """Send the verification link to a still unverified account; False when there is nothing
    to send (verified meanwhile, deleted, no address)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or is_email_verified(user):
        return False
    profile = Profile.objects.filter(user=user).first()
    language = profile.language if profile is not None and profile.language else "de"
    link = absolute_url(reverse("accounts:verify", kwargs={"token": verification_token(user)}))
    send_templated_mail(
        to=user.email,
        template="accounts/email/verify",
        context={"user": user, "link": link, "days": VERIFY_MAX_AGE.days},
        language=language,
    )
    log.info("accounts.verification_sent user=%s", user.pk)
    return True


@db_task(retries=3, retry_delay=30)  # type: ignore[untyped-decorator]  # huey ships no types
def send_verification_email_task(user_id: int) -> bool:
    return send_verification_email(user_id)
