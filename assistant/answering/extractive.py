"""The offline answerer: quotes the sentences of retrieved clauses that answer the question, or refuses."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.answering.choice_verdict import STEM_COVERAGE, Candidate, decide
from assistant.answering.decision import Decision, fitted
from assistant.answering.support import (
    TRUE_COVERAGE,
    IndexScorer,
    in_source_words,
    restates,
    unsupported_numbers,
)
from assistant.core.models import HEADER_KEY, Answer, Chunk, Citation, ScoredChunk
from assistant.core.passages import (
    heading_title,
    leads,
    quotable,
    same_article,
    scored_spans,
    units,
    whole_clause,
)
from assistant.language.choices import MultipleChoice, parse_choices
from assistant.language.shapes import (
    Shape,
    defined_term,
    main_clause,
    negated_terms,
    same_words,
    shape_of,
    statement_of,
    unit_spellings,
)
from assistant.language.synonyms import synonyms
from assistant.language.text import canonical, fold, folded_syllables, has_diacritics, syllables
from assistant.language.tokens import count_tokens
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.matching import content_terms, is_stopword, term_coverage
from assistant.retrieval.retriever import Query, in_clauses
from assistant.store.embeddings import E5Embeddings

REFUSAL = "Tài liệu hiện có không đề cập đến nội dung này."
REFUSAL_HINT = (
    "Kho hiện có: {library}. Bạn có thể hỏi về nội dung các văn bản này, "
    "hoặc nạp thêm tài liệu có nội dung cần tìm."
)
EMPTY_HINT = "Kho chưa có tài liệu nào: hãy nạp tài liệu cần hỏi."
# Calibrated on evals/datasets/dev.jsonl (pinned by tests/test_answers.py): support = coverage
# + DENSE_WEIGHT * (similarity - DENSE_BASELINE) - RANK_PENALTY * rank of the chunk.
MIN_SUPPORT = 0.35
RELATIVE_SUPPORT = 0.8
DENSE_WEIGHT = 2.0
DENSE_BASELINE = 0.85
RANK_PENALTY = 0.02
CLAUSE_COVERAGE = 0.6
ENGLISH_SHIFT = 0.07
NUMBER_COVERAGE = 0.8  # a number missing from a sentence this close to the statement makes it false
CONTRAST_PENALTY = 1.0  # a follow-up sentence about the earlier question's subject ranks this much lower
DEFINITION_BONUS = 1.0  # a sentence that defines what a "X là gì?" asks about ranks above any other
# A yes/no verdict needs the deciding sentence (already judged to answer) to cover this much of the
# question's terms.
VERDICT_COVERAGE = 0.3
ASKED_COVERAGE = 0.5  # … and of what it asks after its premises (its main clause)
# An enumeration lists sentences covering this much of the question's other terms, one per clause.
ENUMERATION_COVERAGE = 0.5
TASK_COVERAGE = 0.7
MAX_ITEMS = 8
CONTINUED = "(Điều khoản còn tiếp: xem toàn văn {label}.)"
UNIT_COUNT = "{document} có {count} {unit} ({span}), theo cấu trúc của văn bản trong kho."
YES, NO = "Có.", "Không."
TRUE, FALSE = "Đúng.", "Sai."
LETTER = "Đáp án: {letter}."
OTHERS_BACKED = "Các phương án còn lại đều có trong văn bản được trích."
CHOICE_FOR_THE_READER = (
    "Điều khoản được trích không tự quyết định phương án nào đúng: hãy đối chiếu nội dung trích dẫn."
)
FOR_THE_READER = "Điều khoản được trích không tự quyết định đúng hay sai: hãy đối chiếu nội dung trích dẫn."
NOT_DEFINED = (
    "Văn bản được trích không định nghĩa khái niệm được hỏi: dưới đây là các quy định có liên quan đến nó."
)
ENGLISH_NOTICE = "Chế độ ngoại tuyến trích nguyên văn tiếng Việt từ tài liệu, không dịch."
_CLAUSE_NAMES = re.compile(
    r"\b((?:nhiem vu|giai phap) )?thu (nhat|hai|ba|tu|nam|sau|bay)\b|\b(dieu \d+|khoan \d+|diem [a-z])\b"
)
_QUANTITY = re.compile(r"\b(?:bao nhiêu|mấy|how many|how much)\b\s*")
_NUMBER = r"(?:\d+|một|hai|ba|bốn|tư|năm|sáu|bảy|tám|chín|mười|trăm|nghìn|ngàn|triệu|tỷ|tỉ)"
_LIST_INTENT = re.compile(
    r"\b(bao nhieu|may|cac|nhung|liet ke|gom|how many|list|what are the)\b.*\b(nhiem vu|giai phap|tasks?)\b"
)


@dataclass(frozen=True)
class Sentence:
    """A candidate sentence of a retrieved chunk and how well it matches the question."""

    chunk: Chunk
    rank: int
    start: int
    end: int
    coverage: float = 1.0
    similarity: float = 1.0
    support: float = 1.0
    order: float = 1.0  # what sentences are ranked by: support, on the terms that tell clauses apart

    @property
    def text(self) -> str:
        return self.chunk.text[self.start : self.end]


class ExtractiveAnswerer:
    """Answers with the documents' own sentences, each followed by a citation marker assigned here.

    A sentence's support is its lexical coverage of the question's content terms (IDF-weighted,
    tolerant of missing or wrong diacritics, synonyms read) plus how far its e5 similarity to the
    question rises above a baseline. Whether the best sentence answers at all is the fitted decision's
    call (answering/decision.py); the question's shape (language/shapes.py) decides what else is quoted.
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
        self.scorer = IndexScorer(embeddings)

    def __call__(self, query: Query, retrieved: list[ScoredChunk], index: LexicalIndex) -> Answer:
        shape = shape_of(query.text)
        if shape is Shape.MULTIPLE_CHOICE and not query.english and (question := parse_choices(query.text)):
            return self.multiple_choice(query, question, retrieved, index)
        if shape is Shape.COUNT and not query.english and (counted := self.count_units(query, index)):
            return counted
        chosen = self.choose(query, retrieved, index)
        verdict = None
        if chosen and shape is Shape.YES_NO and not query.english:
            # The first chosen sentence that decides what is asked answers it, alone.
            decided = ((s, v) for s in chosen if (v := self.verdict(query, s, index)))
            deciding, verdict = next(decided, (None, None))
            chosen = [deciding, *_same_words(deciding, chosen)] if deciding else []
        if chosen and shape is Shape.TRUE_FALSE and not query.english:
            verdict = self.judge(query, chosen[0], index)
            chosen = [chosen[0], *_same_words(chosen[0], chosen)]
        if not chosen:
            return Answer(query.text, refusal(query.library), True, [])
        answer = self._compose(query, chosen)
        if verdict:
            answer.text = f"{verdict}\n\n{answer.text}"
            answer.verdict = verdict.rstrip(".")
        elif shape is Shape.TRUE_FALSE and not query.english:
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
        rest = _asked_count(query) or ""
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
        answer = self._compose(query, [Sentence(chunk, 0, start, end) for chunk, start, end in ends])
        first, last = found[0].label, found[-1].label
        line = UNIT_COUNT.format(
            document=query.documents[0],
            count=len(found),
            unit=first.split()[0].lower(),
            span=f"từ {first} đến {last}" if len(found) > 1 else first,
        )
        answer.text = f"{line}\n\n{answer.text}"
        return answer

    # -- which sentences -----------------------------------------------------------------------------

    def choose(self, query: Query, retrieved: list[ScoredChunk], index: LexicalIndex) -> list[Sentence]:
        """The sentences that answer the query, best first; empty when nothing supports an answer."""
        if not retrieved:
            return []
        terms = self._terms(query)
        shape = shape_of(query.text)
        inside = [s for s in retrieved if "structure" in s.ranks]  # chunks of the clauses it names
        structural = [s.chunk for s in inside]
        if shape is Shape.DOCUMENT_INFO and (header := _header_of(query, index.chunks)):
            return self._clause_content(header)
        contents = shape in (Shape.CLAUSE_CONTENT, Shape.ENUMERATION) and not query.english
        if structural and contents:
            # "Mục 2.2 nói gì?", "Nhiệm vụ thứ ba gồm những nội dung nào?": the clause, in order.
            clause = [index.chunks[i] for i in in_clauses(index.chunks, query.references)] or structural
            if not terms or sum(c.tokens for c in clause) <= self.clause_tokens:
                passages = "\n".join(c.passage for c in clause)
                covered = self._coverage(terms, clause[0], 0, 0, index, extra=passages)
                return self._clause_content(clause) if not terms or covered >= CLAUSE_COVERAGE else []
            # A large part and a question about something in it: the best sentences inside, below.
            inside = [ScoredChunk(c, 0.0, {"structure": n + 1}) for n, c in enumerate(clause)]
        if (
            shape is Shape.ENUMERATION
            and not query.references
            and not query.english
            and (listed := self._enumerate(query, terms, retrieved, index))
        ):
            return listed
        if _LIST_INTENT.search(fold(query.text)) and not query.references:
            listed = self._list_items(index.chunks, [s.chunk for s in retrieved])
            if listed:
                return listed
        if structural and (not terms or query.english):
            return self._opening(structural)
        if structural:
            # The question names a clause: answer from it, with its opening when no sentence stands out.
            candidates = self._counted_only(query, self.score(query, terms, inside, index))
            if not candidates or candidates[0].support < self.min_support:
                clause = "\n".join(c.passage for c in structural)
                covered = self._coverage(terms, structural[0], 0, 0, index, extra=clause)
                return self._opening(structural) if covered >= CLAUSE_COVERAGE else []
        else:
            candidates = self._counted_only(query, self.score(query, terms, retrieved, index))
            if not candidates or not self.decision.accepts(self.features(query, terms, candidates[0], index)):
                return []
        if contents:
            # "… gồm những nội dung nào?": the clause of the best sentence, whole, when it is short enough.
            whole = whole_clause(candidates[0].chunk, index.chunks)
            if sum(c.tokens for c in whole) <= self.clause_tokens:
                return self._clause_content(whole)
        # The best sentence answers; others join it when they are nearly as well supported.
        best = candidates[0].support
        picked = [c for c in candidates[1:] if c.support >= max(self.min_support, RELATIVE_SUPPORT * best)]
        return [candidates[0], *picked][: self.max_sentences]

    def assess(
        self, query: Query, retrieved: list[ScoredChunk], index: LexicalIndex
    ) -> tuple[Sentence, dict[str, float]] | None:
        """The best sentence the answer-or-refuse decision judges for a question that names no clause,
        and what the decision reads of it (None when there is none): the data the decision is fitted on."""
        if not retrieved or any("structure" in s.ranks for s in retrieved):
            return None
        terms = self._terms(query)
        candidates = self._counted_only(query, self.score(query, terms, retrieved, index))
        return (candidates[0], self.features(query, terms, candidates[0], index)) if candidates else None

    def features(
        self, query: Query, terms: list[str], best: Sentence, index: LexicalIndex
    ) -> dict[str, float]:
        """What the decision reads of the best sentence (names in assistant.answering.decision.FEATURES)."""
        text = f"{best.text}\n{best.chunk.context}"
        weights = {t: index.idf(fold(t)) for t in terms}
        total = sum(weights.values()) or 1.0
        rare = sorted(weights, key=lambda t: -weights[t])[:3]
        return {
            "support": best.support,
            "coverage": best.coverage,
            "plain_coverage": term_coverage(terms, text, index),
            "key_coverage": term_coverage(rare, synonyms().expand(text), index),
            "similarity": best.similarity,
            "known": sum(w for t, w in weights.items() if index.df.get(fold(t), 0) > 0) / total,
            "rank": float(best.rank),
        }

    @staticmethod
    def _counted_only(query: Query, candidates: list[Sentence]) -> list[Sentence]:
        """For "bao nhiêu / mấy X": only a sentence that states a number (of X) answers it."""
        if counted := _counted(query):
            return [c for c in candidates if counted.search(canonical(c.text))]
        return candidates

    def score(
        self, query: Query, terms: list[str], retrieved: list[ScoredChunk], index: LexicalIndex
    ) -> list[Sentence]:
        """Every sentence of the retrieved chunks (of the documents the question names, or is about by
        kind), best first."""
        named = [s for s in retrieved if s.chunk.doc_short in query.documents]
        about = [s for s in retrieved if s.chunk.doc_short in query.subjects]
        pool = named if len(query.documents) == 1 and named else about or retrieved
        # A header block (issuer, place, date) is quoted only when asked for a document's particulars.
        # Ingest embedded these very sentences (scored_spans of every chunk): no vector is computed here.
        spans = [
            (rank, chunk, a, b)
            for rank, s in enumerate(pool)
            if s.chunk.clause_key != HEADER_KEY
            for chunk in _sayers(s.chunk, index.chunks)
            for a, b in scored_spans(chunk)
        ]
        if not spans:
            return []
        vectors = self.embeddings.embed_passages([chunk.text[a:b] for _, chunk, a, b in spans])
        similarity = vectors @ query.vector
        # Cross-language similarities run lower: an English question is measured against its own baseline.
        baseline = DENSE_BASELINE - ENGLISH_SHIFT if query.english else DENSE_BASELINE
        scored = []
        # Sentences are ranked by the terms that distinguish; how well the best is supported is still
        # measured on all of them (the decision is fitted on that).
        distinguishing = self._distinguishing(query, terms)
        # "X là gì?" is answered first by the sentence that says what X is ("X là …").
        defines = _defining(query)
        # "Còn X thì sao?": a sentence about the earlier question's own subject too speaks of that one.
        earlier = self._contrast(query, terms)
        # A point or a khoản is read with the sentences it continues ("Hồ sơ … gồm:" before "02 ảnh …").
        said_before = {chunk.id: leads(chunk, index.chunks) for _, chunk, _, _ in spans}
        for (rank, chunk, a, b), sim in zip(spans, similarity, strict=True):
            dense = DENSE_WEIGHT * (float(sim) - baseline) - RANK_PENALTY * rank
            lead = said_before[chunk.id]
            coverage = self._coverage(terms, chunk, a, b, index, lead)
            order = coverage
            if distinguishing is not terms:
                order = self._coverage(distinguishing, chunk, a, b, index, lead)
            if defines and defines.match(fold(chunk.text[a:b])):
                order += DEFINITION_BONUS
            if earlier:
                order -= CONTRAST_PENALTY * term_coverage(earlier, chunk.text[a:b], index)
            scored.append(Sentence(chunk, rank, a, b, coverage, float(sim), coverage + dense, order + dense))
        if query.english:
            # Without a translator, an English question is answered only by a sentence that has every
            # one of its glossary phrases (document names aside).
            needed = [f" {' '.join(syllables(p))} " for p in query.phrases if not _names_document(p, query)]
            scored = [s for s in scored if all(p in f" {' '.join(syllables(s.text))} " for p in needed)]
        scored.sort(key=lambda c: (-c.order, c.rank, c.start))
        return scored

    @staticmethod
    def _terms(query: Query) -> list[str]:
        """Content terms of the question, without the words that only name a document or a clause."""
        names = [re.compile(rf"\b{re.escape(fold(r.label))}\b") for r in query.references] + [_CLAUSE_NAMES]
        spoken = [" ".join(folded_syllables(fold(query.text)[a:b])) for a, b in query.names]
        documents = [re.compile(rf"\b{re.escape(words)}\b") for words in spoken if words]
        terms = content_terms(query.search_text, [*names, *documents])
        if not terms and not query.references:
            terms = content_terms(query.search_text, names)
        # English words with no Vietnamese counterpart can never be found in the documents: they stay
        # in the question's terms, weighing three times, so a question about something else is refused.
        return terms + query.untranslated * 3

    def _contrast(self, query: Query, terms: list[str]) -> list[str]:
        """A follow-up's contrast: the words of the question it follows that it does not repeat ("tập
        trung" after "… bồi dưỡng tập trung như thế nào?" for "Còn hình thức trực tuyến thì sao?"),
        without the words of the document's title; none for other questions."""
        if not query.earlier:
            return []
        asked = {fold(t) for t in terms}
        earlier = content_terms(query.earlier)
        return [t for t in self._distinguishing(query, earlier) if " " not in t and fold(t) not in asked]

    @staticmethod
    def _distinguishing(query: Query, terms: list[str]) -> list[str]:
        """The terms that tell apart the clauses of the one document a question names: its title's
        words are everywhere in it ("Nghị định 88, nội dung bồi dưỡng kiến thức pháp luật …" asks about
        "nội dung", not about the decree's topic). All terms when none would be left."""
        if len(query.documents) != 1 or not (title := query.titles.get(query.documents[0])):
            return terms
        topic = set(folded_syllables(title))
        return [t for t in terms if not set(folded_syllables(t)) & topic] or terms

    @staticmethod
    def _coverage(
        terms: list[str], chunk: Chunk, start: int, end: int, index: LexicalIndex, extra: str = ""
    ) -> float:
        """How much of the terms a sentence covers, read with its clause context (and `extra`)."""
        text = f"{chunk.text[start:end]}\n{chunk.context}\n{extra}"
        return term_coverage(terms, synonyms().expand(text), index)

    def _opening(self, chunks: list[Chunk]) -> list[Sentence]:
        """The first sentence of each referenced clause (or the first few of a single clause)."""
        clauses: dict[tuple[str, str], Chunk] = {}
        for chunk in sorted(chunks, key=lambda c: (c.doc_id, c.order)):
            clauses.setdefault((chunk.doc_id, chunk.clause_key), chunk)
        firsts = list(clauses.values())
        per_clause = self.max_sentences if len(firsts) == 1 else 1
        picked = []
        for chunk in firsts[: max(self.max_sentences, 8)]:
            for a, b in quotable(chunk)[:per_clause]:
                picked.append(Sentence(chunk, 0, a, b))
        return picked

    def _clause_content(self, chunks: list[Chunk]) -> list[Sentence]:
        """The sentences of the referenced clauses in reading order, headings aside, within the token
        budget; when cut, the result says at which clause (`cut_at`)."""
        picked = _Sentences()
        used = 0
        for chunk in sorted(chunks, key=lambda c: (c.doc_id, c.order)):
            for a, b in quotable(chunk):
                cost = count_tokens(chunk.text[a:b])
                if picked and used + cost > self.clause_tokens:
                    picked.cut_at = chunks[0].citation
                    return picked
                picked.append(Sentence(chunk, 0, a, b))
                used += cost
        return picked

    def _enumerate(
        self, query: Query, terms: list[str], retrieved: list[ScoredChunk], index: LexicalIndex
    ) -> list[Sentence]:
        """'Kế hoạch nhắc đến những luật nào?': in the document asked about, the best sentence of each
        clause that names such an item and covers the rest of the question, in reading order."""
        noun = _item_noun(query.text)
        if noun in _CONTENT_NOUNS:
            return []  # "những nội dung nào" asks for a clause's content, not for items across clauses
        # "Những việc gì cho Học viện": no item word to look for, so every sentence must be about the rest.
        task = noun in _TASK_NOUNS
        noun, needed = ("", TASK_COVERAGE) if task else (noun, ENUMERATION_COVERAGE)
        # The document named, else those of the kind named ("kế hoạch"), else the retrieved ones, best first.
        ranked = list(dict.fromkeys(s.chunk.doc_short for s in retrieved))
        kinds = [d for d in ranked if d in query.kinds] + [d for d in query.kinds if d not in ranked]
        if len(query.documents) != 1 and not kinds and not task and noun.split()[0] not in _CAPITALISED_NOUNS:
            # "Chủ tịch Ủy ban có quyền đình chỉ những quyết định nào?", of no document in particular: one
            # clause lists them; every sentence of a law that says "quyết định" does not.
            return []
        candidates = query.documents if len(query.documents) == 1 else kinds or ranked
        best: dict[tuple[str, str], Sentence] = {}
        for document in candidates[:3]:
            best = self._items(document, noun, terms, index, needed)
            if len(best) >= (2 if task else 1):
                break
        else:
            return []
        return sorted(best.values(), key=lambda s: (s.chunk.doc_id, s.chunk.order, s.start))[:MAX_ITEMS]

    def _items(
        self, document: str, noun: str, terms: list[str], index: LexicalIndex, needed: float
    ) -> dict[tuple[str, str], Sentence]:
        """The sentences of a document that name an item and cover the question, by where they stand."""
        chunks = [c for c in index.chunks if c.doc_short == document]
        text = " ".join(folded_syllables(" ".join(c.passage for c in chunks)))
        # Question words the document never uses ("nhắc đến") cannot be covered: they are left out.
        other = [t for t in terms if fold(t) not in noun and f" {fold(t)} " in f" {text} "]
        best: dict[tuple[str, str], Sentence] = {}
        for chunk in chunks:
            for a, b in quotable(chunk):
                sentence = chunk.text[a:b]
                if noun and not _names_item(sentence, noun):
                    continue
                coverage = self._coverage(other, chunk, a, b, index) if other else 1.0
                if coverage >= needed:
                    best[(chunk.id, str(a))] = Sentence(chunk, 0, a, b, coverage=coverage)
        return best

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
            answer = self._compose(query, [sentences[i] for i in decided.deciding])
            lead = LETTER.format(letter=decided.letter) + (f" {OTHERS_BACKED}" if question.exception else "")
            answer.text = f"{lead}\n\n{answer.text}"
            answer.verdict = decided.letter
            return answer
        # Undecided: what answers the stem (the distractors' words would only dilute it), else the whole.
        stem = replace(query, text=question.stem, search_text=question.stem)
        chosen = self.choose(stem, retrieved, index) or self.choose(query, retrieved, index)
        if not chosen:
            return Answer(query.text, refusal(query.library), True, [])
        answer = self._compose(query, chosen)
        answer.notice = CHOICE_FOR_THE_READER
        return answer

    def _about_stem(self, stem: Query, retrieved: list[ScoredChunk], index: LexicalIndex) -> list[Sentence]:
        """The sentences of the articles of the retrieved chunks about the stem, each with how much of the
        stem it covers (with its headings, and a point with its clause's lead): a chunk is about the stem
        when it, or its clause, covers STEM_COVERAGE of it."""
        terms, scorer = self._terms(stem), self.scorer(index)

        def covered(chunk: Chunk, start: int, end: int, extra: str) -> float:
            # The question's terms (as for answering), or the claim check's words and word pairs, which do
            # not pair words across a dropped one ("chất [ma] túy").
            text = f"{chunk.text[start:end]}\n{chunk.context}\n{extra}"
            return max(
                self._coverage(terms, chunk, start, end, index, extra), scorer.coverage(stem.text, [text])
            )

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

    def verdict(self, query: Query, sentence: Sentence, index: LexicalIndex) -> str | None:
        """'Có.' or 'Không.' when the sentence decides a yes/no question, else None.

        The sentence must cover the question's terms; it says no when it denies one of the question's
        terms (a negation right before it) that the question does not deny itself, or the reverse.
        """
        terms = self._terms(query)
        if self._coverage(terms, sentence.chunk, sentence.start, sentence.end, index) < VERDICT_COVERAGE:
            return None
        # A question with premises ("… đã báo cáo … thì có phải chịu trách nhiệm không?"): the sentence must
        # speak of what is asked, not only of the premises.
        asked = main_clause(query.search_text)
        if asked != query.search_text:
            covered = self._coverage(
                content_terms(asked), sentence.chunk, sentence.start, sentence.end, index
            )
            if covered < ASKED_COVERAGE:
                return None
        asked = {fold(t) for t in terms if " " not in t}
        said_no = bool(negated_terms(sentence.text) & asked)
        asked_no = bool(negated_terms(_without_question_frame(query.search_text)) & asked)
        return NO if said_no != asked_no else YES

    def _list_items(self, chunks: list[Chunk], retrieved: list[Chunk]) -> list[Sentence]:
        """For 'how many / which tasks': the announcing heading, then the opening of each item."""
        for hit in retrieved:
            parent = hit.clause_key.split("/thu-")[0]
            items = [
                c
                for c in chunks
                if c.doc_id == hit.doc_id and re.fullmatch(rf"{parent}/thu-\d+", c.clause_key)
            ]
            if len(items) >= 2:
                heading = [c for c in chunks if c.doc_id == hit.doc_id and c.clause_key == parent]
                return self._opening(heading + items)
        return []

    # -- how the answer reads ------------------------------------------------------------------------

    def _compose(self, query: Query, chosen: list[Sentence]) -> Answer:
        numbers: dict[str, int] = {}
        quotes: dict[str, list[str]] = {}
        lines: list[str] = []
        previous = None
        quoted_at: dict[tuple[str, ...], int] = {}  # the line of each wording already quoted
        for sentence in chosen:
            n = numbers.setdefault(sentence.chunk.id, len(numbers) + 1)
            quotes.setdefault(sentence.chunk.id, []).append(sentence.text)
            wording = tuple(folded_syllables(sentence.text))
            if wording in quoted_at:
                # The same words in another clause (or law): quoted once, with both markers.
                if not lines[quoted_at[wording]].endswith(f"[{n}]"):
                    lines[quoted_at[wording]] += f" [{n}]"
                previous = None
                continue
            quoted_at[wording] = len(lines) - (n == previous)
            if n == previous:
                # Sentences of one chunk in a row share one line and one marker (header lines too).
                said = lines[-1].removesuffix(f" [{n}]")
                joint = " " if said.endswith((".", ";", ":", "!", "?")) else " — "
                lines[-1] = f"{said}{joint}{sentence.text} [{n}]"
            else:
                lines.append(f"{sentence.text} [{n}]")
            previous = n
        by_id = {s.chunk.id: s.chunk for s in chosen}
        citations = [
            Citation(
                n=n,
                doc=by_id[cid].doc_id,
                title=by_id[cid].doc_title,
                clause=by_id[cid].clause_label,
                label=by_id[cid].citation,
                text=by_id[cid].text,
                chunk_id=cid,
                start=by_id[cid].start,
                end=by_id[cid].end,
                quotes=tuple(quotes[cid]),
            )
            for cid, n in numbers.items()
        ]
        first = chosen[0].chunk
        clauses = {(s.chunk.doc_short, s.chunk.clause_label) for s in chosen}
        docs = list(dict.fromkeys(s.chunk.doc_short for s in chosen))
        heading = f" — {title}" if (title := heading_title(first)) else ""
        lead = (
            f"Theo {first.doc_short} ({first.clause_label}{heading}):"
            if len(clauses) == 1
            else f"Theo {' và '.join(docs)}:"
        )
        text = lead + "\n\n" + "\n\n".join(lines) if len(lines) > 1 else f"{lead} {lines[0]}"
        notice = ENGLISH_NOTICE if query.english else None
        return Answer(query.text, text, False, citations, notice=notice)


