"""A document's identity is not its file name: a file may not silently replace a stored document, nor
claim the title or number of another one, nor take an id that only looks different from a stored one's.
Replacing is explicit, after a preview of what changes. Names are compared by their look-alike key
(language/lookalike.py): case, width, dashes, invisible characters and letters of other scripts that look
Latin do not make a new name."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from assistant.core.errors import DocumentError
from assistant.core.models import Chunk
from assistant.language.lookalike import identity_key, skeleton
from assistant.language.names import short_name
from assistant.store.chroma import DocumentInfo, Store
from ingest.pipeline import PreparedDocument


@dataclass(frozen=True)
class ReplacePreview:
    """What replacing a stored document by a new version changes."""

    doc_id: str
    file_name: str
    old_title: str
    new_title: str
    clauses_added: list[str] = field(default_factory=list)
    clauses_removed: list[str] = field(default_factory=list)
    clauses_changed: list[str] = field(default_factory=list)
    clauses_unchanged: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    chunks_unchanged: int = 0

    def summary(self) -> list[str]:
        """The changes, one Vietnamese line each."""
        lines = []
        if self.old_title != self.new_title:
            lines.append(f"Tiêu đề: '{self.old_title}' → '{self.new_title}'")
        else:
            lines.append(f"Tiêu đề không đổi: '{self.new_title}'")
        lines.append(
            f"Điều khoản: thêm {len(self.clauses_added)}, bỏ {len(self.clauses_removed)}, "
            f"sửa {len(self.clauses_changed)}, giữ nguyên {self.clauses_unchanged}"
        )
        lines.append(
            f"Đoạn: thêm {self.chunks_added}, bỏ {self.chunks_removed}, giữ nguyên {self.chunks_unchanged}"
        )
        for label, names in (
            ("Điều khoản thêm", self.clauses_added),
            ("Điều khoản bỏ", self.clauses_removed),
            ("Điều khoản sửa", self.clauses_changed),
        ):
            if names:
                shown = "; ".join(names[:8]) + (f"; … (+{len(names) - 8})" if len(names) > 8 else "")
                lines.append(f"{label}: {shown}")
        return lines

    def detail(self) -> str:
        """The summary on one line, for the audit trail."""
        return " · ".join(self.summary()[:3])


class ReplaceNeeded(DocumentError):
    """Files that would replace stored documents; an admin must confirm after reading the previews."""

    def __init__(self, previews: list[ReplacePreview]) -> None:
        names = ", ".join(f"'{p.file_name}' → '{p.doc_id}'" for p in previews)
        super().__init__(
            f"Tệp mới không tự thay thế tài liệu đã có ({names}): tài liệu cùng mã đã có trong kho với "
            "nội dung khác. Nếu đây là phiên bản mới, quản trị viên hãy xem trước thay đổi rồi xác nhận "
            "thay thế "
            "(dòng lệnh: ingest --replace)."
        )
        self.previews = previews


def check(
    store: Store, documents: Iterable[PreparedDocument], replace: Collection[str] = ()
) -> list[ReplacePreview]:
    """Refuse documents that claim another stored document's title or number; list the replacements.

    A document whose id is stored with other content is a replacement: allowed only when its id is in
    `replace`, else ReplaceNeeded (carrying every preview). Returns the previews of allowed replacements.
    """
    stored = {d.doc_id: d for d in store.documents()}
    hashes = {d.doc_hash for d in stored.values()}
    previews = []
    for doc in documents:
        old = stored.get(doc.doc_id)
        if (old and old.doc_hash == doc.content_hash) or (not old and doc.content_hash in hashes):
            continue  # unchanged, or a duplicate of a stored text: ingest skips it
        if not old and (twin := _same_id(doc.doc_id, stored.values())):
            raise DocumentError(
                f"Tệp '{doc.path.name}' mang mã '{doc.doc_id}', trông giống hệt mã '{twin.doc_id}' của tài "
                f"liệu đã có trong kho ({twin.title}): chỉ khác chữ hoa/thường, dấu cách, gạch nối hoặc ký "
                "tự trông giống nhau; tệp bị từ chối. Nếu đây là phiên bản mới của tài liệu đó, hãy đặt tên "
                f"tệp là '{twin.doc_id}' (giữ đuôi tệp) và để quản trị viên thay thế."
            )
        if claimed := _claimed(doc, [d for d in stored.values() if d.doc_id != doc.doc_id]):
            raise DocumentError(
                f"Tệp '{doc.path.name}' tự nhận là '{claimed.short}' ({claimed.title}), tài liệu đã có trong "
                f"kho với mã '{claimed.doc_id}'; tệp bị từ chối. Nếu đây là phiên bản mới của tài liệu đó, "
                f"hãy đặt tên tệp là '{claimed.doc_id}' (giữ đuôi tệp) và để quản trị viên thay thế."
            )
        if old:
            previews.append(preview(store, doc, old))
    missing = [p for p in previews if p.doc_id not in set(replace)]
    if missing:
        raise ReplaceNeeded(previews)
    return previews


def _claimed(doc: PreparedDocument, others: list[DocumentInfo]) -> DocumentInfo | None:
    """The stored document whose title, or document number, this one's header claims."""
    title = identity_key(doc.title)
    numbers = _numbers(doc.title, doc.short)
    for other in others:
        if identity_key(other.title) == title or numbers & _numbers(other.title, other.short):
            return other
    return None


