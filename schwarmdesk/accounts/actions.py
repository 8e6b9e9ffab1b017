"""Every state change on customer accounts: sign-up, e-mail verification, settings, and the
light rate limits in front of sign-up, password reset and verification e-mails.

A sign-up creates a Django user, a profile marked "e-mail not verified", the customer and the
customer's e-mail identity. The verification link is signed (Django's TimestampSigner) and
expires; following it marks the profile and the identity verified. Until then the account can
log in and read, but the community's write actions refuse with :func:`require_verified`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schwarmdesk.accounts.models import Attempt, NotifyLevel, Profile
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.core.errors import Conflict, Forbidden, Invalid
from schwarmdesk.people.actions import Actor, create_customer, link_identity, record_evidence
from schwarmdesk.people.evidence import Evidence, EvidenceKind
from schwarmdesk.people.models import ChannelIdentity, Customer

log = logging.getLogger(__name__)

VERIFY_SALT = "schwarmdesk.accounts.verify-email"
VERIFY_MAX_AGE = timedelta(days=3)
RATE_WINDOW = timedelta(hours=1)
ATTEMPTS_KEPT = timedelta(days=1)  # IP addresses and e-mail addresses: no longer than needed
MAX_NAME = 100
MIN_USERNAME = 3
MAX_USERNAME = 150
LANGUAGE_CODES = ("de", "en")

# (action, what the key is) -> attempts allowed per RATE_WINDOW
LIMITS = {
    ("signup", "ip"): 10,
    ("signup", "email"): 3,
    ("reset", "ip"): 10,
    ("reset", "email"): 3,
    ("verify", "user"): 3,
}


class RateLimited(Forbidden):
    """Too many attempts in a short time; nothing was done."""

    code = "rate_limited"


def is_agent(user: User) -> bool:
    return bool(user.is_staff or user.is_superuser or hasattr(user, "agent"))


def is_email_verified(user: User) -> bool:
    """True unless the account carries the explicit "not verified" marker of a fresh sign-up."""
    return not Profile.objects.filter(user_id=user.pk, is_email_verified=False).exists()


def require_verified(user: User) -> None:
    """The community's write actions call this: agents always pass, members once their
    e-mail address is verified."""
    if is_agent(user) or is_email_verified(user):
        return
    raise Forbidden(
        _(
            "Please verify your e-mail address first: follow the link in the e-mail we sent "
            "you. You can request a new one on your account page."
        )
    )


def limit_attempts(action: str, keys: Iterable[tuple[str, str]]) -> None:
    """Count one attempt per (kind, key); raise :class:`RateLimited` when a key has used its
    allowance in the last hour. Runs in its own transaction, so refused sign-ups count too."""
    since = timezone.now() - RATE_WINDOW
    with transaction.atomic():
        cleaned = [(kind, f"{kind}:{key.strip().lower()}") for kind, key in keys if key.strip()]
        for kind, key in cleaned:
            allowed = LIMITS[(action, kind)]
            used = Attempt.objects.filter(action=action, key=key, created_at__gte=since).count()
            if used >= allowed:
                log.info("accounts.rate_limited action=%s kind=%s", action, kind)
                raise RateLimited(_("Too many attempts. Please wait an hour and try again."))
        Attempt.objects.bulk_create([Attempt(action=action, key=key) for _kind, key in cleaned])
        Attempt.objects.filter(created_at__lt=timezone.now() - ATTEMPTS_KEPT).delete()


def _clean_username(username: str) -> str:
    cleaned = username.strip()
    if not MIN_USERNAME <= len(cleaned) <= MAX_USERNAME:
        raise Invalid(
            _("A user name has %(min)s to %(max)s characters.")
            % {"min": MIN_USERNAME, "max": MAX_USERNAME}
        )
    try:
        UnicodeUsernameValidator()(cleaned)
    except ValidationError:
        raise Invalid(
            _("A user name has only letters, digits and the characters @ . + - _.")
        ) from None
    if User.objects.filter(username__iexact=cleaned).exists():
        raise Conflict(_("This user name is taken. Please choose another one."))
    return cleaned


def _clean_display_name(display_name: str) -> str:
    cleaned = " ".join(display_name.split())
    if not cleaned:
        raise Invalid(_("Please tell us your name."))
    if len(cleaned) > MAX_NAME:
        raise Invalid(_("A name has at most %(limit)s characters.") % {"limit": MAX_NAME})
    return cleaned


def _clean_email(email: str) -> str:
    cleaned = email.strip().lower()
    try:
        validate_email(cleaned)
    except ValidationError:
        raise Invalid(_("Please enter a valid e-mail address.")) from None
    return cleaned


def _email_is_taken(email: str) -> bool:
    return (
        User.objects.filter(email__iexact=email).exists()
        or ChannelIdentity.objects.filter(
            kind=ChannelKind.EMAIL, external_id=email, customer__user__isnull=False
        ).exists()
    )


def sign_up(
    actor: Actor,
    *,
    username: str,
    display_name: str,
    email: str,
    password: str,
    language: str = "de",
    has_consented: bool,
    ip_address: str = "",
) -> User:
    """Create an account whose e-mail address still has to be verified, and send the link.

    A customer we already know by this e-mail address (they wrote to support before) gets the
    account attached once the address is verified, not before: an unverified claim on an
    address must not reach anyone's data.
    """
    if actor is not None and actor.is_authenticated:
        raise Invalid(_("You are logged in already."))
    limit_attempts("signup", [("ip", ip_address), ("email", email)])
    if not has_consented:
        raise Invalid(_("Please agree to the community rules and the privacy notice."))
    name = _clean_display_name(display_name)
    address = _clean_email(email)
    language = language if language in LANGUAGE_CODES else "de"
    with transaction.atomic():
        cleaned_username = _clean_username(username)
        if _email_is_taken(address):
            raise Conflict(
                _(
                    "An account with this e-mail address exists already. Log in, or reset your "
                    "password if you forgot it."
                )
            )
        first, _space, last = name.partition(" ")
        candidate = User(username=cleaned_username, email=address, first_name=first, last_name=last)
        try:
            validate_password(password, user=candidate)
        except ValidationError as error:
            raise Invalid(" ".join(error.messages)) from None
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=cleaned_username,
                    email=address,
                    password=password,
                    first_name=first[:150],
                    last_name=last[:150],
                )
        except IntegrityError:  # the same name was taken a moment ago
            raise Conflict(_("This user name is taken. Please choose another one.")) from None
        Profile.objects.create(
            user=user, language=language, is_email_verified=False, consented_at=timezone.now()
        )
        known = ChannelIdentity.objects.filter(kind=ChannelKind.EMAIL, external_id=address).first()
        if known is None:
            customer = create_customer(None, display_name=name, email=address, language=language)
            Customer.objects.filter(pk=customer.pk).update(user=user)
        _queue_verification_email(user)
    log.info("accounts.signed_up user=%s", user.pk)
    return user


def verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)


def _queue_verification_email(user: User) -> None:
    from schwarmdesk.accounts.tasks import send_verification_email_task  # noqa: PLC0415

    user_id = user.pk
    transaction.on_commit(lambda: send_verification_email_task(user_id))


@transaction.atomic
def verify_email(actor: Actor, *, token: str) -> User:
    """Follow a verification link: the profile and the e-mail identity become verified and the
    account may write. Following the same link again changes nothing."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired:
        raise Invalid(
            _("This link has expired. Log in and request a new one on your account page.")
        ) from None
    except signing.BadSignature:
        raise Invalid(
            _("This link is not valid. Please copy it completely from the e-mail.")
        ) from None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email.lower() != str(data.get("e", "")).lower():
        raise Invalid(_("This link is not valid. Please copy it completely from the e-mail."))
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    if profile.is_email_verified:
        return user
    customer = Customer.objects.filter(user=user).first()
    known = ChannelIdentity.objects.filter(
        kind=ChannelKind.EMAIL, external_id=user.email.lower()
    ).first()
    evidence = Evidence(EvidenceKind.SIGNUP_VERIFICATION, by=user.get_username())
    if known is not None and customer is None:
        owner = Customer.objects.select_for_update().get(pk=known.customer_id)
        if owner.user_id is not None and owner.user_id != user.pk:
            raise Conflict(_("This e-mail address belongs to another account."))
        owner.user = user
        owner.save(update_fields=["user", "updated_at"])
        customer = owner
        record_evidence([known.pk], evidence)
    if customer is not None and (known is None or known.customer_id == customer.pk):
        link_identity(
            user,
            customer,
            kind=ChannelKind.EMAIL,
            external_id=user.email,
            is_verified=True,
            evidence=evidence,
        )
    profile.is_email_verified = True
    profile.email_verified_at = timezone.now()
    profile.save(update_fields=["is_email_verified", "email_verified_at"])
    if known is not None and customer is not None and known.customer_id != customer.pk:
        # Another customer holds the address: merged only when their identity is verified too.
        from schwarmdesk.inbox.actions import merge_verified_email  # noqa: PLC0415 -- cycle

        merge_verified_email(user, address=user.email)
    log.info("accounts.email_verified user=%s", user.pk)
    return user