class _Sentences(list[Sentence]):
    """Sentences of a clause answer, and the clause where the budget cut them (None when whole)."""

    cut_at: str | None = None


_ITEM_NOUN = re.compile(r"\b(?:nhung|cac)\s+((?:\w+\s+){0,3}?)(?:nao|gi)\b")
# "những nội dung nào" asks what a clause holds; "những việc gì cho X" asks for every task of X, wherever
# it stands; "những luật nào" for every named item.
_CONTENT_NOUNS = {"", "noi dung", "van de", "diem", "yeu cau", "gi"}
_TASK_NOUNS = {"viec", "nhiem vu", "cong viec", "trach nhiem"}


def _sayers(chunk: Chunk, chunks: list[Chunk]) -> list[Chunk]:
    """The chunks whose sentences speak for a retrieved chunk: itself, or, when it is only a heading
    ("Điều 42. Nhiệm vụ của giáo dục thường xuyên", its khoản in chunks of their own), its clause's."""
    if quotable(chunk):
        return [chunk]
    return [c for c in whole_clause(chunk, chunks) if c.id != chunk.id]


def _term_asked(query: Query) -> re.Pattern[str] | None:
    """For "X là gì?" that asks what a term means ("Bản sao điện tử là gì?"), what a sentence that defines
    it begins with; None when X is a clause or what a document says ("Nhiệm vụ thứ tư của Kế hoạch 32",
    "Mục đích của Kế hoạch") or the question asks something else."""
    if query.references or query.names or query.english or not (term := defined_term(query.search_text)):
        return None
    return None if " cua " in f" {term} " else _defining_pattern(term)


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


