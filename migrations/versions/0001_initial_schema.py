"""Initial schema: agencies, reports, versions, cells, documents, runs, and the views.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 23:52:10.270954
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Views are plain SQL valid on SQLite and PostgreSQL alike; a later migration that changes one
# drops and re-creates it. Documented in docs/database.md.
_CURRENT_REPORTS = """
CREATE VIEW current_reports AS
SELECT r.id AS report_id,
       v.id AS version_id,
       a.id AS agency_id,
       a.name AS agency,
       v.agency_name AS agency_as_written,
       a.division_code AS division_code,
       v.region AS region,
       r.year AS year,
       v.title AS title,
       v.template AS template,
       v.status AS status,
       v.version AS version,
       v.content_hash AS content_hash,
       v.raw_sha256 AS raw_sha256,
       v.raw_type AS raw_type,
       v.parser_version AS parser_version,
       v.first_seen AS first_seen,
       v.last_seen AS last_seen
FROM report_versions v
JOIN reports r ON r.id = v.report_id
JOIN agencies a ON a.id = r.agency_id
WHERE v.is_current
"""

_CURRENT_REPORT_CELLS = """
CREATE VIEW current_report_cells AS
SELECT cr.report_id AS report_id,
       cr.version_id AS version_id,
       cr.agency AS agency,
       cr.division_code AS division_code,
       cr.region AS region,
       cr.year AS year,
       c.section AS section,
       c.row_key AS row_key,
       c.column_key AS column_key,
       c.value AS value
FROM current_reports cr
JOIN report_cells c ON c.version_id = cr.version_id
"""

_APPLICANT_COLUMNS = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)
_CURRENT_APPLICATIONS = (
    "CREATE VIEW current_applications AS\n"
    "SELECT report_id, version_id, agency, division_code, region, year, row_key,\n"
    + ",\n".join(
        f"       MAX(CASE WHEN column_key = '{c}' THEN value END) AS {c}"
        for c in _APPLICANT_COLUMNS
    )
    + "\nFROM current_report_cells\n"
    "WHERE section = 'applications'\n"
    "GROUP BY report_id, version_id, agency, division_code, region, year, row_key\n"
)

VIEWS = (_CURRENT_REPORTS, _CURRENT_REPORT_CELLS, _CURRENT_APPLICATIONS)


def upgrade() -> None:
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shard", sa.String(length=20), nullable=True),
        sa.Column("seeds_count", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("noop", sa.Integer(), nullable=False),
        sa.Column("new_versions", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crawl_runs_started_at"), ["started_at"], unique=False)

    op.create_table(
        "divisions",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("parent_code", sa.String(length=6), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_divisions")),
    )
    op.create_table(
        "documents",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("doc_type", sa.String(length=20), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("original_name", sa.String(length=500), nullable=True),
        sa.Column("content_type", sa.String(length=200), nullable=True),
        sa.Column("path", sa.String(length=500), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parse_status", sa.String(length=20), nullable=True),
        sa.Column("parse_error", sa.Text(), nullable=True),
        sa.Column("parser_version", sa.String(length=50), nullable=True),
        sa.Column("parsed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_documents_parse_status"), ["parse_status"], unique=False
        )

    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=True),
        sa.Column("kind", sa.String(length=50), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["division_code"], ["divisions.code"], name=op.f("fk_agencies_division_code_divisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("key", name=op.f("uq_agencies_key")),
    )
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agencies_division_code"), ["division_code"], unique=False
        )

    op.create_table(
        "document_urls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("site_name", sa.String(length=200), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["documents.sha256"],
            name=op.f("fk_document_urls_sha256_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_urls")),
        sa.UniqueConstraint("sha256", "url", name=op.f("uq_document_urls_sha256_url")),
    )
    op.create_table(
        "run_sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("site_name", sa.String(length=200), nullable=True),
        sa.Column("site_url", sa.String(length=2000), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reports_found", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("noop", sa.Integer(), nullable=False),
        sa.Column("new_versions", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_run_sites_run_id_crawl_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_sites")),
        sa.UniqueConstraint("run_id", "site_url", name=op.f("uq_run_sites_run_id_site_url")),
    )
    op.create_table(
        "agency_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("predecessor", sa.Boolean(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_agency_aliases_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_aliases")),
        sa.UniqueConstraint("agency_id", "name", name=op.f("uq_agency_aliases_agency_id_name")),
    )
    with op.batch_alter_table("agency_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_aliases_name"), ["name"], unique=False)

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_reports_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("agency_id", "year", name=op.f("uq_reports_agency_id_year")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_year"), ["year"], unique=False)

    op.create_table(
        "report_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("agency_name", sa.String(length=300), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("template", sa.String(length=10), nullable=True),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.Column("raw_type", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("parser_version", sa.String(length=50), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["raw_sha256"],
            ["documents.sha256"],
            name=op.f("fk_report_versions_raw_sha256_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_versions_report_id_reports")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_report_versions_run_id_crawl_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_versions")),
        sa.UniqueConstraint(
            "report_id", "version", name=op.f("uq_report_versions_report_id_version")
        ),
    )
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_versions_one_current",
            ["report_id"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )
        batch_op.create_index(
            batch_op.f("ix_report_versions_raw_sha256"), ["raw_sha256"], unique=False
        )

    op.create_table(
        "report_cells",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=40), nullable=False),
        sa.Column("row_key", sa.String(length=80), nullable=False),
        sa.Column("column_key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=4, asdecimal=False), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["report_versions.id"],
            name=op.f("fk_report_cells_version_id_report_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "version_id", "section", "row_key", "column_key", name=op.f("pk_report_cells")
        ),
    )
    op.create_table(
        "report_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["report_versions.id"],
            name=op.f("fk_report_sources_version_id_report_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_sources")),
        sa.UniqueConstraint("version_id", "url", name=op.f("uq_report_sources_version_id_url")),
    )
    for sql in VIEWS:
        op.execute(sql)


def downgrade() -> None:
    for name in ("current_applications", "current_report_cells", "current_reports"):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.drop_table("report_sources")
    op.drop_table("report_cells")
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_versions_raw_sha256"))
        batch_op.drop_index(
            "ix_report_versions_one_current",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.drop_table("report_versions")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_year"))

    op.drop_table("reports")
    with op.batch_alter_table("agency_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_aliases_name"))

    op.drop_table("agency_aliases")
    op.drop_table("run_sites")
    op.drop_table("document_urls")
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agencies_division_code"))

    op.drop_table("agencies")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_parse_status"))

    op.drop_table("documents")
    op.drop_table("divisions")
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crawl_runs_started_at"))

    op.drop_table("crawl_runs")
