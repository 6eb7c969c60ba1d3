"""Interviews in full and property under PACE s.54 (issue 14 part 2).

Revision ID: 0011
Revises: 0007 (the lead re-chains it when merging)

custody_interviews gains who was present in each capacity, breaks, the recording reference, special warnings,
the outcome and any urgent-interview authority; custody_property holds each item searched and its return.
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('custody_interviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('solicitor', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('appropriate_adult', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('interpreter', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('recording_reference', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('special_warnings', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('breaks', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('outcome_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('urgent_grounds', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('urgent_authorised_by_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(op.f('fk_custody_interviews_urgent_authorised_by_id_users'), 'users',
                                    ['urgent_authorised_by_id'], ['id'])
    op.create_table(
        'custody_property',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('record_id', sa.String(length=36), nullable=False),
        sa.Column('description', sa.String(length=500), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('disposition', sa.String(length=16), nullable=False),
        sa.Column('bag_number', sa.String(length=50), nullable=True),
        sa.Column('seal_number', sa.String(length=50), nullable=True),
        sa.Column('searched_at', sa.DateTime(), nullable=False),
        sa.Column('signature', sa.String(length=16), nullable=False),
        sa.Column('signature_note', sa.Text(), nullable=True),
        sa.Column('recorded_by_id', sa.String(length=36), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('returned_at', sa.DateTime(), nullable=True),
        sa.Column('return_signature', sa.String(length=16), nullable=True),
        sa.Column('return_note', sa.Text(), nullable=True),
        sa.Column('returned_by_id', sa.String(length=36), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['record_id'], ['custody_records.id'],
                                name=op.f('fk_custody_property_record_id_custody_records')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_custody_property_recorded_by_id_users')),
        sa.ForeignKeyConstraint(['returned_by_id'], ['users.id'], name=op.f('fk_custody_property_returned_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_property')),
    )
    op.create_index(op.f('ix_custody_property_record_id'), 'custody_property', ['record_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_custody_property_record_id'), table_name='custody_property')
    op.drop_table('custody_property')
    with op.batch_alter_table('custody_interviews', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_custody_interviews_urgent_authorised_by_id_users'), type_='foreignkey')
        for name in ('urgent_authorised_by_id', 'urgent_grounds', 'outcome_note', 'outcome', 'breaks',
                     'special_warnings', 'recording_reference', 'interpreter', 'appropriate_adult', 'solicitor'):
            batch_op.drop_column(name)
