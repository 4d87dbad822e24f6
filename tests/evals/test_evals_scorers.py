"""Scorer self-tests: good answers score high; invented sentences, wrong or missing citations and confident
answers to unanswerable questions score low. A scorer that cannot fail is a defect."""

from __future__ import annotations

from dataclasses import replace

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant import Answer, Assistant
from assistant.answering.support import SupportScorer
from evals.calibration import LABELLED, source_text
from evals.claims import split_claims
from evals.dataset import DEFAULT_DATASET, Corpus, load_dataset
from evals.judge import LLMJudge, chat_model_from_env
from evals.metrics import citation_scores, correctness, token_f1
from evals.runner import score_run
from evals.systems import Ours, Run
from tests.fake_openai import FakeOpenAI

ITEMS = {item.id: item for item in load_dataset(DEFAULT_DATASET)}
CORPUS = Corpus()


def _run(assistant: Assistant, item_id: str) -> Run:
    return Ours(assistant).run(ITEMS[item_id])


def test_claims_drop_the_attribution_lead() -> None:
    text = "Theo KH 32-KH/BCSĐ (Nhiệm vụ thứ tư): Câu một. [1]\n\nCâu hai [1][2]. Câu ba không dẫn."
    claims = split_claims(text)
    assert [(c.text, c.markers) for c in claims] == [
        ("Câu một.", (1,)),
        ("Câu hai", (1, 2)),
        ("Câu ba không dẫn.", ()),
    ]


def test_support_scorer_separates_the_labelled_sentences(scorer: SupportScorer) -> None:
    wrong = [
        (sentence, label)
        for sentence, key, label in LABELLED
        if scorer(sentence, [source_text(CORPUS, key)]).supported != label
    ]
    assert not wrong
    assert sum(label for _, _, label in LABELLED) >= 8 and sum(not label for _, _, label in LABELLED) >= 8


def test_known_good_answer_scores_high(corpus_assistant: Assistant, scorer: SupportScorer) -> None:
    item = ITEMS["kh32-nv4-trucot-fact"]
    row = score_run(item, _run(corpus_assistant, item.id), CORPUS, scorer)
    assert row["citation_recall"] == row["citation_precision"] == row["faithfulness"] == 1.0
    assert row["retrieval"]["hit"] == 1.0 and row["cited_evidence"] == 1.0
    assert row["correctness"] > 0.6


def _with_text(run: Run, text: str) -> Run:
    return Run(replace(run.answer, text=text), run.retrieved, run.latency_ms)


def test_an_invented_sentence_scores_low(corpus_assistant: Assistant, scorer: SupportScorer) -> None:
    item = ITEMS["kh32-nv4-trucot-fact"]
    run = _run(corpus_assistant, item.id)
    invented = run.answer.text + "\nKế hoạch dành 500 tỷ đồng để sáp nhập các bộ trước năm 2025. [1]"
    row = score_run(item, _with_text(run, invented), CORPUS, scorer)
    assert row["citation_recall"] == 0.5 and row["faithfulness"] == 0.5
    assert row["citation_precision"] == 0.5
    fake = "\nBộ Nội vụ được giao tuyển thêm chuyên gia nước ngoài cho cải cách hành chính. [1]"
    assert score_run(item, _with_text(run, run.answer.text + fake), CORPUS, scorer)["citation_recall"] == 0.5


def test_a_wrong_citation_scores_low(corpus_assistant: Assistant, scorer: SupportScorer) -> None:
    item = ITEMS["kh32-nv4-trucot-fact"]
    run = _run(corpus_assistant, item.id)
    elsewhere = corpus_assistant.retrieve("Điều 86 Hiến pháp 2013")[0].chunk
    wrong = replace(run.answer.citations[0], doc=elsewhere.doc_id, text=elsewhere.text,
                    start=elsewhere.start, end=elsewhere.end)  # fmt: skip
    row = score_run(item, Run(replace(run.answer, citations=[wrong]), run.retrieved, 1.0), CORPUS, scorer)
    assert row["citation_recall"] == 0.0 and row["citation_precision"] == 0.0
    assert row["cited_evidence"] == 0.0


def test_a_citation_that_does_not_exist_scores_low(
    corpus_assistant: Assistant, scorer: SupportScorer
) -> None:
    item = ITEMS["kh32-nv4-trucot-fact"]
    run = _run(corpus_assistant, item.id)
    row = score_run(item, _with_text(run, run.answer.text.replace("[1]", "[9]")), CORPUS, scorer)
    assert row["citation_recall"] == 0.0 and row["citation_precision"] == 0.0
    assert "[9]" in row["claims"][0]["citations"][0]["why"]
    # A marker that points to no citation makes its sentence unsupported, even beside a good one.
    extra = score_run(item, _with_text(run, run.answer.text.replace("[1]", "[1][9]")), CORPUS, scorer)
    assert extra["citation_recall"] == 0.0 and extra["citation_precision"] == 0.0
    assert extra["claims"][0]["why"] == "[n] không tồn tại"


