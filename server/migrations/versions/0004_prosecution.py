"""Charges, offence catalogue references and printing audit (issue 5): charge cases (caution, reply, bail,
first hearing), numbered charges, and disclosures (each printed or exported copy).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'charge_cases',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('record_id', sa.String(length=36), nullable=False),
        sa.Column('charged_at', sa.DateTime(), nullable=False),
        sa.Column('charged_by_id', sa.String(length=36), nullable=False),
        sa.Column('caution_given', sa.Boolean(), nullable=False),
        sa.Column('caution_wording', sa.Text(), nullable=False),
        sa.Column('reply', sa.Text(), nullable=False),
        sa.Column('bail_decision', sa.String(length=32), nullable=False),
        sa.Column('bail_conditions', sa.JSON(), nullable=False),
        sa.Column('bail_reasons', sa.Text(), nullable=False),
        sa.Column('court', sa.String(length=200), nullable=False),
        sa.Column('court_code', sa.String(length=16), nullable=False),
        sa.Column('hearing_at', sa.DateTime(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['charged_by_id'], ['users.id'], name=op.f('fk_charge_cases_charged_by_id_users')),
        sa.ForeignKeyConstraint(['record_id'], ['custody_records.id'],
                                name=op.f('fk_charge_cases_record_id_custody_records')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_charge_cases')),
        sa.UniqueConstraint('record_id', name=op.f('uq_charge_cases_record_id')),
    )
    op.create_table(
        'disclosures',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('record_id', sa.String(length=36), nullable=False),
        sa.Column('document', sa.String(length=32), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('recipient', sa.String(length=200), nullable=False),
        sa.Column('purpose', sa.String(length=500), nullable=False),
        sa.Column('destination', sa.String(length=300), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('by_id', sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_disclosures_by_id_users')),
        sa.ForeignKeyConstraint(['record_id'], ['custody_records.id'],
                                name=op.f('fk_disclosures_record_id_custody_records')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosures')),
    )
    op.create_index(op.f('ix_disclosures_record_id'), 'disclosures', ['record_id'], unique=False)
    op.create_table(
        'charges',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('offence_code', sa.String(length=8), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('statement', sa.Text(), nullable=False),
        sa.Column('mode_of_trial', sa.String(length=20), nullable=False),
        sa.Column('offence_date', sa.Date(), nullable=False),
        sa.Column('offence_date_end', sa.Date(), nullable=True),
        sa.Column('particulars', sa.Text(), nullable=False),
        sa.Column('particulars_values', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['charge_cases.id'], name=op.f('fk_charges_case_id_charge_cases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_charges')),
        sa.UniqueConstraint('case_id', 'number', name=op.f('uq_charges_case_id')),
    )
    op.create_index(op.f('ix_charges_case_id'), 'charges', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_charges_case_id'), table_name='charges')
    op.drop_table('charges')
    op.drop_index(op.f('ix_disclosures_record_id'), table_name='disclosures')
    op.drop_table('disclosures')
    op.drop_table('charge_cases')
