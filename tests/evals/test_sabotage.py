"""The claim check against corrupted answers: the sabotage suite on a fixed sample of qa.jsonl answers
flags every fault type and leaves meaning-preserving rewrites alone; single sentences show each rule."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.answering.support import SupportScorer, Verdict
from assistant.language.datafiles import data_lines
from evals.corruptions import (
    KINDS,
    REVERSAL_LISTS,
    controls,
    half,
    harvest_actions,
    reversals,
    reverse,
    run_independent,
    swap_action,
)
from evals.dataset import DEFAULT_DATASET, Corpus, load_dataset
from evals.judge import LLMJudge, chat_model_from_env
from evals.sabotage import (
    CONTROLS,
    FAULTS,
    MAX_CONTROLS_FLAGGED,
    MIN_FLAGGED,
    UNKNOWN,
    answer_row,
    judge_checker,
    run_sabotage,
    shortfalls,
)
from evals.systems import Ours
from tests.evals.evals_cli import evals_main
from tests.fake_openai import FakeOpenAI, Reply, second_reader

CORPUS = Corpus()
# A fixed sample: every third item of the dataset.
SAMPLE = load_dataset(DEFAULT_DATASET)[::3]
HP = "hien-phap-2013"


def _sentence(doc: str, opening: str) -> str:
    body = CORPUS.body(doc)
    start = body.index(opening)
    return body[start : body.index(".", start) + 1]


def test_the_sabotage_suite_on_a_fixed_sample(corpus_assistant: Assistant, scorer: SupportScorer) -> None:
    rows = [answer_row(Ours(corpus_assistant).run(item).answer) for item in SAMPLE]
    tallies = run_sabotage(rows, scorer)
    assert not shortfalls(tallies), shortfalls(tallies)
    for kind in FAULTS:
        if kind != "drop_negation":  # quoted sentences rarely deny: tested on its own below
            assert tallies[kind].cases >= 3, kind
        assert tallies[kind].share is None or tallies[kind].share >= MIN_FLAGGED
    for kind in CONTROLS:
        assert tallies[kind].cases >= 3, kind
        assert tallies[kind].share <= MAX_CONTROLS_FLAGGED


def test_a_suite_that_flags_nothing_falls_short(corpus_assistant: Assistant, scorer: SupportScorer) -> None:
    """The suite can fail: a checker that supports every sentence it is asked about misses every fault."""
    rows = [answer_row(Ours(corpus_assistant).run(item).answer) for item in SAMPLE[:10]]

    def lenient(sentence: str, sources: Sequence[str]) -> Verdict:
        return Verdict(True, 1.0, 1.0, 1.0, "luôn có căn cứ")

    tallies = run_sabotage(rows, lenient)
    assert any(line.startswith("CHƯA ĐẠT: body") for line in shortfalls(tallies))


@pytest.mark.parametrize(
    ("claim", "why"),
    [
        (
            "Việc kéo dài nhiệm kỳ của một khóa Quốc hội được quá mười hai tháng.",
            "bỏ phủ định 'không được' của nguồn",
        ),
        ("Việc kéo dài nhiệm kỳ của một khóa Chính phủ không được quá mười hai tháng.", "nêu 'Chính phủ'"),
        ("Việc kéo dài nhiệm kỳ của một khóa Quốc hội không được quá mười ba tháng.", None),
    ],
)
def test_each_rule_names_its_reason(scorer: SupportScorer, claim: str, why: str | None) -> None:
    source = _sentence(HP, "Việc kéo dài nhiệm kỳ")
    assert scorer(source, [source]).supported
    verdict = scorer(claim, [source])
    assert not verdict.supported
    assert why is None or why in verdict.reason


def test_word_order_and_listed_synonyms_keep_support(scorer: SupportScorer) -> None:
    source = _sentence(HP, "Việc kéo dài nhiệm kỳ")
    assert scorer("Nhiệm kỳ của một khóa Quốc hội không được kéo dài quá mười hai tháng.", [source]).supported


def _scripted_judge(body: dict) -> str:
    """A judge reply from the scripted server: a sentence is supported when its passages hold it verbatim;
    a sentence mentioning "chiến tranh" gets a malformed reply."""
    prompt = body["messages"][-1]["content"]
    passages = " ".join(re.findall(r'<doan so="\d+">(.*?)</doan>', prompt, re.DOTALL))
    sentence = re.search(r"^1\. (.*?)\s*\[1\]", prompt, re.MULTILINE | re.DOTALL).group(1).strip()
    if "chiến tranh" in sentence:
        return "không phải JSON"
    held = sentence.rstrip(".") in passages
    verdict = {
        "supported_by_cited": held,
        "supported_by_context": held,
        "supporting_alone": [1] if held else [],
        "reason": "trích nguyên văn" if held else "nguồn không nói vậy",
    }
    return json.dumps({"sentences": [verdict]}, ensure_ascii=False)


def test_the_llm_judge_goes_through_the_suite(corpus_assistant: Assistant) -> None:
    """Every fault type reaches the judge through an OpenAI-compatible server and back: its replies are
    parsed, unusable ones counted as unknown, and the tallies follow what the judge said."""
    rows = [answer_row(Ours(corpus_assistant).run(item).answer) for item in SAMPLE[:8]]
    with FakeOpenAI(default=Reply(_scripted_judge)) as server:
        checker = judge_checker(LLMJudge(chat_model_from_env(server.url, "judge-model", "k")))
        tallies = run_sabotage(rows, checker)
        assert server.requests and all(r["model"] == "judge-model" for r in server.requests)
    for kind in FAULTS:
        if tallies[kind].cases:
            assert tallies[kind].share == 1.0, kind  # no corrupted sentence is verbatim
    assert sum(tallies[k].cases for k in FAULTS) >= 20
    # Verbatim controls (a trimmed sentence is a prefix of its source) pass; rewritten ones do not.
    assert tallies["trim"].cases and tallies["trim"].share == 0.0
    assert checker(
        "Việc kéo dài nhiệm kỳ không quá mười hai tháng, trừ khi có chiến tranh.", ["x"]
    ).reason.startswith(UNKNOWN)


def test_a_number_changed_to_one_found_elsewhere_in_the_source_is_caught(scorer: SupportScorer) -> None:
    source = (
        "Công chức đã hoàn thành bồi dưỡng trong năm 2023 thì không phải tham gia lớp tập trung năm 2024."
    )
    claim = "Công chức đã hoàn thành bồi dưỡng trong năm 2024 thì không phải tham gia lớp tập trung năm 2024."
    assert scorer(source, [source]).supported
    verdict = scorer(claim, [source])
    assert not verdict.supported and verdict.reason == "số 2024 thay cho 2023 của nguồn"


def test_upper_case_headings_name_nothing() -> None:
    from assistant.language.names import entities

    assert entities("QUY ĐỊNH VỀ BỒI DƯỠNG KIẾN THỨC PHÁP LUẬT CHO CÁN BỘ") == []
    assert [e.text for e in entities("giao UBND cấp tỉnh và Bộ Nội vụ")] == [
        "UBND cấp",
        "Bộ Nội vụ",
        "Bộ Nội vụ",
    ]


# --- alignment: the source's own word at the claim's place decides, not a word list ----------------------

HP94 = (
    "Chính phủ là cơ quan hành chính nhà nước cao nhất của nước Cộng hòa xã hội chủ nghĩa Việt Nam, thực "
    "hiện quyền hành pháp, là cơ quan chấp hành của Quốc hội. Chính phủ chịu trách nhiệm trước Quốc hội và "
    "báo cáo công tác trước Quốc hội, Ủy ban thường vụ Quốc hội, Chủ tịch nước."
)


@pytest.mark.parametrize(
    ("claim", "why"),
    [
        # the body a government answers to, swapped for another body the same passage names
        ("Chính phủ chịu trách nhiệm trước Chủ tịch nước và báo cáo công tác trước Quốc hội.", "thay cho"),
        # two bodies trading places across the predicate
        ("Quốc hội chịu trách nhiệm trước Chính phủ và báo cáo công tác trước Quốc hội.", None),
        # a reversal no word list holds ("thấp nhất" for "cao nhất")
        ("Chính phủ là cơ quan hành chính nhà nước thấp nhất, thực hiện quyền hành pháp.", "thấp nhất"),
    ],
)
def test_a_swap_or_a_reversal_at_the_aligned_place_is_flagged(
    scorer: SupportScorer, claim: str, why: str | None
) -> None:
    assert scorer("Chính phủ chịu trách nhiệm trước Quốc hội.", [HP94]).supported
    verdict = scorer(claim, [HP94])
    assert not verdict.supported, verdict
    assert why is None or why in verdict.reason


@pytest.mark.parametrize(
    "claim",
    [
        "Là cơ quan chấp hành của Quốc hội, Chính phủ là cơ quan hành chính nhà nước cao nhất.",  # reordered
        # shortened
        "Chính phủ chịu trách nhiệm trước Quốc hội và báo cáo công tác trước Quốc hội, Chủ tịch nước…",
        "Chính phủ báo cáo công tác trước Quốc hội, Ủy ban thường vụ Quốc hội và Chủ tịch nước.",
    ],
)
def test_faithful_paraphrases_at_the_aligned_place_stand(scorer: SupportScorer, claim: str) -> None:
    verdict = scorer(claim, [HP94])
    assert verdict.supported, verdict.reason


def test_the_independent_suite_and_the_controls(corpus_assistant: Assistant, scorer: SupportScorer) -> None:
    """Corruptions drawn from the store and a separate reversal list, on a fixed sample's answers and on the
    faithful paraphrases: most of the development half is flagged (on this sample: bodies and negations
    ≥ 95 %, reversals ≥ 88 %, since the corruptions of round three's new controls joined them; the old checker
    caught a third of the reversals), the faithful paraphrases of the bundled corpus that the checker is
    developed on (c01–c138, the development half) are not (≤ 5 %). The held-out half is only reported, by
    `evals sabotage`, which fails until it meets the targets too; here the controls only guard against
    getting worse than rounds three and four left them: 7 of the 78 of c01–c138 flagged (5 of the 12
    paraphrases written after round three's changes), and 16 of the 24 of c139–c198 on this corpus, written
    in round four by a writer who never saw the checker (2 for a fact, the rest for wording alone)."""
    rows = [answer_row(Ours(corpus_assistant).run(item).answer) for item in SAMPLE]
    chunks = corpus_assistant.retriever.index().chunks
    suite = run_independent(rows, scorer, chunks, [CORPUS.body(d) for d in CORPUS.files])
    known = [c for c in controls(chunks) if int(c.id[1:]) < 139]
    flagged = {f["id"]: f for f in suite.flagged_controls}
    assert len(known) >= 78 and suite.controls == len(known) + 24
    dev = [c.id for c in known if half(c.id) == "dev"]
    assert sum(i in flagged for i in dev) <= MAX_CONTROLS_FLAGGED * len(dev), suite.flagged_controls
    assert sum(c.id in flagged for c in known) <= 7, suite.flagged_controls
    unseen = [f for i, f in flagged.items() if int(i[1:]) >= 139]
    assert (len(unseen), sum(f["firm"] for f in unseen)) <= (16, 2), unseen
    for kind, least in (("body", MIN_FLAGGED), ("reversal", 0.88), ("negation", MIN_FLAGGED)):
        count = suite.counts[f"{kind}/dev"]
        assert count.cases >= 10 and count.share >= least, (kind, count)


def test_actions_come_from_the_store_and_a_second_reversal_list_stands_apart() -> None:
    """Actions are the store's own (list items, after "phải"/"nhằm"), swapped for one the cited passage uses
    elsewhere; the second reversal list is read by its kind."""
    store = (
        "Các cơ quan phải rà soát văn bản.\n- Rà soát các quy định.\n- Xây dựng kế hoạch.\n"
        "Bộ Nội vụ có trách nhiệm xây dựng hồ sơ."
    )
    actions = harvest_actions([store])
    assert actions == ["rà soát", "xây dựng"]
    claim = "Các cơ quan phải rà soát văn bản."
    assert swap_action(claim, [store], actions) == (
        "Các cơ quan phải xây dựng văn bản.",
        "rà soát -> xây dựng",
    )
    assert reverse("Chính phủ chịu trách nhiệm trước Quốc hội.", "reversal2") == (
        "Chính phủ chịu vô trách nhiệm trước Quốc hội.",
        "trách nhiệm",
    )
    assert {"action", "reversal2"} <= set(KINDS)


NĐ = (
    "Nghị định này có hiệu lực thi hành kể từ ngày 01 tháng 5 năm 2024. Tiếp tục đổi mới, hoàn thiện quy "
    "trình xây dựng văn bản. Việc xử lý phải hợp pháp, công khai. Mọi hành vi bất kỳ đều bị xử lý."
)


KH = (
    "Căn cứ Luật Tổ chức Chính phủ, Bộ ban hành Kế hoạch. Tiếp tục đổi mới, hoàn thiện quy trình xây "
    "dựng văn bản.\n- Đơn vị chủ trì: Vụ Pháp chế.\n- Đơn vị phối hợp: Văn phòng Bộ, Trung tâm Thông "
    "tin.\nBộ không bố trí kinh phí riêng ngoài dự toán đã giao cho việc triển khai Kế hoạch này. Nhà nước "
    "tạo điều kiện để công dân tham gia; công khai, minh bạch trong việc tiếp nhận."
)


HV = (
    "Học viên phải hoàn thành chương trình bồi dưỡng trong quý III năm 2024. Bộ không bố trí kinh phí riêng "
    "ngoài dự toán đã giao. Quyết định này có hiệu lực kể từ ngày 01 tháng 9 năm 2024."
)


@pytest.mark.parametrize(
    ("source", "claim", "why"),
    [
        # a reversing prefix put before the source's word (no list of the prefixed words is read)
        (NĐ, "Việc xử lý phải bất hợp pháp, công khai.", "tiền tố 'bất'"),
        (NĐ, "Việc xử lý phải vô hợp pháp, công khai.", "tiền tố 'vô'"),
        # one function word for another at the aligned place, read with diacritics ("mới" is not "mọi")
        (NĐ, "Nghị định này hết hiệu lực thi hành kể từ ngày 01 tháng 5 năm 2024.", "hết"),
        (NĐ, "Tiếp tục đổi cũ, hoàn thiện quy trình xây dựng văn bản.", "cũ"),
        # the frame of one sentence with the filler of another ("phối hợp" is the sources' word, elsewhere)
        (KH, "Đơn vị phối hợp: Vụ Pháp chế.", "phối hợp"),
        # a phrase moved to the front, its verb changed
        (
            KH,
            "Ngoài dự toán đã thu hồi, Bộ không bố trí kinh phí riêng cho việc triển khai Kế hoạch.",
            "thu hồi",
        ),
        # "mới" read with its diacritics is no function word, though "cũ" (as "cứ") is known to the sources
        (KH, "Tiếp tục đổi cũ, hoàn thiện quy trình xây dựng văn bản.", "cũ"),
        # an action whose folded syllables are function words ("bảo vệ" as "bao ve") in place of the source's
        (KH, "Tiếp tục bảo vệ, hoàn thiện quy trình xây dựng văn bản.", "bảo vệ"),
        # a list item the claim moves, said in words the sources lack
        (
            KH,
            "Để công dân tham gia, Nhà nước tạo điều kiện và giữ bí mật, minh bạch trong việc tiếp nhận.",
            "bí mật",
        ),
        # a word written without diacritics among words written with them is read as written ("dang" ≠ "đang")
        (HV, "Học viên phải dang dở chương trình bồi dưỡng trong quý III năm 2024.", "dang dở"),
        # function words in place of as many words of the source, one or two each side
        (HV, "Bộ không bố trí kinh phí riêng trong dự toán đã giao.", "trong"),
        (HV, "Quyết định này có hiệu lực cho đến ngày 01 tháng 9 năm 2024.", "cho đến"),
        # the source's pointer ("này") left out, the function word after it changed
        (HV, "Quyết định hết hiệu lực kể từ ngày 01 tháng 9 năm 2024.", "hết"),
    ],
)
def test_a_prefix_a_filler_or_a_function_word_said_otherwise_is_flagged(
    scorer: SupportScorer, source: str, claim: str, why: str
) -> None:
    """A reversing prefix or one function word for another (NĐ); a filler swapped across sentences or in a
    moved phrase (KH); function words, or a word written without diacritics, in place of the source's (HV)."""
    verdict = scorer(claim, [source])
    assert not verdict.supported and why in verdict.reason, verdict


@pytest.mark.parametrize(
    ("source", "claim"),
    [
        (NĐ, "Mọi hành vi bất kỳ đều bị xử lý."),  # the sources' own "bất kỳ"
        (NĐ, "Nghị định có hiệu lực thi hành kể từ ngày 01 tháng 5 năm 2024."),
        (NĐ, "Việc xử lý phải hợp pháp và công khai."),
        (KH, "Đơn vị chủ trì: Vụ Pháp chế."),
        (KH, "Ngoài dự toán đã giao, Bộ không bố trí kinh phí riêng cho việc triển khai Kế hoạch."),
        (KH, "Đơn vị phối hợp gồm Văn phòng Bộ và Trung tâm Thông tin."),
        (KH, "Để công dân tham gia, Nhà nước tạo điều kiện và công khai, minh bạch trong việc tiếp nhận."),
        # written without diacritics
        (HV, "Hoc vien phai hoan thanh chuong trinh boi duong trong quy III nam 2024."),
        (HV, "Quyết định này có hiệu lực từ ngày 01 tháng 9 năm 2024."),
        (HV, "Quyết định có hiệu lực kể từ ngày 01 tháng 9 năm 2024."),
        (HV, "Ngoài dự toán đã giao, Bộ không bố trí kinh phí riêng."),
        (HV, "Học viên phải hoàn thành chương trình bồi dưỡng trong quý III của năm 2024."),
    ],
)
def test_the_sources_own_words_said_otherwise_stand(scorer: SupportScorer, source: str, claim: str) -> None:
    """The sources' own prefixes and function words (NĐ), a phrase moved or a frame kept (KH), function
    words said otherwise or without diacritics (HV)."""
    verdict = scorer(claim, [source])
    assert verdict.supported, verdict.reason


QUYỀN = (
    "Cán bộ đủ hai năm công tác trở lên có quyền nghỉ phép hằng năm và đủ năm năm công tác trở lên có quyền "
    "đào tạo ở nước ngoài. Việc thực hiện các quyền này do luật định."
)


def test_a_sentence_said_with_what_its_pointer_points_at_stands(scorer: SupportScorer) -> None:
    """ "các quyền này" said as the rights the sentence before names; a frame filled with other words is
    still flagged."""
    verdict = scorer("Việc thực hiện quyền nghỉ phép hằng năm và đào tạo do luật định.", [QUYỀN])
    assert verdict.supported, verdict.reason
    verdict = scorer("Việc thực hiện quyền nghỉ phép hằng năm và đào tạo do công chức định.", [QUYỀN])
    assert not verdict.supported and "công chức" in verdict.reason, verdict


BỒI_DƯỠNG = (
    "Bồi dưỡng trực tuyến: Trung tâm Thông tin xây dựng ít nhất 10 bài giảng điện tử; mỗi công chức, viên "
    "chức hoàn thành tối thiểu 16 giờ học trực tuyến trong năm 2024. Cán bộ có quyền, quyền hạn theo luật."
)


def test_a_list_item_named_twice_in_a_row_is_flagged(scorer: SupportScorer) -> None:
    """One item of the source's list put in another's place ("viên chức, viên chức" of "công chức, viên
    chức"); a list the source names that way stands."""
    claim = "Trong năm 2024, mỗi viên chức, viên chức phải hoàn thành tối thiểu 16 giờ học trực tuyến."
    verdict = scorer(claim, [BỒI_DƯỠNG])
    assert not verdict.supported and "hai lần" in verdict.reason, verdict
    for claim in (
        "Trong năm 2024, mỗi công chức, viên chức phải hoàn thành tối thiểu 16 giờ học trực tuyến.",
        "Theo luật, cán bộ có quyền, quyền hạn.",
    ):
        verdict = scorer(claim, [BỒI_DƯỠNG])
        assert verdict.supported, verdict.reason
    # a list reordered so that one syllable meets itself across two words names no item twice
    source = "Việc bổ nhiệm, miễn nhiệm, cách chức, nhiệm kỳ của Viện trưởng do luật định."
    verdict = scorer("Việc bổ nhiệm, cách chức, miễn nhiệm, nhiệm kỳ của Viện trưởng do luật định.", [source])
    assert verdict.supported, verdict.reason


HỘI_NGHỊ = (
    "Tổ chức hội nghị quán triệt Nghị định theo hình thức trực tiếp kết hợp trực tuyến đến các cơ quan, "
    "đơn vị thuộc Bộ, hoàn thành trong tháng 5 năm 2024. Mỗi lớp học 05 ngày."
)


def test_two_numbers_of_a_date_traded_are_flagged(scorer: SupportScorer) -> None:
    """ "tháng 2024 năm 5" of "tháng 5 năm 2024": a number in digits is not the word "năm" it reads like, and
    the same numbers in another order at one place say another thing."""
    claim = (
        "Tổ chức hội nghị quán triệt Nghị định theo hình thức trực tiếp kết hợp trực tuyến đến các cơ quan, "
        "đơn vị thuộc Bộ, hoàn thành trong tháng 2024 năm 5."
    )
    verdict = scorer(claim, [HỘI_NGHỊ])
    assert not verdict.supported and "đổi chỗ" in verdict.reason, verdict
    for claim in (
        "Hội nghị quán triệt Nghị định được tổ chức theo hình thức trực tiếp kết hợp trực tuyến, hoàn thành "
        "trong tháng 5 năm 2024.",
        "Trong tháng 5 năm 2024, hội nghị quán triệt Nghị định được tổ chức đến các cơ quan, đơn vị "
        "thuộc Bộ.",
    ):
        verdict = scorer(claim, [HỘI_NGHỊ])
        assert verdict.supported, verdict.reason


ĐƠN_VỊ = (
    "1. Các đơn vị hành chính của nước được phân định như sau:\n\nNước chia thành tỉnh, thành phố "
    "trực thuộc trung ương;\n\nTỉnh chia thành huyện, thị xã và thành phố thuộc tỉnh; thành phố trực thuộc "
    "trung ương chia thành quận, huyện, thị xã;\n\nHuyện chia thành xã, thị trấn; quận chia thành phường."
)
LỢI_ÍCH = "Tòa án có nhiệm vụ bảo vệ quyền và lợi ích hợp pháp của tổ chức, cá nhân."


@pytest.mark.parametrize(
    ("words", "supported"), [("ngang cấp với", False), ("trực thuộc", True), ("thuộc", True)]
)
def test_a_long_place_is_compared_without_the_words_its_ends_share(
    scorer: SupportScorer, words: str, supported: bool
) -> None:
    """'ngang cấp với trung ương' of 'trực thuộc trung ương', a place too long to compare word for word."""
    claim = (
        "Các đơn vị hành chính của nước được phân định như sau: Nước chia thành tỉnh, thành phố "
        f"{words} trung ương; Tỉnh chia thành huyện, thị xã và thành phố thuộc tỉnh; thành phố trực thuộc "
        "trung ương chia thành quận, huyện, thị xã; Huyện chia thành xã, thị trấn; quận chia thành phường."
    )
    verdict = scorer(claim, [ĐƠN_VỊ])
    assert verdict.supported == supported, verdict
    assert supported or words in verdict.reason


@pytest.mark.parametrize(
    ("item", "supported"), [("tập thể", False), ("công dân", False), ("cá nhân", True), ("của cá nhân", True)]
)
def test_the_last_list_item_of_a_sentence_is_read_against_the_sources(
    scorer: SupportScorer, item: str, supported: bool
) -> None:
    verdict = scorer(f"Tòa án có nhiệm vụ bảo vệ quyền và lợi ích hợp pháp của tổ chức, {item}.", [LỢI_ÍCH])
    assert verdict.supported == supported, verdict


@pytest.mark.parametrize("kind", ["reversal3", "reversal4"])
def test_each_later_reversal_list_stands_apart_from_the_earlier_ones_and_the_checker(kind: str) -> None:
    """reversals3.tsv and reversals4.tsv (kinds "reversal3", "reversal4") share no left-hand word with the
    lists before them and no word with polarity.tsv, which the checker reads."""
    earlier = list(REVERSAL_LISTS)[: list(REVERSAL_LISTS).index(kind)]
    left = {a for a, _ in reversals(kind)}
    assert kind in KINDS and len(left) >= (100 if kind == "reversal3" else 150)
    assert not left & {a for before in earlier for a, _ in reversals(before)}
    polarity = {
        w.strip()
        for line in data_lines("polarity.tsv")
        for side in line.split("\t")[1:]
        for w in side.split(",")
    }
    assert not (left | {b for _, b in reversals(kind)}) & polarity


def test_the_suite_with_a_model_reads_again_the_flags_of_wording(
    corpus_assistant: Assistant, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`python -m evals sabotage --judge`: besides the offline suite, the independent one run as the LLM mode
    checks, the model reading again every sentence flagged for its wording alone; with a model that confirms
    them all, only the flags of fact are left, kind by kind and among the faithful controls."""
    rows = [answer_row(Ours(corpus_assistant).run(item).answer) for item in SAMPLE[:4]]
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"systems": {"ours": {"items": rows}}}, ensure_ascii=False), "utf-8")
    reader = second_reader(True).content
    assert callable(reader)

    def reply(body: dict) -> str:
        read_again = "<cau so=" in body["messages"][-1]["content"]
        return reader(body) if read_again else _scripted_judge(body)

    with FakeOpenAI(default=Reply(reply)) as server:
        args = ["sabotage", "--results", str(results), "--out", str(tmp_path / "out"), "--no-progress"]
        code = evals_main(monkeypatch, corpus_assistant, *args, "--judge", "--judge-base-url", server.url)
        asked = sum("<cau so=" in r["messages"][-1]["content"] for r in server.requests)
    assert code == 1 and asked > 0  # the offline suite still falls short of its targets
    report = json.loads((tmp_path / "out" / "sabotage.json").read_text(encoding="utf-8"))
    offline, read = report["independent"], report["second_reading"]
    for key, count in offline["counts"].items():
        assert read["counts"][key]["cases"] == count["cases"], key  # the same corruptions
        assert read["counts"][key]["flagged"] == count["firm"], key
    assert [f["id"] for f in read["flagged_controls"]] == [
        f["id"] for f in offline["flagged_controls"] if f["firm"]
    ]
