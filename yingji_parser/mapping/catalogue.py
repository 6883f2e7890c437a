"""The key tables of docs/record.md: record keys and the official labels they are found by.

Labels are written as in the national formats; :func:`yingji_parser.labels.core` is applied to
both sides before matching, so spacing, numbering, punctuation and bracketed remarks do not
matter here. Order is the template's: it only breaks ties between equally good matches.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowSpec:
    key: str
    labels: tuple[str, ...]  # the official label first, then known variants


# --- section 三 (applications) --------------------------------------------------------------
APPLICANT_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("natural_person", ("自然人",)),
    ("commercial", ("商业企业",)),
    ("research", ("科研机构",)),
    ("social_welfare", ("社会公益组织",)),
    ("legal_service", ("法律服务机构",)),
    ("other_org", ("其他",)),
    ("total", ("总计", "合计")),
)
APPLICANT_KEYS = tuple(k for k, _ in APPLICANT_COLUMNS)
# Header words of table 三 that are not columns themselves but prove a row is a header.
APPLICANT_HEADER_WORDS = ("申请人情况", "法人或其他组织", "自然人", "商业企业", "科研机构",
                          "社会公益组织", "法律服务机构")  # fmt: skip

_OTHER_SUBROWS_2021 = (
    RowSpec(
        "other_overdue_correction",
        ("申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请",),
    ),
    RowSpec(
        "other_unpaid_fee",
        ("申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请",),
    ),
    RowSpec("other", ("其他",)),
)

_APPLICATION_ROWS_HEAD = (
    RowSpec("new", ("本年新收政府信息公开申请数量", "本年新收申请数量")),
    RowSpec("carried_over", ("上年结转政府信息公开申请数量", "上年结转申请数量")),
    RowSpec("granted", ("予以公开",)),
    RowSpec("partially_granted", ("部分公开",)),
    RowSpec("denied_state_secret", ("属于国家秘密",)),
    RowSpec("denied_prohibited_by_law", ("其他法律行政法规禁止公开",)),
    RowSpec("denied_three_safeties", ("危及三安全一稳定",)),
    RowSpec("denied_third_party", ("保护第三方合法权益",)),
    RowSpec("denied_internal_affairs", ("属于三类内部事务信息",)),
    RowSpec("denied_process_info", ("属于四类过程性信息",)),
    RowSpec("denied_enforcement_files", ("属于行政执法案卷",)),
    RowSpec("denied_administrative_query", ("属于行政查询事项",)),
    RowSpec("unavailable_not_held", ("本机关不掌握相关政府信息",)),
    RowSpec("unavailable_needs_creation", ("没有现成信息需要另行制作",)),
    RowSpec("unavailable_unclear", ("补正后申请内容仍不明确",)),
    RowSpec("rejected_complaint", ("信访举报投诉类申请",)),
    RowSpec("rejected_duplicate", ("重复申请",)),
    RowSpec("rejected_publication", ("要求提供公开出版物",)),
    RowSpec("rejected_excessive", ("无正当理由大量反复申请",)),
    RowSpec("rejected_confirmation", ("要求行政机关确认或重新出具已获取信息",)),
)
_APPLICATION_ROWS_TAIL = (
    RowSpec("handled_total", ("总计", "合计")),
    RowSpec("carried_forward", ("结转下年度继续办理",)),
)
# （六）其他处理 as one row: the 2019 format's `other`, a repair in a 2021 report.
OTHER_GROUP = RowSpec("other", ("其他处理",))

APPLICATION_ROWS_2021 = _APPLICATION_ROWS_HEAD + _OTHER_SUBROWS_2021 + _APPLICATION_ROWS_TAIL
APPLICATION_ROWS_2019 = (*_APPLICATION_ROWS_HEAD, OTHER_GROUP, *_APPLICATION_ROWS_TAIL)
# The outcome rows whose sum is handled_total (consistency rule 3), per format.
OUTCOME_KEYS_2021 = tuple(r.key for r in APPLICATION_ROWS_2021[2:-2])
OUTCOME_KEYS_2019 = tuple(r.key for r in APPLICATION_ROWS_2019[2:-2])

# --- section 四 (review_litigation) -----------------------------------------------------------
REVIEW_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("litigation_direct", ("未经复议直接起诉",)),
    ("litigation_after_review", ("复议后起诉",)),
    ("review", ("行政复议",)),
)  # most specific first: "复议后起诉" also contains "复议"
REVIEW_GROUP_ORDER = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("upheld", ("结果维持", "维持")),
    ("corrected", ("结果纠正", "纠正")),
    ("other", ("其他结果", "其他")),
    ("pending", ("尚未审结",)),
    ("total", ("总计", "合计")),
)
REVIEW_KEYS = tuple(k for k, _ in REVIEW_COLUMNS)

# --- section 二 (active_disclosure) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DisclosureColumn:
    """A column of a row of 二 and where its number goes in the record.

    ``key`` is the record key under ``active_disclosure``; ``field`` the sub-key of that key's
    object, or None when the number itself is the key's value (``licensing``: 处理决定数量).
    One printed row can fill several record keys: the 2019 行政许可 row gives ``licensing``
    (its decisions, the same meaning and type as in 2021) and ``licensing_items``.
    """

    labels: tuple[str, ...]
    key: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class DisclosureRow:
    """A row of 二: its labels, its columns in the format's order, and the record keys that
    the format leaves null (``fees`` in 2019, whose table has no amount)."""

    key: str
    labels: tuple[str, ...]
    columns: tuple[DisclosureColumn, ...]
    nulls: tuple[str, ...] = ()

    @property
    def record_keys(self) -> tuple[str, ...]:
        """The record keys this row fills, its own key first."""
        keys = dict.fromkeys([*self.nulls, *(c.key for c in self.columns)])
        return tuple(sorted(keys, key=lambda k: k != self.key))


Labels = tuple[str, ...]


def _docs(
    key: str, labels: tuple[Labels, ...], fields: tuple[str, ...]
) -> tuple[DisclosureColumn, ...]:
    """One column per field, all under the object ``key`` (规章: 本年制发件数 → rules.issued)."""
    return tuple(DisclosureColumn(lab, key, f) for lab, f in zip(labels, fields, strict=True))


_DOC_LABELS_2021 = (("本年制发件数",), ("本年废止件数",), ("现行有效件数",))
_DOC_FIELDS_2021 = ("issued", "repealed", "in_force")
_DECISIONS = ("本年处理决定数量", "处理决定数量")


def _decisions(key: str) -> tuple[DisclosureColumn, ...]:
    return (DisclosureColumn(_DECISIONS, key),)


DISCLOSURE_ROWS_2021 = (
    DisclosureRow("rules", ("规章",), _docs("rules", _DOC_LABELS_2021, _DOC_FIELDS_2021)),
    DisclosureRow(
        "normative_documents",
        ("行政规范性文件", "规范性文件"),
        _docs("normative_documents", _DOC_LABELS_2021, _DOC_FIELDS_2021),
    ),
    DisclosureRow("licensing", ("行政许可",), _decisions("licensing")),
    DisclosureRow("penalty", ("行政处罚",), _decisions("penalty")),
    DisclosureRow("coercion", ("行政强制",), _decisions("coercion")),
    DisclosureRow("fees", ("行政事业性收费",), (DisclosureColumn(("本年收费金额",), "fees"),)),
)

_DOC_LABELS_2019 = (("本年新制作数量",), ("本年新公开数量",), ("对外公开总数量",))
_DOC_FIELDS_2019 = ("new_made", "new_published", "total_published")
_PREVIOUS, _CHANGE = ("上一年项目数量",), ("本年增减", "本年增/减")


def _items_2019(key: str, decisions: bool = True) -> tuple[DisclosureColumn, ...]:
    """上一年项目数量 | 本年增/减 [| 处理决定数量]: the items under ``<key>_items``, the
    decisions under ``key`` itself (a number, as in 2021)."""
    items = (
        DisclosureColumn(_PREVIOUS, f"{key}_items", "previous"),
        DisclosureColumn(_CHANGE, f"{key}_items", "change"),
    )
    return (*items, *_decisions(key)) if decisions else items


DISCLOSURE_ROWS_2019 = (
    DisclosureRow("rules", ("规章",), _docs("rules", _DOC_LABELS_2019, _DOC_FIELDS_2019)),
    DisclosureRow(
        "normative_documents",
        ("规范性文件", "行政规范性文件"),
        _docs("normative_documents", _DOC_LABELS_2019, _DOC_FIELDS_2019),
    ),
    DisclosureRow("licensing", ("行政许可",), _items_2019("licensing")),
    DisclosureRow("other_services", ("其他对外管理服务事项",), _items_2019("other_services")),
    DisclosureRow("penalty", ("行政处罚",), _items_2019("penalty")),
    DisclosureRow("coercion", ("行政强制",), _items_2019("coercion")),
    DisclosureRow(
        "fees", ("行政事业性收费",), _items_2019("fees", decisions=False), nulls=("fees",)
    ),
    DisclosureRow(
        "procurement",
        ("政府集中采购",),
        _docs("procurement", (("采购项目数量",), ("采购总金额",)), ("items", "amount")),
    ),
)

# Labels that only one of the two formats has: how the template is recognised.
MARKERS_2019 = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减",
                "政府集中采购", "采购项目数量", "采购总金额", "其他对外管理服务事项")  # fmt: skip
MARKERS_2021 = ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额",
                "逾期不补正", "逾期未按收费通知")  # fmt: skip
