"""Evaluation metrics against values computed by hand."""

from __future__ import annotations

import pytest

from shopops.evals.metrics import (
    accuracy,
    answer_tokens,
    best_token_f1,
    bleu,
    lcs_length,
    macro_f1,
    percentile,
    precision_recall,
    rouge_l,
    rouge_l_corpus,
    sacrebleu_tokenizer,
    token_f1,
    tokenize,
)


def test_tokenize_words_lowercase_without_punctuation() -> None:
    assert tokenize("Soft, 100% COTTON t-shirt!", lang="en") == ["soft", "100", "cotton", "t", "shirt"]


def test_tokenize_chinese_by_character_keeping_latin_runs_whole() -> None:
    assert tokenize("USB数据线，长2米。", lang="zh") == ["usb", "数", "据", "线", "长", "2", "米"]
    # Full-width forms normalise to ASCII before splitting.
    assert tokenize("ＵＳＢ线", lang="zh") == ["usb", "线"]


def test_tokenize_thai_by_character_with_marks_joined() -> None:
    tokens = tokenize("ดีมาก", lang="th")
    assert "".join(tokens) == "ดีมาก"
    assert tokens == ["ดี", "ม", "า", "ก"]


def test_lcs_length_known_cases() -> None:
    assert lcs_length("ABCBDAB", "BDCABA") == 4  # the textbook example (BCBA)
    assert lcs_length([], ["a"]) == 0
    assert lcs_length(["a", "b"], ["a", "b"]) == 2


def test_rouge_l_identical_disjoint_and_empty() -> None:
    assert rouge_l("a grey nylon cable", "A grey nylon cable.", lang="en") == 1.0
    assert rouge_l("red mug", "blue plate", lang="en") == 0.0
    assert rouge_l("", "blue plate", lang="en") == 0.0
    assert rouge_l("red mug", "", lang="en") == 0.0


def test_rouge_l_hand_computed() -> None:
    # LCS(the cat sat on the mat, the cat is on the mat) = "the cat on the mat" = 5; P = R = 5/6.
    assert rouge_l("the cat sat on the mat", "the cat is on the mat", lang="en") == pytest.approx(5 / 6)
    # LCS(a b c d, a c e) = 2; P = 2/4, R = 2/3, F = 2PR/(P+R) = 4/7.
    assert rouge_l("a b c d", "a c e", lang="en") == pytest.approx(4 / 7)


def test_rouge_l_is_character_level_for_chinese() -> None:
    # 红色杯子 vs 蓝色杯子: LCS 色杯子 = 3 of 4 characters each.
    assert rouge_l("红色杯子", "蓝色杯子", lang="zh") == pytest.approx(0.75)
    # Read as words, each side is one different token.
    assert rouge_l("红色杯子", "蓝色杯子", lang="en") == 0.0


def test_rouge_l_corpus_is_the_mean() -> None:
    score = rouge_l_corpus(["a b c d", "x"], ["a c e", "x"], lang="en")
    assert score == pytest.approx((4 / 7 + 1.0) / 2)
    assert rouge_l_corpus([], [], lang="en") == 0.0
    with pytest.raises(ValueError, match="differ in length"):
        rouge_l_corpus(["a"], [], lang="en")


def test_bleu_identical_and_disjoint() -> None:
    sentence = "this braided cable charges and syncs your phone at the same time"
    assert bleu([sentence], [sentence], lang="en") == pytest.approx(100.0)
    assert bleu(["red mug with lid"], ["blue plate for dinner"], lang="en") == pytest.approx(0.0)
    assert bleu([], [], lang="en") == 0.0


def test_bleu_is_character_level_for_chinese() -> None:
    hypothesis, reference = "我喜欢这个红色的杯子", "我喜欢这个蓝色的杯子"
    assert sacrebleu_tokenizer("zh") == "zh"
    assert sacrebleu_tokenizer("ja") == "char"
    assert sacrebleu_tokenizer("en") == "13a"
    # Character level: 9 of 10 characters match, a partial score.
    assert 30.0 < bleu([hypothesis], [reference], lang="zh") < 100.0
    # With the 13a tokenizer each unspaced sentence is one token, and they differ.
    assert bleu([hypothesis], [reference], lang="en") == pytest.approx(0.0)