def test_an_uncited_sentence_is_unsupported(scorer: SupportScorer) -> None:
    scores = citation_scores(split_claims("Quốc hội họp mỗi năm hai kỳ."), {}, scorer)
    assert scores["citation_recall"] == 0.0


def test_a_confident_answer_to_an_unanswerable_question_scores_low(
    corpus_assistant: Assistant, scorer
) -> None:
    item = ITEMS["kh32-budget-unanswerable"]
    good = _run(corpus_assistant, item.id)
    assert good.answer.refused and score_run(item, good, CORPUS, scorer)["correctness"] == 1.0
    borrowed = _run(corpus_assistant, "kh32-nv4-trucot-fact").answer
    confident = Run(replace(borrowed, question=item.question), good.retrieved, 1.0)
    row = score_run(item, confident, CORPUS, scorer)
    assert row["correctness"] == 0.0 and not row["refusal_ok"]
    assert correctness(ITEMS["kh32-nv4-trucot-fact"], good.answer.text, True) == (0.0, 0.0)


def test_token_f1() -> None:
    assert token_f1("Quốc hội họp mỗi năm hai kỳ", "quoc hoi hop moi nam hai ky")[0] == 1.0
    assert token_f1("Chính phủ", "Quốc hội")[0] == 0.0


# -- the LLM judge -------------------------------------------------------------------------------------

CLAIMS = split_claims("Theo KH 32: Câu một. [1] Câu hai. [1][2]")
SOURCES = {1: "nguồn một", 2: "nguồn hai"}
GOOD = (
    '{"sentences": [{"i": 1, "supported_by_cited": true, "supported_by_context": true,'
    ' "supporting_alone": [1],'
    ' "reason": "khớp"}, {"i": 2, "supported_by_cited": false, "supported_by_context": false,'
    ' "supporting_alone": [], "reason": "bịa"}]}'
)


def _fake(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in replies]))


def test_judge_scores_a_well_formed_reply() -> None:
    result = LLMJudge(_fake("Kết quả:\n" + GOOD)).judge("Hỏi?", CLAIMS, SOURCES, ["nguồn một", "khác"])
    assert result["citation_recall"] == 0.5 and result["faithfulness"] == 0.5
    assert result["citation_precision"] == pytest.approx(1 / 3)
    assert result["unknown"] == 0 and result["claims"][1]["why"] == "bịa"


@pytest.mark.parametrize(
    "reply", ["không phải JSON", '{"sentences": []}', '{"sentences": [{"i": 1}, {"i": 2}]}']
)
def test_judge_malformed_reply_is_unknown_not_a_crash(reply: str) -> None:
    result = LLMJudge(_fake(reply)).judge("Hỏi?", CLAIMS, SOURCES, [])
    assert result["unknown"] == 2 and result["faithfulness"] is None
    assert {c["verdict"] for c in result["claims"]} == {"unknown"}


def test_judge_prompt_is_a_file_template_with_every_part() -> None:
    prompt = LLMJudge(_fake(GOOD)).prompt("Câu hỏi X?", CLAIMS, SOURCES, ["ngữ cảnh Y"])
    assert "Câu hỏi X?" in prompt and '<doan so="2">nguồn hai</doan>' in prompt and "ngữ cảnh Y" in prompt
    assert "1. Câu một. [1]" in prompt and '{"sentences"' in prompt
    with pytest.raises(KeyError):
        LLMJudge(_fake(GOOD)).template.format(question="x")


def test_judge_through_an_openai_compatible_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KH32_JUDGE_BASE_URL", raising=False)
    assert chat_model_from_env() is None
    with FakeOpenAI() as server:
        server.enqueue(GOOD, "rác")
        judge = LLMJudge(chat_model_from_env(server.url, "judge-model", "k"))
        assert judge.judge("Hỏi?", CLAIMS, SOURCES, [])["citation_recall"] == 0.5
        assert judge.judge("Hỏi?", CLAIMS, SOURCES, [])["unknown"] == 2
        assert server.requests[0]["model"] == "judge-model"


def test_refused_answer_has_no_claims(corpus_assistant: Assistant, scorer: SupportScorer) -> None:
    item = ITEMS["weather-oos"]
    refusal = Answer(item.question, "Tài liệu hiện có không đề cập đến nội dung này.", True, [])
    row = score_run(item, Run(refusal, [], 1.0), CORPUS, scorer)
    assert row["citation_recall"] is None and row["faithfulness"] is None and row["correctness"] == 1.0
