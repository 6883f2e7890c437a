"""Chinese column labels for the CSV export: the official labels of docs/record.md.

Why: an analyst opening the CSV in a spreadsheet reads 三·本年新收政府信息公开申请数量·自然人
more readily than ``applications.new.natural_person``. The cell labels are built from the
parser's own key tables (yingji_parser/mapping/catalogue.py, the tables docs/record.md
prints): the section's numeral, the row's official label, the column's. Every label is unique,
so a labelled header still names each column once.
"""

from __future__ import annotations

from functools import cache

from yingji_parser.mapping import catalogue
from yingji_parser.vocabulary import TableSection

SEPARATOR = "·"
META_LABELS = {
    "agency": "机关",
    "agency_as_written": "报告所写机关名称",
    "division_code": "行政区划代码",
    "region": "地区",
    "year": "年度",
    "title": "标题",
    "template": "格式",
    "status": "解析状态",
    "version": "版本",
    "first_seen": "首次发现",
    "last_seen": "最近发现",
    "sources": "来源网址",
    "warnings": "警告",
}
# rows whose catalogue label alone is ambiguous in a header (总计 is also a column), or is
# the catalogue's matching form rather than the printed one
_ROW_LABELS = {
    ("applications", "handled_total"): "办理结果总计",
    ("applications", "other"): "其他处理",
    # as the format prints them (the catalogue keeps the forms it matches by)
    ("applications", "denied_three_safeties"): "危及“三安全一稳定”",
    ("applications", "other_overdue_correction"): (
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    ),
    ("applications", "other_unpaid_fee"): (
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    ),
    ("review_litigation", "litigation_direct"): "行政诉讼（未经复议直接起诉）",
    ("review_litigation", "litigation_after_review"): "行政诉讼（复议后起诉）",
}

# the catalogue's matching form of a label, written as the format prints it
_COLUMN_LABELS = {"本年增减": "本年增/减"}


@cache
def cell_labels() -> dict[str, str]:
    """``{"applications.new.natural_person": "三·本年新收政府信息公开申请数量·自然人", …}``
    for every cell of both national formats."""
    labels: dict[str, str] = {}

    def add(section: TableSection, row: str, row_label: str, column: str | None, col: str) -> None:
        path = f"{section}.{row}" + (f".{column}" if column else "")
        name = _ROW_LABELS.get((str(section), row), row_label)
        labels.setdefault(
            path, SEPARATOR.join((section.numeral, name, _COLUMN_LABELS.get(col, col)))
        )

    disclosure = TableSection.ACTIVE_DISCLOSURE
    for drow in (*catalogue.DISCLOSURE_ROWS_2021, *catalogue.DISCLOSURE_ROWS_2019):
        for col in drow.columns:  # a printed row may fill several record keys (2019: 许可)
            add(disclosure, col.key, drow.labels[0], col.field, col.labels[0])
    applications = TableSection.APPLICATIONS
    for arow in (*catalogue.APPLICATION_ROWS_2021, *catalogue.APPLICATION_ROWS_2019):
        for key, names in catalogue.APPLICANT_COLUMNS:
            add(applications, arow.key, arow.labels[0], key, names[0])
    review = TableSection.REVIEW_LITIGATION
    for group, group_names in catalogue.REVIEW_GROUPS:
        for key, names in catalogue.REVIEW_COLUMNS:
            add(review, group, group_names[0], key, names[0])
    return labels


def column_label(column: str) -> str:
    """The Chinese label of an export column; a column of no known label keeps its key."""
    return META_LABELS.get(column) or cell_labels().get(column, column)
