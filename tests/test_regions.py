"""The GB/T 2260 regions of 1981–2024: each year's table, name resolution, heading prefixes, successors, English names."""
import csv
import functools
import hashlib
import pickle
import re
from collections import Counter

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.build import REGION_COLUMNS, regions_frame
from indicators.paths import ENGLISH_NAMES_FILE, INDICATORS_DIR, REGION_ALIASES_FILE, REGION_HISTORY_FILE, REGIONS_DIR
from indicators.regions import (
    HISTORY_HEADER,
    NATIONAL_CODE,
    Region,
    RegionAliasError,
    RegionDataError,
    RegionHistory,
    RegionTable,
    UnknownRegion,
    default_english_names,
    default_region_history,
    default_region_table,
    english_labels,
    read_english_names,
    read_history,
)
from indicators.regions import NamedRegion as Named
from indicators.store.schema import SCHEMA

HISTORY = default_region_history()
TABLE = default_region_table()
ALL_REGIONS = TABLE.all()
HISTORY_SHA256 = "e3b69e8e13fcb3151b5cd6a03674f89e043f301f308dcb67283533f1a8239794"
# Years whose tables are checked name by name; the property test below samples every year.
CHECKED_YEARS = (1985, 1995, 2000, 2010, 2016, 2019, 2021)


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
    assert str(raised.value).startswith(f"未知地区：{name}")
    assert raised.value.message_en.startswith(f"Unknown region “{name}”")


@pytest.mark.parametrize(
    ("name", "nearest"),
    [
        ("青海省海关", "630000"),  # a close spelling
        ("洛阳县", "410300"),  # the same short form with another suffix
        ("赵", "130133"),  # 赵县
        ("莱芜", None),  # resolves: 莱芜区 (370116) is its short form now
    ],
)
def test_unknown_names_list_the_nearest_regions(name, nearest):
    if nearest is None:
        assert TABLE.resolve(name).code == "370116"
        return
    with pytest.raises(UnknownRegion) as raised:
        TABLE.resolve(name)
    assert nearest in {region.code for region in raised.value.suggestions}
    assert f"({nearest})" in str(raised.value) and "相近的地区" in str(raised.value)
    assert f"({nearest})" in raised.value.message_en and "nearest" in raised.value.message_en


def test_a_retired_name_says_when_it_was_in_use_and_what_covers_it_now():
    with pytest.raises(UnknownRegion) as raised:
        TABLE.resolve("莱芜市")
    message = str(raised.value)
    assert "山东省莱芜市(371200)，1992–2017 年在用，现为 山东省济南市(370100)" in message
    assert "371200" in raised.value.message_en and "370100" in raised.value.message_en


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
    ("name", "code"),
    [
        # Full chains as officials write them, province first.
        ("河南省洛阳市", "410300"),
        ("浙江省杭州市临平区", "330113"),
        ("上海市浦东新区", "310115"),
        ("浙江省金华市永康市", "330784"),
        ("浙江省永康市", "330784"),  # the prefecture left out
        ("湖北省仙桃市", "429004"),
        # 市辖区 names shared by several cities, told apart by the chain.
        ("北京市朝阳区", "110105"),
        ("吉林省长春市朝阳区", "220104"),
        ("山东省济南市市中区", "370103"),
        ("福建省福州市鼓楼区", "350102"),
        ("江苏省南通市通州区", "320612"),
        # Short forms, alone and in chains.
        ("德州", "371400"),
        ("洛阳", "410300"),
        ("河南洛阳", "410300"),
        ("北京朝阳", "110105"),
        ("江苏通州", "320612"),
        ("浙江杭州临平", "330113"),
        ("吉林吉林市", "220200"),
        ("青海海南州", "632500"),
    ],
)
def test_chains_and_short_forms_resolve(name, code):
    assert TABLE.resolve(name).code == code


@pytest.mark.parametrize(
    ("name", "codes"),
    [("四川省市中区", {"511002", "511102"}), ("江苏省鼓楼区", {"320106", "320302"})],
)
def test_a_chain_that_still_fits_several_regions_is_ambiguous(name, codes):
    with pytest.raises(UnknownRegion) as raised:
        TABLE.resolve(name)
    assert {region.code for region in raised.value.candidates} == codes