def test_accuracy_and_macro_f1_hand_computed() -> None:
    y_true = ["pos", "pos", "neg", "neg"]
    y_pred = ["pos", "neg", "neg", "neg"]
    assert accuracy(y_true, y_pred) == pytest.approx(0.75)
    # pos: tp 1, fp 0, fn 1 -> F1 2/3; neg: tp 2, fp 1, fn 0 -> F1 4/5; mean 11/15.
    assert macro_f1(y_true, y_pred) == pytest.approx(11 / 15)
    # A named class never seen scores 0 and pulls the mean down.
    assert macro_f1(y_true, y_pred, labels=["pos", "neg", "neutral"]) == pytest.approx(22 / 45)
    assert accuracy([], []) == 0.0
    assert macro_f1([], []) == 0.0


def test_answer_tokens_follow_squad_normalisation() -> None:
    # lower case, punctuation deleted (not split on), articles a/an/the dropped
    assert answer_tokens("The Customer's order, isn't it? A U.S.A. thing $5", lang="en") == [
        "customers",
        "order",
        "isnt",
        "it",
        "usa",
        "thing",
        "5",
    ]
    assert answer_tokens("退货，三十天。", lang="zh") == ["退", "货", "三", "十", "天"]


def test_token_f1_hand_computed() -> None:
    # pred "cat sat" (the dropped) vs ref "cat sat down": overlap 2, P = 1, R = 2/3, F = 0.8
    assert token_f1("the cat sat", "a cat sat down", lang="en") == pytest.approx(0.8)
    # overlap counts repeats: min(2, 1) red + min(1, 2) blue = 2 of 3 each side
    assert token_f1("red red blue", "red blue blue", lang="en") == pytest.approx(2 / 3)
    assert token_f1("returns in 30 days", "Returns in 30 days.", lang="en") == 1.0
    assert token_f1("nothing shared", "all different", lang="en") == 0.0
    assert token_f1("", "reference", lang="en") == 0.0
    assert token_f1("the", "a", lang="en") == 1.0  # both empty after normalisation (as SQuAD)


def test_token_f1_is_character_level_for_chinese() -> None:
    # 退货期限三十天 vs 退货三十天: overlap 5, P = 5/7, R = 1 -> F = 10/12
    assert token_f1("退货期限三十天", "退货三十天", lang="zh") == pytest.approx(10 / 12)
    assert token_f1("退货期限三十天", "退货三十天", lang="en") == 0.0


def test_best_token_f1_takes_the_best_reference_and_detects_its_language() -> None:
    refs = ["We ship in 3-5 business days.", "退货三十天"]
    assert best_token_f1("we ship in 3-5 business days", refs) == 1.0
    assert best_token_f1("退货期限三十天", refs) == pytest.approx(10 / 12)  # scored by character
    assert best_token_f1("anything", []) == 0.0


def test_precision_recall_of_one_class() -> None:
    truth = ["escalate", "escalate", "answer", "answer", "escalate"]
    preds = ["escalate", "answer", "escalate", "answer", "escalate"]
    # tp 2, predicted 3, actual 3
    assert precision_recall(truth, preds, positive="escalate") == pytest.approx((2 / 3, 2 / 3))
    assert precision_recall(["answer"], ["answer"], positive="escalate") == (0.0, 0.0)
    with pytest.raises(ValueError, match="differ in length"):
        precision_recall(["a"], [], positive="a")


def test_percentile_interpolates_like_numpy() -> None:
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 50) == pytest.approx(5.5)
    assert percentile(values, 95) == pytest.approx(9.55)
    assert percentile([3.0], 95) == 3.0
    assert percentile([], 50) == 0.0
    with pytest.raises(ValueError):
        percentile(values, 101)
