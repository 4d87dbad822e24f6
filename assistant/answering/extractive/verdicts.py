"""Verdicts the cited sentences decide: yes or no, true or false, the letter of a multiple choice."""

from __future__ import annotations

import re
from dataclasses import replace

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
from assistant.language.text import fold, has_diacritics
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.matching import content_terms
from assistant.retrieval.retriever import Query

NUMBER_COVERAGE = 0.8  # a number missing from a sentence this close to the statement makes it false
# A yes/no verdict needs the deciding sentence (already judged to answer) to cover this much of the
# question's terms.
VERDICT_COVERAGE = 0.3
ASKED_COVERAGE = 0.5  # … and of what it asks after its premises (its main clause)


class Verdicts:
    """Decides a yes/no question, a statement to judge or a multiple choice from the sentences cited,
    with the claim check's support scorer and the selector for what is quoted when undecided."""

    def __init__(self, scorer: IndexScorer, selector: Selector) -> None:
        self.scorer = scorer
        self.selector = selector

    def verdict(self, query: Query, sentence: Sentence, index: LexicalIndex) -> str | None:
        """'Có.' or 'Không.' when the sentence decides a yes/no question, else None.

        The sentence must cover the question's terms; it says no when it denies one of the question's
        terms (a negation right before it) that the question does not deny itself, or the reverse.
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
        asked = {fold(t) for t in terms if " " not in t}
        said_no = bool(negated_terms(sentence.text) & asked)
        asked_no = bool(negated_terms(_without_question_frame(query.search_text)) & asked)
        return NO if said_no != asked_no else YES

    def judge(self, query: Query, sentence: Sentence, index: LexicalIndex) -> str | None:
        """'Đúng.' or 'Sai.' for a statement to judge ("…, đúng hay sai?") when the cited sentence decides it:
        false when the statement contradicts it (a negation added or dropped, a direction reversed, a name
        or number of it replaced, a number it lacks), true when it is backed by it; else None."""
        statement = in_source_words(statement_of(query.search_text), sentence.text)
        sources = [sentence.text]
        # "… có trách nhiệm khai báo tạm vắng trong các trường hợp sau đây:": the cases that follow decide
        # whether a "không cần khai báo" holds; only a number of the sentence itself still decides here.
        announces = sentence.text.rstrip().endswith(":")
        scorer = self.scorer(index)
        if not announces and scorer.contradiction(statement, sources):
            return FALSE
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
        decided = decide(question, [Candidate(s.text, s.coverage) for s in sentences], self.scorer(index))
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
