"""``schwarmdesk bench ingest`` end to end at a tiny size (SQLite), and its workload."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

from schwarmdesk.channels.bench import IngestConfig, build_deliveries, load_texts, run_bench
from schwarmdesk.cli import build_parser

GERMAN = [
    "Mein Zug nach Hamburg ist heute ausgefallen, bekomme ich eine Erstattung?",
    "Die Klimaanlage im ICE war wieder kaputt.",
    "Warum ist die App seit gestern so langsam?",
]
ENGLISH = [
    "I was charged twice for the same card payment.",
    "How long does a transfer to another bank take?",
    "My card has not arrived yet, what should I do?",
]


def tiny_data(root: Path) -> Path:
    """The shared data folder's layout with a few texts of each file."""
    (root / "banking77").mkdir(parents=True)
    (root / "germeval2017").mkdir()
    (root / "germeval2018").mkdir()
    rows = "".join(f'"{text}",card_arrival\n' for text in ENGLISH)
    (root / "banking77" / "train.csv").write_text("text,category\n" + rows, encoding="utf-8")
    (root / "germeval2017" / "dev.tsv").write_text(
        "".join(f"http://example.com/{n}\t{t}\ttrue\tnegative\t\n" for n, t in enumerate(GERMAN)),
        encoding="utf-8",
    )
    (root / "germeval2018" / "germeval2018.training.txt").write_text(
        "".join(f"{text}\tOTHER\tOTHER\n" for text in GERMAN[:2]), encoding="utf-8"
    )
    return root


def test_the_workload_redelivers_some_updates_as_the_same_and_as_other_bytes(
    tmp_path: Path,
) -> None:
    texts = load_texts(tiny_data(tmp_path))
    assert sorted(texts) == sorted(ENGLISH + GERMAN + GERMAN[:2])

    stream, expected = build_deliveries(
        texts, messages=200, senders=20, redeliver=0.1, reserialise=0.05, seed=5
    )
    again, _ = build_deliveries(
        texts, messages=200, senders=20, redeliver=0.1, reserialise=0.05, seed=5
    )

    assert stream == again
    assert len(expected) == 200
    assert len(stream) == 200 + 20 + 10
    same_bytes = Counter(delivery.body for delivery in stream)
    assert sum(count - 1 for count in same_bytes.values()) == 20
    per_message = Counter(delivery.external_id for delivery in stream)
    assert sum(count - 1 for count in per_message.values()) == 30
    assert {delivery.external_id: delivery.text for delivery in stream} == expected
    update = json.loads(stream[0].body)
    assert update["message"]["chat"]["type"] == "private"
    assert f"{update['message']['chat']['id']}:{update['message']['message_id']}" in expected


def test_bench_ingest_at_a_tiny_size_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    config = IngestConfig(
        data=str(tiny_data(tmp_path / "data")),
        messages=120,
        senders=15,
        batch=25,
        per_request=8,
        backends=("sqlite",),
        workers=(1, 2),
        connections=2,
        web_processes=1,
        work=str(tmp_path / "work"),
    )
    stdout = io.StringIO()
    chart = tmp_path / "ingest.png"

    document = run_bench(config, json_output=True, chart=chart, stdout=stdout)

    assert json.loads(stdout.getvalue()) == document
    rows = document["results"]
    ours = [row for row in rows if row["system"] == "schwarmdesk"]
    assert [(row["task"], row["workers"]) for row in ours] == [
        ("ingest-sqlite", 1),
        ("ingest-sqlite", 2),
    ]
    for row in ours:
        assert (row["messages"], row["lost"], row["duplicated"]) == (120, 0, 0)
        assert row["deliveries"] == 120 + 6 + 2  # 5 % and 2 % delivered again
        assert row["per_second"] > 0
        assert row["accept_per_second"] > 0
    per_request = [row for row in rows if row["system"] == "schwarmdesk-per-request"]
    assert [(row["messages"], row["lost"], row["duplicated"]) for row in per_request] == [
        (8, 0, 0),
        (8, 0, 0),
    ]
    baselines = Counter(row["system"] for row in rows if row["system"].startswith("raw-insert"))
    assert baselines == {"raw-insert-batched": 2, "raw-insert-single": 2}
    assert all(row["per_second"] > 0 for row in rows)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list((tmp_path / "work").glob("run-*"))  # the throwaway data is gone


def test_the_command_line_has_bench_ingest() -> None:
    args = build_parser().parse_args(
        ["bench", "ingest", "--data", "/data", "--workers", "1,2", "--backends", "sqlite", "--json"]
    )
    assert (args.workers, args.backends, args.json) == ((1, 2), ("sqlite",), True)
