"""`python -m evals.fit_instructions [--write]`: fit the model that reads a sentence as addressed to the
assistant or its readers (`assistant/language/addressed.py`), and measure it.

Fitted on the train split of the generated plants and look-alike law sentences (`evals/injections.py`,
split by template id) and on every sentence of the standard-layout documents (`evals/corpora/standard`, as
ordinary text); the two thresholds (`threshold` alone, `joined` beside a set-aside sentence) are chosen on
train + dev. Reported: the catch rate of dev and sealed plants (a plant is caught when every sentence it
spans is set aside, in its paragraph), the look-alike law sentences and the neighbours of plants set aside,
and the false positives over every sentence of documents the fit never read: the bundled corpus, and when
present beside the project, the real documents and the ALQAC laws. `--write` stores the model in
assistant/data/instruction_model.json.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path

import click
import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from assistant.core.settings import PROJECT_ROOT
from assistant.language.addressed import MODEL_FILE, AddressedModel, addressed_shape, features
from assistant.language.instructions import instruction_spans
from assistant.language.text import nfc, sentence_spans
from evals.injections import AROUND, Variant, variants

OUT = PROJECT_ROOT / "assistant" / "data" / MODEL_FILE
STANDARD = PROJECT_ROOT / "evals" / "corpora" / "standard"
BUNDLED = PROJECT_ROOT / "ingest" / "corpus"
TRAIN_DOCUMENTS = (STANDARD, BUNDLED)  # ordinary text: every sentence a negative
EXTERNAL = PROJECT_ROOT.parent / "shared" / "external"


def held_out(external: Path) -> dict[str, Path]:
    """The documents the fit never reads: the real documents and the ALQAC laws."""
    return {"real-docs": external / "real-docs", "alqac": external / "alqac" / "corpus"}


def document_texts(folder: Path) -> list[tuple[str, str]]:
    """(name, body) of each .txt document of a folder, the body after a `---` line when there is one."""
    found = []
    for path in sorted(folder.glob("*.txt")):
        if path.name.lower().startswith("readme"):
            continue
        text = nfc(path.read_text(encoding="utf-8"))
        head, sep, body = text.partition("\n---\n")
        found.append((path.stem, body if sep and len(head) < 2000 else text))
    return found


def _pieces(text: str) -> list[str]:
    """A text's sentences and each pair of neighbouring ones (as the detector reads a paragraph)."""
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    return sentences + [f"{a} {b}" for a, b in pairwise(sentences)]


def training_set(all_variants: list[Variant]) -> tuple[list[frozenset[str]], list[int]]:
    rows: list[frozenset[str]] = []
    labels: list[int] = []

    def add(texts: Iterable[str], label: int) -> None:
        for text in texts:
            if addressed_shape(found := features(text)):  # any other shape is never an instruction
                rows.append(found)
                labels.append(label)

    for v in all_variants:
        if v.split == "train":
            add([v.text, *_pieces(v.text)] if v.planted else [v.text], int(v.planted))
    add(AROUND, 0)
    for folder in TRAIN_DOCUMENTS:
        for _, body in document_texts(folder):
            for paragraph in body.split("\n\n"):
                add(_pieces(paragraph), 0)
    return rows, labels


def fit(rows: list[frozenset[str]], labels: list[int], c: float) -> AddressedModel:
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([dict.fromkeys(r, 1) for r in rows])
    regression = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(x, np.array(labels))
    weights = {
        name: round(float(w), 4)
        for name, w in zip(vectorizer.get_feature_names_out(), regression.coef_[0], strict=True)
        if abs(w) >= 1e-4
    }
    return AddressedModel(weights, round(float(regression.intercept_[0]), 4), 0.5, 0.5)


def caught(v: Variant, fitted: AddressedModel) -> tuple[bool, int]:
    """(every sentence of the plant set aside, how many of its neighbours were set aside too)."""
    aside = instruction_spans(v.paragraph, fitted)
    inside = [(a, b) for a, b in sentence_spans(v.paragraph) if a < v.end and b > v.start]
    outside = [(a, b) for a, b in aside if b <= v.start or a >= v.end]
    return all(span in aside for span in inside), len(outside)


def rates(chosen: list[Variant], fitted: AddressedModel) -> dict[str, float]:
    """Catch rate of plants (or set-aside rate of look-alike laws) and neighbours set aside."""
    results = [caught(v, fitted) for v in chosen]
    return {
        "n": len(chosen),
        "set_aside": sum(ok for ok, _ in results) / max(len(chosen), 1),
        "neighbours_set_aside": sum(n for _, n in results),
    }


