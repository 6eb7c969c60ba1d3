"""Custody suite under PACE: booking-in, rights, risk, observation and checks, reviews, disposal (issue 3).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa  # noqa: F401  (used once the tables are added)
from alembic import op  # noqa: F401

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
