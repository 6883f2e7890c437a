"""Completing a chosen record from where it was found: what the document itself leaves out.

- an agency name that names no place (区应急管理局) is completed from the seed's region
  (河南省新乡市红旗区 -> 红旗区应急管理局) and the record says so with the parser's documented
  warning ``agency_incomplete``;
- agency and year that the document does not state come from the listing's title
  (``title_from_hint``);
- the report's region is its agency's division (else the seed's region): a city portal
  republishing a district's report adds a source to that report instead of making a second one.
"""

from __future__ import annotations

from typing import Any

from ingest.types import Candidate
from storage.identity import AgencyIdentity, agency_identity, complete_agency, division_table
from yingji_parser.metadata import split_title

COMPLETED_CODE = "agency_incomplete"  # documented by the parser: "complete it from the site"


def complete_record(
    record: dict[str, Any], region: str | None
) -> tuple[dict[str, Any], dict[str, str] | None]:
    """The record with its agency completed from ``region`` when the name names no place.

    Returns the (copied) record and the warning to add, or ``None`` when nothing changed.
    """
    agency = record.get("agency")
    if not isinstance(agency, str) or not agency.strip():
        return record, None
    completed, changed = complete_agency(agency, region)
    if not changed:
        return record, None
    warning = {
        "code": COMPLETED_CODE,
        "message": f"the title says {agency}; completed from the site's region {region} "
        f"as {completed}",
        "where": "agency",
    }
    return {**record, "agency": completed}, warning


def fill_from_title(
    record: dict[str, Any], title: str | None
) -> tuple[dict[str, Any], dict[str, str] | None]:
    """Agency and year the document does not state, taken from the listing's title.

    An article body often starts with the tables, its title being in the page chrome the
    parser leaves out; the list the spider read it from names the report. Only missing values
    are filled, and the record says so with the parser's documented ``title_from_hint``.
    """
    if not title or (record.get("agency") and record.get("year")):
        return record, None
    agency, year = split_title(title)
    filled: dict[str, Any] = {}
    if not record.get("agency") and agency:
        filled["agency"] = agency
    if not record.get("year") and year:
        filled["year"] = year
    if not filled:
        return record, None
    warning = {
        "code": "title_from_hint",
        "message": f"{', '.join(filled)} taken from the listing title {title!r}",
        "where": "title",
    }
    return {**record, **filled, "title": record.get("title") or title}, warning


def report_region(agency: str | None, seed_region: str | None) -> str | None:
    """The region of the report: its agency's division when known, else the seed's region.

    A city portal republishing a district's report is found on a site of the city; the report
    is still the district's (河南省洛阳市 + 孟津区应急管理局 -> 河南省洛阳市孟津区).
    """
    return report_place(agency, seed_region)[0]


def report_place(
    agency: str | None, seed_region: str | None
) -> tuple[str | None, AgencyIdentity | None]:
    """:func:`report_region` and the agency identity it was resolved from, so that storing
    the report does not resolve the agency a second time."""
    if not agency:
        return seed_region, None
    identity = agency_identity(agency, seed_region)
    division = identity.division
    region = division_table().full_name(division) if division is not None else seed_region
    return region, identity


def document_status(candidate: Candidate) -> tuple[str, str | None]:
    """A document's latest parse status and reason, as the documents table keeps it."""
    if candidate.report:
        return candidate.status, None
    if candidate.error:
        return "failed", candidate.error
    return (
        "failed",
        f"no report in this document (parser status {candidate.status}, {candidate.cells} cells)",
    )
