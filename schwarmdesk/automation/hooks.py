"""The small calls other apps make; each queues work after the commit and returns at once."""

from __future__ import annotations

from django.db import transaction


def message_received(message_id: int) -> None:
    """A customer message was stored: triage, answer bot and routing run in the worker."""

    def _queue_automation() -> None:
        from schwarmdesk.automation.tasks import handle_message_task  # noqa: PLC0415

        handle_message_task(message_id)

    transaction.on_commit(_queue_automation)


def question_posted(question_id: int) -> None:
    """A community question was posted: triage and answer bot run in the worker."""

    def _queue_automation() -> None:
        from schwarmdesk.automation.tasks import handle_question_task  # noqa: PLC0415

        handle_question_task(question_id)

    transaction.on_commit(_queue_automation)


def conversation_solved(conversation_id: int) -> None:
    """An agent solved a conversation: it may become a knowledge candidate."""

    def _queue_automation() -> None:
        from schwarmdesk.automation.tasks import collect_knowledge_candidate_task  # noqa: PLC0415

        collect_knowledge_candidate_task(conversation_id)

    transaction.on_commit(_queue_automation)
