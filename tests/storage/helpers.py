"""Helpers shared by the storage tests: realistic records and the keyword arguments of a store."""

from __future__ import annotations

import copy
import json
from typing import Any

from demo import SAMPLES


def load_record(name: str = "synth0") -> dict[str, Any]:
    """A parsed record of the sample ``name`` (the fixtures have no sections/warnings/region)."""
    record = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    record.setdefault("sections", {"overview": "概述", "problems": "问题", "other": "其他"})
    return record


def changed(record: dict[str, Any], value: int = 1) -> dict[str, Any]:
    """The same report with one number different (a corrected re-publication)."""
    other = copy.deepcopy(record)
    other["active_disclosure"]["licensing"] = (other["active_disclosure"]["licensing"] or 0) + value
    return other


def kw(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "region": "河南省洛阳市栾川县",
        "source_url": "http://lcx.example/2023/report.html",
        "raw_sha256": "a" * 64,
        "raw_type": "html",
        "status": "parsed",
        "warnings": [],
        "parser_version": "test-1",
    }
    base.update(overrides)
    return base


def row_counts(store: Any) -> dict[str, int]:
    """Rows of every table a stored report writes, by table name."""
    from sqlalchemy import func, select

    from models import Agency, AgencyAlias, Report, ReportCell, ReportSource, ReportVersion

    models = (Agency, AgencyAlias, Report, ReportVersion, ReportCell, ReportSource)
    with store.engine.connect() as conn:
        return {
            m.__tablename__: int(conn.execute(select(func.count()).select_from(m)).scalar_one())
            for m in models
        }


#: :func:`row_counts` after one report of the sample (200 cells) stored once
ONCE = {
    "agencies": 1,
    "agency_aliases": 1,
    "reports": 1,
    "report_versions": 1,
    "report_cells": 200,
    "report_sources": 1,
}
