"""The standard parts of the four real documents (../shared/external/real-docs, read in place, never
bundled), asked for in wordings of no list: the answer quotes the part under its label. Skipped where the
real documents are not beside the project."""

from __future__ import annotations

import pytest

from assistant import Assistant
from evals.corpus_store import eval_assistant
from tests.conftest import PROJECT

REAL = PROJECT.parent / "shared" / "external" / "real-docs"
ND30, ND161 = "nd-30-2020-nd-cp-cong-tac-van-thu", "nd-161-2026-nd-cp-luong-co-so-tien-thuong"
KH199, NQ12 = (
    "kh-199-kh-ubnd-2026-hung-yen-phong-chong-ma-tuy",
    "nq-12-nq-cp-2023-chuong-trinh-hanh-dong-thu-do-trich",
)

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="the real documents are not beside the project")


@pytest.fixture(scope="module")
def real(corpus_assistant: Assistant) -> Assistant:
    settings, embeddings = corpus_assistant.settings, corpus_assistant.store.embeddings
    return eval_assistant(REAL, settings, embeddings=embeddings)[0]


@pytest.mark.parametrize(
    ("question", "doc", "label", "says"),
    [
        ("Người ký Nghị định 30/2020/NĐ-CP là ai, giữ chức vụ gì?", ND30, "Phần ký", "Nguyễn Xuân Phúc"),
        ("Nghị định 161 được ký với tư cách gì?", ND161, "Phần ký", "KT. THỦ TƯỚNG"),
        ("Ai ký Kế hoạch 199/KH-UBND?", KH199, "Phần ký", "Nguyễn Lê Huy"),
        ("Nghị định 161 dựa trên những căn cứ nào?", ND161, "Phần căn cứ", "Căn cứ Bộ luật Lao động"),
        ("Kế hoạch 199 được xây dựng để thực hiện văn bản nào?", KH199, "Phần căn cứ", "Thực hiện"),
        ("Bộ nào đề xuất Nghị định 161?", ND161, "Phần căn cứ", "Theo đề nghị của Bộ trưởng Bộ Nội vụ"),
        ("Nghị định 161 bắt đầu áp dụng từ khi nào?", ND161, "Điều 6", "01 tháng 7 năm 2026"),
        ("Nghị quyết 12 có hiệu lực thi hành từ bao giờ?", NQ12, "Điều 2", "từ ngày ký ban hành"),
        ("Nghị định 161 phát hành đến những nơi nào?", ND161, "Nơi nhận", "Văn phòng Trung ương"),
        ("Nơi nhận của Kế hoạch 199 gồm những ai?", KH199, "Nơi nhận", "Tỉnh ủy"),
    ],
)  # fmt: skip
def test_a_real_documents_part_is_answered_under_its_label(
    real: Assistant, question: str, doc: str, label: str, says: str
) -> None:
    answer = real.ask(question)
    assert not answer.refused, answer.text
    assert {c.doc for c in answer.citations} == {doc}, answer.citations
    assert all(c.clause.startswith(label) for c in answer.citations), answer.citations
    assert says in answer.text, answer.text