@pytest.mark.parametrize(
    ("year", "name", "shown"),
    [
        (2019, "浙江省杭州市临平区", "“临平区”在 2019 年不是浙江省杭州市的下级地区；浙江省杭州市临平区(330113)，2021 年起在用"),
        (None, "浙江省杭州市永康市", "“永康市”在 2024 年不是浙江省杭州市的下级地区；现有同名地区：浙江省金华市永康市(330784)"),
        (None, "山东省莱芜市", "“莱芜市”在 2024 年不是山东省的下级地区；山东省莱芜市(371200)，1992–2017 年在用，现为 山东省济南市(370100)"),
    ],
)
def test_a_chain_is_read_whole_or_refused_never_cut_back_to_its_parent(year, name, shown):
    with pytest.raises(UnknownRegion) as raised:
        HISTORY.table(year).resolve(name)
    assert str(raised.value).startswith(f"无法确定地区：{name}（{shown}")
    assert raised.value.message_en.startswith(f"Cannot place the region “{name}”")


# --- As of a year ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("year", "name", "code"),
    [
        (2016, "莱芜市", "371200"),
        (2016, "山东省莱芜市", "371200"),
        (2017, "莱芜", "371200"),
        (2018, "莱芜", "370116"),  # 莱芜区 of 济南市 from 2018 on
        (2022, "临平区", "330113"),
        (2022, "浙江省杭州市临平区", "330113"),
        (2009, "崇文区", "110103"),
        (2005, "南汇区", "310119"),
        (2010, "巢湖市", "341400"),
        (2012, "巢湖市", "340181"),  # from 2011 a county-level city of 合肥市
        (2000, "襄樊市", "420600"),
        (2024, "襄阳市", "420600"),
    ],
)
def test_names_resolve_as_of_a_year(year, name, code):
    assert HISTORY.table(year).resolve(name).code == code


@pytest.mark.parametrize(("year", "name"), [(2019, "临平区"), (2010, "崇文区"), (2024, "莱芜市"), (1990, "浦东新区")])
def test_names_not_in_use_that_year_are_refused_with_their_years(year, name):
    with pytest.raises(UnknownRegion) as raised:
        HISTORY.table(year).resolve(name)
    assert f"不在 {year} 年的地区表中" in str(raised.value) and "年在用" in str(raised.value) or "年起在用" in str(raised.value)


def test_each_year_holds_the_units_in_use_at_its_end():
    rows = list(csv.DictReader(REGION_HISTORY_FILE.read_text(encoding="utf-8-sig").splitlines()))
    for year in (1981, 2000, 2018, 2019, 2024):
        expected = {row["代码"] for row in rows
                    if int(row["启用时间"]) <= year and (not row["变更/弃用时间"] or year < int(row["变更/弃用时间"]))}
        assert {region.code for region in HISTORY.table(year).all()} == expected | {NATIONAL_CODE}, year


def test_years_outside_the_history_use_its_nearest_end():
    assert HISTORY.table(None) is HISTORY.table(2024) is HISTORY.table(2031) is TABLE
    assert HISTORY.table(1970) is HISTORY.table(1981)
    assert (HISTORY.first_year, HISTORY.last_year) == (1981, 2024)
    assert TABLE.year == 2024


def test_a_code_in_use_another_year_says_so():
    with pytest.raises(UnknownRegion, match=r"地区代码 371200 不在 2024 年的地区表中：山东省莱芜市\(371200\)，1992–2017 年在用，现为 山东省济南市\(370100\)"):
        TABLE.by_code("371200")
    with pytest.raises(UnknownRegion, match=r"地区代码 330113 不在 2016 年的地区表中：浙江省杭州市临平区\(330113\)，2021 年起在用"):
        HISTORY.table(2016).by_code("330113")
    with pytest.raises(UnknownRegion) as raised:
        TABLE.by_code("371200")
    assert raised.value.message_en == ("Region code 371200 is not in the table of 2024: 山东省莱芜市(371200) in use "
                                       "1992–2017, now 山东省济南市 (370100)")


