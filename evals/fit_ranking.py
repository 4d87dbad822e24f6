"""`python -m evals.fit_ranking observe|fit [--write]`: fit the order of candidate sentences and the
answer-or-refuse decision on the train split.

`observe` runs the assistant over the labelled questions (qa.jsonl on the bundled corpus, standard.jsonl on
the standard-layout documents, generated negatives, and an article-labelled set such as ALQAC when given)
and writes what it measures of every candidate sentence to evals/data/ranking_table.jsonl: ids, split,
numbers and labels, no question text. `fit` reads that table alone (so it is reproducible without the
article-labelled set): a pairwise logistic regression puts the sentences of the gold clause above the
others (train split; the regularisation chosen on dev), then the decision is refitted on the best sentence
of each train question under that order. `--write` stores both in assistant/data/.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import numpy as np

from assistant import Assistant, get_settings
from assistant.answering.decision import DECISION_FILE, FEATURES, Decision
from assistant.answering.extractive.sentences import Sentence, SentenceScorer, features, terms_of
from assistant.answering.ranking import RANK_FEATURES, RANKING_FILE, Ranking
from assistant.core.models import Chunk
from assistant.core.settings import PROJECT_ROOT
from evals.articles import load_articles
from evals.corpus_store import eval_assistant
from evals.dataset import DEFAULT_DATASET, split_of
from evals.dataset import load_dataset as load_items
from evals.fit_decision import STANDARD, Observation, negatives
from evals.fit_decision import fit as fit_decision
from evals.fit_decision import report as decision_report
from evals.metrics import clause_matches
from ingest.pipeline import ensure_corpus

TABLE = PROJECT_ROOT / "evals" / "data" / "ranking_table.jsonl"
RANKING_OUT = PROJECT_ROOT / "assistant" / "data" / RANKING_FILE
DECISION_OUT = PROJECT_ROOT / "assistant" / "data" / DECISION_FILE
DIGITS = 9  # the decimals a fitted file keeps: the same file from the same table on any machine
KEPT = 25  # candidate sentences kept per question, best first by the order observed
REGULARISATION = (0.01, 0.1, 1.0, 10.0)  # the C tried; the one best on dev is kept
# The order before it was fitted: coverage of the distinguishing terms, a definition first, a follow-up's
# contrast against, e5 similarity twice, a small penalty per retrieval rank.
HAND_SET = Ranking(
    {"distinct_coverage": 1.0, "definition": 1.0, "contrast": -1.0, "dense": 2.0, "rank": -0.02}, {}
)
_ARTICLE = re.compile(r"^Điều\s+(\d+[a-z]?)\b")


class TableError(ValueError):
    """A feature table the fit cannot use."""


@dataclass(frozen=True)
class Question:
    """One question of the table: its candidates' ranking features, decision features and labels."""

    id: str
    source: str  # qa, standard, generated, articles
    split: str
    kind: str
    answerable: bool
    judged: bool  # the answer-or-refuse decision judges it (no clause named)
    rank_rows: np.ndarray  # one row per candidate, RANK_FEATURES' columns
    starts: list[int]
    decision_rows: list[dict[str, float]]
    labels: list[bool]

    def best(self, ranking: Ranking) -> int:
        """The candidate the ranking puts first (ties: chunk rank, then position, as the scorer sorts)."""
        scores = ranking.scores(self.rank_rows)
        rank = self.rank_rows[:, RANK_FEATURES.index("rank")]
        return min(range(len(self.labels)), key=lambda i: (-scores[i], rank[i], self.starts[i]))


# -- observe ---------------------------------------------------------------------------------------------


def _row(query: Any, terms: list[str], sentence: Sentence, index: Any, judged: bool, label: bool) -> list:
    """A candidate's line of the table: label, start, ranking features, decision features (when judged)."""
    decision = [round(features(query, terms, sentence, index)[f], 4) for f in FEATURES] if judged else []
    return [int(label), sentence.start, [round(v, 4) for v in sentence.signals], decision]


def _observe(
    assistant: Assistant, asked: Iterator[tuple[str, str, str, str, bool, Any, Any]]
) -> Iterator[dict[str, Any]]:
    """The table's lines for questions (id, source, kind, prompt, answerable, history, gold test)."""
    # Every feature measured, whatever weight the shipped ranking gives it.
    scorer = SentenceScorer(assistant.answerers["extractive"].embeddings, measure_all=True)
    index = assistant.retriever.index()
    for item_id, source, kind, prompt, answerable, history, gold in asked:
        query, retrieved = assistant.prepared(prompt, history)
        inside = [s for s in retrieved if "structure" in s.ranks]
        terms = terms_of(query)
        candidates = scorer.candidates(query, terms, inside or retrieved, index)[:KEPT]
        judged = bool(retrieved) and not inside
        rows = [_row(query, terms, s, index, judged, answerable and gold(s.chunk)) for s in candidates]
        split = {"neg-fit": "train", "neg-report": "dev"}.get(item_id.rsplit("-", 1)[0], split_of(item_id))
        yield {"id": item_id, "source": source, "split": split, "kind": kind, "answerable": answerable,
               "judged": judged, "rows": rows}  # fmt: skip


