"""The premises of a question that the documents must state before it can be answered: a document it names by
number or by name ("Nghị định 45/2023/NĐ-CP", "Luật Đất đai"), an article ("Điều 150"), a body ("Bộ Quốc
phòng") and a year ("năm 2035"). A premise that the store's text (or the text of the document asked about)
never mentions makes the question one the documents cannot answer: it is refused, saying which premise was
not found, instead of being answered with whatever sentence comes closest.

Checked against the text itself, never against a list: a body is found written out ("Bộ Quốc phòng"), by its
first words ("Bộ Quốc …"), or by its initials ("VPCP" for "Văn phòng Chính phủ"), in any case and with or
without diacritics. Bodies and years are checked in open questions only: a yes/no, true/false or
multiple-choice question may well state something the documents do not say, and then its answer is "Không"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.core.models import Chunk
from assistant.core.passages import derived
from assistant.language.names import body_head, body_heads, document_references
from assistant.language.shapes import VERDICT_SHAPES, shape_of
from assistant.language.text import fold
from assistant.retrieval.matching import is_stopword
from assistant.retrieval.retriever import Query, in_clauses

NOT_FOUND = "Không tìm thấy '{mention}' trong {where}."
EVERYWHERE = "các văn bản đang có"
_YEAR = re.compile(r"(?<![\d/.,])(?:19|20)\d\d(?![\d,]|\.\d)")
_WORD = re.compile(r"\w+")
_NAME_WORDS = frozenset({"sự"})  # function words elsewhere, part of a name after a capital ("Dân sự")
# A law cited by name: "Luật Đất đai", "Bộ luật Dân sự" (the name capitalised).
_LAW = re.compile(r"\b(?:Bộ luật|Luật|Pháp lệnh)\s+(?=[A-ZĐÀ-Ỹ])")


@dataclass(frozen=True)
class Missing:
    """A premise of the question that the documents never mention, as the question writes it, and where it
    was looked for (a document's citation name; "" for the whole store)."""

    mention: str
    where: str = ""

    @property
    def message(self) -> str:
        """The refusal's first sentence: "Không tìm thấy 'Bộ Quốc phòng' trong KH 199/KH-UBND."."""
        return NOT_FOUND.format(mention=self.mention, where=self.where or EVERYWHERE)


def missing_premise(query: Query, chunks: list[Chunk]) -> Missing | None:
    """The first premise of the question (in the order it says them) that the documents never mention;
    None when every one is found, or the question has none to check."""
    if not chunks:
        return None
    texts, citers = derived(chunks, _folded_texts)
    store = texts[""]
    named = [d for d in query.documents if d in texts]
    where = named[0] if len(named) == 1 else ""
    # The documents a question is about: those it names, and those that cite them (a plan that carries out
    # the resolution it names: "Ban Cán sự đảng … khi thực hiện Nghị quyết 27?").
    about = list(dict.fromkeys(d for n in named for d in (n, *citers.get(n, ()))))
    asked = "\n".join(texts[d] for d in about) if about else store
    question = query.text
    found: list[tuple[int, Missing]] = []
    references = document_references(question)
    for start, end in references:
        if not _names_known_document(question[start:end], store):
            found.append((start, Missing(question[start:end].strip(" ,.;:"))))
    for start, end in _laws(question):
        if not _mentioned(question[start:end], store):
            found.append((start, Missing(question[start:end])))
    if (article := _missing_article(query, chunks, named)) is not None:
        found.append(article)
    if shape_of(question) not in VERDICT_SHAPES:  # a verdict's question may state what is not so
        taken = [range(a, b) for a, b in references]
        for m in _YEAR.finditer(question):
            inside = any(m.start() in span for span in taken)
            if not inside and not _bounded_in(m[0], asked):
                found.append((m.start(), Missing(m[0], where)))
        if not query.english:
            for start, core, shown in bodies(question):
                if not _mentioned(core, asked, shown):
                    found.append((start, Missing(shown, where)))
    return min(found, key=lambda f: f[0])[1] if found else None


def _folded_texts(chunks: list[Chunk]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each document's text (its title, citation name and chunks), folded, one space between words, by
    citation name, the whole store's under ""; and for each document, the others whose text cites it (by
    its number and symbol, "27-nq/tw", or its name, "luat vien chuc")."""
    parts: dict[str, list[str]] = {}
    for chunk in sorted(chunks, key=lambda c: (c.doc_short, c.order)):
        parts.setdefault(chunk.doc_short, [chunk.doc_title, chunk.doc_short]).append(chunk.text)
    texts = {doc: " ".join(fold("\n".join(words)).split()) for doc, words in parts.items()}
    citers: dict[str, list[str]] = {}
    for doc in texts:
        folded = fold(doc)
        # "NĐ 30/2020/NĐ-CP" is cited by its number and symbol, "Luật Viên chức 2010" by its name.
        cited = folded.split(" ", 1)[1] if re.match(r"\w+ \d", folded) else re.sub(r"\s+\d{4}$", "", folded)
        citers[doc] = [other for other, text in texts.items() if other != doc and _bounded_in(cited, text)]
    texts[""] = "\n".join(texts.values())
    return texts, citers


def _mentioned(core: str, text: str, shown: str = "") -> bool:
    """The name is in the folded text: its first words (`core`), or the initials of its whole form
    (`shown`, three or more words: "Văn phòng Chính phủ" is also "VPCP")."""
    words = _WORD.findall(core)
    if any(w.isupper() and len(w) >= 2 for w in words):  # initials in the name: a pattern reads them
        if re.search(rf"(?<!\w){' '.join(map(_spelled, words))}(?!\w)", text):
            return True
    elif _bounded_in(" ".join(fold(w) for w in words), text):
        return True
    words = _WORD.findall(shown or core)
    if len(words) >= 3:  # a word already written as initials ("CP") keeps all its letters
        return _bounded_in(fold("".join(w if w.isupper() else w[0] for w in words)), text)
    return False


def _bounded_in(words: str, text: str) -> bool:
    """The words stand in the text as whole words (a plain search: a regex with look-arounds over a library
    of laws, 2.4 MB, costs tens of milliseconds)."""
    at = text.find(words)
    while at >= 0:
        end = at + len(words)
        if (at == 0 or not text[at - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            return True
        at = text.find(words, at + 1)
    return False


def _spelled(word: str) -> str:
    """A pattern of a name's word in folded text: itself, or, written as initials ("CP" in "Văn phòng CP"),
    also the words with those initials ("chinh phu")."""
    folded = fold(word)
    if not (word.isupper() and len(word) >= 2):
        return re.escape(folded)
    spelled = " ".join(rf"{re.escape(c)}\w*" for c in folded)
    return f"(?:{re.escape(folded)}|{spelled})"


def _names_known_document(reference: str, store: str) -> bool:
    """A document the question names by number ("Nghị định 45/2023/NĐ-CP", "Kế hoạch 32", "32-KH/BCSĐ") is
    one the store's text names: its number and symbol, or its kind and number, are in it."""
    folded = fold(reference)
    number = re.search(r"\d+(?:\s?[-–/]\s?[\w]+)*", folded)
    if number is None:
        return True
    digits = re.sub(r"\s?[-–]\s?", "-", number[0])
    if not digits.isdigit():  # a number with its symbol: anywhere, spaced or not around its dashes
        pattern = re.escape(digits).replace("\\-", r"\s?[-–]\s?")
        return bool(re.search(rf"(?<![\w/]){pattern}(?![\w])", store))
    kind = folded[: number.start()].replace(" so", " ").strip(" :")
    abbreviation = "".join(w[0] for w in kind.split()) if " " in kind else kind
    return bool(
        re.search(rf"(?<!\w){re.escape(kind)}\s+(?:so\s*:?\s*)?{digits}(?!\d)", store)
        or re.search(rf"(?<![\w/]){digits}\s?[-/]\s?{re.escape(abbreviation)}(?!\w)", store)
    )


def _laws(question: str) -> list[tuple[int, int]]:
    """Where the question cites a law by its name ("Luật Đất đai", "Bộ luật Dân sự"): the kind, its
    capitalised words and the word after them."""
    spans = []
    for m in _LAW.finditer(question):
        end = _name_end(question, m.end())
        if end > m.end():
            spans.append((m.start(), end))
    return spans


def _missing_article(query: Query, chunks: list[Chunk], named: list[str]) -> tuple[int, Missing] | None:
    """An article the question names ("Điều 150", "khoản 9 Điều 3") that no clause of the document it asks
    about (of any document, when it names none) is."""
    articles = [r for r in query.references if "dieu-" in r.pattern and not r.title]
    if not articles or in_clauses(chunks, articles):
        return None
    if len(named) != 1 and any(r.doc_hint for r in articles):
        return None  # the hint names no stored document: the document check speaks for it
    at = fold(query.text).find(articles[0].label)
    return (max(at, 0), Missing(_said(articles[0].pattern), named[0] if len(named) == 1 else ""))


def _said(pattern: str) -> str:
    """How people write a clause a reference pattern stands for: "Điều 5", "khoản 2 Điều 5"."""
    parts = dict(re.findall(r"(dieu|khoan|diem)-(\w+)", pattern))
    said = f"Điều {parts.get('dieu', '')}"
    if "khoan" in parts:
        said = f"khoản {parts['khoan']} {said}"
    if "diem" in parts:
        said = f"điểm {parts['diem']} {said}"
    return said


def bodies(question: str) -> list[tuple[int, str, str]]:
    """The bodies a question names: (where, the name's first words, the name as written): a head word
    written with a capital ("Bộ", "Sở", "Văn phòng") and the capitalised words of its name ("Bộ Quốc
    phòng", "Sở Y tế", "Học viện Hành chính Quốc gia"), or a body named by itself ("Quốc hội")."""
    words = list(_WORD.finditer(question))
    found: list[tuple[int, str, str]] = []
    i = 0
    while i < len(words):
        match = _head_at(question, words, i)
        if match is None:
            i += 1
            continue
        size, alone = match
        j = i + size
        while j < len(words) and _joined(question, words, j) and words[j][0][:1].isupper():
            j += 1
        if j == i + size and not alone:
            i += 1
            continue
        start, core_end = words[i].start(), words[j - 1].end()
        end = _name_end(question, core_end) if not alone else core_end
        found.append((start, question[start:core_end], question[start:end]))
        i = j
    return found


def _head_at(question: str, words: list[re.Match[str]], i: int) -> tuple[int, bool] | None:
    """(how many words, whether alone) of the body head word that starts at word i, written capitalised,
    its words joined by spaces only."""
    run, longest = 1, len(body_heads()[0][0])  # the heads come longest first
    while run < longest and i + run < len(words) and _joined(question, words, i + run):
        run += 1
    return body_head([w[0] for w in words[i : i + run]])


def _joined(question: str, words: list[re.Match[str]], j: int) -> bool:
    """Word j follows the word before it with only spaces between."""
    return j > 0 and not question[words[j - 1].end() : words[j].start()].strip()


def _name_end(question: str, at: int) -> int:
    """Where a name that runs to `at` ends: its capitalised words from there, then one word in lower case
    that is no function word ("Luật Đất| đai", "Bộ Quốc| phòng")."""
    rest = list(_WORD.finditer(question, at))
    end = at
    for word in rest:
        if question[end : word.start()].strip():
            break
        end = word.end()
        if not word[0][:1].isupper():
            if (is_stopword(word[0]) and word[0] not in _NAME_WORDS) or word[0].isdigit():
                end = word.start()
            break
    return len(question[:end].rstrip())
