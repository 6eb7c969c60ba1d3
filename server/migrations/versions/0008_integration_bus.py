"""The integration bus (issue 16): the bus outbox, facts announced once, and the consumers' handled events.

Revision ID: 0008
Revises: 0007 (the lead re-chains it when merging)
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'bus_outbox',
        sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('routing_key', sa.String(length=120), nullable=False),
        sa.Column('contract_version', sa.SmallInteger(), nullable=False),
        sa.Column('lane', sa.SmallInteger(), nullable=False),
        sa.Column('record_key', sa.String(length=80), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_bus_outbox')),
        sa.UniqueConstraint('event_id', name=op.f('uq_bus_outbox_event_id')),
    )
    op.create_index('ix_bus_outbox_unsent', 'bus_outbox', ['lane', 'seq'], unique=False,
                    sqlite_where=sa.text('sent_at IS NULL'), postgresql_where=sa.text('sent_at IS NULL'))
    op.create_index('ix_bus_outbox_sent_at', 'bus_outbox', ['sent_at'], unique=False)
    op.create_table(
        'bus_facts',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_bus_facts')),
    )
    op.create_table(
        'bus_consumed',
        sa.Column('consumer', sa.String(length=80), nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('consumer', 'event_id', name=op.f('pk_bus_consumed')),
    )


def downgrade() -> None:
    op.drop_table('bus_consumed')
    op.drop_table('bus_facts')
    op.drop_index('ix_bus_outbox_sent_at', table_name='bus_outbox')
    op.drop_index('ix_bus_outbox_unsent', table_name='bus_outbox')
    op.drop_table('bus_outbox')