def _in_clauses(expected: Sequence[tuple[str, str]]) -> Any:
    return lambda chunk: any(
        chunk.doc_id == doc and clause_matches(want, chunk.clause_label) for doc, want in expected
    )


def _in_articles(law: str, articles: frozenset[str]) -> Any:
    def gold(chunk: Chunk) -> bool:
        match = _ARTICLE.match(chunk.clause_label)
        return chunk.doc_id == law and bool(match) and match[1] in articles

    return gold


def observe(article_sets: Sequence[Path], corpus: Path | None) -> list[dict[str, Any]]:
    """Every labelled question's line: the bundled corpus's, the standard layout's, the articles'."""
    settings = get_settings()
    bundled = Assistant(settings)
    ensure_corpus(bundled.store, settings)
    embeddings = bundled.store.embeddings
    lines = list(_observe(bundled, _curated(load_items(DEFAULT_DATASET), "qa")))
    lines += _observe(bundled, _curated(negatives(bundled, "fit", 60), "generated"))
    standard, _ = eval_assistant(STANDARD[1], settings, embeddings=embeddings)
    lines += _observe(standard, _curated(load_items(STANDARD[0]), "standard"))
    lines += _observe(standard, _curated(negatives(standard, "report", 40), "generated"))
    if article_sets and corpus:
        laws, _ = eval_assistant(corpus, settings, embeddings=embeddings)
        items = [item for path in article_sets for item in load_articles(path)]
        lines += _observe(
            laws,
            ((i.id, "articles", i.kind, i.prompt, True, [], _in_articles(i.law, i.articles)) for i in items),
        )
    return lines


def _curated(items: Sequence[Any], source: str) -> Iterator[tuple[str, str, str, str, bool, Any, Any]]:
    for item in items:
        yield (
            item.id,
            source,
            item.kind,
            item.question,
            item.answerable,
            item.history,
            _in_clauses(item.expected_clauses),
        )


# -- fit ------------------------------------------------------------------------------------------------


def load_table(path: Path) -> list[Question]:
    """The table's questions; a table that measures other features than the run-time's is refused."""
    lines = path.read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0])
    if head.get("rank_features") != list(RANK_FEATURES) or head.get("decision_features") != list(FEATURES):
        raise TableError(
            f"Bảng đặc trưng '{path}' đo {head.get('rank_features')} / {head.get('decision_features')}, "
            f"khác với trợ lý ({list(RANK_FEATURES)} / {list(FEATURES)}): hãy chạy lại bước observe."
        )
    questions = []
    for line in lines[1:]:
        data = json.loads(line)
        rows = data["rows"]
        questions.append(
            Question(
                data["id"], data["source"], data["split"], data["kind"], data["answerable"], data["judged"],
                np.array([r[2] for r in rows], dtype=float).reshape(len(rows), len(RANK_FEATURES)),
                [r[1] for r in rows],
                [dict(zip(FEATURES, r[3], strict=True)) for r in rows] if data["judged"] else [],
                [bool(r[0]) for r in rows],
            )
        )  # fmt: skip
    return questions


def fit_ranking(questions: Sequence[Question], c: float) -> Ranking:
    """Pairwise logistic regression on the train split: every gold candidate against every other one of
    its question, each question weighing the same; weights on the features' own scale."""
    from sklearn.linear_model import LogisticRegression

    diffs, per_pair = [], []
    for q in questions:
        good = [i for i, label in enumerate(q.labels) if label]
        bad = [i for i, label in enumerate(q.labels) if not label]
        pairs = [q.rank_rows[g] - q.rank_rows[b] for g in good for b in bad]
        if not pairs:
            continue
        diffs += pairs
        per_pair += [1.0 / len(pairs)] * len(pairs)
    x = np.array(diffs)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    xs = np.vstack([x / scale, -x / scale])
    y = np.array([1] * len(x) + [0] * len(x))
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000).fit(xs, y, np.array(per_pair * 2))
    raw = model.coef_[0] / scale
    return Ranking({f: round(float(w), DIGITS) for f, w in zip(RANK_FEATURES, raw, strict=True) if w}, {})


def hit_at_1(ranking: Ranking, questions: Sequence[Question]) -> str:
    """Questions whose best candidate is of the gold clause, of those with a gold candidate at all."""
    reachable = [q for q in questions if any(q.labels)]
    return f"{sum(q.labels[q.best(ranking)] for q in reachable)}/{len(reachable)}"


def _share(figure: str) -> float:
    hits, total = figure.split("/")
    return int(hits) / max(int(total), 1)


def by_split(ranking: Ranking, questions: Sequence[Question], splits: Sequence[str]) -> dict[str, Any]:
    """hit@1 of the best candidate per split and source."""
    return {
        split: {
            source: hit_at_1(ranking, [q for q in questions if q.split == split and q.source == source])
            for source in ("qa", "standard", "articles")
        }
        | {"all": hit_at_1(ranking, [q for q in questions if q.split == split])}
        for split in splits
    }