def resend_verification(actor: Actor) -> None:
    """Send the verification link again (three times an hour at most)."""
    if not isinstance(actor, User) or not actor.is_authenticated:
        raise Forbidden(_("Please log in first."))
    if is_email_verified(actor):
        raise Invalid(_("Your e-mail address is verified already."))
    limit_attempts("verify", [("user", str(actor.pk))])
    with transaction.atomic():
        _queue_verification_email(actor)


@transaction.atomic
def update_settings(actor: Actor, *, display_name: str, language: str, notify: str) -> Profile:
    """Change one's public name, e-mail language and notification level."""
    if not isinstance(actor, User) or not actor.is_authenticated:
        raise Forbidden(_("Please log in first."))
    name = _clean_display_name(display_name)
    if language not in ("", *LANGUAGE_CODES):
        raise Invalid(f"unknown language {language!r}")
    if notify not in NotifyLevel.values:
        raise Invalid(f"unknown notification level {notify!r}")
    profile, _created = Profile.objects.select_for_update().get_or_create(user=actor)
    profile.language = language
    profile.notify = notify
    profile.save(update_fields=["language", "notify"])
    first, _space, last = name.partition(" ")
    actor.first_name, actor.last_name = first[:150], last[:150]
    actor.save(update_fields=["first_name", "last_name"])
    Customer.objects.filter(user=actor).update(display_name=name, updated_at=timezone.now())
    return profile


@transaction.atomic
def mark_activity_seen(actor: Actor) -> None:
    """The member opened their questions: answers up to now are no longer new."""
    if not isinstance(actor, User) or not actor.is_authenticated:
        raise Forbidden(_("Please log in first."))
    Profile.objects.update_or_create(user=actor, defaults={"activity_seen_at": timezone.now()})


@transaction.atomic
def set_notify_level(user: User, *, notify: str) -> Profile:
    """Used by the one-click unsubscribe ("no more e-mails"), which has no session."""
    if notify not in NotifyLevel.values:
        raise Invalid(f"unknown notification level {notify!r}")
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    profile.notify = notify
    profile.save(update_fields=["notify"])
    return profile