# --- Successors ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("code", "years", "successors", "current"),
    [
        ("371200", [(1992, 2018)], ("370100",), ("370100",)),  # no 新代码: the prefecture that took its counties
        ("341400", [(1999, 2011)], ("340100", "340200", "340500"), ("340100", "340200", "340500")),
        ("110103", [(1981, 2010)], ("110101",), ("110101",)),
        ("310225", [(1981, 2001)], ("310119",), ("310115",)),  # 南汇县 → 南汇区 → 浦东新区
        ("371202", [(1992, 2018)], ("370116",), ("370116",)),
        ("422500", [(1981, 1983)], ("420600",), ("420600",)),  # 襄阳地区 → 襄樊市, renamed 襄阳市 in 2010
        ("130107", [(1983, 1989), (1992, None)], (), ("130107",)),  # retired, then used again
        ("330113", [(2021, None)], (), ("330113",)),
        ("100000", [(1981, None)], (), ("100000",)),
    ],
)
def test_retired_codes_map_to_their_successors(code, years, successors, current):
    assert HISTORY.valid_years(code) == years
    assert HISTORY.successors(code) == successors
    assert HISTORY.current_codes_for(code) == current
    assert TABLE.current_codes_for(code) == current


def test_every_code_leads_to_codes_in_use_now():
    for code in (region.code for region in HISTORY.all()):
        current = HISTORY.current_codes_for(code)
        assert current, code
        assert all(TABLE.by_code(other) for other in current)
        if HISTORY.valid_years(code)[-1][1] is None:
            assert current == (code,) and HISTORY.successors(code) == ()
        else:
            assert HISTORY.successors(code), code


def test_unknown_codes_have_no_successors():
    with pytest.raises(UnknownRegion, match="未知地区代码：999999"):
        HISTORY.current_codes_for("999999")


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


@pytest.mark.parametrize(
    ("year", "text", "code", "prefix"),
    [
        (2022, "浙江省杭州市临平区《关于优化营商环境的通知》", "330113", "浙江省杭州市临平区"),
        (2024, "上海市浦东新区《通知》", "310115", "上海市浦东新区"),
        (2016, "山东省莱芜市《通知》", "371200", "山东省莱芜市"),
        (2016, "莱芜市人民政府《通知》", "371200", "莱芜市"),
        (2021, "山东省临沂市海关《通知》", "371300", "山东省临沂市"),
    ],
)
def test_resolve_prefix_as_of_a_year(year, text, code, prefix):
    region, length = HISTORY.table(year).resolve_prefix(text)
    assert (region.code, text[:length]) == (code, prefix)


@pytest.mark.parametrize(
    ("year", "text", "shown"),
    [
        (2019, "浙江省杭州市临平区《通知》", "330113"),  # 临平区 dates from 2021: never read as 杭州市
        (2019, "浙江省杭州市临平区人民政府《通知》", "330113"),
        (2022, "浙江省杭州市永康市《通知》", "330784"),  # a county of 金华市, not of 杭州市
        (2022, "山东省莱芜市《通知》", "370100"),  # retired: says what covers it now
        (2022, "莱芜市《通知》", "370100"),
        (2008, "北京市崇文区《通知》", None),  # in use in 2008: no error
    ],
)
def test_resolve_prefix_refuses_a_region_it_cannot_place(year, text, shown):
    table = HISTORY.table(year)
    if shown is None:
        assert table.resolve_prefix(text)[0].code == "110103"
        return
    with pytest.raises(UnknownRegion) as raised:
        table.resolve_prefix(text)
    assert str(raised.value).startswith("无法确定地区：") and f"({shown})" in str(raised.value)


@pytest.mark.parametrize("text", ["浙江省杭州市新区管委会《通知》", "浙江省杭州市城区规划《通知》"])
def test_two_character_names_run_on_into_words_are_not_read_as_regions(text):
    assert TABLE.resolve_prefix(text)[0].code == "330100"


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
    assert counts == {"national": 1, "province": 34, "prefecture": 333, "county": 2_846}
    assert Counter(region.level for region in HISTORY.table(2019).all()) == counts  # 2019 ended as 2024 did
    assert Counter(region.level for region in HISTORY.table(2018).all())["county"] == 2_851


