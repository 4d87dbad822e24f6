"""The fitted sentence order and answer-or-refuse decision: refitting from the committed feature table gives
the committed model files byte for byte, the shipped answerer orders by the file's model, and the fit
refuses a table that measures features the assistant does not."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from assistant import Assistant, Settings, Store
from assistant.answering.decision import fitted
from assistant.answering.extractive.sentences import SentenceScorer, terms_of
from assistant.answering.ranking import RANK_FEATURES, Ranking, parse_ranking, ranked
from evals.fit_ranking import DECISION_OUT, RANKING_OUT, TABLE, _json, fit, load_table, main
from ingest.pipeline import ingest, prepare
from tests.conftest import CORPUS


def test_refitting_the_committed_table_gives_the_committed_models() -> None:
    ranking, decision = fit(load_table(TABLE), ("train", "dev"))
    assert _json(ranking.to_json()) == RANKING_OUT.read_text(encoding="utf-8")
    assert _json(decision.to_json()) == DECISION_OUT.read_text(encoding="utf-8")


def test_the_shipped_answerer_orders_sentences_by_the_models_file(fake_store: Store) -> None:
    shipped = parse_ranking(json.loads(RANKING_OUT.read_text(encoding="utf-8")))
    assert ranked() == shipped
    assert fitted().to_json() == json.loads(DECISION_OUT.read_text(encoding="utf-8"))
    ingest(fake_store, prepare([CORPUS / "ke-hoach-32-KH-BCSD.txt"], fake_store.settings))
    assistant = Assistant(Settings(data_dir=fake_store.settings.data_dir), store=fake_store)
    scorer = assistant.answerers["extractive"].sentences
    assert scorer.ranking == shipped
    query, retrieved = assistant.prepared("Kế hoạch giao nhiệm vụ bồi dưỡng cán bộ cho cơ quan nào?")
    index = assistant.retriever.index()
    terms = terms_of(query)
    order = scorer.score(query, terms, retrieved, index)
    assert len(order) > 2
    # The order is the model's score, best first, over what each sentence shows.
    expected = sorted((float(shipped.scores(np.array(s.signals))) for s in order), reverse=True)
    assert [s.order for s in order] == pytest.approx(expected)
    flipped = Ranking({name: -weight for name, weight in shipped.weights.items()}, {})
    reversed_order = SentenceScorer(fake_store.embeddings, flipped).score(query, terms, retrieved, index)
    assert (reversed_order[0].chunk.id, reversed_order[0].start) != (order[0].chunk.id, order[0].start)


def test_the_fit_refuses_a_table_measuring_features_the_assistant_does_not(tmp_path: Path) -> None:
    table = tmp_path / "table.jsonl"
    head = {"rank_features": [*RANK_FEATURES, "do_dai_cau"], "decision_features": [], "kept": 1}
    table.write_text(json.dumps(head) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fit", "--table", str(table)])
    assert result.exit_code == 2
    assert "do_dai_cau" in result.output and "observe" in result.output
    assert "Traceback" not in result.output
