"""Web and e-mail addresses in documents are shown as text, never as links (issue 23, item 11): Streamlit's
Markdown (GFM) links bare addresses by itself, after escapes are read, so escaped text alone still made
`<a target=_blank>` of them (checked in the browser by tests/ui/test_pages_browser.py)."""

from __future__ import annotations

import io
import re
import zipfile

from hypothesis import given
from hypothesis import strategies as st

from assistant.classroom.handout import conversation_blocks, to_docx, to_markdown
from assistant.language.markup import WORD_JOINER, escape_markdown, unlinked

# What GFM links by itself (mdast-util-gfm-autolink-literal, as remark-gfm runs it in Streamlit's frontend),
# in the text a Markdown reader sees once escapes are read.
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE | re.ASCII)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII)
ADDRESSES = [
    "https://vi.wikipedia.org/wiki/Kế_hoạch?a=1&b=2",
    "http://evil.example.com/pixel.png",
    "HTTPS://EXAMPLE.COM",
    "www.chinhphu.vn",
    "WWW.moha.gov.vn/tin-tuc",
    "van.thu@moha.gov.vn",
    "mailto:thu-ky@example.org",
    "(xem https://example.com/a_(b))",
]


def _read(markdown: str) -> str:
    """What a Markdown reader takes as text: backslash escapes read."""
    return re.sub(r"\\(.)", r"\1", markdown)


def gfm_links(text: str) -> list[str]:
    """The addresses GFM would make links of in text (as a reader takes it: escapes read)."""
    return [m.group(0) for m in GFM_URL.finditer(text)] + [m.group(0) for m in GFM_EMAIL.finditer(text)]


def test_the_addresses_before_are_what_gfm_links() -> None:
    """The check below is a real one: each address, as it was escaped before, is a GFM link."""
    for address in ADDRESSES:
        assert gfm_links(_read(escape_markdown(address).replace(WORD_JOINER, ""))), address


def test_an_address_reads_the_same_and_links_nowhere() -> None:
    for address in ADDRESSES:
        for streamlit in (True, False):
            shown = _read(escape_markdown(f"Xem {address} nhé.", streamlit=streamlit))
            assert gfm_links(shown) == [], (address, shown)
            assert shown.replace(WORD_JOINER, "") == f"Xem {address} nhé."  # the same text on screen


def test_text_without_addresses_is_untouched() -> None:
    for text in ("Kế hoạch 32-KH/BCSĐ: 20% và 1.000 người.", "http là giao thức", "wwwx.com", "a @ b"):
        assert unlinked(text) == text


@given(
    st.lists(
        st.one_of(
            st.sampled_from(ADDRESSES),
            st.text(alphabet="abcđươ.:/@-_ ?=&()wWhHtTpPsS\n", max_size=12),
        ),
        max_size=8,
    )
)
def test_no_mix_of_text_and_addresses_makes_a_link(parts: list[str]) -> None:
    text = " ".join(parts)
    for streamlit in (True, False):
        shown = _read(escape_markdown(text, streamlit=streamlit))
        assert gfm_links(shown) == []
        assert shown.replace(WORD_JOINER, "") == text.replace(WORD_JOINER, "")


def test_exports_show_addresses_as_text() -> None:
    """The conversation's Markdown export links nothing; its Word export holds no hyperlink."""
    address = "https://evil.example.com/theo-doi.png"
    messages = [
        {"role": "user", "content": f"Trang {address} là gì?"},
        {
            "role": "assistant",
            "content": f"Theo tài liệu: xem {address} hoặc thu.ky@example.org. [1]",
            "citations": [
                {
                    "n": 1,
                    "label": "QC 1, Điều 1",
                    "title": "Quy chế có địa chỉ www.example.org",
                    "text": f"Sơ đồ tại {address}.",
                    "quotes": [f"Sơ đồ tại {address}."],
                }
            ],
        },
    ]
    blocks = conversation_blocks(messages)
    markdown = to_markdown(blocks)
    assert gfm_links(_read(markdown)) == []
    assert address in _read(markdown).replace(WORD_JOINER, "")
    with zipfile.ZipFile(io.BytesIO(to_docx(blocks))) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
        relations = docx.read("word/_rels/document.xml.rels").decode("utf-8")
    assert "w:hyperlink" not in body and "hyperlink" not in relations
    assert address in body  # Word shows the text exactly (it links nothing it opens)