def _defining(query: Query) -> re.Pattern[str] | None:
    """For "X là gì?", what a sentence that says what X is begins with (folded: "X là", "“X” được hiểu là");
    None for other questions."""
    if query.english or not (term := defined_term(query.search_text)):
        return None
    return _defining_pattern(term)


def _defining_pattern(term: str) -> re.Pattern[str]:
    """What a sentence that says what the (folded) term is begins with: "X là", "“X” được hiểu là"."""
    return re.compile(rf"[“\"']?{re.escape(term)}[”\"']?\s+(?:la|duoc hieu la)\b")


def _subject(text: str) -> str | None:
    """What a sentence says what it is of, when it says "X là …" (folded X, up to six words), else None."""
    match = re.match(r"[“\"']?(\w+(?: \w+){0,5}?)[”\"']? (?:la|duoc hieu la) ", fold(text))
    # "Thời hạn tối đa là 30 ngày" says what the bound is, not what "thời hạn tối đa" is.
    if not match or any(f" {match[1]} ".endswith(f" {' '.join(k)} ") for g in same_words() for k in g):
        return None
    return match[1]


def _header_of(query: Query, chunks: list[Chunk]) -> list[Chunk]:
    """The header block ("Thông tin văn bản") of the one document the question names or is about."""
    documents = query.documents if len(query.documents) == 1 else query.subjects
    if len(documents) != 1:
        return []
    return [c for c in chunks if c.doc_short == documents[0] and c.clause_key == HEADER_KEY]


