"""The stacked classifier of the GermEval evaluation: it learns which view to trust from
out-of-fold scores of the training rows, and the rows it predicts change nothing it learns."""

from __future__ import annotations

import numpy as np
import pytest

from schwarmdesk.automation import stacking
from schwarmdesk.automation.stacking import Learner, logistic, stack_predict, svm

LABELS = ("negative", "neutral", "positive")


def views(rows: int, seed: int) -> tuple[dict[str, np.ndarray], list[str]]:
    """``signal`` separates the three labels; ``noise`` is random and says nothing."""
    generator = np.random.default_rng(seed)
    gold = [LABELS[row % 3] for row in range(rows)]
    signal = np.eye(3)[[LABELS.index(label) for label in gold]] * 2.0
    signal += generator.normal(scale=0.8, size=signal.shape)
    noise = generator.normal(size=(rows, 20))
    return {"signal": signal, "noise": noise}, gold


LEARNERS = [
    Learner("noise", ("noise",), logistic()),
    Learner("signal", ("signal",), logistic()),
    Learner("both", ("noise", "signal"), svm()),
]


def test_the_stack_trusts_the_informative_view() -> None:
    # given training rows where only the "signal" view knows the label
    train, train_gold = views(150, seed=1)
    test, test_gold = views(90, seed=2)

    # when the stack is trained and scores fresh rows
    result = stack_predict(train, test, train_gold, LEARNERS)

    # then it is about as good as the signal view (far above a third), and a noise-only stack
    # is not
    accuracy = np.mean(np.array(result.predicted) == np.array(test_gold))
    noise_only = stack_predict(train, test, train_gold, LEARNERS[:1])
    noise_accuracy = np.mean(np.array(noise_only.predicted) == np.array(test_gold))
    assert accuracy >= 0.85
    assert noise_accuracy <= 0.5
    assert result.meta_c in stacking.META_CS


def test_test_rows_are_only_scored() -> None:
    # given one set of training rows and two test sets that share their first 30 rows
    train, train_gold = views(120, seed=3)
    test, _ = views(60, seed=4)
    first = {name: matrix[:30] for name, matrix in test.items()}

    # when both test sets are predicted
    whole = stack_predict(train, test, train_gold, LEARNERS).predicted
    part = stack_predict(train, first, train_gold, LEARNERS).predicted

    # then the shared rows get the same labels: nothing is learnt from the rows predicted
    assert whole[:30] == part


def test_another_tasks_labels_and_row_filters_feed_the_stack() -> None:
    # given a learner of relevance (another label of the same training rows) and one trained
    # only on the relevant rows
    train, gold = views(90, seed=5)
    test, _ = views(12, seed=6)
    relevance = ["false" if label == "neutral" else "true" for label in gold]
    learners = [
        Learner("signal", ("signal",), logistic()),
        Learner("relevance", ("signal",), logistic(), target="relevance"),
        Learner("relevant", ("signal",), svm(), only=frozenset({"negative", "positive"})),
    ]

    result = stack_predict(train, test, gold, learners, other_labels={"relevance": relevance})

    assert len(result.predicted) == 12
    assert set(result.predicted) <= set(LABELS)


@pytest.mark.parametrize("rows", [4, 7])
def test_too_few_examples_for_inner_folds_fall_back_to_the_first_learner(rows: int) -> None:
    # given a label seen once: no inner folds are possible
    train, gold = views(rows, seed=7)
    gold[-1] = "rare"
    test, _ = views(5, seed=8)

    result = stack_predict(train, test, gold, LEARNERS[1:])

    first = LEARNERS[1].make().fit(train["signal"], gold).predict(test["signal"])
    assert result.predicted == [str(label) for label in first]
    assert result.meta_c == 0.0


def test_a_facebook_comment_names_its_page_and_post() -> None:
    url = "http://www.facebook.com/176772398231/posts/10153466910653232?comment\\_id=1"

    assert stacking.facebook_words(url) == "fbpage=176772398231 fbpost=10153466910653232"
    assert stacking.facebook_words("https://twitter.com/db_bahn/status/1") == ""


def test_nearest_neighbours_vote_with_the_closest_posts_first() -> None:
    # given three training posts: two "true" ones pointing one way, a "false" one the other way
    training = np.array([[1.0, 0.0], [0.96, 0.28], [0.0, 1.0]])
    model = stacking.NearestNeighbours(k=2).fit(training, ["true", "true", "false"])

    # when a post almost identical to the "false" one is scored (its second neighbour is "true")
    query = np.array([[0.28, 0.96]])

    # then the near-duplicate outweighs the farther neighbour
    assert model.predict(query).tolist() == ["false"]
    assert model.decision_function(query)[0] < -0.9
    assert model.predict(np.array([[1.0, 0.0]])).tolist() == ["true"]


def test_the_stack_selects_its_models_on_its_own_training_rows() -> None:
    # given the pool of a noise-only model and two that read the signal
    train, gold = views(150, seed=9)

    # when the stack is fitted
    stack = stacking.Stack(LEARNERS).fit(train, gold)

    # then it combines the signal and leaves the noise out; the same pool without selection
    # keeps every model
    assert "noise" not in stack.chosen
    assert {"signal", "both"} & set(stack.chosen)
    assert stacking.Stack(LEARNERS, select=False).fit(train, gold).chosen == (
        "noise",
        "signal",
        "both",
    )


def test_a_prior_shift_is_kept_only_when_it_gains() -> None:
    # given probabilities that always rank "neutral" a little below "negative", and gold
    # labels that are 80 % "neutral"
    gold = np.array(["neutral"] * 80 + ["negative"] * 20, dtype=object)
    probabilities = np.tile([0.45, 0.40, 0.15], (100, 1))
    probabilities[80:] = [0.60, 0.30, 0.10]  # the true negatives are more clearly negative

    offsets = stacking.choose_offsets(probabilities, gold, LABELS)

    # then "neutral" is shifted up just enough to win the first 80 rows, not the last 20
    shifted = (np.log(probabilities) + offsets).argmax(axis=1)
    assert (shifted[:80] == 1).all()
    assert (shifted[80:] == 0).all()
    assert offsets[0] == 0.0
    # and probabilities that are already right keep a zero shift
    right = np.tile([0.2, 0.7, 0.1], (10, 1))
    assert not stacking.choose_offsets(right, np.array(["neutral"] * 10, object), LABELS).any()
