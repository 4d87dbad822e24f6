"""`python -m evals run`: score the assistant on a Q&A dataset, report, and gate on a baseline."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from assistant import Assistant, AssistantError, get_settings
from assistant.answering.second_reading import SecondReading
from assistant.answering.support import SupportScorer
from assistant.cli.main import _progress as ingest_progress
from assistant.cli.main import run_group
from assistant.core.settings import PROJECT_ROOT
from evals.articles import LOWER_IS_BETTER as ARTICLE_LOWER
from evals.articles import TOLERANCES as ARTICLE_TOLERANCES
from evals.articles import ArticleDatasetError, load_articles
from evals.articles import evaluate as evaluate_articles
from evals.articles import table as table_articles
from evals.articles_report import write_articles_html
from evals.corpus_store import eval_assistant, is_default_corpus
from evals.corruptions import run_independent
from evals.dataset import (
    ALL,
    DEFAULT_CORPUS,
    DEFAULT_DATASET,
    SPLITS,
    Corpus,
    DatasetError,
    Item,
    in_split,
    load_dataset,
)
from evals.gate import (
    Comparison,
    SplitMismatch,
    baseline_record,
    compare_splits,
    load_baseline,
    regressions,
)
from evals.judge import LLMJudge, chat_model_from_env
from evals.metrics import Judge
from evals.report import kind_table, split_table, table, write_html, write_json
from evals.runner import evaluate
from evals.sabotage import MAX_CONTROLS_FLAGGED, MIN_FLAGGED, judge_checker, run_sabotage, shortfalls
from evals.sabotage import table as sabotage_table
from evals.systems import BM25Only, Naive, Ours, System
from ingest.pipeline import ensure_corpus

DEFAULT_OUT = PROJECT_ROOT / "evals" / "out"
COMPARISONS = ("naive", "bm25")


class EvalError(AssistantError):
    """A problem with the eval's inputs, told to the user in one line."""

    exit_code = 2


@dataclass
class Outcome:
    """A finished eval: results per system, the baseline comparison, and the failed metrics."""

    results: dict[str, Any]
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def failed(self) -> list[Comparison]:
        return regressions(self.comparisons)


def run_eval(
    assistant: Assistant,
    dataset: Path = DEFAULT_DATASET,
    mode: str | None = None,
    k: int | None = None,
    baseline: Path | None = None,
    compare_with: tuple[str, ...] = (),
    corpus: Corpus | None = None,
    judge: LLMJudge | None = None,
    progress: bool = True,
    split: str = ALL,
) -> Outcome:
    """Run our assistant (and the comparison systems) over a dataset, or one split of it, and compare
    with a baseline: each split's figures with the baseline's figures of that split.

    The assistant answers from its own store: for a corpus other than the bundled one, build it with
    `evals.corpus_store.eval_assistant` (what the CLI does).
    """
    corpus = corpus or Corpus(DEFAULT_CORPUS)
    items = in_split(checked_items(dataset, corpus), split)
    if not items:
        raise EvalError(f"Phần '{split}' của '{dataset.name}' không có câu hỏi nào.")
    mode = mode or assistant.modes[0]
    if mode not in assistant.modes:
        raise EvalError(f"Chế độ trả lời '{mode}' chưa được cấu hình. Có: {', '.join(assistant.modes)}.")
    scorer = SupportScorer(assistant.store.embeddings, [corpus.body(d) for d in corpus.files])
    systems: list[System] = [Ours(assistant, mode, k)]
    for name in compare_with:
        if name == "naive":
            systems += [Naive(assistant, corpus), BM25Only(assistant, k)]
        elif name == "bm25":
            systems.append(BM25Only(assistant, k))
        else:
            raise EvalError(f"Không có hệ so sánh '{name}'. Có: {', '.join(COMPARISONS)}.")
    results: dict[str, Any] = {}
    for system in systems:
        if system.name not in results:
            results[system.name] = evaluate(
                items, system, corpus, scorer, judge if system is systems[0] else None, progress
            )
    ours = results[systems[0].name]
    return Outcome(results, compared(split, ours["metrics"], ours["splits"], baseline))