def _item_noun(question: str) -> str:
    """The kind of item an enumeration asks for, folded ("luat" in "những luật nào", "viec", "noi dung")."""
    match = _ITEM_NOUN.search(fold(question))
    return " ".join(match[1].split()[:2]) if match else ""


def _names_item(sentence: str, noun: str) -> bool:
    """The sentence names an item of that kind: the noun written with a capital ("Luật Viên chức"), or
    any use of it when the noun is no kind of name ("cơ quan"). At the start of a sentence every word has
    a capital: there the noun names something only when a name or a number follows ("Quyết định số 12…",
    not "Quyết định phân công … phải được gửi …")."""
    words = sentence.split()
    folded = [fold(w).strip(",.;:()") for w in words]
    head = noun.split()

    def named(i: int) -> bool:
        if not words[i][:1].isupper():
            return False
        after = words[i + len(head)] if i + len(head) < len(words) else ""
        return i > 0 or after[:1].isupper() or after[:1].isdigit() or fold(after) == "so"

    return any(
        folded[i : i + len(head)] == head and (head[0] not in _CAPITALISED_NOUNS or named(i))
        for i in range(len(words) - len(head) + 1)
    )


_CAPITALISED_NOUNS = {"luat", "nghi", "thong", "quyet", "chi", "bo", "hien", "ke"}


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