def decided(ranking: Ranking, questions: Sequence[Question]) -> list[Observation]:
    """What the decision reads of each judged question's best candidate under the ranking."""
    seen = []
    for q in questions:
        if q.judged and q.labels:
            best = q.best(ranking)
            # The decision reads the ranking's score of the sentence: the one fitted here, not the observed.
            shown = q.decision_rows[best] | {"order": float(ranking.scores(q.rank_rows[best]))}
            seen.append(Observation(q.id, q.kind, shown, q.answerable, q.labels[best]))
    return seen


def fit(questions: Sequence[Question], splits: Sequence[str]) -> tuple[Ranking, Decision]:
    """The ranking (C chosen on dev; the hand order kept unless one does better there) and the decision
    refitted on the train split's best candidates under it; both with their figures per split."""
    train = [q for q in questions if q.split == "train"]
    dev = [q for q in questions if q.split == "dev"]
    tried = {c: fit_ranking(train, c) for c in REGULARISATION}
    chosen_c = max(REGULARISATION, key=lambda c: (_share(hit_at_1(tried[c], dev)), -c))
    ranking = tried[chosen_c]
    if _share(hit_at_1(ranking, dev)) <= _share(hit_at_1(HAND_SET, dev)):
        chosen_c, ranking = 0.0, HAND_SET
    ranking = Ranking(
        ranking.weights,
        {
            "fit_split": "train",
            "regularisation": chosen_c or "hand-set order kept (no fitted one does better on dev)",
            "dev_hit@1_by_C": {str(c): hit_at_1(r, dev) for c, r in tried.items()},
            "hit@1": by_split(ranking, questions, splits),
            "hand_set": by_split(HAND_SET, questions, splits),
        },
    )
    observations = decided(ranking, questions)
    fitted_on = [o for o, q in zip(observations, _judged(questions), strict=True) if q.split == "train"]
    decision = fit_decision(fitted_on)
    meta = {
        "fit_split": "train (qa, standard, articles, generated negatives)",
        **{
            split: decision_report(decision, [o for o, q in zip(observations, _judged(questions), strict=True)
                                             if q.split == split])
            for split in splits
        },
    }  # fmt: skip
    return ranking, Decision(
        _rounded(decision.weights), _rounded(decision.means), _rounded(decision.scales),
        round(decision.bias, DIGITS), round(decision.threshold, DIGITS), meta,
    )  # fmt: skip


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {name: round(value, DIGITS) for name, value in values.items()}


def _judged(questions: Sequence[Question]) -> list[Question]:
    return [q for q in questions if q.judged and q.labels]


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


@click.group()
def main() -> None:
    """Hiệu chỉnh thứ tự câu ứng viên và quyết định trả lời/từ chối trên phần train."""


@main.command("observe")
@click.option(
    "--articles", "article_sets", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tệp JSONL câu hỏi có nhãn điều luật (ví dụ ALQAC questions.jsonl, train.jsonl); lặp lại được.",
)  # fmt: skip
@click.option(
    "--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Thư mục văn bản luật của các câu hỏi đó.",
)  # fmt: skip
@click.option("--table", type=click.Path(dir_okay=False, path_type=Path), default=TABLE, show_default=True)
def observe_command(article_sets: tuple[Path, ...], corpus: Path | None, table: Path) -> None:
    """Chạy trợ lý trên các câu hỏi có nhãn và ghi bảng đặc trưng (chỉ số, không có nội dung câu hỏi)."""
    lines = observe(article_sets, corpus)
    head = {"rank_features": list(RANK_FEATURES), "decision_features": list(FEATURES), "kept": KEPT}
    text = "".join(
        json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in [head, *lines]
    )
    table.write_text(text, encoding="utf-8")
    click.echo(f"Đã ghi {len(lines)} câu hỏi vào {table}", err=True)


@main.command("fit")
@click.option("--table", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=TABLE)
@click.option("--sealed/--no-sealed", default=False, help="Báo cả phần sealed (chỉ một lần, cuối cùng).")
@click.option("--write/--no-write", default=False, help="Ghi ranking_model.json và answer_decision.json.")
def fit_command(table: Path, sealed: bool, write: bool) -> None:
    """Hiệu chỉnh thứ tự câu và quyết định từ bảng đặc trưng; in trọng số và kết quả theo phần."""
    try:
        questions = load_table(table)
    except (TableError, OSError, ValueError, KeyError) as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(2)
    splits = ("train", "dev", "sealed") if sealed else ("train", "dev")
    ranking, decision = fit(questions, splits)
    click.echo(_json(ranking.to_json()) + _json(decision.to_json()))
    if write:
        RANKING_OUT.write_text(_json(ranking.to_json()), encoding="utf-8")
        DECISION_OUT.write_text(_json(decision.to_json()), encoding="utf-8")
        click.echo(f"Đã ghi {RANKING_OUT} và {DECISION_OUT}", err=True)


if __name__ == "__main__":
    sys.exit(main())
