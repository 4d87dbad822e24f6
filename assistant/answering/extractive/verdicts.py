"""Verdicts the cited sentences decide: yes or no, true or false, the letter of a multiple choice."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from assistant.answering.choice_verdict import STEM_COVERAGE, Candidate, decide
from assistant.answering.extractive.compose import (
    CHOICE_FOR_THE_READER,
    FALSE,
    LETTER,
    NO,
    OTHERS_BACKED,
    TRUE,
    YES,
    compose,
    refusal,
)
from assistant.answering.extractive.selection import Selector
from assistant.answering.extractive.sentences import Sentence, coverage, terms_of
from assistant.answering.support import (
    TRUE_COVERAGE,
    IndexScorer,
    in_source_words,
    restates,
    unsupported_numbers,
)
from assistant.core.models import HEADER_KEY, Answer, Chunk, ScoredChunk
from assistant.core.passages import leads, quotable, same_article, whole_clause
from assistant.language.choices import MultipleChoice
from assistant.language.shapes import main_clause, negated_terms, same_words, statement_of
from assistant.language.text import canonical, fold, folded_syllables, has_diacritics, syllables
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.matching import content_terms, is_stopword
from assistant.retrieval.retriever import Query

NUMBER_COVERAGE = 0.8  # a number missing from a sentence this close to the statement makes it false
# A yes/no verdict needs the deciding sentence (already judged to answer) to cover this much of the
# question's terms.
VERDICT_COVERAGE = 0.3
ASKED_COVERAGE = 0.5  # … and of what it asks after its premises (its main clause)
# A sentence narrowed to a case of its own, by a condition ("Khi X thì …", "Trường hợp X thì …", "… khi X")
# or by an exception or a limit it adds ("…, trừ …", "… nhưng …", "… không trái với …"), speaks to the
# question only when the question states that case. A question that puts no case of its own must have
# every content word of a condition the sentence opens with ("Khi thông tin thuộc bí mật nhà nước được giải
# mật thì …" is not stated by "thông tin thuộc bí mật nhà nước"), and STATED_AFTER of one it ends with
# ("… khi tham gia các chương trình bồi dưỡng" is stated by "đi học lớp bồi dưỡng", "… khi đang bị tạm
# đình chỉ" is not by a question without it); one that puts its own ("… vì yêu cầu công việc thì …"),
# STATED_CASE, in its own words; and of a limit, STATED_LIMIT.
STATED_AFTER = 0.5
STATED_CASE = 0.3
STATED_LIMIT = 0.8
_OWN_CASE = re.compile(r"\b(?:khi|nếu|trường hợp|thì)\b")
_CONDITION = re.compile(r"^(?:trong\s+)?(?:trường hợp|khi|nếu)\s+(?P<case>.+?)\s+thì\s+")
# … or puts after what it says ("… không được nghỉ phép khi đang bị tạm đình chỉ"); "sau khi", "trước khi",
# "kể từ khi" only say from when.
_TRAILING_CONDITION = re.compile(
    r"(?<!sau)(?<!trước)(?<!từ)(?<!đến)\s+(?:khi|nếu|trong trường hợp)\s+(?P<case>[^,;:]+)"
)
_LIMIT = re.compile(
    r"(?:,\s*trừ|\s+trừ\s+(?:trường hợp|các trường hợp|khi)|\s+nhưng|\s+không\s+(?:được\s+)?trái\s+với)"
    r"\s+(?P<limit>.+)$"
)


@dataclass
class Decided:
    """What the sentences decide: the verdict (None when undecided) and the sentences that decide it, or,
    when two sentences of one article decide opposite ways and neither is more specific, both of them."""

    sentences: list[Sentence] = field(default_factory=list)
    verdict: str | None = None


class Verdicts:
    """Decides a yes/no question, a statement to judge or a multiple choice from the sentences cited,
    with the claim check's support scorer and the selector for what is quoted when undecided."""

    def __init__(self, scorer: IndexScorer, selector: Selector) -> None:
        self.scorer = scorer
        self.selector = selector

    def yes_no(self, query: Query, chosen: list[Sentence], index: LexicalIndex) -> Decided:
        """'Có.' or 'Không.' from the first chosen sentence that decides a yes/no question, read with the
        rest of its article (`across_article`); nothing decided when none does."""
        for sentence in chosen:
            if said := self.verdict(query, sentence, index):
                return self.across_article(query, Decided([sentence], said), index, self.verdict)
        return Decided()

    def true_false(self, query: Query, sentence: Sentence, index: LexicalIndex) -> Decided:
        """'Đúng.' or 'Sai.' from the cited sentence, read with the rest of its article."""
        said = self.judge(query, sentence, index)
        return self.across_article(query, Decided([sentence], said), index, self.judge)

    def across_article(
        self,
        query: Query,
        decided: Decided,
        index: LexicalIndex,
        decide: Callable[[Query, Sentence, LexicalIndex], str | None],
    ) -> Decided:
        """The verdict of a sentence read with the other sentences of its article (its khoản and điểm).
        One that decides the other way decides instead when it speaks to the question more specifically:
        to words of the question the deciding sentence does not, and to all those it does (the next
        khoản's "không được …" for exactly the asked case). When each speaks to words of the question the
        other does not, or both to the same, the article does not decide: both are quoted, no verdict (a
        wrong verdict is worse than none). The deciding sentence stands against one that speaks to less."""
        if not decided.verdict:
            return decided
        first = decided.sentences[0]
        words = [t for t in terms_of(query) if " " not in t]
        mine = _spoken(words, first, index)
        for other in _article_sentences(first, index):
            said = decide(query, other, index)
            if not said or said == decided.verdict:
                continue
            theirs = _spoken(words, other, index)
            if theirs - mine and not mine - theirs:
                return Decided([other], said)  # the next khoản's "không được …" for exactly the case
            if theirs - mine or not mine - theirs:
                return Decided([first, other], None)
        return decided

    def verdict(self, query: Query, sentence: Sentence, index: LexicalIndex) -> str | None:
        """'Có.' or 'Không.' when the sentence decides a yes/no question, else None.

        The sentence must cover the question's terms and speak to the asked case (`speaks_to`); it says no
        when it denies one of the question's terms (a negation right before it) that the question does not
        deny itself, or the reverse. A khoản or điểm is read with the article's title and the sentence that
        announces it: "Thông tin mà nếu để tiếp cận sẽ gây nguy hại …" under "Thông tin công dân không
        được tiếp cận" denies access.
        """
        terms = terms_of(query)
        if coverage(terms, sentence.chunk, sentence.start, sentence.end, index) < VERDICT_COVERAGE:
            return None
        # A question with premises ("… đã báo cáo … thì có phải chịu trách nhiệm không?"): the sentence must
        # speak of what is asked, not only of the premises.
        asked = main_clause(query.search_text)
        if asked != query.search_text:
            covered = coverage(content_terms(asked), sentence.chunk, sentence.start, sentence.end, index)
            if covered < ASKED_COVERAGE:
                return None
        statement = _without_question_frame(query.search_text)
        asked = {fold(t) for t in terms if " " not in t}
        denied = negated_terms(sentence.text) & asked
        if not denied and (frame := _frame(sentence, index)):
            denied = negated_terms(frame) & asked
        # A term both deny is a premise they share ("Hội viên chưa đủ hai năm … có được ứng cử không?" of
        # "Hội viên chưa đủ hai năm … không được ứng cử"): what one denies and the other does not decides.
        questioned = negated_terms(statement) & asked
        said = NO if bool(denied - questioned) != bool(questioned - denied) else YES
        return said if speaks_to(statement, sentence.text, positive=said == YES) else None

    def judge(self, query: Query, sentence: Sentence, index: LexicalIndex) -> str | None:
        """'Đúng.' or 'Sai.' for a statement to judge ("…, đúng hay sai?") when the cited sentence decides it:
        false when the statement contradicts it (a negation added or dropped, a direction reversed, a name
        or number of it replaced, a number it lacks), true when it is backed by it; else None."""
        statement = in_source_words(statement_of(query.search_text), sentence.text)
        sources = [sentence.text]
        # "… có trách nhiệm khai báo tạm vắng trong các trường hợp sau đây:": the cases that follow decide
        # whether a "không cần khai báo" holds; only a number of the sentence itself still decides here.
        announces = sentence.text.rstrip().endswith(":")
        # "Khi X thì công dân được …" does not deny "Công dân không được …" put without X (its numbers do).
        narrower = not speaks_to(statement, sentence.text, positive=False)
        scorer = self.scorer(index)
        if not announces and not narrower and scorer.contradiction(statement, sources):
            return FALSE
        # "… của Luật Tố tụng hành chính năm 2015" for "… của Luật này": the year names the law, it is not
        # a number the statement puts against the sentence's.
        statement = _without_named_years(statement, query)
        backed = scorer(statement, sources)
        if unsupported_numbers(statement, sources):
            # A number the sentence lacks makes the statement false only when the sentence is otherwise
            # the statement's own; else the sentence is about something else ("từ đủ 18 tuổi" for a
            # statement about "từ đủ 12 tuổi đến dưới 18 tuổi").
            return FALSE if backed.coverage >= NUMBER_COVERAGE else None
        if announces or _subject(statement) != _subject(sentence.text):
            return None  # "Ly hôn là …" is not backed by "Ly hôn giả tạo là …"
        # "True" needs nearly every word of the statement in the sentence: a looser paraphrase may hide a
        # changed condition, and a wrong verdict is worse than none (on ALQAC's 97 true/false questions:
        # 0.90 gave 26 verdicts, 81 % right; 0.97 gives 21, 90 % right).
        # … and no words of its own where the sentence says others ("theo yêu cầu của cơ quan nhà nước" for
        # "… của công dân", though "cơ quan nhà nước" is elsewhere in the sentence).
        if scorer.reworded(statement, sources):
            return None
        restated = backed.coverage >= TRUE_COVERAGE or restates(statement, sentence.text)
        if not speaks_to(statement, sentence.text, positive=True):
            return None  # "… mọi hành vi … nhưng không được trái với …": the law limits what it states
        return TRUE if backed.supported and restated else None

    def multiple_choice(
        self, query: Query, question: MultipleChoice, retrieved: list[ScoredChunk], index: LexicalIndex
    ) -> Answer:
        """'Đáp án: B.' and the deciding sentences when the sentences about the stem decide the letter
        (answering/choice_verdict.py); else the sentences that answer the question, for the reader."""
        if not has_diacritics(query.text):
            question = _accented(question, index)
        topic = question.topic
        sentences = self._about_stem(
            replace(query, text=topic, search_text=topic, names=[]), retrieved, index
        )
        candidates = [Candidate(s.text, s.coverage, _article_of(s.chunk)) for s in sentences]
        decided = decide(question, candidates, self.scorer(index))
        if decided.letter and decided.deciding:
            answer = compose(query, [sentences[i] for i in decided.deciding])
            lead = LETTER.format(letter=decided.letter) + (f" {OTHERS_BACKED}" if question.exception else "")
            answer.text = f"{lead}\n\n{answer.text}"
            answer.verdict = decided.letter
            return answer
        # Undecided: what answers the stem (the distractors' words would only dilute it), else the whole.
        stem = replace(query, text=question.stem, search_text=question.stem)
        chosen = self.selector.choose(stem, retrieved, index) or self.selector.choose(query, retrieved, index)
        if not chosen:
            return Answer(query.text, refusal(query.library), True, [])
        answer = compose(query, chosen)
        answer.notice = CHOICE_FOR_THE_READER
        return answer

    def _about_stem(self, stem: Query, retrieved: list[ScoredChunk], index: LexicalIndex) -> list[Sentence]:
        """The sentences of the articles of the retrieved chunks about the stem, each with how much of the
        stem it covers (with its headings, and a point with its clause's lead): a chunk is about the stem
        when it, or its clause, covers STEM_COVERAGE of it."""
        terms, scorer = terms_of(stem), self.scorer(index)

        def covered(chunk: Chunk, start: int, end: int, extra: str) -> float:
            # The question's terms (as for answering), or the claim check's words and word pairs, which do
            # not pair words across a dropped one ("chất [ma] túy").
            text = f"{chunk.text[start:end]}\n{chunk.context}\n{extra}"
            return max(coverage(terms, chunk, start, end, index, extra), scorer.coverage(stem.text, [text]))

        about: dict[tuple[str, int], Sentence] = {}
        for rank, scored in enumerate(retrieved):
            chunk = scored.chunk
            clause = "\n".join(c.text for c in whole_clause(chunk, index.chunks))
            if (
                chunk.clause_key == HEADER_KEY
                or covered(chunk, 0, 0, f"{chunk.text}\n{clause}") < STEM_COVERAGE
            ):
                continue
            for near in same_article(chunk, index.chunks):
                lead = leads(near, index.chunks)
                for a, b in quotable(near):
                    if (near.id, a) not in about:
                        about[(near.id, a)] = Sentence(near, rank, a, b, coverage=covered(near, a, b, lead))
        return list(about.values())


