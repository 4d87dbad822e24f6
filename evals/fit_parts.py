"""`python -m evals.fit_parts [--write] [--sealed]`: fit the model that decides which standard part of a
document a question asks for on its own (`assistant/language/part_model.py`), and measure it.

The labelled wordings are evals/datasets/parts_questions.jsonl (one part, or "none" for a question about
content that uses the same words), split by the sha256 of their id: 0–5 train, 6–7 dev, 8–9 sealed. The
model is fitted on train; its regularisation and threshold are chosen on dev; the sealed split is read only
with `--sealed`. Reported: the accuracy of the decision (the whole of it: a verdict or count question keeps
its own path) per split, on the part questions and on the others, and the questions of train and dev it
gets wrong. `--write` stores the model in assistant/data/part_model.json.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from itertools import product
from pathlib import Path

import click
import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from assistant.core.settings import PROJECT_ROOT
from assistant.language.part_model import MODEL_FILE, NONE, PartModel, features, own_path, part_of_question
from assistant.language.text import nfc
from evals.dataset import split_of

OUT = PROJECT_ROOT / "assistant" / "data" / MODEL_FILE
DATASET = PROJECT_ROOT / "evals" / "datasets" / "parts_questions.jsonl"
C_VALUES = (0.3, 1.0, 3.0, 10.0, 30.0)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


@dataclass(frozen=True)
class Wording:
    """A labelled question: the part it asks for on its own ("signer", …) or "none"."""

    id: str
    question: str
    part: str

    @property
    def split(self) -> str:
        return split_of(self.id)


def wordings(path: Path = DATASET) -> list[Wording]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return [Wording(r["id"], nfc(r["question"]), r["part"]) for r in rows]


def fit(train: list[Wording], c: float, balanced: bool = False) -> PartModel:
    """A multinomial logistic model over the features of the train questions that do not keep their own
    path (a verdict or count question is never a part's, whatever its words); `balanced`: each class
    weighs as much as any other, however few its questions."""
    chosen = [w for w in train if not own_path(w.question)]
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([dict.fromkeys(features(w.question), 1) for w in chosen])
    regression = LogisticRegression(C=c, max_iter=5000, class_weight="balanced" if balanced else None).fit(
        x, np.array([w.part for w in chosen])
    )
    classes = [str(c) for c in regression.classes_]
    weights: dict[str, dict[str, float]] = {}
    for name, column in zip(vectorizer.get_feature_names_out(), regression.coef_.T, strict=True):
        kept = {cls: round(float(w), 4) for cls, w in zip(classes, column, strict=True) if abs(w) >= 1e-4}
        if kept:
            weights[str(name)] = kept
    bias = {cls: round(float(b), 4) for cls, b in zip(classes, regression.intercept_, strict=True)}
    return PartModel(tuple(classes), bias, weights, 0.5)


def decided(w: Wording, fitted: PartModel) -> str:
    part = part_of_question(w.question, fitted=fitted)
    return part.value if part else NONE


def accuracy(chosen: list[Wording], fitted: PartModel) -> tuple[int, int]:
    return sum(decided(w, fitted) == w.part for w in chosen), len(chosen)


def choose(all_wordings: list[Wording]) -> tuple[PartModel, float, bool]:
    """The model of the C, class weighting and threshold with the most right decisions on dev (ties: fewer
    parts taken for a content question, then the smaller C, the higher threshold, unweighted classes),
    fitted on train."""
    train = [w for w in all_wordings if w.split == "train"]
    dev = [w for w in all_wordings if w.split == "dev"]
    best: tuple[tuple[int, int, float, float, bool], PartModel, float] | None = None
    for c, balanced in product(C_VALUES, (False, True)):
        base = fit(train, c, balanced)
        for threshold in THRESHOLDS:
            fitted = PartModel(base.classes, base.bias, base.weights, threshold)
            right = accuracy(dev, fitted)[0]
            false_parts = sum(decided(w, fitted) != NONE for w in dev if w.part == NONE)
            key = (right, -false_parts, -c, threshold, not balanced)
            if best is None or key > best[0]:
                best = (key, fitted, c)
    assert best is not None
    return best[1], best[2], best[0][-1] is False


def _report(name: str, chosen: list[Wording], fitted: PartModel) -> None:
    right, n = accuracy(chosen, fitted)
    parts = [w for w in chosen if w.part != NONE]
    others = [w for w in chosen if w.part == NONE]
    p_right, o_right = accuracy(parts, fitted)[0], accuracy(others, fitted)[0]
    print(
        f"  {name:6} đúng {right}/{n} ({right / max(n, 1):.3f}); câu hỏi phần: {p_right}/{len(parts)}, "
        f"câu hỏi nội dung: {o_right}/{len(others)}"
    )


def model_json(fitted: PartModel) -> str:
    """The model file's text: its settings, then one line per feature (weights by class)."""
    head = {
        "about": "python -m evals.fit_parts --write; features: assistant/language/part_model.py",
        "classes": list(fitted.classes),
        "bias": fitted.bias,
        "threshold": fitted.threshold,
    }
    lines = [
        f" {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()
    ]
    rows = [
        f"  {json.dumps(f, ensure_ascii=False)}: {json.dumps(fitted.weights[f], sort_keys=True)}"
        for f in sorted(fitted.weights)
    ]
    return "{\n" + "\n".join(lines) + '\n "weights": {\n' + ",\n".join(rows) + "\n }\n}\n"


@click.command()
@click.option("--write", is_flag=True, help="Ghi mô hình vào assistant/data/part_model.json.")
@click.option("--sealed", is_flag=True, help="Đo cả phần niêm phong (chỉ một lần, khi đã chọn xong).")
@click.option("--dataset", type=click.Path(path_type=Path, exists=True), default=DATASET)
def main(write: bool, sealed: bool, dataset: Path) -> None:
    all_wordings = wordings(dataset)
    fitted, c, balanced = choose(all_wordings)
    counts = Counter((w.split, w.part != NONE) for w in all_wordings)
    print(f"Câu hỏi: {len(all_wordings)} ({dict(sorted(counts.items()))}); {len(fitted.weights)} đặc trưng")
    print(f"C = {c}, cân bằng lớp: {'có' if balanced else 'không'}, ngưỡng = {fitted.threshold}")
    for split in ("train", "dev", *(("sealed",) if sealed else ())):
        _report(split, [w for w in all_wordings if w.split == split], fitted)
    for w in all_wordings:
        if w.split != "sealed" and (got := decided(w, fitted)) != w.part:
            print(f"    sai ({w.split}): {w.question} — cần {w.part}, ra {got}")
    if write:
        OUT.write_text(model_json(fitted), encoding="utf-8")
        print(f"Đã ghi {OUT.relative_to(PROJECT_ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