def compared(
    split: str,
    metrics: dict[str, float | None],
    by_split: dict[str, dict[str, float | None]],
    baseline: Path | None,
) -> list[Comparison]:
    """The run's figures (of the split run, and of each split) against the baseline file's figures of the
    same split (none without a file); EvalError when it cannot be read or has no figures of that split."""
    if baseline is None:
        return []
    try:
        return compare_splits(split, metrics, by_split, load_baseline(baseline))
    except SplitMismatch as exc:
        raise EvalError(str(exc)) from exc
    except (OSError, ValueError) as exc:
        raise EvalError(f"Không đọc được tệp mốc so sánh '{baseline}': {exc}") from exc


def _ignore_reports(out: Path) -> None:
    """Reports written to the default folder are never committed."""
    if out.resolve() == DEFAULT_OUT.resolve():
        (out / ".gitignore").write_text("*\n", encoding="utf-8")


def _fail_on(lines: list[str]) -> None:
    """Each failure on stderr, then exit 1 (nothing when there is none)."""
    if lines:
        for line in lines:
            click.echo(line, err=True)
        sys.exit(1)


def checked_items(dataset: Path, corpus: Corpus) -> list[Item]:
    """The dataset's items, their evidence found verbatim in the corpus; EvalError otherwise."""
    try:
        items = load_dataset(dataset)
    except DatasetError as exc:
        raise EvalError(str(exc)) from exc
    if problems := corpus.check(items):
        raise EvalError(f"Bằng chứng không khớp tài liệu ({len(problems)} chỗ), ví dụ {problems[0]}")
    return items


def _corpus_assistant(folder: Path, progress: bool) -> Assistant:
    """The assistant over the folder's own eval store (never the user's), ingest progress on stderr."""
    with ingest_progress("Nạp bộ tài liệu đánh giá") as update:
        assistant, report = eval_assistant(folder, get_settings(), update if progress else None)
    click.echo(report.summary(), err=True)
    return assistant


def _assistant() -> Assistant:
    """The user's assistant (default store, the bundled corpus ingested into an empty store)."""
    settings = get_settings()
    assistant = Assistant(settings)
    ensure_corpus(assistant.store, settings)
    return assistant


BASELINE = click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    default=None,
    help="Tệp mốc so sánh; thoát với mã 1 khi một chỉ số kém đi quá dung sai.",
)
WRITE_BASELINE = click.option(
    "--write-baseline",
    type=click.Path(path_type=Path),
    default=None,
    help="Ghi các chỉ số của lần chạy này thành tệp mốc so sánh.",
)
CORPUS = click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    default=DEFAULT_CORPUS,
    show_default=True,
    help="Thư mục tài liệu của bộ câu hỏi; khác mặc định thì được nạp vào một kho đánh giá riêng.",
)
PROGRESS = click.option("--progress/--no-progress", default=True, help="Thanh tiến trình trên stderr.")
SPLIT = click.option(
    "--split",
    type=click.Choice([*SPLITS, ALL]),
    default=ALL,
    show_default=True,
    help="Phần của bộ câu hỏi (theo sha256 của mã câu hỏi): train, dev, sealed, hoặc all (mọi câu, kèm số "
    "liệu từng phần). Chọn quy tắc, trọng số, ngưỡng trên train và dev; sealed chỉ chấm khi kết thúc.",
)