def speaks_to(statement: str, sentence: str, positive: bool) -> bool:
    """Whether a sentence speaks to the case a statement (or a yes/no question) puts: a condition the
    sentence opens with ("Khi thông tin … được giải mật thì …") is one the statement states; and, for a
    verdict that backs it (positive), an exception or a limit the sentence adds ("… nhưng không được trái
    với quy định của luật", ", trừ trường hợp …") is one the statement states too: else the sentence decides
    only a narrower case than the one asked."""
    text = canonical(sentence).strip()
    needed = STATED_CASE if _OWN_CASE.search(canonical(statement)) else 1.0
    if (condition := _CONDITION.match(text)) and _share(condition["case"], statement) < needed:
        return False
    # What the statement restates: the part of the sentence (between semicolons) most of it is in.
    part = max(text.split(";"), key=lambda p: _share(statement, p))
    after = min(needed, STATED_AFTER)
    if any(_share(m["case"], statement) < after for m in _TRAILING_CONDITION.finditer(part)):
        return False
    limit = _LIMIT.search(part) if positive else None
    return not limit or _share(limit["limit"], statement) >= STATED_LIMIT


def _share(part: str, text: str) -> float:
    """The share of a part's content words (folded, each once) that a text has (1 when it has none)."""
    words = {fold(w) for w in syllables(part) if not is_stopword(w, True)}
    said = set(folded_syllables(text))
    return sum(w in said for w in words) / len(words) if words else 1.0


