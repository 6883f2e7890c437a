"""Agency identity: a bureau is its division and kind, whatever its name's spelling."""

from __future__ import annotations

import pytest

from storage.identity import (
    KIND_EMERGENCY,
    agency_identity,
    complete_agency,
    division_table,
    is_predecessor_name,
    normalise_name,
    parse_place,
    resolve_division,
    resolve_region,
    split_name,
)


def code(name: str, region: str | None = None) -> str | None:
    d = resolve_division(name, region)
    return d.code if d else None


def test_the_division_table_comes_from_the_adcode_package_with_its_hierarchy() -> None:
    table = division_table()
    mengjin = table.by_code["410308"]
    assert mengjin.name == "孟津区" and mengjin.level == "county"
    assert [d.name for d in table.chain(mengjin)] == ["河南省", "洛阳市", "孟津区"]
    assert table.full_name(mengjin) == "河南省洛阳市孟津区"
    # a municipality is listed as province and as city: its full name says it once
    assert table.full_name(table.by_code["110101"]) == "北京市东城区"


@pytest.mark.parametrize(
    ("name", "region", "expected"),
    [
        ("洛阳市孟津区应急管理局", None, "410308"),
        ("孟津区应急管理局", None, "410308"),
        ("孟津区应急管理局", "河南省洛阳市孟津区", "410308"),
        ("平顶山市卫东区应急管理局", None, "410403"),
        ("洛阳市应急管理局", None, "410300"),
        ("洛阳市应急管理局", "河南省洛阳市孟津区", "410300"),  # a city report on a district site
        ("河南省应急管理厅", None, "410000"),
        ("栾川县应急管理局", None, "410324"),
        ("湛河区应急管理局", "河南省平顶山市湛河区", "410411"),
        ("仙桃市应急管理局", None, "429004"),  # county-level city directly under the province
        ("北京市东城区应急管理局", None, "110101"),
        ("吉林市应急管理局", None, "220200"),  # the city, not the province of the same stem
        ("河南洛阳孟津区应急管理局", None, "410308"),  # short province and city names
        ("孟 津 区 应 急 管 理 局", None, "410308"),  # spaces inside the name
    ],
)
def test_names_resolve_to_their_division(name: str, region: str | None, expected: str) -> None:
    assert code(name, region) == expected


def test_duplicate_county_names_are_told_apart_by_the_region_or_the_city() -> None:
    assert code("铁东区应急管理局", "辽宁省鞍山市") == "210302"
    assert code("铁东区应急管理局", "吉林省四平市铁东区") == "220303"
    assert code("鞍山市铁东区应急管理局") == "210302"
    assert code("四平市铁东区应急管理局", "辽宁省鞍山市") == "220303"  # the name wins
    assert code("铁东区应急管理局") is None  # ambiguous without context: no guess


def test_a_name_without_a_place_takes_the_region_division() -> None:
    assert code("区应急管理局", "河南省新乡市红旗区") == "410702"
    assert code("应急管理局", "河南省新乡市红旗区") == "410702"
    assert code("区应急管理局", None) is None


def test_predecessor_names_of_a_renamed_county_find_the_county_by_stem() -> None:
    # 孟津县 became 孟津区 in 2021; its 安全生产监督管理局 is the same agency's predecessor
    assert code("孟津县安全生产监督管理局", "河南省洛阳市孟津区") == "410308"
    assert code("孟津县安监局", "河南省洛阳市") == "410308"
    assert code("孟津县安全生产监督管理局", None) is None


def test_places_that_are_not_divisions_do_not_resolve() -> None:
    assert code("洛阳市高新技术产业开发区应急管理局", "河南省洛阳市") is None
    assert code("郑州航空港经济综合实验区应急管理局") is None


