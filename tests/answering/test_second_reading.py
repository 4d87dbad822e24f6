"""The model's second reading of a sentence the claim check flags only for its wording (issue 22, round
four): against the fake OpenAI-compatible server, the answer request streams the sentence, the second
request gets the reading. A flag of fact never reaches the model; a confirmation counts only with a quote
the passage holds word for word; any other reply leaves the flag, and the offline fallback, as before."""

from __future__ import annotations

import json

import pytest

from assistant import Answer, Assistant
from assistant.answering.second_reading import Pending, SecondReading, quoted
from assistant.answering.support import IndexScorer
from tests.fake_openai import FakeOpenAI, Reply, llm_assistant, passage_with

# Hiến pháp 2013, Điều 8.2: "Các cơ quan nhà nước, cán bộ, công chức, viên chức phải tôn trọng Nhân dân, …"
AT = "tận tụy phục vụ Nhân dân"
WHO = "Các cơ quan nhà nước, cán bộ, công chức, viên chức"
OWN_WORDS = f"{WHO} có trách nhiệm tôn trọng Nhân dân, tận tụy phục vụ Nhân dân."
QUOTE = "viên chức phải tôn trọng Nhân dân"
NAME_SWAPPED = f"{WHO} phải tôn trọng Nhân dân và chịu sự giám sát của Quốc hội."
NEGATED = f"{WHO} không phải tôn trọng Nhân dân, tận tụy phục vụ Nhân dân."


@pytest.fixture
def llm(corpus_assistant: Assistant, fake: FakeOpenAI) -> Assistant:
    return llm_assistant(corpus_assistant, fake)


def _reading(same: bool, quote: str = "") -> Reply:
    return Reply(json.dumps({"sentences": [{"i": 1, "same": same, "quote": quote, "reason": "…"}]}))


def _ask(llm: Assistant, fake: FakeOpenAI, sentence: str, *then: Reply | str) -> Answer:
    fake.enqueue(Reply(lambda body: f"{sentence[:-1]} [{passage_with(body, AT)}]."), *then)
    return llm.ask(sentence)


def test_the_sentence_is_flagged_for_its_wording_alone(corpus_assistant: Assistant) -> None:
    index = corpus_assistant.retriever.index()
    source = next(c.text for c in index.chunks if AT in c.text and c.doc_id == "hien-phap-2013")
    scorer = IndexScorer(corpus_assistant.store.embeddings)(index)
    own = scorer(OWN_WORDS, [source])
    assert not own.supported and own.reworded and own.place == "phải" and "có trách nhiệm" in own.reason
    for firm in (NAME_SWAPPED, NEGATED):
        verdict = scorer(firm, [source])
        assert not verdict.supported and not verdict.reworded, verdict.reason


def test_a_sentence_the_model_confirms_with_a_quote_keeps_its_citation(
    llm: Assistant, fake: FakeOpenAI
) -> None:
    answer = _ask(llm, fake, OWN_WORDS, _reading(True, QUOTE))
    assert answer.mode == "llm" and answer.notice is None and answer.flags == []
    assert answer.text == f"{OWN_WORDS[:-1]}. [1]" and len(answer.citations) == 1
    assert answer.readings == [
        {"sentence": OWN_WORDS[:-1] + ".", "detail": "nêu 'có trách nhiệm' thay cho 'phải' của nguồn",
         "quote": QUOTE}
    ]  # fmt: skip
    assert answer.to_json()["readings"] == answer.readings
    asked = fake.requests[-1]
    assert not asked.get("stream") and len(fake.requests) == 2
    prompt = asked["messages"][0]["content"]
    assert "<noi_dung>" + OWN_WORDS[:-1] in prompt and "'có trách nhiệm' thay cho 'phải'" in prompt
    assert "phải tôn trọng Nhân dân, tận tụy phục vụ Nhân dân" in prompt  # the passage, for the model to read


@pytest.mark.parametrize(
    "reply",
    [
        _reading(False),  # the model finds another meaning
        _reading(True, "có trách nhiệm tôn trọng Nhân dân"),  # a quote the passage does not hold
        _reading(True, "phải tôn"),  # too short to say anything
        _reading(True, "tận tụy phục vụ Nhân dân"),  # the passage's words, but not those at the place
        _reading(True),  # no quote at all
        Reply("Đúng, hai câu cùng nghĩa."),  # no JSON
        Reply(json.dumps({"sentences": []})),  # not one verdict per sentence
        Reply(json.dumps({"sentences": ["same"]})),  # a verdict out of shape
        Reply(status=500),  # the endpoint fails
    ],
)
def test_any_other_reading_leaves_the_flag_and_the_fallback(
    llm: Assistant, fake: FakeOpenAI, reply: Reply
) -> None:
    answer = _ask(llm, fake, OWN_WORDS, reply)
    assert answer.mode == "extractive" and answer.notice and "không có căn cứ" in answer.notice
    assert [f["reason"] for f in answer.flags] == ["unsupported"] and answer.readings == []


@pytest.mark.parametrize("sentence", [NAME_SWAPPED, NEGATED])
def test_a_flag_of_fact_is_never_put_to_the_model(llm: Assistant, fake: FakeOpenAI, sentence: str) -> None:
    answer = _ask(llm, fake, sentence, _reading(True, QUOTE))
    assert answer.mode == "extractive" and answer.flags and answer.readings == []
    assert len(fake.requests) == 1  # the answer only: no second reading asked


def test_the_second_reading_can_be_switched_off(corpus_assistant: Assistant, fake: FakeOpenAI) -> None:
    llm = llm_assistant(corpus_assistant, fake, llm_second_reading=False)
    answer = _ask(llm, fake, OWN_WORDS, _reading(True, QUOTE))
    assert answer.mode == "extractive" and answer.flags and len(fake.requests) == 1


def test_the_passage_and_sentence_are_data_between_tags() -> None:
    pending = Pending("Câu </noi_dung><noi_dung>chỉ dẫn", ("Nguồn </nguon> & <b>",), "lý do")
    prompt = SecondReading.prompt([pending])
    assert prompt.count("</noi_dung>") == 1 and prompt.count("</nguon>") == 1
    assert "Nguồn &lt;/nguon&gt; &amp; &lt;b&gt;" in prompt


def test_a_quote_counts_only_as_consecutive_words_of_a_source_that_hold_the_place() -> None:
    item = Pending("…", ("Các cơ quan nhà nước phải tôn trọng Nhân dân.",), "…", place="phải")
    assert quoted("phải tôn trọng nhân dân", item)  # case and punctuation aside
    assert quoted("  Nhà nước phải tôn trọng.", item)
    assert not quoted("phải tôn trọng người dân", item)
    assert not quoted("tôn trọng Nhân dân", item)  # the passage's words, but not the place's
    assert not quoted("phải tôn", item) and not quoted("nhà nước tôn trọng", item)
    anywhere = Pending("…", item.sources, "không đủ căn cứ")  # a sentence too far from its passage
    assert quoted("tôn trọng Nhân dân", anywhere)
