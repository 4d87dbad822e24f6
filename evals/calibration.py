"""Labelled sentences for calibrating and self-testing the offline support scorer.

Each example is (sentence, source paragraph key, supported?). Sources are paragraphs of the bundled
corpus picked by a phrase they start with, so the examples stay true to the corpus text.
"""

from __future__ import annotations

from evals.dataset import Corpus

KH32 = "ke-hoach-32-KH-BCSD"
HP = "hien-phap-2013"
# key -> (doc, opening words of the paragraph)
SOURCES = {
    "nv4": (KH32, "Thứ tư, tiếp tục tham mưu"),
    "nv4b": (KH32, "Tiếp tục đẩy mạnh cải cách hành chính"),
    "nv2": (KH32, "Xây dựng ý thức và lối sống"),
    "nv5": (KH32, "Thứ năm, hoàn thiện cơ chế"),
    "nv6": (KH32, "Thứ sáu, tăng cường"),
    "yeucau": (KH32, "Đồng thời, việc tổ chức triển khai"),
    "mucdich": (KH32, "Mục đích của Kế hoạch"),
    "hp86": (HP, "Chủ tịch nước là người đứng đầu"),
    "hp27": (HP, "Công dân đủ mười tám tuổi"),
}

LABELLED: list[tuple[str, str, bool]] = [
    # verbatim quotes
    (
        "Tiếp tục đẩy mạnh cải cách hành chính, trọng tâm là nâng cao chât lượng đội ngũ cán bộ, công chức, "
        "viên chức với 03 trụ cột chính: Tổ chức bộ máy; công vụ, công chức; "
        "hành chính điện tử và chuyển đổi số.",
        "nv4b",
        True,
    ),
    (
        "Thứ năm, hoàn thiện cơ chế kiểm soát quyền lực nhà nước; "
        "đẩy mạnh phòng, chống tham nhũng, tiêu cực.",
        "nv5",
        True,
    ),
    (
        "Chủ tịch nước là người đứng đầu Nhà nước, thay mặt nước Cộng hòa xã hội chủ nghĩa Việt Nam "
        "về đối nội "
        "và đối ngoại.",
        "hp86",
        True,
    ),
    # light paraphrases, condensations and corrected OCR slips
    (
        "Cải cách hành chính tập trung nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức "
        "với ba trụ cột: "
        "tổ chức bộ máy, công vụ công chức, hành chính điện tử và chuyển đổi số.",
        "nv4b",
        True,
    ),
    (
        "Kế hoạch yêu cầu giảm hợp lý số lượng các bộ, cơ quan ngang bộ và cơ quan chuyên môn thuộc UBND cấp "
        "tỉnh, cấp huyện.",
        "nv4",
        True,
    ),
    (
        "Việc triển khai Nghị quyết phải kết hợp hài hòa giữa kế thừa, ổn định với đổi mới, "
        "phát triển và thực "
        "hiện khẩn trương, nhất quán, có lộ trình.",
        "yeucau",
        True,
    ),
    (
        "Học viện Hành chính Quốc gia sẽ đưa nội dung về Hiến pháp và Nhà nước pháp quyền vào chương trình "
        "đào tạo, bồi dưỡng.",
        "nv2",
        True,
    ),
    (
        "Kiểm soát quyền lực được gắn với siết chặt kỷ luật, kỷ cương trong hoạt động của Nhà nước "
        "và cán bộ, "
        "công chức, viên chức.",
        "nv5",
        True,
    ),
    (
        "Chủ tịch nước đứng đầu Nhà nước và thay mặt nước Cộng hòa xã hội chủ nghĩa Việt Nam về đối nội, đối "
        "ngoại.",
        "hp86",
        True,
    ),
    # invented sentences on the topic of the cited source
    ("Kế hoạch yêu cầu hoàn thành việc sáp nhập các bộ trước cuối năm 2025.", "nv4", False),
    (
        "Bộ Nội vụ được cấp thêm ngân sách để tuyển dụng chuyên gia nước ngoài cho cải cách hành chính.",
        "nv4b",
        False,
    ),
    ("Người đứng đầu đơn vị không hoàn thành nhiệm vụ sẽ bị cách chức ngay lập tức.", "yeucau", False),
    ("Cải cách hành chính gồm 05 trụ cột chính, trong đó có cải cách tiền lương.", "nv4b", False),
    ("Chủ tịch nước do nhân dân trực tiếp bầu ra với nhiệm kỳ bảy năm.", "hp86", False),
    (
        "Kế hoạch giao Thanh tra Bộ xử lý kỷ luật các cán bộ vi phạm trong phòng, chống tham nhũng.",
        "nv5",
        False,
    ),
    # a body the cited passage does not name (it says "của Bộ"): a name must be in the passage (issue 12)
    ("Bộ Nội vụ chủ động mở rộng hợp tác quốc tế trên các lĩnh vực quản lý nhà nước của Bộ.", "nv6", False),
    # true sentences cited to the wrong source
    ("Công dân đủ mười tám tuổi trở lên có quyền bầu cử.", "hp86", False),
    ("Tiếp tục đẩy mạnh cải cách hành chính với 03 trụ cột chính.", "nv6", False),
    (
        "Đơn giản hóa thủ tục hành chính, cắt bỏ các thủ tục không cần thiết, gây phiền hà cho người dân và "
        "doanh nghiệp.",
        "mucdich",
        False,
    ),
    ("Mở rộng hợp tác quốc tế trên các lĩnh vực quản lý nhà nước của Bộ.", "yeucau", False),
]


def source_text(corpus: Corpus, key: str) -> str:
    """The corpus paragraph that `key` names."""
    doc, opening = SOURCES[key]
    body = corpus.body(doc)
    start = body.index(opening)
    end = body.find("\n\n", start)
    return body[start : end if end >= 0 else len(body)]