def test_the_history_file_is_the_one_received():
    assert hashlib.sha256(REGION_HISTORY_FILE.read_bytes()).hexdigest() == HISTORY_SHA256
    assert HISTORY_SHA256 in (REGIONS_DIR / "SOURCE.md").read_text(encoding="utf-8")
    assert "CC0 1.0 Universal" in (REGIONS_DIR / "LICENSE").read_text(encoding="utf-8")
    records = read_history()
    assert len(records) == 6_823 and len({record.code for record in records}) == 6_450
    assert sum(record.valid_until is None for record in records) == 3_213


def test_parents_agree_with_the_prefecture_column():
    rows = csv.DictReader(REGION_HISTORY_FILE.read_text(encoding="utf-8-sig").splitlines())
    for row in (row for row in rows if row["状态"] == "在用" and row["级别"] == "县级"):
        parent = TABLE.by_code(TABLE.by_code(row["代码"]).parent_code)
        assert parent.name == row["二级行政区"] if row["二级行政区"] != "直辖" else parent.level == "province", row


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
    placeholders = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
    assert not [record for record in read_history() if record.name in placeholders]


def test_parents_follow_the_codes_of_that_year():
    """A county hangs from its prefecture while that is in use, else from its province."""
    assert HISTORY.table(2016).by_code("371202").parent_code == "371200"  # 莱城区 under 莱芜市
    assert HISTORY.by_code("371202").parent_code == "371200"  # as last used
    assert HISTORY.table(2024).by_code("370116").parent_code == "370100"
    assert HISTORY.table(2005).by_code("310119").parent_code == "310000"


@given(st.sampled_from(ALL_REGIONS))
@settings(database=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_every_name_resolves_within_its_parent(region):
    assert TABLE.resolve(region.name, within=region.parent_code) == region


@given(st.integers(1981, 2024), st.randoms(use_true_random=False))
@settings(database=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_every_years_names_resolve_within_their_parent_and_as_full_paths(year, random):
    table = HISTORY.table(year)
    region = random.choice(table.all()[1:])
    assert table.resolve(region.name, within=region.parent_code) == region
    path = table.display_name(region.code)
    assert table.resolve(path) == region
    assert table.resolve_prefix(path + "《通知》") == (region, len(path))


@pytest.mark.parametrize("year", [2024, *CHECKED_YEARS])
def test_every_region_resolves_within_its_parent_exhaustively(year):
    table = HISTORY.table(year)
    wrong = []
    for region in table.all():
        try:
            found = table.resolve(region.name, within=region.parent_code)
        except UnknownRegion as error:
            wrong.append((region, str(error)))
            continue
        if found != region:
            wrong.append((region, found))
    assert wrong == []


@pytest.mark.parametrize("year", [2024, *CHECKED_YEARS])
def test_every_full_path_reads_back_as_a_heading_prefix_and_as_a_name(year):
    table = HISTORY.table(year)
    wrong = []
    for region in table.all():
        if region.code == NATIONAL_CODE:
            continue
        path = table.display_name(region.code)
        try:
            found = table.resolve_prefix(path + "《通知》"), table.resolve(path)
        except UnknownRegion as error:
            found = str(error)
        if found != ((region, len(path)), region):
            wrong.append((path, found))
    assert wrong == []


def test_the_default_table_is_built_once():
    assert default_region_table() is default_region_table() is default_region_history().table()
    assert default_region_history() is default_region_history()


def test_unknown_region_survives_pickling():
    error = UnknownRegion("朝阳区", [TABLE.by_code("110105")], "message", "in English", [TABLE.by_code("220104")])
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.name, copy.candidates, str(copy), copy.message_en, copy.suggestions) == (
        "朝阳区", error.candidates, "message", "in English", error.suggestions)
    assert str(UnknownRegion("火星省")) == "未知地区：火星省"
    assert UnknownRegion("火星省").message_en == "Unknown region “火星省”"


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


def test_aliases_apply_in_every_year_their_code_is_in_use():
    assert HISTORY.table(1990).resolve("内蒙").code == "150000"
    assert HISTORY.table(1990).resolve_prefix("国务院《通知》")[0].code == NATIONAL_CODE


# --- The history file, broken ----------------------------------------------------------------------

HEADER = ",".join(HISTORY_HEADER)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("代码,名称\n", "表头应为"),
        (f"{HEADER}\n110000,北京市,,北京市,省级,在用,1981,,\n110101,北京市,直辖,东城区,县级,在用\n", "第 3 行应有 9 列"),
        (f"{HEADER}\n11000,北京市,,北京市,省级,在用,1981,,\n", "第 2 行的代码格式不正确"),
        (f"{HEADER}\n110000,北京市,,北京市,地级,在用,1981,,\n", "级别“地级”与代码 110000 不符"),
        (f"{HEADER}\n110000,北京市,,北京市,省级,在用,1981,1990,\n", "状态“在用”与变更/弃用时间“1990”不符"),
        (f"{HEADER}\n110000,北京市,,北京市,省级,弃用,1990,1985,120000\n", "年份不正确"),
        (f"{HEADER}\n110000,北京市,,北京市,省级,弃用,1981,1990,12000x\n", "新代码“12000x”"),
        (f"{HEADER}\n110000,北京市,,北京市,省级,在用,1981,,120000\n", "新代码 120000 应注明年份"),
        (f"{HEADER}\n110000,北京市,,北 京市,省级,在用,1981,,\n", "含空白"),
        (f"{HEADER}\n110000,北京市,,北京市,省级,在用,1981,,\n110000,北京市,,北平市,省级,在用,1990,,\n", "年份重叠"),
        (f"{HEADER}\n110101,北京市,直辖,东城区,县级,在用,1981,,\n", "省级代码 110000 不在用"),
    ],
)
def test_broken_history_files_are_refused_with_the_reason(tmp_path, body, message):
    path = tmp_path / "areacodes-history.csv"
    path.write_text("\ufeff" + body, encoding="utf-8")
    with pytest.raises(RegionDataError, match=message):
        RegionHistory.load(path, aliases_file=None)