def _without_named_years(statement: str, query: Query) -> str:
    """The statement without the year (or number) that follows a document the question names ("Luật Tố tụng
    hành chính năm 2015"): it says which document, not a number of what the sentence says."""
    folded = fold(query.text)
    for name in {folded[a:b] for a, b in query.names if b - a >= 3}:
        for match in re.finditer(rf"{re.escape(name)}(\s+(?:nam\s+)?\d{{4}})\b", fold(statement)):
            statement = statement[: match.start(1)] + " " * len(match[1]) + statement[match.end(1) :]
    return " ".join(statement.split())


def _article_of(chunk: Chunk) -> str:
    """The document and article a chunk stands in ("" outside any article)."""
    article = re.match(r"(?:.*/)?dieu-[^/]+", chunk.clause_key)
    return f"{chunk.doc_id}/{article[0]}" if article else ""


def _spoken(terms: list[str], sentence: Sentence, index: LexicalIndex) -> set[str]:
    """The question's terms a sentence speaks to, read with its headings and the sentences it continues."""
    lead = leads(sentence.chunk, index.chunks)
    return {t for t in terms if coverage([t], sentence.chunk, sentence.start, sentence.end, index, lead) > 0}


def _frame(sentence: Sentence, index: LexicalIndex) -> str:
    """What a khoản or điểm is said under: its article's title ("Điều 6. Thông tin công dân không được tiếp
    cận") and the sentences that announce it; "" for a sentence of an article of its own."""
    chunk = sentence.chunk
    if "/khoan-" not in chunk.clause_key and "/diem-" not in chunk.clause_key:
        return ""
    title = next((p for p in chunk.context.split(" — ") if p.startswith("Điều ")), "")
    return "\n".join(part for part in (title, leads(chunk, index.chunks)) if part)


