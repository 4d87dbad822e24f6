"""What a faithful paraphrase says in other words at one place of its sources (answering/paraphrases.py), and
the reversed cases that stay flagged (issue 22, round three).

Each faithful pair is written on sentences of documents made up for the test (none of the bundled corpus's
or the standard corpus's), in the classes a model uses: a denial said with another word of its kind, a
reversing prefix for the source's negation, a bound said another way, the measure of a number named for the
doing it measures, a doing made a noun, words that say the same where they stand. Each flagged pair changes
what the source says with the same words."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answering.support import SupportScorer
from tests.conftest import FakeEmbeddings

LAW = ("Luật Tiếp cận thông tin",)

FAITHFUL = [
    # a denial said with another word of the same kind
    (
        "Mọi người có quyền tiếp cận thông tin. Không ai được tự ý sao chép hồ sơ lưu trữ của cơ quan khác "
        "nếu không được người đứng đầu đồng ý.",
        "Luật cấm tự ý sao chép hồ sơ lưu trữ của cơ quan khác nếu không được người đứng đầu đồng ý.",
    ),
    (
        "Nghiêm cấm cơ quan, tổ chức, cá nhân cản trở việc cung cấp thông tin cho công dân.",
        "Không cơ quan, tổ chức, cá nhân nào được cản trở việc cung cấp thông tin cho công dân.",
    ),
    (  # the ban moved after whom it binds
        "Cơ quan nhà nước công khai thông tin; nghiêm cấm cán bộ cản trở việc cung cấp thông tin cho dân.",
        "Cơ quan nhà nước công khai thông tin; cán bộ không được cản trở việc cung cấp thông tin cho dân.",
    ),
    (
        "Người yêu cầu cung cấp thông tin không phải nộp phí khi nhận thông tin qua mạng điện tử.",
        "Người yêu cầu cung cấp thông tin được miễn phí khi nhận thông tin qua mạng điện tử.",
    ),
    (
        "Học viên đã có chứng chỉ tương đương thì không phải tham gia khóa tập huấn năm 2025.",
        "Học viên đã có chứng chỉ tương đương được miễn tham gia khóa tập huấn năm 2025.",
    ),
    (
        "Nhà nước bảo đảm việc đăng ký khai sinh là bắt buộc, cơ quan đăng ký không thu lệ phí.",
        "Nhà nước bảo đảm việc đăng ký khai sinh là bắt buộc và được miễn lệ phí.",
    ),
    (  # the ban of a lead, said of one of its items
        "Điều 9. Những việc viên chức không được làm\n1. Từ chối thực hiện nhiệm vụ được giao.\n"
        "2. Sử dụng tài sản của đơn vị trái pháp luật.",
        "Viên chức bị cấm sử dụng tài sản của đơn vị trái pháp luật.",
    ),
    # a reversing prefix for the source's negation
    (
        "Hợp đồng được coi là không có hiệu lực kể từ thời điểm giao kết.",
        "Hợp đồng được coi là vô hiệu lực kể từ thời điểm giao kết.",
    ),
    # a bound said another way
    (
        "Nghiêm cấm tuyển dụng người dưới độ tuổi lao động tối thiểu vào làm công việc nặng nhọc.",
        "Pháp luật nghiêm cấm tuyển dụng người chưa đủ độ tuổi lao động tối thiểu vào làm công việc nặng "
        "nhọc.",
    ),
    # the measure of a number named for the doing it measures, and the reverse
    (
        "Người đứng đầu đơn vị tham gia tập huấn nghiệp vụ tối thiểu 12 giờ trong một năm.",
        "Với người đứng đầu đơn vị, thời lượng tập huấn nghiệp vụ tối thiểu là 12 giờ trong một năm.",
    ),
    (
        "Sở Tư pháp tổ chức 03 đợt kiểm tra, mỗi đợt không quá 08 cơ quan, thời gian mỗi đợt 10 ngày.",
        "Sở Tư pháp tổ chức 03 đợt kiểm tra, mỗi đợt không quá 08 cơ quan và kéo dài 10 ngày.",
    ),
    # a doing made a noun, and words that say the same where they stand
    (
        "2. Chánh Thanh tra tiếp công dân vào ngày thứ Ba hằng tuần tại trụ sở của Thanh tra.",
        "Việc tiếp công dân của Chánh Thanh tra diễn ra vào ngày thứ Ba mỗi tuần tại trụ sở của Thanh tra.",
    ),
    (
        "Báo cáo quyết toán được gửi chậm nhất là ba mươi ngày, kể từ ngày kết thúc năm ngân sách.",
        "Báo cáo quyết toán được gửi trong vòng ba mươi ngày kể từ ngày kết thúc năm ngân sách.",
    ),
    (  # a condition opened another way, a passive said in the active
        "Quốc hội bầu Chánh án. Khi Chánh án không làm việc được trong thời gian dài thì Phó Chánh án giữ "
        "quyền Chánh án.",
        "Trong trường hợp Chánh án không làm việc được trong thời gian dài, Phó Chánh án sẽ giữ quyền "
        "Chánh án.",
    ),
    (
        "Người cao tuổi được Nhà nước, gia đình và xã hội chăm sóc.",
        "Nhà nước, gia đình và xã hội chăm sóc người cao tuổi.",
    ),
    (
        "Kết luận thanh tra được gửi Chánh Thanh tra trong thời hạn 10 ngày kể từ ngày kết thúc thanh tra.",
        "Kết luận thanh tra được gửi Chánh Thanh tra trong vòng 10 ngày kể từ ngày kết thúc thanh tra.",
    ),
    (
        "1.2. Đăng tải toàn văn quy chế trên trang thông tin điện tử của Thanh tra tỉnh.\n\n"
        "- Đơn vị chủ trì: Văn phòng Thanh tra tỉnh.",
        "Việc đăng tải toàn văn quy chế trên trang thông tin điện tử của Thanh tra tỉnh do Văn phòng "
        "Thanh tra tỉnh chủ trì.",
    ),
]

FLAGGED = [
    # an exemption where the source obliges or forbids, a ban where it exempts
    (
        "Người yêu cầu cung cấp thông tin phải nộp phí khi nhận bản sao giấy.",
        "Người yêu cầu cung cấp thông tin được miễn phí khi nhận bản sao giấy.",
    ),
    (
        "Học viên không được tham gia khóa tập huấn khi chưa có quyết định cử đi học.",
        "Học viên được miễn tham gia khóa tập huấn khi chưa có quyết định cử đi học.",
    ),
    (
        "Người yêu cầu cung cấp thông tin không phải nộp phí khi nhận thông tin qua mạng điện tử.",
        "Luật Tiếp cận thông tin cấm nộp phí khi nhận thông tin qua mạng điện tử.",
    ),
    (
        "Cơ quan nhà nước công khai thông tin; nghiêm cấm cán bộ cản trở việc cung cấp thông tin cho dân.",
        "Cơ quan nhà nước công khai thông tin; cán bộ không phải cản trở việc cung cấp thông tin cho dân.",
    ),
    (
        "Cơ quan nhà nước công khai thông tin; nghiêm cấm cán bộ cản trở việc cung cấp thông tin cho dân.",
        "Cơ quan nhà nước công khai thông tin; cán bộ được cản trở việc cung cấp thông tin cho dân.",
    ),
    (  # a ban no lead says, or a lead's ban said of others than whom it binds
        "Điều 8. Những việc viên chức được làm\n1. Tham gia hoạt động kinh doanh theo quy định của luật.",
        "Viên chức bị cấm tham gia hoạt động kinh doanh theo quy định của luật.",
    ),
    (
        "Điều 9. Những việc viên chức không được làm\n1. Từ chối thực hiện nhiệm vụ được giao.\n"
        "2. Sử dụng tài sản của đơn vị trái pháp luật.",
        "Người lao động bị cấm sử dụng tài sản của đơn vị trái pháp luật.",
    ),
    (  # a ban put over a ban said another way
        "Mọi người có quyền tiếp cận thông tin. Không ai được tự ý sao chép hồ sơ lưu trữ của cơ quan khác "
        "nếu không được người đứng đầu đồng ý.",
        "Không được Luật cấm tự ý sao chép hồ sơ lưu trữ của cơ quan khác nếu không được người đứng đầu "
        "đồng ý.",
    ),
    # a negation added next to a word that carries one
    (
        "Học viên đã có chứng chỉ tương đương thì không phải tham gia khóa tập huấn năm 2025.",
        "Học viên đã không có chứng chỉ tương đương được miễn tham gia khóa tập huấn năm 2025.",
    ),
    # a prefix that reverses what the source says without a negation
    (
        "Hợp đồng được coi là có hiệu lực kể từ thời điểm giao kết.",
        "Hợp đồng được coi là vô hiệu lực kể từ thời điểm giao kết.",
    ),
    # a bound put where the source states the reverse, a negation put before the source's bound
    (
        "Công dân đủ mười tám tuổi trở lên được cấp thẻ căn cước.",
        "Công dân chưa đủ mười tám tuổi được cấp thẻ căn cước.",
    ),
    # a measure with another number, or another measure in place of the doing
    (
        "Người đứng đầu đơn vị tham gia tập huấn nghiệp vụ tối thiểu 12 giờ trong một năm.",
        "Với người đứng đầu đơn vị, thời lượng tập huấn nghiệp vụ tối thiểu là 20 giờ trong một năm.",
    ),
    (
        "Sở Tư pháp tổ chức 03 đợt kiểm tra, mỗi đợt không quá 08 cơ quan, thời gian mỗi đợt 10 ngày.",
        "Sở Tư pháp tổ chức 03 đợt kiểm tra, mỗi đợt không quá 10 cơ quan và kéo dài 08 ngày.",
    ),
    # a doing made a noun, done by someone the source does not name there
    (
        "2. Chánh Thanh tra tiếp công dân vào ngày thứ Ba hằng tuần tại trụ sở của Thanh tra.",
        "Việc tiếp công dân của Phó Chánh Thanh tra diễn ra vào ngày thứ Ba mỗi tuần.",
    ),
    # another body named where a condition is opened another way, or who acts in the active
    (
        "Quốc hội bầu Chánh án. Khi Chánh án không làm việc được trong thời gian dài thì Phó Chánh án giữ "
        "quyền Chánh án.",
        "Trong trường hợp Quốc hội không làm việc được trong thời gian dài, Phó Chánh án sẽ giữ quyền "
        "Chánh án.",
    ),
    (
        "Hợp đồng được gia hạn nếu hai bên đồng ý bằng văn bản.",
        "Hợp đồng được gia hạn trừ khi hai bên đồng ý bằng văn bản.",
    ),
    # words that say the same in one place do not in another
    (
        "Báo cáo quyết toán được gửi chậm nhất là ba mươi ngày, kể từ ngày kết thúc năm ngân sách.",
        "Báo cáo quyết toán được gửi sớm nhất là ba mươi ngày kể từ ngày kết thúc năm ngân sách.",
    ),
]


@pytest.fixture(scope="module")
def scorer(tmp_path_factory: pytest.TempPathFactory) -> SupportScorer:
    """The claim check alone (`meaning` reads no embedding) over no stored corpus."""
    folder: Path = tmp_path_factory.mktemp("paraphrases")
    return SupportScorer(FakeEmbeddings(folder / "embeddings.sqlite"), [])


@pytest.mark.parametrize(("source", "claim"), FAITHFUL)
def test_a_faithful_paraphrase_passes_the_claim_check(scorer: SupportScorer, source: str, claim: str) -> None:
    assert scorer.meaning(claim, [source], LAW) is None


@pytest.mark.parametrize(("source", "claim"), FLAGGED)
def test_the_same_words_that_change_the_meaning_stay_flagged(
    scorer: SupportScorer, source: str, claim: str
) -> None:
    assert scorer.meaning(claim, [source], LAW) is not None


def test_a_name_of_the_store_opening_a_claim_is_read_whole(tmp_path: Path) -> None:
    """A name the stored documents use ("Quốc hội"), opening a claim, is known only when the sources know it
    whole, not because they have its last word ("xã hội")."""
    stored = SupportScorer(FakeEmbeddings(tmp_path / "embeddings.sqlite"), ["Luật do Quốc hội ban hành."])
    source = ["Người cao tuổi được Nhà nước, gia đình và xã hội chăm sóc."]
    assert stored.meaning("Nhà nước, gia đình và xã hội chăm sóc người cao tuổi.", source, LAW) is None
    assert stored.meaning("Quốc hội, gia đình và xã hội chăm sóc người cao tuổi.", source, LAW) is not None


KHÁM_BỆNH = (
    "Trẻ em chưa đủ sáu tuổi được khám bệnh miễn phí tại cơ sở y tế công lập; nếu gia đình không đủ điều "
    "kiện thì Ủy ban nhân dân cấp xã hỗ trợ chi phí đi lại."
)


def test_a_bound_the_source_says_in_the_same_words_is_no_paraphrase(tmp_path: Path) -> None:
    """A bound said in the source's own words ("không đủ" on both sides) is read as the source reads it: a
    negation added before the sentence stays one more than the source has; said another way ("dưới" for
    "chưa đủ") the bound still stands."""
    scorer = SupportScorer(FakeEmbeddings(tmp_path / "embeddings.sqlite"), [])
    added = "Không trẻ em chưa đủ sáu tuổi được khám bệnh miễn phí" + KHÁM_BỆNH.removeprefix(
        "Trẻ em chưa đủ sáu tuổi được khám bệnh miễn phí"
    )
    assert scorer.meaning(added, [KHÁM_BỆNH], LAW) is not None
    kept = "Trẻ em dưới sáu tuổi được khám bệnh miễn phí tại cơ sở y tế công lập."
    assert scorer.meaning(kept, [KHÁM_BỆNH], LAW) is None
