"""crawl_runs.alive_at: when a running crawl last gave a sign of life.

Why: a crawl killed and never resumed (``SIGKILL``, a reboot, a Scrapyd node that died) cannot
close its run, which would read ``running`` for ever. The crawl's run record writes this every
minute while it runs (crawler/heartbeat.py), in the shared database, so any machine tells a run
still going from one whose process is gone (``yingji runs`` shows it as interrupted). NULL for
runs written before.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 06:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alive_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("alive_at")
