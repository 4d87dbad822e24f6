"""The offline answerer: quotes the sentences of retrieved clauses that answer the question, or refuses."""

from __future__ import annotations

import re

from assistant.answering.decision import Decision, fitted
from assistant.answering.extractive.compose import (
    CONTINUED,
    FOR_THE_READER,
    NOT_DEFINED,
    UNIT_COUNT,
    compose,
    part_refusal,
    refusal,
)
from assistant.answering.extractive.parts import part_answer
from assistant.answering.extractive.selection import MIN_SUPPORT, Selector
from assistant.answering.extractive.sentences import (
    Sentence,
    SentenceScorer,
    asked_count,
    defining_pattern,
    features,
)
from assistant.answering.extractive.verdicts import Verdicts
from assistant.answering.support import IndexScorer
from assistant.core.models import Answer, ScoredChunk
from assistant.core.passages import units
from assistant.language.choices import MultipleChoice, parse_choices
from assistant.language.parts import missing_part, speaks_of
from assistant.language.shapes import Shape, defined_term, shape_of, unit_spellings
from assistant.language.text import fold, folded_syllables
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.matching import is_stopword
from assistant.retrieval.retriever import Query
from assistant.store.embeddings import E5Embeddings


class ExtractiveAnswerer:
    """Answers with the documents' own sentences, each followed by a citation marker assigned here.

    Its parts: the sentence scorer (support of each candidate sentence, extractive/sentences.py), the
    selector (which sentences answer, extractive/selection.py), the verdicts (yes/no, true/false, multiple
    choice, extractive/verdicts.py) and how the answer reads (extractive/compose.py); here the question's
    shape (language/shapes.py) decides which of them answers.
    """

    def __init__(
        self,
        embeddings: E5Embeddings,
        max_sentences: int = 3,
        min_support: float = MIN_SUPPORT,
        clause_tokens: int = 300,
        decision: Decision | None = None,
    ) -> None:
        self.embeddings = embeddings
        self.decision = decision or fitted()
        self.max_sentences = max_sentences
        self.min_support = min_support
        self.clause_tokens = clause_tokens
        self.scorer = IndexScorer(embeddings)  # the claim check's support scorer over the stored chunks
        self.sentences = SentenceScorer(embeddings)
        self.selector = Selector(self.sentences, self)  # reads the decision and the budget above
        self.verdicts = Verdicts(self.scorer, self.selector)

    def __call__(self, query: Query, retrieved: list[ScoredChunk], index: LexicalIndex) -> Answer:
        shape = shape_of(query.text)
        if shape is Shape.MULTIPLE_CHOICE and not query.english and (question := parse_choices(query.text)):
            return self.multiple_choice(query, question, retrieved, index)
        if shape is Shape.COUNT and not query.english and (counted := self.count_units(query, index)):
            return counted
        if query.part and (part := part_answer(query, index.chunks)):
            return part  # "Ai ký Nghị định 30?": its signature block
        chosen = self.choose(query, retrieved, index)
        if query.part:
            # A part the document lacks (a news summary has no signature block): only sentences that speak of
            # it answer ("Thay mặt Ban Chấp hành …, Tổng Bí thư …"); none about something else stands in.
            chosen = [s for s in chosen if speaks_of(query.part.value, s.text)]
            if not chosen:
                what = missing_part(query.part.value)
                return Answer(query.text, part_refusal(what, query.part_of, query.library), True, [])
        verdict = None
        undecided = shape is Shape.TRUE_FALSE
        if chosen and shape is Shape.YES_NO and not query.english:
            # The first chosen sentence that decides what is asked answers it, read with its article: alone,
            # or with the khoản that decides the other way as specifically (then no verdict).
            decided = self.verdicts.yes_no(query, chosen, index)
            verdict, undecided = decided.verdict, bool(decided.sentences)
            chosen = _with_same_words(decided.sentences, chosen)
        if chosen and shape is Shape.TRUE_FALSE and not query.english:
            decided = self.verdicts.true_false(query, chosen[0], index)
            verdict = decided.verdict
            chosen = _with_same_words(decided.sentences, chosen)
        if not chosen:
            return Answer(query.text, refusal(query.library), True, [])
        answer = compose(query, chosen)
        if verdict:
            answer.text = f"{verdict}\n\n{answer.text}"
            answer.verdict = verdict.rstrip(".")
        elif undecided and not query.english:
            answer.notice = FOR_THE_READER
        asked = _term_asked(query)
        if asked and not any(asked.match(fold(s.text)) for s in chosen):
            answer.notice = NOT_DEFINED  # "Bản sao điện tử là gì?" of a decree that speaks of copies only
        if (cut := getattr(chosen, "cut_at", None)) is not None:
            answer.text += "\n\n" + CONTINUED.format(label=cut)
        return answer

    def count_units(self, query: Query, index: LexicalIndex) -> Answer | None:
        """'Nghị định 30 có bao nhiêu điều?': the units of that level ("Điều", "Chương", "Mục"…) of the one
        document the question names, counted from its structure, with the first and the last quoted; None
        when the question counts something else."""
        rest = asked_count(query) or ""
        # The unit word alone, not the first word of another noun ("bao nhiêu điều kiện", "chương trình").
        word = re.match(r"(\w+)(?:\W+(\w+))?", rest)
        if len(query.documents) != 1 or query.references or not word or unit_spellings(rest):
            return None
        if word[2] and not is_stopword(word[2]):
            return None
        found = units(index.chunks, query.documents[0], fold(word[1]))
        # Numbered across the document, not again in each article ("Khoản 1" of every article).
        if not found or len({u.label for u in found}) < len(found):
            return None
        ends = dict.fromkeys(u.span() for u in (found[0], found[-1]))  # one when there is one unit
        answer = compose(query, [Sentence(chunk, 0, start, end) for chunk, start, end in ends])
        first, last = found[0].label, found[-1].label
        line = UNIT_COUNT.format(
            document=query.documents[0],
            count=len(found),
            unit=first.split()[0].lower(),
            span=f"từ {first} đến {last}" if len(found) > 1 else first,
        )
        answer.text = f"{line}\n\n{answer.text}"
        return answer

    # -- the parts' work, for callers that reach for one step (evals/fit_ranking.py, tests) -------------

    def choose(self, query: Query, retrieved: list[ScoredChunk], index: LexicalIndex) -> list[Sentence]:
        """The sentences that answer the query, best first; empty when nothing supports an answer."""
        return self.selector.choose(query, retrieved, index)

    def assess(
        self, query: Query, retrieved: list[ScoredChunk], index: LexicalIndex
    ) -> tuple[Sentence, dict[str, float]] | None:
        """The best sentence the answer-or-refuse decision judges and what it reads of it (or None)."""
        return self.sentences.assess(query, retrieved, index)

    def features(
        self, query: Query, terms: list[str], best: Sentence, index: LexicalIndex
    ) -> dict[str, float]:
        """What the decision reads of the best sentence (names in assistant.answering.decision.FEATURES)."""
        return features(query, terms, best, index)

    def score(
        self, query: Query, terms: list[str], retrieved: list[ScoredChunk], index: LexicalIndex
    ) -> list[Sentence]:
        """Every sentence of the retrieved chunks, best first."""
        return self.sentences.score(query, terms, retrieved, index)

    def verdict(self, query: Query, sentence: Sentence, index: LexicalIndex) -> str | None:
        """'Có.' or 'Không.' when the sentence decides a yes/no question, else None."""
        return self.verdicts.verdict(query, sentence, index)

    def judge(self, query: Query, sentence: Sentence, index: LexicalIndex) -> str | None:
        """'Đúng.' or 'Sai.' when the cited sentence decides a statement to judge, else None."""
        return self.verdicts.judge(query, sentence, index)

    def multiple_choice(
        self, query: Query, question: MultipleChoice, retrieved: list[ScoredChunk], index: LexicalIndex
    ) -> Answer:
        """'Đáp án: B.' and the deciding sentences, or the sentences that answer the question."""
        return self.verdicts.multiple_choice(query, question, retrieved, index)


