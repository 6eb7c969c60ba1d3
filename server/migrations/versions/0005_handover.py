"""The shift handover (issue 13): each acknowledgement by the incoming custody sergeant.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'custody_handovers',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('acknowledged_at', sa.DateTime(), nullable=False),
        sa.Column('by_id', sa.String(length=36), nullable=False),
        sa.Column('outgoing', sa.String(length=200), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('since', sa.DateTime(), nullable=True),
        sa.Column('detainees', sa.Integer(), nullable=False),
        sa.Column('custody_numbers', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_custody_handovers_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_handovers')),
    )
    op.create_index(op.f('ix_custody_handovers_acknowledged_at'), 'custody_handovers', ['acknowledged_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_custody_handovers_acknowledged_at'), table_name='custody_handovers')
    op.drop_table('custody_handovers')
