"""Custody suite under PACE: booking-in, rights, risk, observation and checks, reviews, disposal (issue 3).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# (name, type, nullable, server_default) added to custody_records; nullable so existing rows stay valid.
_RECORD_COLUMNS = [
    ('booked_in_at', sa.DateTime(), True, None),
    ('arrested_at', sa.DateTime(), True, None),
    ('arrest_place', sa.String(length=300), True, None),
    ('arresting_officer', sa.String(length=200), True, None),
    ('arresting_officer_id', sa.String(length=36), True, None),
    ('officer_in_case_id', sa.String(length=36), True, None),
    ('offences', sa.JSON(), True, None),
    ('arrest_reason', sa.Text(), True, None),
    ('arrest_necessity', sa.Text(), True, None),
    ('arrival_route', sa.String(length=32), False, 'arrested_elsewhere'),
    ('left_first_area_at', sa.DateTime(), True, None),
    ('relevant_time_basis', sa.String(length=200), True, None),
    ('appears_under_18', sa.Boolean(), False, sa.false()),
    ('detention_decision', sa.String(length=16), True, None),
    ('detention_grounds', sa.Text(), True, None),
    ('detention_decided_at', sa.DateTime(), True, None),
    ('detention_decided_by_id', sa.String(length=36), True, None),
    ('detention_decided_by_name', sa.String(length=200), True, None),
    ('detention_decided_by_rank', sa.String(length=64), True, None),
    ('aa_requested_at', sa.DateTime(), True, None),
    ('aa_arrived_at', sa.DateTime(), True, None),
    ('aa_name', sa.String(length=200), True, None),
    ('rights_notice_language', sa.String(length=16), True, None),
    ('rights_notice_given_at', sa.DateTime(), True, None),
    ('observation_level_set_at', sa.DateTime(), True, None),
    ('observation_reason', sa.Text(), True, None),
    ('charged_at', sa.DateTime(), True, None),
    ('charge_summary', sa.Text(), True, None),
    ('disposal', sa.JSON(), True, None),
]


def _fact_table(name: str, *columns: sa.Column, user_column: str) -> None:
    op.create_table(
        name,
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('record_id', sa.String(length=36), nullable=False),
        *columns,
        sa.Column(user_column, sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(['record_id'], ['custody_records.id'],
                                name=op.f(f'fk_{name}_record_id_custody_records')),
        sa.ForeignKeyConstraint([user_column], ['users.id'], name=op.f(f'fk_{name}_{user_column}_users')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
    )
    op.create_index(op.f(f'ix_{name}_record_id'), name, ['record_id'], unique=False)


def upgrade() -> None:
    with op.batch_alter_table('custody_records', schema=None) as batch_op:
        for name, type_, nullable, default in _RECORD_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=nullable, server_default=default))
        batch_op.create_foreign_key(op.f('fk_custody_records_detention_decided_by_id_users'), 'users',
                                    ['detention_decided_by_id'], ['id'])

    op.create_index('uq_custody_records_open_person', 'custody_records', ['person_id'], unique=True,
                    sqlite_where=sa.text("status != 'released'"), postgresql_where=sa.text("status != 'released'"))
    _fact_table('custody_rights',
                sa.Column('right', sa.String(length=40), nullable=False),
                sa.Column('requested', sa.Boolean(), nullable=False),
                sa.Column('at', sa.DateTime(), nullable=False),
                sa.Column('note', sa.Text(), nullable=True),
                sa.Column('delay_until', sa.DateTime(), nullable=True),
                sa.Column('delay_grounds', sa.Text(), nullable=True),
                user_column='recorded_by_id')
    _fact_table('custody_risk_assessments',
                sa.Column('version', sa.Integer(), nullable=False),
                sa.Column('trigger', sa.String(length=32), nullable=False),
                sa.Column('assessed_at', sa.DateTime(), nullable=False),
                sa.Column('responses', sa.JSON(), nullable=False),
                sa.Column('officer_observations', sa.Text(), nullable=True),
                sa.Column('warning_markers', sa.Text(), nullable=True),
                sa.Column('risk_level', sa.String(length=16), nullable=False),
                sa.Column('notes', sa.Text(), nullable=True),
                sa.Column('outcome', sa.JSON(), nullable=False),
                user_column='assessed_by_id')
    _fact_table('custody_checks',
                sa.Column('check_type', sa.String(length=16), nullable=False),
                sa.Column('result', sa.String(length=60), nullable=False),
                sa.Column('observed_at', sa.DateTime(), nullable=False),
                sa.Column('level', sa.Integer(), nullable=False),
                sa.Column('note', sa.Text(), nullable=True),
                sa.Column('medical_emergency', sa.Boolean(), nullable=False),
                user_column='checked_by_id')
    op.create_index(op.f('ix_custody_checks_observed_at'), 'custody_checks', ['observed_at'], unique=False)
    _fact_table('custody_reviews',
                sa.Column('number', sa.Integer(), nullable=False),
                sa.Column('kind', sa.String(length=16), nullable=False),
                sa.Column('at', sa.DateTime(), nullable=False),
                sa.Column('due_at', sa.DateTime(), nullable=False),
                sa.Column('outcome', sa.String(length=16), nullable=True),
                sa.Column('grounds', sa.Text(), nullable=False),
                sa.Column('representations', sa.Text(), nullable=True),
                sa.Column('charged', sa.Boolean(), nullable=False),
                user_column='reviewer_id')
    _fact_table('custody_authorities',
                sa.Column('kind', sa.String(length=40), nullable=False),
                sa.Column('granted_at', sa.DateTime(), nullable=False),
                sa.Column('expires_at', sa.DateTime(), nullable=False),
                sa.Column('grounds', sa.Text(), nullable=True),
                sa.Column('court', sa.String(length=200), nullable=True),
                sa.Column('reference', sa.String(length=100), nullable=True),
                user_column='authorised_by_id')
    _fact_table('custody_interviews',
                sa.Column('started_at', sa.DateTime(), nullable=False),
                sa.Column('ended_at', sa.DateTime(), nullable=True),
                sa.Column('location', sa.String(length=200), nullable=True),
                sa.Column('interviewing_officers', sa.JSON(), nullable=False),
                sa.Column('others_present', sa.JSON(), nullable=False),
                user_column='recorded_by_id')


def downgrade() -> None:
    op.drop_index('uq_custody_records_open_person', table_name='custody_records')
    for name in ('custody_interviews', 'custody_authorities', 'custody_reviews', 'custody_checks',
                 'custody_risk_assessments', 'custody_rights'):
        op.drop_table(name)
    with op.batch_alter_table('custody_records', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_custody_records_detention_decided_by_id_users'), type_='foreignkey')
        for name, *_ in reversed(_RECORD_COLUMNS):
            batch_op.drop_column(name)