def test_a_missing_history_file_is_refused(tmp_path):
    with pytest.raises(RegionDataError, match="找不到地区沿革文件"):
        read_history(tmp_path / "none.csv")


def test_a_tiny_history_builds_its_tables(tmp_path):
    path = tmp_path / "areacodes-history.csv"
    path.write_text(
        f"\ufeff{HEADER}\n"
        "370000,山东省,,山东省,省级,在用,1981,,\n"
        "370100,山东省,济南市,济南市,地级,在用,1981,,\n"
        "370116,山东省,济南市,莱芜区,县级,在用,2018,,\n"
        "371200,山东省,莱芜市,莱芜市,地级,弃用,1992,2018,\n"
        "371202,山东省,莱芜市,莱城区,县级,弃用,1992,2018,370116\n",
        encoding="utf-8",
    )
    history = RegionHistory.load(path, aliases_file=None)
    assert [region.code for region in history.table(2017).all()] == ["100000", "370000", "370100", "371200", "371202"]
    assert history.table(2018).resolve("山东省济南市莱芜区").code == "370116"
    assert history.successors("371200") == ("370100",) and history.current_codes_for("371202") == ("370116",)


# --- English names ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("code", "english"),
    [
        ("100000", "China"), ("630000", "Qinghai"), ("140000", "Shanxi"), ("610000", "Shaanxi"),
        ("150000", "Inner Mongolia"), ("540000", "Tibet"), ("450000", "Guangxi"), ("640000", "Ningxia"),
        ("650000", "Xinjiang"), ("810000", "Hong Kong"), ("820000", "Macao"), ("650100", "Urumqi"),
        ("150100", "Hohhot"), ("540100", "Lhasa"), ("653100", "Kashgar"), ("610100", "Xi'an"), ("341500", "Lu'an"),
        ("141100", "Lüliang"), ("222400", "Yanbian"), ("211300", "Chaoyang"), ("140400", "Changzhi"),
        ("630100", "Xining"), ("330700", "Jinhua"),
    ],
)
def test_provinces_and_prefectures_have_english_names(code, english):
    assert TABLE.by_code(code).name_en == english


