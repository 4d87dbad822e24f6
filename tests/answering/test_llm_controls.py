"""The LLM mode on the realistic controls (issue 22): every hand-written faithful paraphrase of
evals/data/controls.jsonl, given by the model as its answer citing the passage that holds its source, is the
answer the user gets, never the offline fallback with its notice. Over the bundled corpus and the
standard-layout corpus (evals/corpora/standard), one control per request, the question being the control's
own claim (which retrieves the passage it paraphrases).

The controls the claim check still flags are listed in KNOWN_GAPS, each an xfail(strict=True) of its own: the
day one stands, its test passes unexpectedly and fails the run, so it is taken off the list."""

from __future__ import annotations

import pytest

from assistant import Assistant, Settings
from evals.corpus_store import eval_assistant
from evals.corruptions import Control, controls
from tests.conftest import PROJECT
from tests.fake_openai import FakeOpenAI, Reply, passage_with, second_reader

STANDARD = PROJECT / "evals" / "corpora" / "standard"
WIDER = 10  # passages asked for when the default number misses one of the control's passages

# Faithful controls the LLM mode replaces by the offline fallback today (notice: "Câu trả lời của mô hình
# ngôn ngữ không có căn cứ trong tài liệu…"), with the claim check's reason. c95 and c98 are of the
# development half; the others of the held-out half, read here once after the last change to the checker.
KNOWN_GAPS = {
    "c78": "unsupported: 'và được miễn' (học phí) read as standing for the source's 'Nhà nước không thu'",
    "c95": "unsupported: 'lấy … làm trọng tâm' read against the source's 'trọng tâm là'",
    "c98": "unsupported: 'tối thiểu của' read against 'của Bộ' (tiled to another sentence's words)",
    "c99": "unsupported: 'chậm nhất 15 ngày sau khi' read against 'trong thời hạn 15 ngày kể từ ngày'",
    "c111": "unsupported: 'có tổng số' (07 thành viên) read against the source's 'gồm'",
    "c112": "unsupported: 'Việc báo cáo … được thực hiện hằng quý': 'thực hiện' read as not in the source",
    "c114": "unsupported: 'rơi vào' (ngày nghỉ lễ) read against the source's 'trùng'",
    # c115–c138: written by the lead after this round's checker changes, read once (issue 22, round three)
    "c116": "unsupported: 'việc bắt người phải' read against 'bị bắt nếu không' (an exception restated)",
    "c121": "unsupported: 'có trách nhiệm' read against the source's 'phải'",
    "c122": "unsupported: 'lấy … làm trọng tâm' read against the source's 'trọng tâm là'",
    "c124": "unsupported: the subject 'Bộ Nội vụ' named where the source opens with 'Cụ thể'",
    "c125": "unsupported: 'đặc biệt là' read against the source's 'nhất là'",
    "c127": "unsupported: 'phải xong' read against the source's 'hoàn thành'",
    "c129": "unsupported: 'Người' (đã hoàn thành) read against the source's 'viên chức'",
    "c130": "unsupported: 'chậm nhất … sau khi' read against 'trong thời hạn … kể từ ngày'",
    "c132": "unsupported: 'có sự phối hợp của' read against the source's 'phối hợp với'",
    "c134": "unsupported: 'phải … ít nhất' read against the source's 'tham gia … tối thiểu'",
    "c135": "unsupported: the date '31/01' tiled apart from the source's 'ngày 31 tháng 01'",
    "c136": "unsupported: 'có 7' read against the source's 'gồm 07'",
    "c137": "unsupported: 'rơi vào' (ngày nghỉ lễ) read against the source's 'trùng'",
}


def _llm(base: Assistant, fake: FakeOpenAI) -> Assistant:
    """The same store, answered by the LLM mode against the fake server."""
    settings = base.settings.model_copy(
        update={
            "llm_base_url": fake.url,
            "llm_api_key": "sk-test-secret-123",
            "llm_model": "fake-model",
            "llm_max_retries": 0,
            "llm_timeout": 10.0,
        }
    )
    return Assistant(Settings(**settings.model_dump()), store=base.store)


@pytest.fixture(scope="module")
def bundled(corpus_assistant: Assistant, server: FakeOpenAI) -> tuple[Assistant, list[Control]]:
    """The LLM mode over the bundled corpus, and the controls of its documents."""
    return _llm(corpus_assistant, server), controls(corpus_assistant.retriever.index().chunks)


@pytest.fixture(scope="module")
def standard(corpus_assistant: Assistant, server: FakeOpenAI) -> tuple[Assistant, list[Control]]:
    """The LLM mode over the standard-layout documents (their own store), and the controls of them."""
    settings, embeddings = corpus_assistant.settings, corpus_assistant.store.embeddings
    own = eval_assistant(STANDARD, settings, embeddings=embeddings)[0]
    return _llm(own, server), controls(own.retriever.index().chunks)


# c139–c198: 60 paraphrases written in round four by a writer who never saw the checker, scored once after
# its changes (issue 22, round four). Not listed one by one: how many of them fall back is a ratchet, without
# the model's second reading and with a model that confirms every sentence put to it (then only the flags of
# fact are left). Either count going up fails the run; going down, lower it here.
UNSEEN_FROM = 139
FALLBACKS = {"without reading": 37, "with reading": 11}

