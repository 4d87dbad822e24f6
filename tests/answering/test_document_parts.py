"""Questions that reach the standard parts of any document in the standard layout (issue 21, item 3) and the
premise check (item 4), over the self-written documents of evals/corpora/standard: who signed and in what
capacity, on what bases and whose proposal, from when it takes effect, to whom it is sent; a question whose
body, document, article or year the documents never mention is refused, saying which one."""

from __future__ import annotations

import pytest

from assistant import Answer, Assistant
from assistant.language.shapes import Shape, part_asked
from evals.corpus_store import eval_assistant
from tests.conftest import PROJECT

STANDARD = PROJECT / "evals" / "corpora" / "standard"
EARLIER = [
    {"role": "user", "content": "Quyết định 215 giao Sở Nội vụ làm gì?"},
    {"role": "assistant", "content": "…"},
]


@pytest.fixture(scope="module")
def standard(corpus_assistant: Assistant) -> Assistant:
    """An assistant over the standard-layout documents only (their own store)."""
    settings, embeddings = corpus_assistant.settings, corpus_assistant.store.embeddings
    return eval_assistant(STANDARD, settings, embeddings=embeddings)[0]


def _cited(answer: Answer) -> list[tuple[str, str]]:
    return [(c.doc, c.clause) for c in answer.citations]


@pytest.mark.parametrize(
    ("question", "doc", "clause", "says"),
    [
        ("Ai ký Quyết định 215/QĐ-UBND?", "quyet-dinh-215-QD-UBND", "Phần ký", "Trần Thị Minh Hà"),
        ("Người ký Quyết định 215 ký với tư cách gì?", "quyet-dinh-215-QD-UBND", "Phần ký", "KT. CHỦ TỊCH"),
        ("ai ky thong bao 18", "thong-bao-18-TB-SNV", "Phần ký",
         "TL. GIÁM ĐỐC — CHÁNH VĂN PHÒNG — Đỗ Thị Lan"),
        ("Nghị định 88 do ai ký?", "nghi-dinh-88-2024-ND-CP", "Phần ký", "TM. CHÍNH PHỦ"),
        ("Ai ký Luật Cán bộ, công chức?", "luat-can-bo-cong-chuc-trich", "Phần ký", "CHỦ TỊCH QUỐC HỘI"),
        ("Nghị định 88 được ban hành căn cứ vào những văn bản nào?", "nghi-dinh-88-2024-ND-CP", "Phần căn cứ",
         "Căn cứ Luật Viên chức"),
        ("Quyết định 215 được ban hành theo đề nghị của ai?", "quyet-dinh-215-QD-UBND", "Phần căn cứ",
         "Xét đề nghị của Chánh Văn phòng"),
        ("Nghị định 88 ban hành theo đề nghị của ai?", "nghi-dinh-88-2024-ND-CP", "Phần căn cứ",
         "Theo đề nghị của Bộ trưởng Bộ Nội vụ"),
        ("Quyết định 215 có hiệu lực từ ngày nào?", "quyet-dinh-215-QD-UBND", "Điều 3",
         "01 tháng 9 năm 2024"),
        ("Nghị định 88 có hiệu lực khi nào?", "nghi-dinh-88-2024-ND-CP", "Điều 13", "01 tháng 5 năm 2024"),
        ("Thông báo 18 được gửi cho những ai?", "thong-bao-18-TB-SNV", "Nơi nhận", "Ban Tiếp công dân tỉnh"),
        ("Who signed Decree 88?", "nghi-dinh-88-2024-ND-CP", "Phần ký", "Lê Quang Hưng"),
        # Wordings no list held (the part is decided by the fitted model, language/part_model.py):
        ("Ai đứng tên trong phần ký của Thông báo 18?", "thong-bao-18-TB-SNV", "Phần ký", "Đỗ Thị Lan"),
        ("Quyết định 215 ra đời theo đề nghị của đơn vị nào?", "quyet-dinh-215-QD-UBND", "Phần căn cứ",
         "Xét đề nghị của Chánh Văn phòng"),
        ("Nghị định 88 bắt đầu được áp dụng từ bao giờ?", "nghi-dinh-88-2024-ND-CP", "Điều 13",
         "01 tháng 5 năm 2024"),
        ("Thông báo 18 phát hành tới những nơi nào?", "thong-bao-18-TB-SNV", "Nơi nhận", "Thanh tra tỉnh"),
    ],
)  # fmt: skip
def test_a_standard_part_is_answered_from_that_part(
    standard: Assistant, question: str, doc: str, clause: str, says: str
) -> None:
    answer = standard.ask(question)
    assert not answer.refused and _cited(answer) == [(doc, clause)], answer.text
    assert says in answer.text and f"({clause}" in answer.text.split(":", 1)[0]


def test_the_signature_answer_says_what_its_capacity_marks_mean(standard: Assistant) -> None:
    answer = standard.ask("Ai ký Quyết định 215?")
    assert answer.notice and "TM. là thay mặt" in answer.notice and "KT. là ký thay" in answer.notice