def _numbers(title: str, short: str) -> set[str]:
    """The keys of the citation names (numbers) a document answers to: its short name when that is a
    number, not a shortened title; and the one its title names once look-alikes are folded, when folding
    changes it ("Kế hoạch số 32–KH/BCSĐ" with an en dash, or with a Cyrillic К, names KH 32-KH/BCSĐ)."""
    found = {identity_key(short)} if _is_number(short, title) else set()
    plain = skeleton(title)
    folded = short_name(plain)
    if _is_number(folded, plain) and identity_key(folded) != identity_key(short_name(title)):
        found.add(identity_key(folded))
    return found


def _is_number(short: str, title: str) -> bool:
    return short != title and not short.endswith("…")  # a number, not a shortened title


def _same_id(doc_id: str, stored: Iterable[DocumentInfo]) -> DocumentInfo | None:
    """The stored document whose id this new one's only looks different from ("QUY-CHE" and "quy-che")."""
    key = identity_key(doc_id)
    return next((d for d in stored if d.doc_id != doc_id and identity_key(d.doc_id) == key), None)


def preview(store: Store, doc: PreparedDocument, old: DocumentInfo) -> ReplacePreview:
    """Compare the stored version's clauses and chunks with the new version's."""
    before = [c for c in store.chunks() if c.doc_id == doc.doc_id]
    old_clauses, new_clauses = _clauses(before), _clauses(doc.chunks)
    old_texts, new_texts = Counter(c.text for c in before), Counter(c.text for c in doc.chunks)
    kept = sum((old_texts & new_texts).values())
    return ReplacePreview(
        doc_id=doc.doc_id,
        file_name=doc.path.name,
        old_title=old.title,
        new_title=doc.title,
        clauses_added=[new_clauses[k][0] for k in new_clauses if k not in old_clauses],
        clauses_removed=[old_clauses[k][0] for k in old_clauses if k not in new_clauses],
        clauses_changed=[
            new_clauses[k][0]
            for k in new_clauses
            if k in old_clauses and new_clauses[k][1] != old_clauses[k][1]
        ],
        clauses_unchanged=sum(
            1 for k in new_clauses if k in old_clauses and new_clauses[k][1] == old_clauses[k][1]
        ),
        chunks_added=sum(new_texts.values()) - kept,
        chunks_removed=sum(old_texts.values()) - kept,
        chunks_unchanged=kept,
    )


def _clauses(chunks: Iterable[Chunk]) -> dict[str, tuple[str, str]]:
    """clause_key → (its path for people, its whole text)."""
    found: dict[str, tuple[str, list[str]]] = {}
    for c in chunks:
        found.setdefault(c.clause_key, (c.clause_path or c.clause_label, []))[1].append(c.text)
    return {k: (label, "\n".join(texts)) for k, (label, texts) in found.items()}
