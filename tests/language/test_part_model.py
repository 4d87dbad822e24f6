"""Which standard part of a document a question asks for (issue 21, item 3), decided by the fitted model of
assistant/data/part_model.json: the committed model is what `python -m evals.fit_parts --write` makes, and
it is the one the decision reads. The wordings here are none of the labelled set's
(evals/datasets/parts_questions.jsonl)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from assistant.language import part_model
from assistant.language.datafiles import data_bytes, data_text
from assistant.language.part_model import MODEL_FILE, NONE, PartModel, part_of_question, words
from assistant.language.shapes import Shape
from evals.fit_parts import choose, model_json, wordings


def test_the_labelled_wordings_are_well_formed() -> None:
    rows = wordings()
    assert len({w.id for w in rows}) == len(rows) == len({w.question for w in rows})
    labels = Counter(w.part for w in rows)
    assert set(labels) == set(part_model.model().classes) and NONE in labels
    assert labels[NONE] * 2 >= len(rows) and min(labels.values()) >= 30  # as many others as part questions
    assert {w.split for w in rows} == {"train", "dev", "sealed"}


def test_refitting_makes_the_committed_model_byte_for_byte() -> None:
    fitted, *_ = choose(wordings())
    assert model_json(fitted) == data_text(MODEL_FILE)


def test_the_decision_reads_the_committed_model(monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.loads(data_bytes(MODEL_FILE))
    loaded = part_model.model()
    assert loaded == PartModel(tuple(data["classes"]), data["bias"], data["weights"], data["threshold"])
    # The same model with "none" out of reach takes a part for a content question: the decision is the
    # model's, not a rule's.
    question = "Nghị định 30 quy định gì về kinh phí?"
    assert part_of_question(question) is None
    bias = {**loaded.bias, "none": -100.0}
    monkeypatch.setattr(part_model, "model", lambda: PartModel(loaded.classes, bias, loaded.weights, 0.0))
    assert part_of_question(question) is not None


def test_names_and_numbers_are_read_as_such() -> None:
    assert words("Ai ký Nghị định 30/2020/NĐ-CP?") == ["ai", "ky", "_doc_"]
    assert words("Who signed Decree 161/2026?") == ["who", "signed", "_doc_"]
    assert words("ai ky van ban 3") == ["ai", "ky", "van", "ban", "_num_"]
    # Spans the caller found (a law named by its title) are blanked too.
    question = "Ai ký Luật Viên chức?"
    assert words(question, [(question.index("Luật"), len(question) - 1)]) == ["ai", "ky", "_doc_"]


@pytest.mark.parametrize(
    ("question", "part"),
    [
        ("Quyết định 99/QĐ-UBND được ký bởi ai?", Shape.SIGNER),
        ("nguoi ky thong tu 05 giu chuc vu gi", Shape.SIGNER),
        ("Ai thay mặt Ủy ban nhân dân ký Chỉ thị 07?", Shape.SIGNER),
        ("Chỉ thị 07 được ban hành căn cứ những luật nào?", Shape.LEGAL_BASIS),
        ("Thông tư 05/2022/TT-BNV viện dẫn những căn cứ nào?", Shape.LEGAL_BASIS),
        ("Thông tư 05 được ban hành theo đề nghị của ai?", Shape.PROPOSER),
        ("Cơ quan nào trình ban hành Nghị định 45?", Shape.PROPOSER),
        ("Thông tư 05 bắt đầu có hiệu lực từ khi nào?", Shape.EFFECT),
        ("Chỉ thị 07 được áp dụng kể từ ngày nào?", Shape.EFFECT),
        ("Chỉ thị 07 được gửi đến những cơ quan nào?", Shape.RECIPIENTS),
        ("Who are the recipients of Decree 45?", Shape.RECIPIENTS),
    ],
)
def test_a_part_asked_in_a_new_wording_is_found(question: str, part: Shape) -> None:
    assert part_of_question(question) is part


@pytest.mark.parametrize(
    "question",
    [
        "Ai có thẩm quyền ký quyết định kỷ luật công chức?",
        "Chỉ thị 07 yêu cầu các sở gửi báo cáo về đâu?",
        "Thông tư 05 quy định gì về chữ ký số?",
        "Thời hạn hiệu lực của thẻ công chức là bao lâu?",
        "Căn cứ vào đâu để xét nâng lương trước thời hạn?",
        "Ai đề xuất danh sách công chức đi đào tạo?",
        "Thông tư 05 có hiệu lực từ năm 2022 không?",  # a verdict keeps its path
        "Thông tư 05 có bao nhiêu căn cứ?",  # so does a count
    ],
)
def test_a_question_about_content_or_a_verdict_asks_for_no_part(question: str) -> None:
    assert part_of_question(question) is None
