"""Several chat sessions at once on one assistant, and an ingest running while they ask."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assistant import Answer, Assistant, Settings
from ingest.pipeline import ensure_corpus, ingest, prepare

QUESTIONS = [
    "Nhiệm vụ thứ tư của kế hoạch là gì?",
    "Cải cách hành chính có mấy trụ cột?",
    "Mục đích của Kế hoạch 32 là gì?",
    "Điều 2 Hiến pháp 2013 quy định gì?",
    "nhiem vu thu sau la gi",
    "Quyền lực nhà nước thuộc về ai?",
    "Công dân đủ bao nhiêu tuổi thì có quyền bầu cử?",
    "Thời tiết Hà Nội hôm nay thế nào?",
]


# What must be the same whoever asks: an answer's text, whether it refused, and its citation labels.
Key = tuple[str, bool, tuple[str, ...]]


def answer_key(answer: Answer) -> Key:
    """What must match between sessions: the answer's text, refusal and citation labels."""
    return (answer.text, answer.refused, tuple(c.label for c in answer.citations))


def test_eight_sessions_at_once_get_their_own_answers(corpus_assistant: Assistant) -> None:
    expected = {q: answer_key(corpus_assistant.ask(q)) for q in QUESTIONS}
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            answers = pool.map(lambda q: answer_key(corpus_assistant.ask(q)), QUESTIONS)
            got = dict(zip(QUESTIONS, answers, strict=True))
            assert got == expected


def test_queries_keep_answering_while_a_document_is_ingested(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assistant = Assistant(settings)
    ensure_corpus(assistant.store, settings)
    baseline = answer_key(assistant.ask(QUESTIONS[0]))
    document = tmp_path / "quy-che-moi.txt"
    document.write_text(
        "\n\n".join(
            f"Điều {n}. Quy định {n}\n\nNội dung thứ {n} của quy chế mới về lưu trữ hồ sơ."
            for n in range(1, 60)
        )
        + "\n\nĐiều 60. Số hóa\n\nHồ sơ lưu trữ được số hóa trong vòng 30 ngày kể từ ngày tiếp nhận.\n",
        encoding="utf-8",
    )
    done = threading.Event()
    answers = []

    def write() -> None:
        try:
            ingest(assistant.store, prepare([document], settings))
        finally:
            done.set()

    writer = threading.Thread(target=write)
    writer.start()
    while not done.is_set() or not answers:
        answers.append(answer_key(assistant.ask(QUESTIONS[0])))
    writer.join()
    assert answers and all(a == baseline for a in answers)
    assert "quy-che-moi" in {d.doc_id for d in assistant.store.documents()}
    answer = assistant.ask("Hồ sơ lưu trữ được số hóa trong vòng bao nhiêu ngày?")
    assert answer.citations and answer.citations[0].doc == "quy-che-moi"
