from decimal import Decimal

import pytest

from extract.lib.text import join_wrapped, name_key, parse_amount, parse_rate, split_projects


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("98.99%", "98.99"),
        ("96.97\n%", "96.97"),
        ("-\n100.0\n0%", "-100.00"),
        ("NaN%", None),
        ("", None),
        (None, None),
        ("１００．００％", "100.00"),
    ],
)
def test_parse_rate(raw, value):
    assert parse_rate(raw) == (None if value is None else Decimal(value))


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("389,658.89", "389658.89"),
        ("-11504.04", "-11504.04"),
        ("1,0\n00", "1000"),
        ("", None),
        ("-", None),
        ("0", "0"),
    ],
)
def test_parse_amount(raw, value):
    assert parse_amount(raw) == (None if value is None else Decimal(value))


def test_parse_amount_rejects_text():
    with pytest.raises(ValueError, match="cannot read"):
        parse_amount("约300")


def test_join_wrapped_glues_cjk_and_keeps_inner_spaces():
    assert join_wrapped("中长期规划制\n定健全性") == "中长期规划制定健全性"
    assert join_wrapped("=0 起") == "=0 起"
    assert join_wrapped("Data\nDocs") == "Data Docs"
    assert join_wrapped("  \n ") is None


def test_split_projects_on_every_separator():
    assert split_projects("甲,乙，丙;丁； 己 ") == ("甲", "乙", "丙", "丁", "己")
    assert split_projects("甲、乙、 丙") == ("甲", "乙", "丙")


def test_split_projects_keeps_unknown_dunhao_name_in_comma_list():
    # In a comma-separated list a 、 belongs to a name unless every part is a known budget line.
    assert split_projects("法制、信访法律协助服务，禁毒工作三年行动规划") == (
        "法制、信访法律协助服务",
        "禁毒工作三年行动规划",
    )
    assert split_projects("体检费、防疫专项经费,交通工具购置", {"体检费", "防疫专项经费"}) == (
        "体检费",
        "防疫专项经费",
        "交通工具购置",
    )


def test_split_projects_keeps_known_names_with_separators():
    names = {"DNA、刑侦耗材", "姑苏区（三新城）、内环、中环交通设施年度维护项目"}
    assert split_projects(
        "体检费,DNA、刑侦耗材，姑苏区（三新城）、内环、中环交通设施年度维护项目", names
    ) == (
        "体检费",
        "DNA、刑侦耗材",
        "姑苏区（三新城）、内环、中环交通设施年度维护项目",
    )


def test_name_key_folds_width_and_whitespace():
    assert name_key("科技强警（以往年度） ") == name_key("科技强警(以往年度)")