def _article_sentences(sentence: Sentence, index: LexicalIndex) -> list[Sentence]:
    """The other quotable sentences of a sentence's article (its clause when it has no article)."""
    return [
        Sentence(chunk, sentence.rank, a, b)
        for chunk in same_article(sentence.chunk, index.chunks)
        for a, b in quotable(chunk)
        if (chunk.id, a) != (sentence.chunk.id, sentence.start)
    ]


def _subject(text: str) -> str | None:
    """What a sentence says what it is of, when it says "X là …" (folded X, up to six words), else None."""
    match = re.match(r"[“\"']?(\w+(?: \w+){0,5}?)[”\"']? (?:la|duoc hieu la) ", fold(text))
    # "Thời hạn tối đa là 30 ngày" says what the bound is, not what "thời hạn tối đa" is.
    if not match or any(f" {match[1]} ".endswith(f" {' '.join(k)} ") for g in same_words() for k in g):
        return None
    return match[1]


def _without_question_frame(question: str) -> str:
    """The question without its yes/no frame ("… có … không?"): what it asserts."""
    return re.sub(
        r"\b(không|chưa|hay không|hay chưa|phải không|đúng không)\s*[?.!]*\s*$", "", question.strip()
    )


def _accented(question: MultipleChoice, index: LexicalIndex) -> MultipleChoice:
    """A question typed without diacritics, its stem and choices read with them."""
    restore = index.restorer.restore
    choices = tuple(replace(c, text=restore(c.text)) for c in question.choices)
    return replace(question, stem=restore(question.stem), choices=choices)
