"""SQLAlchemy 2 models of yingji's database, one module per concern.

Importing this package registers every table on ``Base.metadata`` (what Alembic compares).
The SQL views are not models: migrations create them (see docs/database.md).
"""

from models.agencies import Agency, AgencyAlias, Division
from models.base import Base
from models.documents import Document, DocumentUrl
from models.reports import Report, ReportCell, ReportSource, ReportVersion
from models.runs import CrawlRun, RunSite

__all__ = [
    "Agency",
    "AgencyAlias",
    "Base",
    "CrawlRun",
    "Division",
    "Document",
    "DocumentUrl",
    "Report",
    "ReportCell",
    "ReportSource",
    "ReportVersion",
    "RunSite",
]