@pytest.mark.parametrize(
    "question",
    [
        "Theo Nghị định 88, ai có trách nhiệm ký kế hoạch bồi dưỡng hằng năm?",  # content, not the signer
        "Theo Luật Cán bộ, công chức, căn cứ vào đâu để đánh giá công chức?",
        "Nghị định 88 có hiệu lực từ năm 2024 phải không?",  # a verdict, not the part
        "Theo Quyết định 215, ai được ký thay Chủ tịch?",
        "Theo Nghị định 88, hồ sơ cử công chức đi bồi dưỡng gửi cho cơ quan nào?",
        "Quyết định 215 được ban hành ngày nào?",  # the header's date, not the signature
    ],
)
def test_a_question_about_content_is_not_answered_from_a_part(standard: Assistant, question: str) -> None:
    answer = standard.ask(question)
    assert not any(clause in ("Phần ký", "Phần căn cứ", "Nơi nhận") for _, clause in _cited(answer))


def test_part_shapes() -> None:
    assert part_asked("Ai ký Nghị định 30?") is Shape.SIGNER
    assert part_asked("Nghị định 30 được ban hành theo đề nghị của ai?") is Shape.PROPOSER
    assert part_asked("Nghị định 30 căn cứ vào những văn bản nào?") is Shape.LEGAL_BASIS
    assert part_asked("nghi dinh 30 co hieu luc tu ngay nao") is Shape.EFFECT
    assert part_asked("Nơi nhận của Nghị định 30 gồm những ai?") is Shape.RECIPIENTS
    assert part_asked("Người ký văn bản phải chịu trách nhiệm gì?") is None


@pytest.mark.parametrize(
    ("question", "history", "missing"),
    [
        ("Quyết định 215 giao Bộ Quốc phòng nhiệm vụ gì?", [], "Không tìm thấy 'Bộ Quốc phòng' trong QĐ 215"),
        ("Nghị định 45/2023/NĐ-CP quy định gì?", [], "'Nghị định 45/2023/NĐ-CP' trong các văn bản"),
        ("Theo Luật Đất đai, ai được cấp sổ đỏ?", [], "Không tìm thấy 'Luật Đất đai'"),
        ("Điều 40 Nghị định 88 quy định gì?", [], "Không tìm thấy 'Điều 40' trong NĐ 88/2024/NĐ-CP"),
        ("Lịch tiếp công dân năm 2030 của Sở Nội vụ thế nào?", [], "Không tìm thấy '2030'"),
        ("Còn Bộ Ngoại giao thì sao?", EARLIER, "'Bộ Ngoại giao' trong QĐ 215"),  # a follow-up
    ],
)  # fmt: skip
def test_a_premise_no_document_states_is_refused_with_the_reason(
    standard: Assistant, question: str, history: list[dict[str, str]], missing: str
) -> None:
    answer = standard.ask(question, history)
    assert answer.refused and missing in answer.text, answer.text


@pytest.mark.parametrize(
    "question",
    [
        "Theo Kế hoạch 45, Vụ Pháp chế có nhiệm vụ gì?",
        "Theo Kế hoạch 45, VỤ PHÁP CHẾ có nhiệm vụ gì?",  # another case
        "Theo Kế hoạch 45, Vụ PC có nhiệm vụ gì?",  # initials
        "Thông báo 18 của Sở NV giao Văn phòng Sở việc gì?",
        "Kế hoạch 45 đặt mục tiêu gì cho năm 2024?",  # a year the plan states
        "What does Decree 88 say about the legal knowledge training of civil servants?",
        "Nghị định 88 có giao Bộ Quốc phòng nhiệm vụ gì không?",  # a yes/no question is answered "Không"
    ],
)
def test_a_premise_the_documents_state_is_not_refused_for_it(standard: Assistant, question: str) -> None:
    assert not standard.ask(question).text.startswith("Không tìm thấy")


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("Ai ký Kế hoạch 32?", "Không tìm thấy người ký"),
        ("Kế hoạch 32 có hiệu lực từ ngày nào?", "Không tìm thấy ngày có hiệu lực"),
        ("Kế hoạch 32 được gửi cho những cơ quan nào?", "Không tìm thấy nơi nhận"),
    ],
)
def test_a_part_the_document_lacks_is_refused_not_stood_in_for(
    corpus_assistant: Assistant, question: str, missing: str
) -> None:
    # The bundled plan is a news summary: no signature block, no effect sentence, no recipients.
    answer = corpus_assistant.ask(question)
    assert answer.refused and answer.text.startswith(missing), answer.text
    assert "KH 32-KH/BCSĐ" in answer.text


def test_a_sentence_that_speaks_of_the_part_still_answers_it(corpus_assistant: Assistant) -> None:
    # No signature block, but the resolution's opening says who signed on the Committee's behalf.
    answer = corpus_assistant.ask("Nghị quyết 27 do ai ký?")
    assert not answer.refused and "Thay mặt" in answer.text, answer.text
