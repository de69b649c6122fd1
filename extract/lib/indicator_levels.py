"""The indicator levels the forms print: a small national vocabulary (data, one place; docs/ocr.md).

Project tables (项目支出绩效自评表) and department-wide tables (部门整体支出绩效自评表) name each
indicator's 一级指标 and 二级指标 from the Ministry of Finance's framework of common indicators
(产出 / 效益 / 满意度 / 成本, and 数量 / 质量 / 时效 / 成本 / 经济效益 ... under them); the older
department-wide framework prints 投入 / 过程 / 产出 / 效果 with 目标设定, 预算执行 ... under them.
Each is printed with or without the suffix 指标 (产出, 产出指标). A level read by OCR outside this
vocabulary is a misreading or a provincial variant: either way its record needs review
(extract.ocr_review); a text-layer read is never checked against it.
"""

from __future__ import annotations

from .text import squash

_SUFFIX = "指标"

LEVEL1 = frozenset({"产出", "效益", "满意度", "成本", "投入", "过程", "效果"})

LEVEL2 = frozenset(
    {
        # under 产出
        "数量",
        "质量",
        "时效",
        "成本",
        # under 成本 (2021 framework)
        "经济成本",
        "社会成本",
        "生态环境成本",
        # under 效益
        "经济效益",
        "社会效益",
        "生态效益",
        "可持续影响",
        # under 满意度
        "满意度",
        "服务对象满意度",
        "社会公众满意度",
        "社会公众或服务对象满意度",
        # the department-wide framework: 投入, 过程, 产出, 效果
        "目标设定",
        "预算配置",
        "预算执行",
        "预算管理",
        "资产管理",
        "职责履行",
        "履职效益",
    }
)


def is_known(level: str | None, vocabulary: frozenset[str]) -> bool:
    """Whether a level as the form hands it (its printed weight stripped) names one of `vocabulary`,
    with or without the suffix 指标 and spaces; a blank level is not judged here (None: True)."""
    if level is None:
        return True
    name = squash(level)
    return name.removesuffix(_SUFFIX) in vocabulary  # no level of the vocabulary ends in 指标