def test_identity_is_division_and_kind_whatever_the_spelling() -> None:
    spellings = [
        ("洛阳市孟津区应急管理局", None),
        ("孟津区应急管理局", "河南省洛阳市孟津区"),
        ("孟津区应急局", None),
        ("孟津县安全生产监督管理局", "河南省洛阳市孟津区"),
        ("区应急管理局", "河南省洛阳市孟津区"),
    ]
    identities = [agency_identity(n, r) for n, r in spellings]
    assert {i.key for i in identities} == {f"410308:{KIND_EMERGENCY}"}
    assert {i.name for i in identities} == {"孟津区应急管理局"}
    assert [i.predecessor for i in identities] == [False, False, False, True, False]
    assert identities[0].alias == "洛阳市孟津区应急管理局"


def test_canonical_names_follow_the_level() -> None:
    assert agency_identity("河南省应急管理厅").name == "河南省应急管理厅"
    assert agency_identity("北京市应急管理局").name == "北京市应急管理局"  # a municipality's 局
    assert agency_identity("洛阳市安监局").name == "洛阳市应急管理局"


def test_unresolved_names_fall_back_to_the_normalised_name() -> None:
    a = agency_identity("洛阳市高新区安全生产监督管理局", "河南省洛阳市")
    b = agency_identity("洛阳市高新区 应急管理局", "河南省洛阳市")
    assert a.key == b.key == "name:洛阳市高新区应急管理局"
    assert a.division is None and a.predecessor and not b.predecessor


def test_a_sub_unit_of_a_bureau_is_not_the_bureau() -> None:
    bureau = agency_identity("洛阳市应急管理局")
    assert agency_identity("洛阳市应急管理局（洛阳市地震局）").key == bureau.key
    squad = agency_identity("洛阳市应急管理局综合行政执法支队")
    assert squad.key != bureau.key and squad.division is None


def test_placeless_unresolved_names_are_qualified_by_the_region() -> None:
    one = agency_identity("应急管理局", "某某开发区")
    other = agency_identity("应急管理局", "另一个园区")
    assert one.key != other.key


@pytest.mark.parametrize(
    ("name", "region", "expected"),
    [
        ("区应急管理局", "河南省新乡市红旗区", ("红旗区应急管理局", True)),
        ("应急管理局", "河南省新乡市红旗区", ("红旗区应急管理局", True)),
        ("市应急局", "河南省新乡市红旗区", ("新乡市应急局", True)),
        ("区 应急管理局", "北京市东城区", ("东城区应急管理局", True)),
        ("县应急管理局", "河南省洛阳市栾川县", ("栾川县应急管理局", True)),
        # names that name a place are left alone
        ("孟津区应急管理局", "河南省洛阳市孟津区", ("孟津区应急管理局", False)),
        ("洛阳市应急管理局", "河南省洛阳市孟津区", ("洛阳市应急管理局", False)),
        # nothing to complete from
        ("区应急管理局", None, ("区应急管理局", False)),
        ("区应急管理局", "某某开发区", ("区应急管理局", False)),
        ("县应急管理局", "河南省新乡市红旗区", ("县应急管理局", False)),  # a district has no 县
        # a bare 区 never means the autonomous region above a county-level city
        ("区应急管理局", "内蒙古自治区锡林郭勒盟二连浩特市", ("区应急管理局", False)),
        ("区应急管理局", "广西壮族自治区南宁市青秀区", ("青秀区应急管理局", True)),
        ("人民政府办公室", "河南省新乡市红旗区", ("人民政府办公室", False)),
    ],
)
def test_complete_agency(name: str, region: str | None, expected: tuple[str, bool]) -> None:
    assert complete_agency(name, region) == expected


def test_name_helpers() -> None:
    assert normalise_name(" 孟津区\u3000应急管理局 ") == "孟津区应急管理局"
    assert split_name("洛阳市孟津区应急管理局").place == "洛阳市孟津区"
    assert split_name("孟津区应急管理局（地震局）").rest == "应急管理局(地震局)"
    assert is_predecessor_name("洛阳市安监局") and not is_predecessor_name("洛阳市应急局")
    assert [m.candidates[0].name for m in parse_place("河南省洛阳市孟津区")] == [
        "河南省",
        "洛阳市",
        "孟津区",
    ]
    assert resolve_region("河南省洛阳市孟津区").code == "410308"  # type: ignore[union-attr]
    assert resolve_region(None) is None