def test_every_province_and_prefecture_of_any_year_has_an_english_name_and_no_county_does():
    word = re.compile(r"[A-Z][a-zü']*(?: [A-Z][a-zü']*)*")
    for region in HISTORY.all():
        if region.level == "county":
            assert region.name_en is None, region
        else:
            assert word.fullmatch(region.name_en), region


def test_the_english_names_file_is_justified_and_each_entry_matters():
    entries = yaml.safe_load(ENGLISH_NAMES_FILE.read_text(encoding="utf-8"))
    assert len(default_english_names()) == len(entries)
    for entry in entries:
        assert set(entry) == {"code", "name", "english", "reason"}, entry
        assert len(entry["reason"].strip()) >= 30, entry
        assert HISTORY.by_code(entry["code"]).name_en == entry["english"]
        # Either the default gets it wrong, or the entry says it is only pinned.
        default = Region(entry["code"], entry["name"], "prefecture", None)
        from indicators.regions import english_name

        assert english_name(default, {}) != entry["english"] or "Pinned" in entry["reason"], entry


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- code: \"610000\"\n  name: 陕西省\n  english: Shaanxi\n", "恰好写 code、name、english、reason"),
        ("- code: 610000\n  name: 陕西省\n  english: Shaanxi\n  reason: r\n", "都应为非空文字"),
        ("- code: \"610000\"\n  name: 山西省\n  english: Shaanxi\n  reason: r\n", "地区沿革中没有 610000 山西省"),
        ("- code: \"610000\"\n  name: 陕西省\n  english: A\n  reason: r\n"
         "- code: \"610000\"\n  name: 陕西省\n  english: B\n  reason: r\n", "重复"),
        ("code: x\n", "应为列表"),
    ],
)
def test_broken_english_names_files_are_refused(tmp_path, text, message):
    path = tmp_path / "english_names.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegionDataError, match=message):
        read_english_names(path, HISTORY)


# Provinces of the cases below, as the database lists them.
JIANGSU, ANHUI, JILIN = Named("320000", "province", "Jiangsu"), Named("340000", "province", "Anhui"), \
    Named("220000", "province", "Jilin")
GUANGDONG, HAINAN, QINGHAI = Named("440000", "province", "Guangdong"), Named("460000", "province", "Hainan"), \
    Named("630000", "province", "Qinghai")


