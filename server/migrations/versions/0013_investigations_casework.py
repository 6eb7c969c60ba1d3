"""Investigations in the client (issue 14): kind, offences under investigation and the supervising officer.

Revision ID: 0013
Revises: 0007 (the lead re-chains it when merging)
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('investigations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('offences', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('supervisor_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(op.f('fk_investigations_supervisor_id_users'), 'users', ['supervisor_id'],
                                    ['id'])
        batch_op.create_index(op.f('ix_investigations_supervisor_id'), ['supervisor_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('investigations', schema=None) as batch_op:
        batch_op.drop_index(op.f('ix_investigations_supervisor_id'))
        batch_op.drop_constraint(op.f('fk_investigations_supervisor_id_users'), type_='foreignkey')
        batch_op.drop_column('supervisor_id')
        batch_op.drop_column('offences')
        batch_op.drop_column('kind')
