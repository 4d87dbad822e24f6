"""Which standard part of a document (language/parts.py) a question asks for on its own, decided by a fitted
model over how the question is worded, not by a closed list of the words such a question may use.

The question is read with the documents it names blanked (the spans the caller found in the folded
question, and any document named by kind and number, "Nghị định 30/2020/NĐ-CP", "Decree 161"), folded (so a
question typed without diacritics reads the same), each number one token. Its features are its words and
each pair of neighbouring words (the question's start and end count as words: "^ ai", "ky $"), the part
the question-shape patterns find (`shapes.part_asked`, data/question_shapes.tsv), the shape of answer it
asks for (`shapes.shape_of`: "do cơ quan nào ban hành?" asks for the header) and how many words it has
besides the names. A multinomial logistic model (`assistant/data/part_model.json`, fitted by `python -m
evals.fit_parts` on the labelled wordings of evals/datasets/parts_questions.jsonl) weighs them for each
part and for none: "Nghị quyết 12 do ai ký thay mặt Chính phủ?" asks for the signature block, "Ai được ký
thay người đứng đầu cơ quan?" asks about content. A question whose answer opens with a verdict (yes/no,
true/false, multiple choice) or a count is never a part's: it keeps its own path. Nothing is fitted at
run time.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from assistant.language.choices import parse_choices
from assistant.language.datafiles import data_bytes
from assistant.language.names import document_references, kinds
from assistant.language.shapes import Shape, part_asked, shape_of
from assistant.language.text import fold

MODEL_FILE = "part_model.json"
NONE = "none"
DOCUMENT, NUMBER = "_doc_", "_num_"
# The shapes whose questions keep their own path whatever part they mention ("… có hiệu lực từ năm 2020
# không?" is for a verdict, "… có bao nhiêu căn cứ?" for a count).
_OWN_PATH = frozenset({Shape.YES_NO, Shape.TRUE_FALSE, Shape.MULTIPLE_CHOICE, Shape.COUNT})
_TOKEN = re.compile(r"\w+")
_LENGTHS = (3, 5, 7, 9, 12)  # upper bounds of the length buckets (words besides names)


@cache
def _english_reference() -> re.Pattern[str]:
    """A document named in English by kind and number ("Decree 30/2020", "Plan No. 199")."""
    words = "|".join(re.escape(k.english) for k in kinds() if k.english)
    return re.compile(rf"\b(?:{words})\s+(?:no\.?\s*)?\d[\w/.-]*", re.IGNORECASE)


def words(question: str, names: Sequence[tuple[int, int]] = ()) -> list[str]:
    """The question's folded words, each document it names one `_doc_` (`names`: spans of the folded
    question; a document named by kind and number is found here too), each number `_num_`."""
    folded = fold(question)
    blank = [False] * len(folded)
    spans = list(names)
    if len(folded) == len(question):  # spans of the question are spans of its folded text
        spans += document_references(question)
        spans += [(m.start(), m.end()) for m in _english_reference().finditer(question)]
    for start, end in spans:
        blank[start:end] = [True] * (min(end, len(folded)) - start)
    pieces, i = [], 0
    while i < len(folded):
        if blank[i]:
            while i < len(folded) and blank[i]:
                i += 1
            pieces.append(f" {DOCUMENT} ")
        else:
            pieces.append(folded[i])
            i += 1
    return [NUMBER if t.isdigit() else t for t in _TOKEN.findall("".join(pieces))]


def features(question: str, names: Sequence[tuple[int, int]] = ()) -> frozenset[str]:
    """The features the model weighs: "w:" each word, "b:" each pair of neighbours (with "^" and "$"
    at the ends), "pattern:" the part the shape patterns find, "shape:" the answer's shape, "length:" the
    bucket of the word count."""
    tokens = words(question, names)
    padded = ["^", *tokens, "$"]
    found = {f"w:{t}" for t in tokens} | {f"b:{a} {b}" for a, b in pairwise(padded)}
    pattern = part_asked(question)
    found.add(f"pattern:{pattern.value if pattern else NONE}")
    found.add(f"shape:{shape_of(question).value}")
    length = sum(t not in (DOCUMENT, NUMBER) for t in tokens)
    found.add(f"length:{next((b for b in _LENGTHS if length <= b), 99)}")
    return frozenset(found)


@dataclass(frozen=True)
class PartModel:
    """The fitted weights: for each class (a part's shape value, or "none") a bias and a weight per
    feature; a part is taken when its probability is the highest and reaches `threshold`."""

    classes: tuple[str, ...]
    bias: dict[str, float]
    weights: dict[str, dict[str, float]]  # feature -> class -> weight
    threshold: float

    def probabilities(self, found: frozenset[str]) -> dict[str, float]:
        scores = {c: self.bias[c] for c in self.classes}
        for feature in found:
            for c, w in self.weights.get(feature, {}).items():
                scores[c] += w
        top = max(scores.values())
        exp = {c: math.exp(s - top) for c, s in scores.items()}
        total = sum(exp.values())
        return {c: e / total for c, e in exp.items()}

    def decide(self, found: frozenset[str]) -> str:
        """The class of a question's features: a part's shape value, or "none"."""
        probabilities = self.probabilities(found)
        best = max(self.classes, key=lambda c: (probabilities[c], c == NONE))
        return best if best != NONE and probabilities[best] >= self.threshold else NONE


@cache
def model() -> PartModel:
    """The fitted model of assistant/data/part_model.json."""
    data = json.loads(data_bytes(MODEL_FILE))
    return PartModel(tuple(data["classes"]), data["bias"], data["weights"], data["threshold"])


def own_path(question: str) -> bool:
    """The question keeps its own path whatever part it mentions: it has choices, or asks for a verdict
    or a count."""
    return bool(parse_choices(question)) or shape_of(question) in _OWN_PATH


def part_of_question(
    question: str, names: Sequence[tuple[int, int]] = (), fitted: PartModel | None = None
) -> Shape | None:
    """The standard part a question asks for on its own ("Ai ký Nghị định 30?" -> SIGNER), or None for a
    question about content, a verdict or a count. `names`: where the folded question names documents."""
    if own_path(question):
        return None
    decided = (fitted or model()).decide(features(question, names))
    return None if decided == NONE else Shape(decided)
