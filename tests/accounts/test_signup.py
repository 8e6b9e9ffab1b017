"""Sign-up with e-mail verification, login by e-mail, password reset and the rate limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from pytest_django import DjangoCaptureOnCommitCallbacks as CaptureCallbacks

from schwarmdesk.accounts import actions
from schwarmdesk.accounts.models import Profile
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.community import actions as community
from schwarmdesk.community.models import Answer, Category, Comment, Question, Vote
from schwarmdesk.core.errors import Conflict, Forbidden, Invalid
from schwarmdesk.people.models import Agent, ChannelIdentity, Customer

SIGNUP = "/accounts/signup/"
PASSWORD = "Regenbogen-Fahrrad-42"
VERIFY_LINK = re.compile(re.escape(settings.BASE_URL) + r"(/accounts/verify/[^/\s]+/)")


def sign_up_form(**changes: str) -> dict[str, str]:
    form = {
        "username": "erika",
        "display_name": "Erika Engel",
        "email": "erika@example.com",
        "password": PASSWORD,
        "consent": "yes",
    }
    form.update(changes)
    return form


def sign_up(username: str = "erika", email: str = "erika@example.com") -> User:
    return actions.sign_up(
        None,
        username=username,
        display_name="Erika Engel",
        email=email,
        password=PASSWORD,
        language="en",
        has_consented=True,
        ip_address="192.0.2.1",
    )


def verify_path(message: mail.EmailMessage) -> str:
    found = VERIFY_LINK.search(str(message.body))
    assert found is not None, message.body
    return found[1]


def test_sign_up_sends_a_link_that_verifies_and_lets_the_member_post(
    client: Client, billing: Category, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    # given a visitor who signs up in English
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, sign_up_form(), headers={"accept-language": "en"})

    # then the account exists, logged in, unverified, with a customer and an e-mail identity
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/done/"
    user = User.objects.get(username="erika")
    assert (user.email, user.first_name, user.last_name) == ("erika@example.com", "Erika", "Engel")
    assert Profile.objects.get(user=user).is_email_verified is False
    customer = Customer.objects.get(user=user)
    assert (customer.display_name, customer.language) == ("Erika Engel", "en")
    identity = ChannelIdentity.objects.get(kind=ChannelKind.EMAIL, external_id="erika@example.com")
    assert (identity.customer_id, identity.is_verified) == (customer.pk, False)
    assert client.get("/accounts/settings/").status_code == 200  # logged in

    # and one English e-mail with a text and an HTML part carries the link
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erika@example.com"]
    assert message.subject == "Please confirm your e-mail address"
    assert isinstance(message, mail.EmailMultiAlternatives)
    assert message.alternatives[0][1] == "text/html"
    path = verify_path(message)
    assert path in str(message.alternatives[0][0])

    # and writing is refused until the link is followed
    with translation.override("en"), pytest.raises(Forbidden, match="verify your e-mail"):
        community.post_question(user, category=billing, title="Wie kündige ich?")

    # when the link is followed
    followed = client.get(path)

    # then the address is verified and the member can post
    assert followed.status_code == 302
    profile = Profile.objects.get(user=user)
    assert profile.is_email_verified is True
    assert profile.email_verified_at is not None
    identity.refresh_from_db()
    assert identity.is_verified is True
    question = community.post_question(user, category=billing, title="Wie kündige ich?")
    assert question.author == user
    # and following the link again changes nothing
    assert client.get(path).status_code == 302


@pytest.mark.parametrize(
    "write",
    [
        lambda user, question, answer: community.post_question(
            user, category=question.category, title="Noch eine Frage?"
        ),
        lambda user, question, answer: community.post_answer(user, question.pk, body="So geht's"),
        lambda user, question, answer: community.post_comment(
            user, question_id=question.pk, body="Danke"
        ),
        lambda user, question, answer: community.cast_vote(user, answer_id=answer.pk, value=1),
    ],
    ids=["post_question", "post_answer", "post_comment", "cast_vote"],
)
def test_unverified_member_cannot_write(
    question: Question,
    dave_user: User,
    write: Callable[[User, Question, Answer], object],
) -> None:
    # given an answer by Dave and a fresh, unverified sign-up
    answer = community.post_answer(dave_user, question.pk, body="Im Kundenportal.")
    erika = sign_up()
    before = (Question.objects.count(), Answer.objects.count(), Comment.objects.count())

    # when Erika tries to write, then she is told to verify first
    with translation.override("en"), pytest.raises(Forbidden, match="verify your e-mail"):
        write(erika, question, answer)

    # and nothing changed
    after = (Question.objects.count(), Answer.objects.count(), Comment.objects.count())
    assert after == before
    assert Vote.objects.count() == 0


def test_agents_and_old_accounts_count_as_verified(
    question: Question, alice: Agent, carol_user: User
) -> None:
    # given an agent whose profile is unverified and a member from before sign-ups
    Profile.objects.create(user=alice.user, is_email_verified=False)

    # when both write, then nothing is refused
    community.post_answer(alice.user, question.pk, body="Offizielle Antwort.")
    community.post_comment(carol_user, question_id=question.pk, body="Danke!")
    assert actions.is_email_verified(carol_user) is True
    assert Answer.objects.filter(question=question).count() == 1


def test_verification_link_expires_after_three_days(
    client: Client, db: None, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    # given a sign-up and its e-mail
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP, sign_up_form(), headers={"accept-language": "en"})
    path = verify_path(mail.outbox[0])

    # when the link is followed four days later
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        response = client.get(path, headers={"accept-language": "en"})

    # then it is refused with a clear message, and the account stays unverified
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert Profile.objects.get(user__username="erika").is_email_verified is False


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token: "garbage",
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.replace(token.split(":")[0], token.split(":")[0][::-1]),
    ],
    ids=["garbage", "tampered-signature", "tampered-payload"],
)
def test_bad_or_tampered_verification_link_is_refused(
    client: Client, db: None, spoil: Callable[[str], str]
) -> None:
    # given an unverified sign-up and its token, spoilt
    erika = sign_up()
    token = spoil(actions.verification_token(erika))

    # when the spoilt link is followed
    response = client.get(f"/accounts/verify/{token}/", headers={"accept-language": "en"})

    # then it is refused and nothing changes
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert actions.is_email_verified(erika) is False


def test_link_for_an_old_address_is_refused(db: None) -> None:
    # given a token, and the account's address changed afterwards
    erika = sign_up()
    token = actions.verification_token(erika)
    User.objects.filter(pk=erika.pk).update(email="other@example.com")

    # when it is used, then it is refused
    with translation.override("en"), pytest.raises(Invalid, match="not valid"):
        actions.verify_email(None, token=token)


@pytest.mark.parametrize("email", ["carol@example.com", "Carol@Example.COM", "taken@example.com"])
def test_duplicate_email_is_refused_clearly(client: Client, carol_user: User, email: str) -> None:
    # given Carol's account (e-mail identity) and an account with a user e-mail
    User.objects.create_user(username="taken", email="taken@example.com", password="x")
    users = User.objects.count()

    # when someone signs up with one of their addresses
    response = client.post(SIGNUP, sign_up_form(email=email), headers={"accept-language": "en"})

    # then the form says so, and no account was made
    assert response.status_code == 400
    assert "An account with this e-mail address exists already" in response.content.decode()
    assert User.objects.count() == users
    assert mail.outbox == []


def test_duplicate_user_name_and_missing_consent_are_refused(carol_user: User) -> None:
    with translation.override("en"), pytest.raises(Conflict, match="user name is taken"):
        sign_up(username="Carol")
    with translation.override("en"), pytest.raises(Invalid, match="agree"):
        actions.sign_up(
            None,
            username="erika",
            display_name="Erika",
            email="erika@example.com",
            password=PASSWORD,
            has_consented=False,
        )
    assert not User.objects.filter(username="erika").exists()


def test_weak_password_is_refused_with_django_validators(db: None) -> None:
    with translation.override("en"), pytest.raises(Invalid, match="too common"):
        actions.sign_up(
            None,
            username="erika",
            display_name="Erika",
            email="erika@example.com",
            password="password",
            has_consented=True,
        )
    assert User.objects.count() == 0


def test_known_customer_gets_the_account_once_the_address_is_verified(
    dave: Customer, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    # given Dave, who wrote to support before, signs up with that address
    with django_capture_on_commit_callbacks(execute=True):
        user = sign_up(username="dave", email="dave@example.org")

    # then no second customer is made, and Dave's record is not attached yet
    assert Customer.objects.count() == 1
    dave.refresh_from_db()
    assert dave.user_id is None

    # when the address is verified, then the account joins Dave's customer record
    actions.verify_email(None, token=actions.verification_token(user))
    dave.refresh_from_db()
    assert dave.user_id == user.pk
    assert ChannelIdentity.objects.get(external_id="dave@example.org").is_verified is True


def test_resend_verification_sends_a_new_link_three_times_an_hour(
    client: Client, db: None, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    # given a logged-in, unverified sign-up
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP, sign_up_form(), headers={"accept-language": "en"})

    # when a new link is requested four times
    for _attempt in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/verify-again/", headers={"accept-language": "en"})
        assert response.status_code == 302

    # then three more e-mails went out, and the fourth request was refused
    assert len(mail.outbox) == 4
    page = client.get("/accounts/settings/", headers={"accept-language": "en"}).content.decode()
    assert "Too many attempts" in page


def test_sign_up_is_rate_limited_per_address(db: None) -> None:
    # given three sign-up attempts with one address (one made, two refused as duplicates)
    sign_up(username="erika1")
    for number in (2, 3):
        with pytest.raises(Conflict):
            sign_up(username=f"erika{number}")

    # when a fourth one comes, then it is refused before anything is checked
    with translation.override("en"), pytest.raises(actions.RateLimited, match="Too many"):
        sign_up(username="erika4")


def test_sign_up_form_is_rate_limited_per_ip(client: Client, db: None) -> None:
    for number in range(10):
        client.post(
            SIGNUP, sign_up_form(username=f"user{number}", email=f"user{number}@example.com")
        )
        client.logout()

    response = client.post(SIGNUP, sign_up_form(username="late", email="late@example.com"))

    assert response.status_code == 429
    assert User.objects.count() == 10


def test_login_with_user_name_or_email(client: Client, db: None) -> None:
    erika = sign_up()

    by_email = client.post(
        "/accounts/login/", {"username": "Erika@Example.com", "password": PASSWORD}
    )
    assert by_email.status_code == 302
    assert client.session["_auth_user_id"] == str(erika.pk)
    client.logout()
    by_name = client.post("/accounts/login/", {"username": "erika", "password": PASSWORD})
    assert by_name.status_code == 302
    wrong = client.post("/accounts/login/", {"username": "erika@example.com", "password": "nope"})
    assert wrong.status_code == 200


def test_password_reset_full_flow(
    client: Client, db: None, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    # given a member who forgot the password
    erika = sign_up()

    # when a reset is requested (in German, the default language)
    response = client.post("/accounts/password-reset/", {"email": "erika@example.com"})

    # then one German e-mail with a link arrives
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erika@example.com"]
    assert message.subject == "Neues Passwort wählen"
    found = re.search(
        re.escape(settings.BASE_URL) + r"(/accounts/password-reset/\S+/\S+/)", str(message.body)
    )
    assert found is not None

    # when the link is opened and a new password is set
    opened = client.get(found[1])
    assert opened.status_code == 302  # Django moves the token into the session
    form = client.get(opened["Location"])
    assert form.status_code == 200
    done = client.post(
        opened["Location"],
        {"new_password1": "Neues-Passwort-2024!", "new_password2": "Neues-Passwort-2024!"},
    )

    # then the password is changed and the link cannot be used again
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password-reset/done/"
    erika.refresh_from_db()
    assert erika.check_password("Neues-Passwort-2024!")
    again = client.get(found[1], follow=True)
    assert "nicht mehr gültig" in again.content.decode()


def test_password_reset_for_unknown_address_sends_nothing_and_reveals_nothing(
    client: Client, db: None
) -> None:
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_password_reset_is_rate_limited_per_address(client: Client, db: None) -> None:
    sign_up()
    for _attempt in range(3):
        client.post("/accounts/password-reset/", {"email": "erika@example.com"})

    refused = client.post(
        "/accounts/password-reset/",
        {"email": "erika@example.com"},
        headers={"accept-language": "en"},
    )

    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert len(mail.outbox) == 3
