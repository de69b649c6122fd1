import unicodedata
from decimal import Decimal

import pytest

from extract.lib.text import (
    join_wrapped,
    name_key,
    parse_amount,
    parse_rate,
    split_projects,
    unify_ideographs,
)


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


# Every CJK Radicals Supplement code point with an equivalent ideograph (Unicode 15
# EquivalentUnifiedIdeograph.txt), by its Unicode name, and the ideograph a reader sees.
RADICALS_SUPPLEMENT = [
    ("CJK RADICAL CLIFF", "厂"),
    ("CJK RADICAL SECOND ONE", "乛"),
    ("CJK RADICAL SECOND TWO", "乚"),
    ("CJK RADICAL SECOND THREE", "乙"),
    ("CJK RADICAL PERSON", "亻"),
    ("CJK RADICAL BOX", "冂"),
    ("CJK RADICAL TABLE", "𠘨"),
    ("CJK RADICAL KNIFE ONE", "刀"),
    ("CJK RADICAL KNIFE TWO", "刂"),
    ("CJK RADICAL DIVINATION", "卜"),
    ("CJK RADICAL SEAL", "㔾"),
    ("CJK RADICAL SMALL ONE", "小"),
    ("CJK RADICAL SMALL TWO", "小"),
    ("CJK RADICAL LAME ONE", "兀"),
    ("CJK RADICAL LAME TWO", "尣"),
    ("CJK RADICAL LAME THREE", "尢"),
    ("CJK RADICAL LAME FOUR", "𡯂"),
    ("CJK RADICAL SNAKE", "巳"),
    ("CJK RADICAL THREAD", "幺"),
    ("CJK RADICAL SNOUT ONE", "彑"),
    ("CJK RADICAL SNOUT TWO", "𫜹"),
    ("CJK RADICAL HEART ONE", "忄"),
    ("CJK RADICAL HEART TWO", "心"),
    ("CJK RADICAL HAND", "扌"),
    ("CJK RADICAL RAP", "攵"),
    ("CJK RADICAL CHOKE", "旡"),
    ("CJK RADICAL SUN", "日"),
    ("CJK RADICAL MOON", "月"),
    ("CJK RADICAL DEATH", "歺"),
    ("CJK RADICAL MOTHER", "母"),
    ("CJK RADICAL CIVILIAN", "民"),
    ("CJK RADICAL WATER ONE", "氵"),
    ("CJK RADICAL WATER TWO", "氺"),
    ("CJK RADICAL FIRE", "灬"),
    ("CJK RADICAL PAW ONE", "爫"),
    ("CJK RADICAL PAW TWO", "爫"),
    ("CJK RADICAL SIMPLIFIED HALF TREE TRUNK", "丬"),
    ("CJK RADICAL COW", "牛"),
    ("CJK RADICAL DOG", "犭"),
    ("CJK RADICAL JADE", "王"),
    ("CJK RADICAL BOLT OF CLOTH", "𤴔"),
    ("CJK RADICAL EYE", "目"),
    ("CJK RADICAL SPIRIT ONE", "示"),
    ("CJK RADICAL SPIRIT TWO", "礻"),
    ("CJK RADICAL BAMBOO", "𥫗"),
    ("CJK RADICAL SILK", "糹"),
    ("CJK RADICAL C-SIMPLIFIED SILK", "纟"),
    ("CJK RADICAL NET ONE", "罓"),
    ("CJK RADICAL NET TWO", "罒"),
    ("CJK RADICAL NET THREE", "㓁"),
    ("CJK RADICAL NET FOUR", "冗"),
    ("CJK RADICAL MESH", "𦉫"),
    ("CJK RADICAL SHEEP", "羊"),
    ("CJK RADICAL RAM", "𦍌"),
    ("CJK RADICAL EWE", "𦍋"),
    ("CJK RADICAL OLD", "耂"),
    ("CJK RADICAL BRUSH ONE", "肀"),
    ("CJK RADICAL BRUSH TWO", "聿"),
    ("CJK RADICAL MEAT", "肉"),
    ("CJK RADICAL MORTAR", "𦥑"),
    ("CJK RADICAL GRASS ONE", "艹"),
    ("CJK RADICAL GRASS TWO", "艹"),
    ("CJK RADICAL GRASS THREE", "艹"),
    ("CJK RADICAL TIGER", "虎"),
    ("CJK RADICAL CLOTHES", "衤"),
    ("CJK RADICAL WEST ONE", "覀"),
    ("CJK RADICAL WEST TWO", "西"),
    ("CJK RADICAL C-SIMPLIFIED SEE", "见"),
    ("CJK RADICAL SIMPLIFIED HORN", "角"),
    ("CJK RADICAL HORN", "𧢲"),
    ("CJK RADICAL C-SIMPLIFIED SPEECH", "讠"),
    ("CJK RADICAL C-SIMPLIFIED SHELL", "贝"),
    ("CJK RADICAL FOOT", "𧾷"),
    ("CJK RADICAL C-SIMPLIFIED CART", "车"),
    ("CJK RADICAL SIMPLIFIED WALK", "辶"),
    ("CJK RADICAL WALK ONE", "辶"),
    ("CJK RADICAL WALK TWO", "辶"),
    ("CJK RADICAL CITY", "邑"),
    ("CJK RADICAL C-SIMPLIFIED GOLD", "钅"),
    ("CJK RADICAL LONG ONE", "長"),
    ("CJK RADICAL LONG TWO", "镸"),
    ("CJK RADICAL C-SIMPLIFIED LONG", "长"),
    ("CJK RADICAL C-SIMPLIFIED GATE", "门"),
    ("CJK RADICAL MOUND ONE", "𨸏"),
    ("CJK RADICAL MOUND TWO", "阝"),
    ("CJK RADICAL RAIN", "雨"),
    ("CJK RADICAL BLUE", "青"),
    ("CJK RADICAL C-SIMPLIFIED TANNED LEATHER", "韦"),
    ("CJK RADICAL C-SIMPLIFIED LEAF", "页"),
    ("CJK RADICAL C-SIMPLIFIED WIND", "风"),
    ("CJK RADICAL C-SIMPLIFIED FLY", "飞"),
    ("CJK RADICAL EAT ONE", "食"),
    ("CJK RADICAL EAT TWO", "𩙿"),
    ("CJK RADICAL EAT THREE", "飠"),
    ("CJK RADICAL C-SIMPLIFIED EAT", "饣"),
    ("CJK RADICAL HEAD", "𩠐"),
    ("CJK RADICAL C-SIMPLIFIED HORSE", "马"),
    ("CJK RADICAL BONE", "骨"),
    ("CJK RADICAL GHOST", "鬼"),
    ("CJK RADICAL C-SIMPLIFIED FISH", "鱼"),
    ("CJK RADICAL C-SIMPLIFIED BIRD", "鸟"),
    ("CJK RADICAL C-SIMPLIFIED SALT", "卤"),
    ("CJK RADICAL SIMPLIFIED WHEAT", "麦"),
    ("CJK RADICAL SIMPLIFIED YELLOW", "黄"),
    ("CJK RADICAL C-SIMPLIFIED FROG", "黾"),
    ("CJK RADICAL J-SIMPLIFIED EVEN", "斉"),
    ("CJK RADICAL C-SIMPLIFIED EVEN", "齐"),
    ("CJK RADICAL J-SIMPLIFIED TOOTH", "歯"),
    ("CJK RADICAL C-SIMPLIFIED TOOTH", "齿"),
    ("CJK RADICAL J-SIMPLIFIED DRAGON", "竜"),
    ("CJK RADICAL C-SIMPLIFIED DRAGON", "龙"),
    ("CJK RADICAL TURTLE", "龜"),
    ("CJK RADICAL J-SIMPLIFIED TURTLE", "亀"),
    ("CJK RADICAL C-SIMPLIFIED TURTLE", "龟"),
]


@pytest.mark.parametrize(("radical_name", "ideograph"), RADICALS_SUPPLEMENT)
def test_unify_ideographs_reads_radicals_supplement_as_the_ideograph(radical_name, ideograph):
    assert unify_ideographs(unicodedata.lookup(radical_name)) == ideograph


def test_unify_ideographs_reads_kangxi_radicals_as_ideographs():
    assert unify_ideographs("项⽬⽀出⾃评⼀、预算部⻔名称") == "项目支出自评一、预算部门名称"


def test_unify_ideographs_reads_every_kangxi_radical_as_a_unified_ideograph():
    unified = [unify_ideographs(chr(code)) for code in range(0x2F00, 0x2FD6)]
    assert all(unicodedata.name(c).startswith("CJK UNIFIED IDEOGRAPH-") for c in unified)


def test_unify_ideographs_reads_compatibility_ideographs_and_angle_brackets():
    assert unify_ideographs("\uf900\u2329通知\u232a") == "豈〈通知〉"


def test_unify_ideographs_keeps_full_width_punctuation_and_digits():
    text = "（一）合计：1,234.50万元；≥95%、“两客一危”"
    assert unify_ideographs(text) == text
