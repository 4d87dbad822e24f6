"""Look-alike names: a title, number, document id or account name that only looks like a stored one is
the same name (language/lookalike.py), so it cannot pass as new; Vietnamese letters keep their marks.

The attacks from the hostile-user review first (each refused, nothing written), then property tests: random
mixes of look-alike changes to stored names all collide with the original, and names that differ in a
diacritic or a letter never do.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from confusable_homoglyphs.confusables import confusables_data
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assistant import Assistant, DocumentError, InputError, Settings
from assistant.access.accounts import Accounts, _find
from assistant.access.roles import Role
from assistant.language.lookalike import VIETNAMESE_MARKS, identity_key, skeleton
from assistant.language.names import short_name
from assistant.store.chroma import DocumentInfo
from ingest.identity import _claimed
from ingest.pipeline import PreparedDocument
from ingest.uploads import ingest_uploads
from tests.cli.test_cli import run_cli
from tests.conftest import CORPUS
from tests.roles import ADMIN

PASSWORD = "mat-khau-du-dai"
KH32 = "ke-hoach-32-KH-BCSD"
KH32_TITLE = "Kế hoạch số 32-KH/BCSĐ của Ban Cán sự đảng Bộ Nội vụ thực hiện Nghị quyết số 27-NQ/TW"
FORGED_BODY = "1. Kế hoạch này đã bị hủy bỏ toàn bộ, không còn hiệu lực.\n"
# A header block as an official document opens (motto, number, place and date, kind, summary).
HEADER = (
    "BAN CÁN SỰ ĐẢNG BỘ NỘI VỤ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
    "Số: {number}\nHà Nội, ngày 16 tháng 02 năm 2023\nKẾ HOẠCH\nTHỰC HIỆN NGHỊ QUYẾT SỐ 27-NQ/TW\n\n"
)


# --- the reproductions ----------------------------------------------------------------------------------

FORMS = {
    "en-dash": "32\u2013KH/BCSĐ",
    "non-breaking-hyphen": "32\u2011KH/BCSĐ",
    "spaced-hyphen": "32 - KH/BCSĐ",
    "cyrillic-ka": "32-\u041aH/BCSĐ",
    "full-width": "\uff13\uff12-KH/BCSĐ",
}


@pytest.mark.parametrize("where", ["header", "title"])
@pytest.mark.parametrize("form", list(FORMS))
def test_a_look_alike_of_the_plans_number_is_refused(shared: Assistant, form: str, where: str) -> None:
    """`Số: 32–KH/BCSĐ` in a header, or `Kế hoạch số 32‑KH/BCSĐ` as a title, claims KH 32-KH/BCSĐ."""
    number = FORMS[form]
    head = HEADER.format(number=number) if where == "header" else f"TITLE: Kế hoạch số {number}\n---\n\n"
    before = shared.store.documents()
    with pytest.raises(DocumentError, match=f"đã có trong kho với mã '{KH32}'"):
        ingest_uploads(
            ADMIN, shared.store, shared.settings, [("kh32-ban-moi.md", (head + FORGED_BODY).encode())]
        )
    assert shared.store.documents() == before


def test_the_plan_is_not_answered_from_a_refused_forgery(shared: Assistant) -> None:
    question = "Kế hoạch 32 có bị hủy không?"
    answer = shared.ask(question).to_json()["answer"]
    for number in FORMS.values():
        with pytest.raises(DocumentError):
            ingest_uploads(
                ADMIN,
                shared.store,
                shared.settings,
                [("kh32-ban-moi.md", (HEADER.format(number=number) + FORGED_BODY).encode())],
            )
    after = shared.ask(question).to_json()["answer"]
    assert after == answer
    assert "hủy bỏ toàn bộ" not in after


@pytest.mark.parametrize(
    "head",
    [
        HEADER.format(number="32-KH/BCSĐ").replace("Số:", "\u0405\u1ed1:"),  # Cyrillic Ѕ in "Số"
        HEADER.format(number="32-KH/BCSĐ").replace("KẾ HOẠCH", "\u041aẾ HOẠCH"),  # Cyrillic К in the kind
        HEADER.format(number="32-KH/BCSĐ").replace("Số:", "Số\uff1a"),  # a full-width colon
        "TITLE: \u041aế hoạch số 32-KH/BCSĐ\n---\n\n",  # Cyrillic К in the kind of a title
        "TITLE: Kế hoạch số 32-KH\u2044BCSĐ\n---\n\n",  # a fraction slash
    ],
    ids=["so-cyrillic", "kind-cyrillic", "so-full-width-colon", "title-kind-cyrillic", "slash"],
)
def test_a_header_that_hides_its_claim_behind_look_alikes_is_refused(shared: Assistant, head: str) -> None:
    before = shared.store.documents()
    with pytest.raises(DocumentError, match=f"với mã '{KH32}'"):
        ingest_uploads(ADMIN, shared.store, shared.settings, [("kh32-moi.md", (head + FORGED_BODY).encode())])
    assert shared.store.documents() == before


def test_the_forms_already_refused_stay_refused(shared: Assistant) -> None:
    for head in (
        f"TITLE: {KH32_TITLE}\n---\n\n",  # the exact title
        f"TITLE: {KH32_TITLE.upper()}\n---\n\n",
        "TITLE: Kế hoạch số 32-KH/BCS\u00d0\n---\n\n",
        "TITLE: Kế hoạch số 32-KH/\u200bBCSĐ\n---\n\n",
        HEADER.format(number="32-KH/BCSĐ"),
    ):
        with pytest.raises(DocumentError, match=f"với mã '{KH32}'"):
            ingest_uploads(ADMIN, shared.store, shared.settings, [("moi.md", (head + FORGED_BODY).encode())])


def test_a_new_plan_with_its_own_number_is_still_added(shared: Assistant) -> None:
    """A dash typed by a word processor in a new document's own number is no claim on another's."""
    (added,) = ingest_uploads(
        ADMIN,
        shared.store,
        shared.settings,
        [("kh-45.md", (HEADER.format(number="45\u2013KH/BCSĐ") + FORGED_BODY).encode())],
    )
    assert added.status == "added"
    stored = {d.doc_id: d for d in shared.store.documents()}["kh-45"]
    assert stored.short == "KH 45\u2013KH/BCSĐ"  # kept as written; only the key folds it


@pytest.mark.parametrize("name", ["QUY-CHE-LUU-TRU.TXT", "quy-che-luu-tru .txt", "Quy-Che-Luu-Tru.md"])
def test_a_document_id_that_differs_only_in_case_or_spaces_is_refused(shared: Assistant, name: str) -> None:
    ingest_uploads(
        ADMIN, shared.store, shared.settings, [("quy-che-luu-tru.txt", "Lưu trữ hồ sơ 5 năm.".encode())]
    )
    before = shared.store.documents()
    with pytest.raises(DocumentError) as info:
        ingest_uploads(ADMIN, shared.store, shared.settings, [(name, "Lưu trữ hồ sơ 1 năm.".encode())])
    assert "trông giống hệt mã 'quy-che-luu-tru'" in info.value.message
    assert "Traceback" not in info.value.message
    assert shared.store.documents() == before


def test_two_files_of_one_batch_with_look_alike_names_are_refused(shared: Assistant) -> None:
    before = shared.store.documents()
    files = [("bien-ban.txt", "Biên bản họp.".encode()), ("BIEN-BAN .txt", "Biên bản khác.".encode())]
    with pytest.raises(InputError, match="cùng tên 'bien-ban' và 'BIEN-BAN '"):
        ingest_uploads(ADMIN, shared.store, shared.settings, files)
    assert shared.store.documents() == before


@pytest.mark.parametrize("name", ["\u0430dmin", "\uff41dmin", "ADMIN", "adm\u0456n", "\u0251dmin"])
def test_a_look_alike_user_name_is_refused_naming_the_account(tmp_path: Path, name: str) -> None:
    path = tmp_path / "accounts.sqlite"
    accounts = Accounts(path)
    accounts.add("admin", PASSWORD, Role.ADMIN)
    raw = path.read_bytes()
    with pytest.raises(InputError, match="tài khoản đã có 'admin'"):
        accounts.add(name, PASSWORD, Role.READER)
    assert path.read_bytes() == raw  # nothing written
    assert accounts.names() == ["admin"]
    assert accounts.stored_name(name) == "admin"  # look-ups use the same key


def _users(*args: str, data_dir: Path, stdin: str = "") -> tuple[int, str]:
    """`python -m assistant users ARGS` in this process: (exit code, what it printed)."""
    result = run_cli("users", *args, data_dir=data_dir, stdin=stdin)
    return result.returncode, result.stdout + result.stderr


def test_the_cli_refuses_a_cyrillic_user_name_and_lists_admin_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, said = _users("add", "admin", "--role", "admin", "--password-stdin", data_dir=data, stdin=PASSWORD)
    assert code == 0, said
    code, said = _users("add", "\u0430dmin", "--password-stdin", data_dir=data, stdin=PASSWORD)
    assert code != 0
    assert "tài khoản đã có 'admin'" in said and "Traceback" not in said
    code, said = _users("remove", "\uff41dmin", data_dir=data)  # found by the key, named as stored
    assert code == 0 and "Đã xóa tài khoản 'admin'" in said
    assert _users("list", data_dir=data)[1].count("dmin") == 0


def test_an_accounts_file_with_look_alike_names_already_in_it_is_not_guessed(tmp_path: Path) -> None:
    """Written before this check (an accounts file of an older version, taken over as it is): the exact
    name still finds its account; a third spelling finds none."""
    hashed = PasswordHasher().hash(PASSWORD)
    users = {"admin": {"role": "admin", "hash": hashed}, "\u0430dmin": {"role": "reader", "hash": hashed}}
    (tmp_path / "accounts.json").write_text(json.dumps({"users": users}), encoding="utf-8")
    accounts = Accounts.of(Settings(data_dir=tmp_path))
    assert accounts.verify("admin", PASSWORD).role is Role.ADMIN
    assert accounts.verify("\u0430dmin", PASSWORD).role is Role.READER
    assert accounts.verify("\uff41dmin", PASSWORD) is None
    with pytest.raises(InputError, match="giống nhiều tài khoản"):
        accounts.set_role("\uff41dmin", Role.ADMIN)


# --- the key --------------------------------------------------------------------------------------------

# Written by hand from what the letters look like, not from the confusables table.
HAND_MADE_PAIRS = [
    ("admin", "\u0430dmin"),  # Cyrillic а
    ("admin", "\uff41dmin"),  # full-width a
    ("admin", "adm\u0456n"),  # Cyrillic і
    ("admin", "\u0251dmin"),  # Latin alpha ɑ
    ("root", "r\u03bf\u03bft"),  # Greek omicron
    ("operator", "\u043e\u0440erator"),  # Cyrillic о, р
    ("bcsd", "b\u0441sd"),  # Cyrillic с
    ("KH 32-KH/BCSĐ", "\u041a\u041d 32-\u041a\u041d/\u0412\u0421\u0405Đ"),  # Cyrillic К Н В С Ѕ
    ("KH 32-KH/BCSĐ", "KH 32\u2013KH/BCSĐ"),  # en dash
    ("KH 32-KH/BCSĐ", "KH 32\u2011KH/BCSĐ"),  # non-breaking hyphen
    ("KH 32-KH/BCSĐ", "KH 32 \u2014 KH/BCSĐ"),  # spaced em dash
    ("KH 32-KH/BCSĐ", "KH \uff13\uff12\uff0dKH/BCSĐ"),  # full-width digits and hyphen-minus
    ("KH 32-KH/BCSĐ", "KH 32-KH/BCS\u00d0"),  # Icelandic eth
    ("KH 32-KH/BCSĐ", "KH 32-KH\u2215BCSĐ"),  # division slash
    ("Nghị quyết 27-NQ/TW", "Nghị quyết 27\u2212NQ/\u03a4\u200bW"),  # minus, Greek Tau, zero-width space
    ("Kế hoạch", "K\u0435\u0302\u0301 hoạch"),  # Cyrillic е under the marks of ế
    ("Hiến pháp", "Hi\u00adến ph\u0430\u0301p"),  # soft hyphen, Cyrillic а
    ("khóa XIII", "khóa X\u0406\u0406\u0406"),  # Cyrillic І (an I-shaped capital is I)
    ("Bộ Nội vụ", "\u0392\u1ed9 N\u1ed9i v\u1ee5"),  # Greek Beta
    ("quy-che-luu-tru", " QUY-CHE-LUU-TRU\u00a0"),  # case, surrounding spaces
    ("x.y@bnv.gov.vn", "\u0445.\u0443@bnv.gov.vn"),  # Cyrillic х, у
    ("hoa", "h\u03bf\u0251"),  # Greek omicron, Latin alpha
]


@pytest.mark.parametrize(("original", "variant"), HAND_MADE_PAIRS)
def test_hand_made_look_alike_pairs_collide(original: str, variant: str) -> None:
    assert variant != original
    assert identity_key(variant) == identity_key(original)


VOWELS = "aăâeêioôơuưy"
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]  # none, huyền, sắc, hỏi, ngã, nặng
CONSONANTS = "bcdđghklmnpqrstvx"
VIETNAMESE_LETTERS = [unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES] + list(CONSONANTS)


def test_every_vietnamese_letter_keeps_its_own_key() -> None:
    """134 letters (12 vowels × 6 tones, 17 consonants): no two share a key, upper case is lower case, and
    each key is the letter itself ('m' reads 'rn', as Unicode's confusables have it)."""
    keys = {letter: identity_key(letter) for letter in VIETNAMESE_LETTERS}
    assert len(set(keys.values())) == len(VIETNAMESE_LETTERS) == 12 * 6 + 17
    for letter, key in keys.items():
        assert key == ("rn" if letter == "m" else letter)
        assert identity_key(letter.upper()) == key
        assert identity_key(unicodedata.normalize("NFD", letter)) == key
        assert skeleton(letter.upper()) == letter.upper()  # the skeleton keeps the letter as written
    assert identity_key("Kế hoạch") != identity_key("Ke hoach")
    assert identity_key("đ") != identity_key("d") and identity_key("Đảng") != identity_key("Dảng")


@given(st.text())
def test_the_key_is_stable(text: str) -> None:
    key = identity_key(text)
    assert identity_key(key) == key
    assert identity_key(skeleton(text)) == key


# --- property tests -------------------------------------------------------------------------------------

STORED_TITLES = sorted(
    line.removeprefix("TITLE: ").strip()
    for path in CORPUS.glob("*.txt")
    for line in path.read_text(encoding="utf-8").splitlines()[:5]
    if line.startswith("TITLE: ")
)
STORED_NUMBERS = sorted({short_name(t) for t in STORED_TITLES} | {"KH 32-KH/BCSĐ", "NĐ 30/2020/NĐ-CP"})


def test_the_property_tests_have_stored_titles_to_forge() -> None:
    assert len(STORED_TITLES) >= 3, CORPUS


USER_NAMES = ["admin", "quan-tri", "nguyen.van.an", "binh@bnv.gov.vn", "Bình", "tran_thi-hoa", "giang-vien"]

DASH_FORMS = [
    "\u2010",
    "\u2011",
    "\u2012",
    "\u2013",
    "\u2014",
    "\u2015",
    "\u2212",
    "\ufe58",
    "\ufe63",
    "\uff0d",
]
SPACES = [" ", "\u00a0", "\t", "\u3000", "\u2003", "  "]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


def _variants_from_data() -> dict[str, list[str]]:
    """ASCII letter or digit -> the characters whose one look-alike in the package's data is it: the
    direction variant → prototype only (a prototype lists many look-alikes; a variant lists its one)."""
    found: dict[str, list[str]] = {}
    for char, entries in confusables_data.items():
        if len(char) == 1 and not char.isascii() and len(entries) == 1:
            target = entries[0]["c"]
            if len(target) == 1 and target.isascii() and target.isalnum():
                if target == "l" and unicodedata.category(char) == "Lu":
                    target = "I"  # an I-shaped capital is read as I (the key folds case first)
                found.setdefault(target, []).append(char)
    return {k: sorted(v) for k, v in found.items()}


HOMOGLYPHS = _variants_from_data()
CLASSES = ["dash", "spaced-hyphen", "zero-width", "soft-hyphen", "full-width", "homoglyph", "case", "spaces"]


def _positions(text: str, wanted) -> list[int]:
    return [i for i, ch in enumerate(text) if wanted(ch)]


@st.composite
def look_alikes(draw, originals: list[str], classes: list[str] = CLASSES) -> tuple[str, str, tuple[str, ...]]:
    """(original, variant, the kinds of change made): 1–6 changes of the kinds drawn, in any order."""
    original = draw(st.sampled_from(originals))
    text = unicodedata.normalize("NFD", original)  # a homoglyph may then carry a Vietnamese letter's marks
    made = []
    for kind in draw(st.lists(st.sampled_from(classes), min_size=1, max_size=6)):
        if kind in ("dash", "spaced-hyphen"):
            at = _positions(text, lambda c: c == "-")
            if not at:
                continue
            i = draw(st.sampled_from(at))
            dash = draw(st.sampled_from(DASH_FORMS)) if kind == "dash" else "-"
            if kind == "spaced-hyphen":
                dash = draw(st.sampled_from(SPACES)) + dash + draw(st.sampled_from(["", *SPACES]))
            text = text[:i] + dash + text[i + 1 :]
        elif kind in ("zero-width", "soft-hyphen"):
            i = draw(st.integers(0, len(text)))
            text = (
                text[:i]
                + (draw(st.sampled_from(ZERO_WIDTH)) if kind == "zero-width" else "\u00ad")
                + text[i:]
            )
        elif kind == "full-width":
            at = _positions(text, lambda c: "!" <= c <= "~")
            if not at:
                continue
            i = draw(st.sampled_from(at))
            text = text[:i] + chr(ord(text[i]) + 0xFEE0) + text[i + 1 :]
        elif kind == "homoglyph":
            at = _positions(text, lambda c: c in HOMOGLYPHS)
            if not at:
                continue
            i = draw(st.sampled_from(at))
            text = text[:i] + draw(st.sampled_from(HOMOGLYPHS[text[i]])) + text[i + 1 :]
        elif kind == "case":  # of the Latin letters written, not of a homoglyph put in
            at = _positions(text, lambda c: (c.isascii() and c.isalpha()) or c in "đĐ")
            if not at:
                continue
            i = draw(st.sampled_from(at))
            text = text[:i] + (text[i].lower() if text[i].isupper() else text[i].upper()) + text[i + 1 :]
        else:  # spaces around
            text = draw(st.sampled_from(["", *SPACES])) + text + draw(st.sampled_from(SPACES))
        made.append(kind)
    assume(made and unicodedata.normalize("NFC", text) != original)
    return original, text, tuple(made)


def _claims(title: str, stored: list[str]) -> bool:
    """Whether a new document with this own title (TITLE: line) is refused as claiming a stored one."""
    others = [DocumentInfo(f"doc-{i}", t, short_name(t), 1, f"h{i}") for i, t in enumerate(stored)]
    new = PreparedDocument("moi", title, short_name(title), "h", Path("moi.md"), [])
    return _claimed(new, others) is not None


LOOK_ALIKES = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


@LOOK_ALIKES
@given(look_alikes(STORED_TITLES))
def test_no_look_alike_of_a_stored_title_gets_through(case: tuple[str, str, tuple[str, ...]]) -> None:
    original, variant, _ = case
    assert identity_key(variant) == identity_key(original)
    assert _claims(variant, STORED_TITLES)


@LOOK_ALIKES
@given(look_alikes(STORED_NUMBERS))
def test_no_look_alike_of_a_stored_number_gets_through(case: tuple[str, str, tuple[str, ...]]) -> None:
    original, variant, _ = case
    assert identity_key(variant) == identity_key(original)


@LOOK_ALIKES
@given(look_alikes(["32-KH/BCSĐ", "27-NQ/TW", "11-KH/TW"]))
def test_no_look_alike_of_a_plans_number_in_a_title_gets_through(
    case: tuple[str, str, tuple[str, ...]],
) -> None:
    """ "Kế hoạch số 32–KH/BCSĐ" as a new document's title claims KH 32-KH/BCSĐ."""
    original, variant, _ = case
    kind = "Kế hoạch" if "KH" in original else "Nghị quyết"
    assert _claims(f"{kind} số {variant}", STORED_TITLES)


@LOOK_ALIKES
@given(look_alikes(USER_NAMES))
def test_no_look_alike_of_a_user_name_gets_through(case: tuple[str, str, tuple[str, ...]]) -> None:
    original, variant, _ = case
    assert identity_key(variant) == identity_key(original)
    assert _find(dict.fromkeys(USER_NAMES, 0), variant.strip()) == original


# A Vietnamese syllable-ish word: letters with tones, so that one change can be a diacritic or a letter.
WORD = st.lists(st.sampled_from(VIETNAMESE_LETTERS), min_size=1, max_size=7).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.lists(WORD, min_size=1, max_size=5), st.data())
def test_names_that_differ_in_a_diacritic_or_a_letter_keep_distinct_keys(words: list[str], data) -> None:
    name = " ".join(words)
    at = data.draw(st.sampled_from(_positions(name, str.isalpha)))
    other = data.draw(st.sampled_from([c for c in VIETNAMESE_LETTERS if c != name[at]]))
    changed = name[:at] + other + name[at + 1 :]
    assert identity_key(changed) != identity_key(name)
    assert identity_key(changed.upper()) != identity_key(name)  # nor in another case


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(STORED_TITLES), st.data())
def test_titles_that_differ_in_a_diacritic_keep_distinct_keys(title: str, data) -> None:
    """ "Kế hoạch" is not "Kê hoạch" nor "Ke hoạch": a title one mark away from a stored one is its own."""
    decomposed = unicodedata.normalize("NFD", title)
    at = data.draw(st.sampled_from(_positions(decomposed, lambda c: unicodedata.category(c) == "Mn")))
    mark = data.draw(st.sampled_from(["", *(m for m in VIETNAMESE_MARKS if m != decomposed[at])]))
    changed = unicodedata.normalize("NFC", decomposed[:at] + mark + decomposed[at + 1 :])
    assert identity_key(changed) != identity_key(title)