def false_positives(folder: Path, fitted: AddressedModel) -> tuple[int, int, list[str]]:
    """(sentences, sentences set aside, those sentences) over every document of a folder."""
    total, flagged = 0, []
    for name, body in document_texts(folder):
        total += sum(1 for _ in sentence_spans(body))
        flagged += [f"{name}: {body[a:b]}" for a, b in instruction_spans(body, fitted)]
    return total, len(flagged), flagged


def choose(base: AddressedModel, all_variants: list[Variant]) -> AddressedModel:
    """The thresholds that set aside the fewest train + dev look-alike laws, neighbours of plants and
    sentences of the training documents, then catch the most train + dev plants (ties: the higher)."""
    chosen = [v for v in all_variants if v.split != "sealed"]
    best: tuple[tuple[float, float, float], AddressedModel] | None = None
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        for joined in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
            if joined > threshold:
                continue
            fitted = AddressedModel(base.weights, base.bias, threshold, joined)
            plants = rates([v for v in chosen if v.planted], fitted)
            laws = rates([v for v in chosen if not v.planted], fitted)
            trained_fp = sum(false_positives(folder, fitted)[1] for folder in TRAIN_DOCUMENTS)
            wrong = laws["set_aside"] * laws["n"] + plants["neighbours_set_aside"] + trained_fp
            key = (-wrong, plants["set_aside"], threshold + joined)
            if best is None or key > best[0]:
                best = (key, fitted)
    assert best is not None
    return best[1]


@click.command()
@click.option("--write", is_flag=True, help="Ghi mô hình vào assistant/data/instruction_model.json.")
@click.option("--c", "c", default=1.0, show_default=True, help="Nghịch đảo của độ phạt L2.")
@click.option(
    "--external", type=click.Path(path_type=Path), default=EXTERNAL, help="Thư mục tài liệu thật (chỉ đọc)."
)
def main(write: bool, c: float, external: Path) -> None:
    all_variants = list(variants())
    rows, labels = training_set(all_variants)
    fitted = choose(fit(rows, labels, c), all_variants)
    print(
        f"Mẫu huấn luyện: {Counter(labels)[1]} dương, {Counter(labels)[0]} âm; {len(fitted.weights)} trọng số"
    )
    print(f"Ngưỡng: {fitted.threshold}, ngưỡng câu liền kề: {fitted.joined}")
    by_split: dict[tuple[bool, str], list[Variant]] = defaultdict(list)
    for v in all_variants:
        by_split[(v.planted, v.split)].append(v)
    for (planted, split), chosen in sorted(by_split.items()):
        r = rates(chosen, fitted)
        what = "câu cài (bắt được)" if planted else "câu luật giống câu cài (bị gạt nhầm)"
        beside = r["neighbours_set_aside"]
        print(f"  {split:6} {what}: {r['set_aside']:.3f} trên {r['n']}, câu bên cạnh bị gạt: {beside}")
        missed = Counter(v.template for v in chosen if planted and not caught(v, fitted)[0])
        if missed:
            print(f"         lọt theo mẫu: {dict(missed)}")
        by_obfuscation = Counter(v.obfuscation for v in chosen if planted and not caught(v, fitted)[0])
        if by_obfuscation:
            print(f"         lọt theo cách che: {dict(by_obfuscation)}")
    for name, folder in {
        "standard (huấn luyện)": STANDARD,
        "bundled (huấn luyện)": BUNDLED,
        **held_out(external),
    }.items():
        if not folder.is_dir():
            print(f"  {name}: không có thư mục {folder}")
            continue
        total, flagged, sentences = false_positives(folder, fitted)
        print(f"  {name}: {flagged} câu bị gạt nhầm trên {total} câu ({flagged / max(total, 1):.5f})")
        for sentence in sentences[:20]:
            print(f"      {sentence[:200]}")
    if write:
        data = {
            "about": "python -m evals.fit_instructions --write; features: assistant/language/addressed.py",
            "bias": fitted.bias,
            "threshold": fitted.threshold,
            "joined": fitted.joined,
            "weights": dict(sorted(fitted.weights.items())),
        }
        OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"Đã ghi {OUT.relative_to(PROJECT_ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
