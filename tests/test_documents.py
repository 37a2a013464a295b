"""Source files and metadata → policy documents, including the split of a weekly compilation."""
import pytest

from etl.documents import MetadataError, load_document, read_metadata
from indicators.paths import POLICIES_DIR
from indicators.regions import UnknownRegion, default_region_history

COMPILATION = POLICIES_DIR / "004_f0a0ede04f7e6c37.txt"


@pytest.fixture(scope="module")
def compilation():
    return load_document(COMPILATION, default_region_history())


def test_compilation_splits_into_its_eighteen_documents(compilation):
    assert len(compilation.sections) == 18
    lines = [(section.first_line, section.last_line) for section in compilation.sections]
    assert all(first <= last for first, last in lines)
    assert all(previous[1] + 1 == following[0] for previous, following in zip(lines, lines[1:]))


@pytest.mark.parametrize(
    ("title_start", "region", "level"),
    [
        ("国务院《关于开展营商环境创新试点工作的意见》", "全国", "national"),
        ("国家海关《核准出口商管理办法》", "全国", "national"),
        ("安徽省《优化营商环境条例》", "安徽省", "province"),
        ("山西省《“十四五”“六最”营商环境建设规划》", "山西省", "province"),
        ("广东省广州市《", "广州市", "prefecture"),
        ("广东省江门市《", "江门市", "prefecture"),
        ("重庆市万州区《", "万州区", "county"),
        ("山东省临沂市海关《", "临沂市", "prefecture"),
        ("浙江省永康市《", "永康市", "county"),
    ],
)
def test_each_part_has_its_own_region_and_level(compilation, title_start, region, level):
    [section] = [section for section in compilation.sections if section.title.startswith(title_start)]
    assert (section.region, section.level) == (region, level)


def test_shanxi_plan_spans_its_own_lines(compilation):
    [shanxi] = [section for section in compilation.sections if section.title.startswith("山西省")]
    assert (shanxi.first_line, shanxi.last_line) == (1535, 1886)


def test_compilation_split_does_not_depend_on_line_numbers(tmp_path):
    """Shift the body by inserting blank lines: the parts move with their headings."""
    text = COMPILATION.read_text(encoding="utf-8").split("\n")
    shifted = text[:40] + [""] * 7 + text[40:]
    path = tmp_path / COMPILATION.name
    path.write_text("\n".join(shifted), encoding="utf-8")
    (tmp_path / "004_f0a0ede04f7e6c37.meta.yml").write_bytes((POLICIES_DIR / "004_f0a0ede04f7e6c37.meta.yml").read_bytes())
    moved = load_document(path, default_region_history())
    [shanxi] = [section for section in moved.sections if section.title.startswith("山西省")]
    assert (shanxi.first_line, shanxi.last_line) == (1542, 1893)


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        (None, "缺少元数据文件"),
        ("title: x\n", "元数据缺少字段"),
        ("title: [unclosed\n", "元数据文件无法解析"),
        ("title: t\nissuer: i\nregion: 青海省\nissue_date: 20-13-45\nsource: s\n", "发布日期格式错误"),
    ],
)
def test_bad_metadata_is_named(tmp_path, meta, message):
    document = tmp_path / "doc.txt"
    document.write_text("企业开办时间压缩至2个工作日以内。", encoding="utf-8")
    if meta is not None:
        (tmp_path / "doc.meta.yml").write_text(meta, encoding="utf-8")
    with pytest.raises(MetadataError) as raised:
        read_metadata(document)
    assert message in raised.value.reason_zh


def test_a_listed_title_missing_from_the_body_is_an_error(tmp_path):
    """Otherwise that part would silently join the part before it, under the wrong region."""
    text = COMPILATION.read_text(encoding="utf-8").split("\n")
    heading = text.index("国家海关《核准出口商管理办法》", 40)
    text[heading] = "（标题缺失）"
    path = tmp_path / COMPILATION.name
    path.write_text("\n".join(text), encoding="utf-8")
    (tmp_path / "004_f0a0ede04f7e6c37.meta.yml").write_bytes((POLICIES_DIR / "004_f0a0ede04f7e6c37.meta.yml").read_bytes())
    with pytest.raises(MetadataError) as raised:
        load_document(path, default_region_history())
    assert "国家海关《核准出口商管理办法》" in raised.value.reason_zh


def write_document(folder, region, issue_date, text="企业开办时间压缩至2个工作日以内。", compilation=False):
    path = folder / "doc.txt"
    path.write_text(text, encoding="utf-8")
    (folder / "doc.meta.yml").write_text(
        f"title: 测试文件\nissuer: 测试办公厅\nregion: {region}\nissue_date: {issue_date}\nsource: 测试\n"
        f"compilation: {str(compilation).lower()}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("region", "issue_date", "code", "level"),
    [
        ("莱芜市", "2016-03-01", "371200", "prefecture"),  # retired in 2018: as of the document's year
        ("莱芜", "2016", "371200", "prefecture"),
        ("莱芜", "2021", "370116", "county"),  # by then 莱芜区 of 济南市
        ("临平区", "2022-06-30", "330113", "county"),
        ("浙江省杭州市临平区", "2022", "330113", "county"),
        ("临平区", "null", "330113", "county"),  # no date: the latest year
        ("河南省洛阳市", "2021", "410300", "prefecture"),
        ("上海市浦东新区", "2021", "310115", "county"),
        ("德州", "2021", "371400", "prefecture"),
    ],
)
def test_a_documents_region_resolves_as_of_its_year(tmp_path, region, issue_date, code, level):
    [section] = load_document(write_document(tmp_path, region, issue_date), default_region_history()).sections
    assert (section.region_code, section.level) == (code, level)


@pytest.mark.parametrize(
    ("region", "issue_date", "shown"),
    [
        ("临平区", "2019-05-01", "330113"),  # not yet in use: says when it was
        ("莱芜市", "2022", "370100"),  # retired: says what covers it now
        ("浙江省杭州市临平区", "2019", "330113"),  # never 杭州市
    ],
)
def test_a_region_not_in_use_in_the_documents_year_is_refused(tmp_path, region, issue_date, shown):
    with pytest.raises(UnknownRegion) as raised:
        load_document(write_document(tmp_path, region, issue_date), default_region_history())
    assert f"({shown})" in str(raised.value)


COMPILATION_TEXT = "营商环境政策汇编\n浙江省杭州市临平区《关于优化营商环境的通知》\n企业开办时间压缩至1个工作日以内。\n" \
                   "山东省临沂市《通知》\n办电时间不超过5天。\n"


def test_compilation_headings_resolve_as_of_the_compilations_year(tmp_path):
    path = write_document(tmp_path, "全国", "2022-01-10", COMPILATION_TEXT, compilation=True)
    sections = load_document(path, default_region_history()).sections
    assert [(section.region_code, section.level) for section in sections] == [("330113", "county"), ("371300", "prefecture")]


def test_a_compilation_heading_naming_a_region_of_a_later_year_is_refused_not_read_as_its_parent(tmp_path):
    """In 2019 临平区 did not exist yet; the heading must not silently become 杭州市 nor join the part before."""
    path = write_document(tmp_path, "全国", "2019-01-10", COMPILATION_TEXT, compilation=True)
    with pytest.raises(UnknownRegion, match="临平区.*2019 年不是浙江省杭州市的下级地区.*330113"):
        load_document(path, default_region_history())
