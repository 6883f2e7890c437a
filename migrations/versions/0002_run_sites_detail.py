"""run_sites.detail: what the crawler tried at a site and the requests it refused.

Why: a site marked "none found" must say which columns, years and fallbacks were tried, so a
reader tells "no report published" from "not found" (issue 9), and the requests refused at a
site (non-public addresses, off-site, caps) are kept with their reasons (issue 13). JSON, as
crawler/sitestate.py ``SiteState.detail`` writes it; NULL for rows written before.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 01:17:32.852463
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("run_sites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detail", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run_sites", schema=None) as batch_op:
        batch_op.drop_column("detail")
