"""`schwarmdesk reindex`: rebuilds from the content, resumes, removes orphans."""

from __future__ import annotations

import pytest

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.conversations.actions import start_conversation
from schwarmdesk.people.models import Customer
from schwarmdesk.search.indexing import IndexEntry, index_document
from schwarmdesk.search.models import Audience, Kind, SearchDocument
from schwarmdesk.search.reindex import checkpoint_path, reindex


@pytest.fixture
def conversations(carol: Customer) -> list[int]:
    return [
        start_conversation(
            None, customer=carol, origin_channel=ChannelKind.EMAIL, subject=f"Fall {n}"
        ).pk
        for n in range(5)
    ]


def test_reindex_rebuilds_lost_and_removes_orphan_entries(conversations: list[int]) -> None:
    SearchDocument.objects.filter(object_id=conversations[0]).delete()  # lost
    index_document(  # an orphan: its conversation does not exist
        IndexEntry(kind=Kind.CONVERSATION, object_id=99_999, audience=Audience.AGENTS, title="x")
    )
    progress: list[tuple[str, int, int]] = []
    counts = reindex([Kind.CONVERSATION], progress=lambda *a: progress.append(a), batch_size=2)
    assert counts == {Kind.CONVERSATION: 5}
    assert progress == [("conversation", 2, 5), ("conversation", 4, 5), ("conversation", 5, 5)]
    assert sorted(
        SearchDocument.objects.filter(kind=Kind.CONVERSATION).values_list("object_id", flat=True)
    ) == sorted(conversations)
    assert not checkpoint_path().exists()


def test_reindex_resumes_after_the_last_committed_batch(conversations: list[int]) -> None:
    checkpoint_path().write_text(f'{{"conversation": {conversations[2]}}}', encoding="utf-8")
    progress: list[tuple[str, int, int]] = []
    counts = reindex(
        [Kind.CONVERSATION], resume=True, progress=lambda *a: progress.append(a), batch_size=10
    )
    assert counts == {Kind.CONVERSATION: 2}  # only the two after the checkpoint
    assert progress == [("conversation", 2, 5)]


def test_reindex_refuses_unknown_kinds(db: None) -> None:
    with pytest.raises(ValueError, match="nothing to index for: gossip"):
        reindex(["gossip"])