# The known gaps flagged for a fact (a number, a negation, a name), not for wording alone: the model is not
# asked to read them again, and they fall back whatever it would say.
FACT_GAPS = {
    "c112": "'thực hiện' read as a name of the corpus ('Thực hiện Nghị quyết…') the passage lacks",
}


def _miss(
    llm: Assistant, fake: FakeOpenAI, control: Control, k: int | None = None, *reading: Reply
) -> str | None:
    """Why the control, as the model's answer, is not the answer the user gets (None: it is). `reading`:
    the model's replies after the answer (its second reading of the sentences flagged for wording).

    The model cites the passages sent that hold one of the control's sources (a phrase may stand in two
    passages, as "Công dân đủ mười tám tuổi" does). When the default number of passages misses one of them,
    the question is asked again with WIDER passages: a claim drawing on a list's lead-in and one of its
    points (c64) is only written by a model that was sent both."""
    sent: list[int] = []

    def reply(body: dict) -> str:
        numbers = [passage_with(body, source) for source in control.sources]
        sent.extend(numbers)
        return f"{control.claim} " + "".join(f"[{n}]" for n in dict.fromkeys(numbers) if n)

    fake.reset()
    fake.enqueue(Reply(reply), *reading)
    answer = llm.ask(control.claim, k=k)
    if not all(sent) and k is None:
        return _miss(llm, fake, control, WIDER, *reading)
    if not any(sent):
        return "its passage was not among those sent to the model"
    if answer.mode != "llm" or answer.notice or answer.flags:
        flags = "; ".join(f"{f['reason']}: {f.get('detail', '')}" for f in answer.flags)
        return f"{answer.mode} answer, notice {answer.notice!r} ({flags})"
    return None


def _misses(llm: Assistant, fake: FakeOpenAI, items: list[Control]) -> list[str]:
    return [
        f"{c.id} ({c.kind}): {why}"
        for c in items
        if c.id not in KNOWN_GAPS and not _unseen(c)
        if (why := _miss(llm, fake, c))
    ]


def _unseen(control: Control) -> bool:
    return int(control.id[1:]) >= UNSEEN_FROM


def test_no_faithful_control_of_the_bundled_corpus_falls_back(
    bundled: tuple[Assistant, list[Control]], server: FakeOpenAI
) -> None:
    llm, items = bundled
    assert len(items) >= 64  # 66: Hiến pháp 2013 and Kế hoạch 32
    misses = _misses(llm, server, items)
    assert misses == [], "\n".join(misses)


def test_no_faithful_control_of_the_standard_corpus_falls_back(
    standard: tuple[Assistant, list[Control]], server: FakeOpenAI
) -> None:
    llm, items = standard
    assert len(items) >= 46  # 48: Kế hoạch 45, Nghị định 88, Luật Cán bộ, công chức, Quyết định 215, …
    misses = _misses(llm, server, items)
    assert misses == [], "\n".join(misses)


@pytest.mark.parametrize(
    "control_id",
    [pytest.param(i, marks=pytest.mark.xfail(strict=True, reason=why)) for i, why in KNOWN_GAPS.items()],
)
def test_a_known_gap_still_falls_back(
    bundled: tuple[Assistant, list[Control]],
    standard: tuple[Assistant, list[Control]],
    server: FakeOpenAI,
    control_id: str,
) -> None:
    llm, control = next((llm, c) for llm, items in (bundled, standard) for c in items if c.id == control_id)
    why = _miss(llm, server, control)
    assert why is None, why


@pytest.mark.parametrize("control_id", KNOWN_GAPS)
def test_a_known_gap_of_wording_is_the_answer_once_the_model_reads_it_again(
    bundled: tuple[Assistant, list[Control]],
    standard: tuple[Assistant, list[Control]],
    server: FakeOpenAI,
    control_id: str,
) -> None:
    """With a model that confirms, quoting its passage at the place the check names, a faithful control
    flagged for its wording alone is the model's answer (its reading listed); one flagged for a fact is
    never put to the model and still falls back."""
    llm, control = next((llm, c) for llm, items in (bundled, standard) for c in items if c.id == control_id)
    why = _miss(llm, server, control, None, second_reader(True))
    if control_id in FACT_GAPS:
        assert why is not None and "llm" not in why.split()[0] and len(server.requests) == 1
    else:
        assert why is None, why
        assert len(server.requests) == 2 and "<cho_khac>" in server.requests[-1]["messages"][0]["content"]


def test_the_unseen_controls_fall_back_no_more_often_than_when_first_scored(
    bundled: tuple[Assistant, list[Control]],
    standard: tuple[Assistant, list[Control]],
    server: FakeOpenAI,
) -> None:
    unseen = [(llm, c) for llm, items in (bundled, standard) for c in items if _unseen(c)]
    assert len(unseen) == 60
    counts = {
        "without reading": sum(_miss(llm, server, c) is not None for llm, c in unseen),
        "with reading": sum(
            _miss(llm, server, c, None, second_reader(True)) is not None for llm, c in unseen
        ),
    }
    assert counts == FALLBACKS, counts