@pytest.mark.parametrize(
    ("regions", "expected"),
    [
        pytest.param([QINGHAI, Named("630100", "prefecture", "Xining")], {"630000": "Qinghai", "630100": "Xining"},
                     id="unique names stand alone"),
        pytest.param([JIANGSU, ANHUI, Named("320500", "prefecture", "Suzhou"), Named("341300", "prefecture", "Suzhou")],
                     {"320000": "Jiangsu", "340000": "Anhui", "320500": "Suzhou, Jiangsu", "341300": "Suzhou, Anhui"},
                     id="namesakes in two provinces take their province"),
        pytest.param([JILIN, Named("220200", "prefecture", "Jilin")], {"220000": "Jilin", "220200": "Jilin, Jilin"},
                     id="a city named as its province takes the province, the province stays"),
        pytest.param([HAINAN, QINGHAI, Named("632500", "prefecture", "Hainan")],
                     {"460000": "Hainan", "630000": "Qinghai", "632500": "Hainan, Qinghai"},
                     id="a city named as another province"),
        pytest.param([QINGHAI, Named("630102", "county", None)], {"630000": "Qinghai"},
                     id="counties have no English name"),
        pytest.param([Named("100000", "national", "China"), QINGHAI], {"100000": "China", "630000": "Qinghai"},
                     id="the country"),
        pytest.param([ANHUI, GUANGDONG, Named("441300", "prefecture", "Huizhou"),
                      Named("342700", "prefecture", "Huizhou", in_use=False)],
                     {"340000": "Anhui", "440000": "Guangdong", "441300": "Huizhou", "342700": "Huizhou, Anhui"},
                     id="a namesake retired long ago lengthens only its own name"),
        pytest.param([QINGHAI, Named("630200", "prefecture", "Haidong"), Named("632100", "prefecture", "Haidong", False)],
                     {"630000": "Qinghai", "630200": "Haidong", "632100": "Haidong"},
                     id="one place under an old and a new code is no clash"),
        pytest.param([JIANGSU, ANHUI, Named("320500", "prefecture", "Suzhou"), Named("341300", "prefecture", "Suzhou"),
                      Named("322700", "prefecture", "Suzhou", in_use=False)],
                     {"320000": "Jiangsu", "340000": "Anhui", "320500": "Suzhou, Jiangsu", "341300": "Suzhou, Anhui",
                      "322700": "Suzhou, Jiangsu"},
                     id="a retired namesake takes its province too"),
    ],
)
def test_english_labels_add_the_province_only_where_an_english_name_is_shared(regions, expected):
    assert english_labels(regions) == expected


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("320500", "Suzhou, Jiangsu"), ("341300", "Suzhou, Anhui"), ("321200", "Taizhou, Jiangsu"),
        ("331000", "Taizhou, Zhejiang"), ("350100", "Fuzhou, Fujian"), ("361000", "Fuzhou, Jiangxi"),
        ("230700", "Yichun, Heilongjiang"), ("360900", "Yichun, Jiangxi"), ("450900", "Yulin, Guangxi"),
        ("610800", "Yulin, Shaanxi"), ("220200", "Jilin, Jilin"), ("632500", "Hainan, Qinghai"), ("220000", "Jilin"),
        ("630000", "Qinghai"), ("150000", "Inner Mongolia"), ("441300", "Huizhou"), ("510200", "Chongqing, Sichuan"),
        ("500000", "Chongqing"), ("100000", "China"),
    ],
)
def test_the_shipped_regions_english_labels(code, label):
    assert shipped_english_labels()[code] == label


def test_every_region_in_use_with_an_english_name_has_a_label_of_its_own():
    in_use = [label for region in ALL_REGIONS if (label := shipped_english_labels().get(region.code))]
    assert len(in_use) == len(set(in_use)) == sum(region.level != "county" for region in ALL_REGIONS)


@functools.cache
def shipped_english_labels() -> dict[str, str]:
    """The labels of every code of the history, in use now or retired."""
    in_use = {region.code for region in ALL_REGIONS}
    return english_labels(Named(region.code, region.level, region.name_en, region.code in in_use)
                          for region in HISTORY.all())


# --- The regions table of the database ------------------------------------------------------------

def test_the_regions_frame_holds_every_code_with_its_years_and_successors():
    frame = regions_frame(HISTORY)
    assert tuple(frame.columns) == REGION_COLUMNS
    assert frame["region_code"].is_unique and len(frame) == 6_451
    codes = set(frame["region_code"])
    assert set(frame["parent_code"].dropna()) <= codes
    assert {code for listed in frame["successor_codes"] for code in listed} <= codes
    in_use = frame[frame["valid_until"].isna()]
    assert set(in_use["region_code"]) == {region.code for region in ALL_REGIONS}
    assert {code for listed in frame["current_codes"] for code in listed} <= set(in_use["region_code"])
    laiwu = frame.set_index("region_code").loc["371200"]
    assert (laiwu["name"], laiwu["name_en"], laiwu["valid_from"], laiwu["valid_until"]) == ("莱芜市", "Laiwu", 1992, 2018)
    assert list(laiwu["successor_codes"]) == ["370100"] and list(laiwu["current_codes"]) == ["370100"]


def test_the_regions_columns_are_the_schemas_and_the_contracts():
    contract = yaml.safe_load((INDICATORS_DIR / "contracts.yml").read_text(encoding="utf-8"))["regions"]
    ddl = re.search(r"CREATE TABLE IF NOT EXISTS regions \((.*?)\n\);", SCHEMA, re.S).group(1)
    columns = tuple(re.findall(r"^\s+(\w+) ", ddl, re.M))
    assert set(columns) == set(REGION_COLUMNS) == set(contract["columns"])
