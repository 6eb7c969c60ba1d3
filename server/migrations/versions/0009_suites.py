"""Custody suites and cells, the suite and cell of a custody record, transfers between suites (issue 15).

Revision ID: 0009
Revises: 0007 (the lead re-chains it when merging)
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'custody_suites',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('address', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('state_reason', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_suites')),
        sa.UniqueConstraint('code', name=op.f('uq_custody_suites_code')),
    )
    op.create_table(
        'custody_cells',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('suite_id', sa.String(length=36), nullable=False),
        sa.Column('number', sa.String(length=16), nullable=False),
        sa.Column('cell_type', sa.String(length=32), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('out_of_use', sa.Boolean(), nullable=False),
        sa.Column('out_of_use_reason', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['suite_id'], ['custody_suites.id'], name=op.f('fk_custody_cells_suite_id_custody_suites')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_cells')),
        sa.UniqueConstraint('suite_id', 'number', name='uq_custody_cells_suite_number'),
    )
    op.create_index(op.f('ix_custody_cells_suite_id'), 'custody_cells', ['suite_id'], unique=False)
    with op.batch_alter_table('custody_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suite_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('cell_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_custody_records_suite_id'), ['suite_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_custody_records_cell_id'), ['cell_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_custody_records_suite_id_custody_suites'), 'custody_suites',
                                    ['suite_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_custody_records_cell_id_custody_cells'), 'custody_cells',
                                    ['cell_id'], ['id'])
    op.create_table(
        'custody_transfers',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('record_id', sa.String(length=36), nullable=False),
        sa.Column('from_suite_id', sa.String(length=36), nullable=False),
        sa.Column('to_suite_id', sa.String(length=36), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('sent_by_id', sa.String(length=36), nullable=False),
        sa.Column('from_cell', sa.String(length=16), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('handover', sa.JSON(), nullable=False),
        sa.Column('risk_assessment_id', sa.String(length=36), nullable=True),
        sa.Column('accepted_at', sa.DateTime(), nullable=True),
        sa.Column('accepted_by_id', sa.String(length=36), nullable=True),
        sa.Column('to_cell_id', sa.String(length=36), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['record_id'], ['custody_records.id'],
                                name=op.f('fk_custody_transfers_record_id_custody_records')),
        sa.ForeignKeyConstraint(['from_suite_id'], ['custody_suites.id'],
                                name=op.f('fk_custody_transfers_from_suite_id_custody_suites')),
        sa.ForeignKeyConstraint(['to_suite_id'], ['custody_suites.id'],
                                name=op.f('fk_custody_transfers_to_suite_id_custody_suites')),
        sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_custody_transfers_sent_by_id_users')),
        sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'],
                                name=op.f('fk_custody_transfers_accepted_by_id_users')),
        sa.ForeignKeyConstraint(['to_cell_id'], ['custody_cells.id'],
                                name=op.f('fk_custody_transfers_to_cell_id_custody_cells')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_transfers')),
    )
    op.create_index(op.f('ix_custody_transfers_record_id'), 'custody_transfers', ['record_id'], unique=False)
    op.create_index(op.f('ix_custody_transfers_to_suite_id'), 'custody_transfers', ['to_suite_id'], unique=False)
    op.create_index('uq_custody_transfers_open_record', 'custody_transfers', ['record_id'], unique=True,
                    sqlite_where=sa.text("status = 'sent'"), postgresql_where=sa.text("status = 'sent'"))


def downgrade() -> None:
    op.drop_index('uq_custody_transfers_open_record', table_name='custody_transfers')
    op.drop_index(op.f('ix_custody_transfers_to_suite_id'), table_name='custody_transfers')
    op.drop_index(op.f('ix_custody_transfers_record_id'), table_name='custody_transfers')
    op.drop_table('custody_transfers')
    with op.batch_alter_table('custody_records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_custody_records_cell_id_custody_cells'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_custody_records_suite_id_custody_suites'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_custody_records_cell_id'))
        batch_op.drop_index(batch_op.f('ix_custody_records_suite_id'))
        batch_op.drop_column('cell_id')
        batch_op.drop_column('suite_id')
    op.drop_index(op.f('ix_custody_cells_suite_id'), table_name='custody_cells')
    op.drop_table('custody_cells')
    op.drop_table('custody_suites')
