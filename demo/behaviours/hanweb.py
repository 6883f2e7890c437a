"""Hanweb (大汉) columns: the first records are inlined as a ``<datastore>`` in the page (the
``<!--#datastore COLUMN N-->`` include), the rest come from ``dataproxy.jsp`` by POST with the
column and unit ids (``hanweb``: webid, unitid, webname, columns -> list of record HTML)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from demo.behaviours.base import Behaviour
from demo.exchange import Exchange, Reply

PATH = "/module/web/jpage/dataproxy.jsp"
EMPTY = Reply(
    200,
    b"<datastore><totalrecord>0</totalrecord></datastore>",
    "text/xml; charset=utf-8",
    cacheable=False,
)


def records(spec: dict[str, Any], column: str) -> list[str]:
    return list(spec.get("hanweb", {}).get("columns", {}).get(column, []))


def respond(ex: Exchange) -> Reply | None:
    if ex.path != PATH:
        return None
    q = ex.params
    column = ex.form.get("columnid") or q.get("columnid", "")
    found = records(ex.spec, column)
    if not found or ex.form.get("unitid", q.get("unitid")) != ex.spec["hanweb"]["unitid"]:
        return EMPTY
    start = max(int(q.get("startrecord", "1")), 1)
    end = int(q.get("endrecord", str(start + 44)))
    perpage = int(q.get("perpage", "15")) or 15
    xml = (
        f"<?xml version='1.0' encoding='UTF-8'?><datastore>"
        f"<totalrecord>{len(found)}</totalrecord>"
        f"<totalpage>{(len(found) + perpage - 1) // perpage}</totalpage><recordset>"
        + "".join(f"<record><![CDATA[{r}]]></record>" for r in found[start - 1 : end])
        + "</recordset></datastore>"
    )
    return Reply(200, xml.encode("utf-8"), "text/xml; charset=utf-8")


def datastore(spec: dict[str, Any], m: re.Match[str]) -> str:
    column, n = m.group(1), int(m.group(2))
    hw = spec["hanweb"]
    nextgroup = (
        f'<a href="{PATH}?page=1&webid={hw["webid"]}&path=/'
        f"&columnid={column}&unitid={hw['unitid']}&webname={quote(hw['webname'])}"
        '&permissiontype=0"></a>'
    )
    recs = "".join(f"<record><![CDATA[{r}]]></record>" for r in records(spec, column)[:n])
    return (
        f"<datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>"
        f"<recordset>{recs}</recordset></datastore>"
    )


BEHAVIOUR = Behaviour(
    "hanweb", respond, includes=((re.compile(r"<!--#datastore (\w+) (\d+)-->"), datastore),)
)