def _term_asked(query: Query) -> re.Pattern[str] | None:
    """For "X là gì?" that asks what a term means ("Bản sao điện tử là gì?"), what a sentence that defines
    it begins with; None when X is a clause or what a document says ("Nhiệm vụ thứ tư của Kế hoạch 32",
    "Mục đích của Kế hoạch") or the question asks something else."""
    if query.references or query.names or query.english or not (term := defined_term(query.search_text)):
        return None
    return None if " cua " in f" {term} " else defining_pattern(term)


def _with_same_words(deciding: list[Sentence], chosen: list[Sentence]) -> list[Sentence]:
    """The deciding sentences, and, when one decides, the chosen sentences of other clauses that say word
    for word what it says."""
    return deciding + (_same_words(deciding[0], chosen) if len(deciding) == 1 else [])


def _same_words(sentence: Sentence, others: list[Sentence]) -> list[Sentence]:
    """The other sentences, of other clauses, that say word for word what the sentence says: the same
    provision in two laws ("Sự kiện bất khả kháng là …" in Bộ luật Dân sự and Luật Tố tụng hành chính)."""
    words = folded_syllables(sentence.text)
    return [
        s
        for s in others
        if (s.chunk.doc_id, s.chunk.clause_key) != (sentence.chunk.doc_id, sentence.chunk.clause_key)
        and folded_syllables(s.text) == words
    ]