def _names_document(phrase: str, query: Query) -> bool:
    """True when a glossary phrase only names a document the question names ("Hiến pháp", "Constitution")."""
    folded = fold(phrase)
    return any(fold(d).startswith(folded) for d in query.documents)


def refusal(library: str) -> str:
    """The refusal, with a hint that names what the store holds."""
    return f"{REFUSAL} {REFUSAL_HINT.format(library=library) if library else EMPTY_HINT}"


def _asked_count(query: Query) -> str | None:
    """What a question asking how many says after "bao nhiêu" / "mấy" (lower case); None for another."""
    text = canonical(query.text if query.english else query.search_text)
    match = _QUANTITY.search(text)
    if not match or shape_of(query.text) is not Shape.COUNT:  # "bộ máy" is not "mấy"
        return None
    return text[match.end() :]


def _counted(query: Query) -> re.Pattern[str] | None:
    """For a question asking how many (of what), the pattern a sentence (lower case, with its diacritics)
    must match to answer it: a number, followed by the thing counted when the question names it."""
    if (rest := _asked_count(query)) is None:
        return None
    if not query.english and (unit := unit_spellings(rest)):  # "10%" answers "bao nhiêu phần trăm"
        return re.compile(rf"\b{_NUMBER}\s*(?:{'|'.join(map(re.escape, unit))})(?!\w)")
    noun = re.match(r"\w+", rest)
    if query.english or not noun or is_stopword(noun[0]):
        return re.compile(rf"\b{_NUMBER}\b")
    return re.compile(rf"\b{_NUMBER}\s+(?:\w+\s+)?{re.escape(noun[0])}\b")