def judge_options(judge_help: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """`--judge` (with its own help) and the judge's server, model and key options."""

    def add(command: Callable[..., None]) -> Callable[..., None]:
        for option in reversed(
            [
                click.option("--judge/--no-judge", default=False, help=judge_help),
                click.option(
                    "--judge-base-url",
                    default=None,
                    help="Địa chỉ máy chủ chấm (hoặc KH32_JUDGE_BASE_URL, OPENAI_BASE_URL).",
                ),
                click.option("--judge-model", default=None, help="Tên mô hình chấm (hoặc KH32_JUDGE_MODEL)."),
                click.option(
                    "--judge-api-key",
                    default=None,
                    help="Khóa API (hoặc KH32_JUDGE_API_KEY, OPENAI_API_KEY).",
                ),
            ]
        ):
            command = option(command)
        return command

    return add


def _llm_judge(judge: bool, base_url: str | None, model: str | None, api_key: str | None) -> LLMJudge | None:
    """The LLM judge the options ask for (None when they ask for none); EvalError when unconfigured."""
    if not (judge or base_url):
        return None
    chat_model = chat_model_from_env(base_url, model, api_key)
    if chat_model is None:
        raise EvalError("Chưa cấu hình máy chủ chấm: dùng --judge-base-url hoặc KH32_JUDGE_BASE_URL.")
    return LLMJudge(chat_model)


def _dataset_assistant(corpus: Path, dataset: Path | None, progress: bool) -> Assistant:
    """The assistant over the corpus: the user's store for the bundled corpus, else the folder's own eval
    store; the dataset (when given) checked against the folder before anything is ingested."""
    if is_default_corpus(corpus):
        return _assistant()
    if not corpus.is_dir():
        raise EvalError(f"Không có thư mục tài liệu '{corpus}'.")
    if dataset is not None:
        checked_items(dataset, Corpus(corpus))  # bad input stops the run before anything is ingested
    return _corpus_assistant(corpus, progress)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Đánh giá Trợ lý Kế hoạch 32 trên bộ câu hỏi có đáp án."""


@cli.command()
@click.option(
    "--dataset",
    type=click.Path(path_type=Path),
    default=DEFAULT_DATASET,
    show_default=True,
    help="Tệp JSONL các câu hỏi (định dạng trong evals/README.md).",
)
@click.option("--mode", default=None, help="Chế độ trả lời: extractive hoặc llm (mặc định: chế độ mặc định).")
@click.option("--k", "k", type=int, default=None, help="Số đoạn truy xuất (mặc định KH32_TOP_K).")
@BASELINE
@click.option(
    "--compare",
    "compare_with",
    multiple=True,
    type=click.Choice(COMPARISONS),
    help="Chạy thêm hệ so sánh: naive (LangChain mẫu + BM25) hoặc bm25.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Thư mục ghi results.json và report.html.",
)
@CORPUS
@WRITE_BASELINE
@SPLIT
@judge_options("Chấm thêm bằng mô hình ngôn ngữ (máy chủ tương thích OpenAI).")
@PROGRESS
def run(
    dataset: Path, mode: str | None, k: int | None, baseline: Path | None, compare_with: tuple[str, ...],
    out: Path, corpus: Path, write_baseline: Path | None, split: str, judge: bool,
    judge_base_url: str | None, judge_model: str | None, judge_api_key: str | None, progress: bool,
) -> None:  # fmt: skip
    """Chạy đánh giá, in bảng chỉ số, ghi JSON và báo cáo HTML; so với mốc nếu có."""
    llm_judge = _llm_judge(judge, judge_base_url, judge_model, judge_api_key)
    started = time.perf_counter()
    assistant = _dataset_assistant(corpus, dataset, progress)
    outcome = run_eval(
        assistant, dataset, mode, k, baseline, compare_with, Corpus(corpus), llm_judge, progress, split
    )
    ours = next(iter(outcome.results))
    meta = {
        "dataset": str(dataset), "corpus": str(corpus), "collection": assistant.settings.collection,
        "mode": ours, "split": split, "baseline": str(baseline or "–"),
        "time": time.strftime("%Y-%m-%d %H:%M:%S"), "seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip
    write_json(out / "results.json", {"meta": meta, "systems": outcome.results,
                                      "comparison": [c.__dict__ for c in outcome.comparisons]})  # fmt: skip
    write_html(out / "report.html", outcome.results, outcome.comparisons, meta)
    _ignore_reports(out)
    click.echo(table(outcome.results, outcome.comparisons))
    click.echo(f"\n{split_table(outcome.results[ours], outcome.comparisons)}")
    click.echo(f"\n{kind_table(outcome.results)}")
    click.echo(f"\nĐã ghi {out / 'results.json'} và {out / 'report.html'}")
    if write_baseline:
        result = outcome.results[ours]
        record = baseline_record(
            result["metrics"], dataset.name, ours, split=split,
            by_split=result["splits"] if split == ALL else None,
        )  # fmt: skip
        write_json(write_baseline, record)
        click.echo(f"Đã ghi mốc so sánh {write_baseline}")
    _fail_on([c.describe() for c in outcome.failed])


@cli.command()
@click.option(
    "--results",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="results.json của một lần chạy; không có thì chạy trợ lý trên --dataset trước.",
)
@click.option(
    "--dataset",
    type=click.Path(path_type=Path),
    default=DEFAULT_DATASET,
    show_default=True,
    help="Tệp JSONL các câu hỏi (khi không có --results).",
)
@click.option("--mode", default=None, help="Chế độ trả lời khi chạy trợ lý (mặc định: chế độ mặc định).")
@click.option("--system", default=None, help="Hệ trong results.json (mặc định: hệ đầu tiên).")
@CORPUS
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Nơi ghi sabotage.json.",
)
@judge_options("Chạy bộ làm hỏng cả với mô hình chấm (máy chủ tương thích OpenAI).")
@PROGRESS
def sabotage(
    results: Path | None, dataset: Path, mode: str | None, system: str | None, corpus: Path, out: Path,
    judge: bool, judge_base_url: str | None, judge_model: str | None, judge_api_key: str | None,
    progress: bool,
) -> None:  # fmt: skip
    """Làm hỏng câu trả lời theo từng loại lỗi; đếm câu hỏng bị gắn cờ và câu đối chứng bị gắn cờ nhầm."""
    checkers: dict[str, Judge] = {}
    if llm_judge := _llm_judge(judge, judge_base_url, judge_model, judge_api_key):
        checkers["judge"] = judge_checker(llm_judge)
    assistant = _dataset_assistant(corpus, dataset if results is None else None, progress)
    documents = Corpus(corpus)
    if results is None:
        outcome = run_eval(assistant, dataset, mode, corpus=documents, progress=progress)
        systems = outcome.results
    else:
        try:
            systems = json.loads(results.read_text(encoding="utf-8"))["systems"]
        except (OSError, ValueError, KeyError) as exc:
            raise EvalError(f"Không đọc được kết quả '{results}': {exc}") from exc
    name = system or next(iter(systems))
    if name not in systems:
        raise EvalError(f"Không có hệ '{name}' trong kết quả. Có: {', '.join(systems)}.")
    scorer = SupportScorer(assistant.store.embeddings, [documents.body(d) for d in documents.files])
    checkers = {"offline": scorer, **checkers}
    report: dict[str, Any] = {"system": name}
    failed: list[str] = []
    for label, checker in checkers.items():
        tallies = run_sabotage(systems[name]["items"], checker)
        report[label] = {k: vars(t) | {"share": t.share} for k, t in tallies.items()}
        click.echo(f"Bộ kiểm tra: {label}\n{sabotage_table(tallies)}\n")
        failed += [f"{label}: {line}" for line in shortfalls(tallies)]
    # Corruptions the checker never saw (held-out half reported) and faithful paraphrases beside them.
    items, chunks = systems[name]["items"], assistant.retriever.index().chunks
    bodies = [documents.body(d) for d in documents.files]
    suites = {"independent": ("độc lập", "Lỗi độc lập với bộ kiểm tra", scorer)}
    if llm_judge:  # the LLM mode's check: a flag of wording alone put to the model once more
        reread = SecondReading(llm_judge.model).recheck(scorer)
        suites["second_reading"] = (
            "đọc lại",
            "Như trên, sau khi mô hình đọc lại các câu chỉ bị gắn cờ vì cách diễn đạt",
            reread,
        )
    for key, (short, title, check) in suites.items():
        independent = run_independent(items, check, chunks, bodies, picker=scorer)
        report[key] = {
            "counts": {k: vars(c) | {"share": c.share} for k, c in independent.counts.items()},
            "controls": independent.controls,
            "flagged_controls": independent.flagged_controls,
            "control_halves": independent.control_halves,
        }
        click.echo(f"{title} (nửa phát triển / nửa giữ lại)\n{independent.table()}\n")
        failed += [f"{short}: {line}" for line in independent.shortfalls(MIN_FLAGGED, MAX_CONTROLS_FLAGGED)]
    write_json(out / "sabotage.json", report)
    _ignore_reports(out)
    click.echo(f"Đã ghi {out / 'sabotage.json'}")
    _fail_on(failed)


@cli.command()
@click.option(
    "--dataset",
    "datasets",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    required=True,
    multiple=True,
    help="Tệp JSONL câu hỏi có nhãn điều luật: id, question, law, articles (ví dụ câu hỏi ALQAC); "
    "nhắc lại để chạy nhiều tệp như một bộ (mã câu hỏi không được trùng).",
)
@click.option(
    "--corpus",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    required=True,
    help="Thư mục các văn bản luật (<law>.txt); nạp vào kho đánh giá riêng, giữ giữa các lần chạy.",
)
@click.option("--limit", type=int, default=None, help="Chỉ chạy N câu đầu.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Nơi ghi articles.json và articles.html.",
)
@BASELINE
@WRITE_BASELINE
@SPLIT
@PROGRESS
def articles(
    datasets: tuple[Path, ...], corpus: Path, limit: int | None, out: Path, baseline: Path | None,
    write_baseline: Path | None, split: str, progress: bool,
) -> None:  # fmt: skip
    """Chấm trích dẫn theo điều luật như ALQAC: macro-F2 (từ chối = 0), hit@1, từ chối, trích sai điều; và kết
    luận Đúng/Sai, A–D: tỷ lệ được kết luận, tỷ lệ kết luận đúng."""
    try:
        items = in_split([item for path in datasets for item in load_articles(path)], split)[:limit]
    except ArticleDatasetError as exc:
        raise EvalError(str(exc)) from exc
    if dupes := sorted(i for i, n in Counter(item.id for item in items).items() if n > 1):
        raise EvalError(f"Mã câu hỏi bị trùng giữa các tệp: {', '.join(dupes[:5])}.")
    if not items:
        raise EvalError(f"Phần '{split}' của bộ câu hỏi không có câu hỏi nào.")
    dataset_name = " + ".join(path.name for path in datasets)
    laws = {p.stem for p in corpus.glob("*.txt")}
    if missing := sorted({i.law for i in items} - laws):
        raise EvalError(f"Không có văn bản luật {', '.join(missing[:3])} trong '{corpus}'.")
    started = time.perf_counter()
    assistant = _corpus_assistant(corpus, progress)
    result = evaluate_articles(assistant, items, progress)
    comparisons = compared(split, result["metrics"], result["splits"], baseline)
    meta = {
        "dataset": " + ".join(map(str, datasets)), "corpus": str(corpus),
        "collection": assistant.settings.collection, "split": split,
        "baseline": str(baseline or "–"), "time": time.strftime("%Y-%m-%d %H:%M:%S"),
        "seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip
    write_json(out / "articles.json", {**result, "comparison": [c.__dict__ for c in comparisons]})
    write_articles_html(out / "articles.html", result, comparisons, meta)
    _ignore_reports(out)
    click.echo(table_articles(result, comparisons))
    click.echo(f"\nĐã ghi {out / 'articles.json'} và {out / 'articles.html'}")
    if write_baseline:
        record = baseline_record(
            result["metrics"], dataset_name, "extractive", ARTICLE_TOLERANCES, ARTICLE_LOWER,
            split, result["splits"] if split == ALL else None,
        )  # fmt: skip
        write_json(write_baseline, record)
        click.echo(f"Đã ghi mốc so sánh {write_baseline}")
    _fail_on([c.describe() for c in regressions(comparisons)])


def main() -> None:
    """`python -m evals`: user errors are one `Lỗi: …` line and a non-zero exit, never a traceback."""
    run_group(cli)
