"""People (POLE), investigations and actions, intelligence reports and grading (issue 4).

Revision ID: 0003
Revises: 0002

Times are naive UTC (server.db.UTCDateTime stores them so on every database). People that existed before this
revision get their search keys (domain.names) filled in here.
"""

import sqlalchemy as sa
from alembic import op

from domain.names import compact, soundex

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('intelligence_reports',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('source_reference', sa.String(length=64), nullable=False),
    sa.Column('original_text', sa.Text(), nullable=False),
    sa.Column('sanitised_text', sa.Text(), nullable=False),
    sa.Column('source_evaluation', sa.String(length=1), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('handling_code', sa.String(length=1), nullable=False),
    sa.Column('handling_conditions', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('submitted_by_id', sa.String(length=36), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('qa_by_id', sa.String(length=36), nullable=True),
    sa.Column('qa_at', sa.DateTime(), nullable=True),
    sa.Column('qa_notes', sa.Text(), nullable=True),
    sa.Column('disseminated_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['qa_by_id'], ['users.id'], name=op.f('fk_intelligence_reports_qa_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_intelligence_reports_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intelligence_reports')),
    sa.UniqueConstraint('reference', name=op.f('uq_intelligence_reports_reference'))
    )
    with op.batch_alter_table('intelligence_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intelligence_reports_handling_code'), ['handling_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_intelligence_reports_status'), ['status'], unique=False)

    op.create_table('investigations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('officer_in_charge_id', sa.String(length=36), nullable=True),
    sa.Column('created_by_id', sa.String(length=36), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_investigations_created_by_id_users')),
    sa.ForeignKeyConstraint(['officer_in_charge_id'], ['users.id'], name=op.f('fk_investigations_officer_in_charge_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investigations')),
    sa.UniqueConstraint('reference', name=op.f('uq_investigations_reference'))
    )
    op.create_table('person_addresses',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('line1', sa.String(length=200), nullable=False),
    sa.Column('line2', sa.String(length=200), nullable=False),
    sa.Column('town', sa.String(length=100), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('from_date', sa.Date(), nullable=True),
    sa.Column('to_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_person_addresses_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_addresses'))
    )
    with op.batch_alter_table('person_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_addresses_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_addresses_postcode'), ['postcode'], unique=False)

    op.create_table('person_aliases',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('surname', sa.String(length=100), nullable=False),
    sa.Column('forenames', sa.String(length=200), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('surname_key', sa.String(length=100), nullable=False),
    sa.Column('surname_sx', sa.String(length=4), nullable=False),
    sa.Column('forename_key', sa.String(length=100), nullable=False),
    sa.Column('forename_sx', sa.String(length=4), nullable=False),
    sa.Column('added_by_merge_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_person_aliases_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_aliases'))
    )
    with op.batch_alter_table('person_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_aliases_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_aliases_surname_key'), ['surname_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_aliases_surname_sx'), ['surname_sx'], unique=False)

    op.create_table('person_merges',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('survivor_id', sa.String(length=36), nullable=False),
    sa.Column('merged_id', sa.String(length=36), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('merged_by_id', sa.String(length=36), nullable=False),
    sa.Column('merged_at', sa.DateTime(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.Column('undone_by_id', sa.String(length=36), nullable=True),
    sa.Column('undo_reason', sa.Text(), nullable=True),
    sa.Column('copied_pnc_id', sa.String(length=13), nullable=True),
    sa.Column('copied_cro_number', sa.String(length=12), nullable=True),
    sa.ForeignKeyConstraint(['merged_by_id'], ['users.id'], name=op.f('fk_person_merges_merged_by_id_users')),
    sa.ForeignKeyConstraint(['merged_id'], ['people.id'], name=op.f('fk_person_merges_merged_id_people')),
    sa.ForeignKeyConstraint(['survivor_id'], ['people.id'], name=op.f('fk_person_merges_survivor_id_people')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_person_merges_undone_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_merges'))
    )
    with op.batch_alter_table('person_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_merges_merged_id'), ['merged_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_merges_survivor_id'), ['survivor_id'], unique=False)

    op.create_table('person_warning_markers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('set_by_id', sa.String(length=36), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.Column('removed_by_id', sa.String(length=36), nullable=True),
    sa.Column('removal_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_person_warning_markers_person_id_people')),
    sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_person_warning_markers_removed_by_id_users')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_person_warning_markers_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_warning_markers'))
    )
    with op.batch_alter_table('person_warning_markers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_warning_markers_person_id'), ['person_id'], unique=False)

    op.create_table('intelligence_gradings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by_id', sa.String(length=36), nullable=False),
    sa.Column('source_evaluation', sa.String(length=1), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('handling_code', sa.String(length=1), nullable=False),
    sa.Column('handling_conditions', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_intelligence_gradings_by_id_users')),
    sa.ForeignKeyConstraint(['report_id'], ['intelligence_reports.id'], name=op.f('fk_intelligence_gradings_report_id_intelligence_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intelligence_gradings'))
    )
    with op.batch_alter_table('intelligence_gradings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intelligence_gradings_report_id'), ['report_id'], unique=False)

    op.create_table('intelligence_report_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['intelligence_reports.id'], name=op.f('fk_intelligence_report_events_report_id_intelligence_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intelligence_report_events'))
    )
    with op.batch_alter_table('intelligence_report_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intelligence_report_events_report_id'), ['report_id'], unique=False)

    op.create_table('intelligence_report_locations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('address_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['address_id'], ['person_addresses.id'], name=op.f('fk_intelligence_report_locations_address_id_person_addresses')),
    sa.ForeignKeyConstraint(['report_id'], ['intelligence_reports.id'], name=op.f('fk_intelligence_report_locations_report_id_intelligence_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intelligence_report_locations'))
    )
    with op.batch_alter_table('intelligence_report_locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intelligence_report_locations_report_id'), ['report_id'], unique=False)

    op.create_table('intelligence_report_people',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_intelligence_report_people_person_id_people')),
    sa.ForeignKeyConstraint(['report_id'], ['intelligence_reports.id'], name=op.f('fk_intelligence_report_people_report_id_intelligence_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intelligence_report_people'))
    )
    with op.batch_alter_table('intelligence_report_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intelligence_report_people_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intelligence_report_people_report_id'), ['report_id'], unique=False)

    op.create_table('investigation_people',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('investigation_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('added_by_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_investigation_people_added_by_id_users')),
    sa.ForeignKeyConstraint(['investigation_id'], ['investigations.id'], name=op.f('fk_investigation_people_investigation_id_investigations')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_investigation_people_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investigation_people'))
    )
    with op.batch_alter_table('investigation_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_investigation_people_investigation_id'), ['investigation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_investigation_people_person_id'), ['person_id'], unique=False)

    op.create_table('lines_of_enquiry',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('investigation_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('objective', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('raised_by_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['investigation_id'], ['investigations.id'], name=op.f('fk_lines_of_enquiry_investigation_id_investigations')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], name=op.f('fk_lines_of_enquiry_raised_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lines_of_enquiry'))
    )
    with op.batch_alter_table('lines_of_enquiry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lines_of_enquiry_investigation_id'), ['investigation_id'], unique=False)

    op.create_table('person_merge_links',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('merge_id', sa.String(length=36), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('column_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['merge_id'], ['person_merges.id'], name=op.f('fk_person_merge_links_merge_id_person_merges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_merge_links'))
    )
    with op.batch_alter_table('person_merge_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_merge_links_merge_id'), ['merge_id'], unique=False)

    op.create_table('actions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('investigation_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('line_of_enquiry_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('raised_by_id', sa.String(length=36), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('allocated_to_id', sa.String(length=36), nullable=True),
    sa.Column('allocated_at', sa.DateTime(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('result_text', sa.Text(), nullable=True),
    sa.Column('resulted_at', sa.DateTime(), nullable=True),
    sa.Column('resulted_by_id', sa.String(length=36), nullable=True),
    sa.Column('reviewed_by_id', sa.String(length=36), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('review_outcome', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('further_action_id', sa.String(length=36), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['allocated_to_id'], ['users.id'], name=op.f('fk_actions_allocated_to_id_users')),
    sa.ForeignKeyConstraint(['investigation_id'], ['investigations.id'], name=op.f('fk_actions_investigation_id_investigations')),
    sa.ForeignKeyConstraint(['line_of_enquiry_id'], ['lines_of_enquiry.id'], name=op.f('fk_actions_line_of_enquiry_id_lines_of_enquiry')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], name=op.f('fk_actions_raised_by_id_users')),
    sa.ForeignKeyConstraint(['resulted_by_id'], ['users.id'], name=op.f('fk_actions_resulted_by_id_users')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_actions_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions')),
    sa.UniqueConstraint('investigation_id', 'number', name=op.f('uq_actions_investigation_id'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_allocated_to_id'), ['allocated_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_investigation_id'), ['investigation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_status'), ['status'], unique=False)

    op.create_table('action_history',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('action_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by_id', sa.String(length=36), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_history_action_id_actions')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_action_history_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_history'))
    )
    with op.batch_alter_table('action_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_history_action_id'), ['action_id'], unique=False)

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('self_defined_ethnicity', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('officer_defined_ethnicity', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('pnc_id', sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column('cro_number', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('merged_into', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('surname_key', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('surname_sx', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('forename_key', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('forename_sx', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('dob_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('dob_month', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('dob_day', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_people_cro_number'), ['cro_number'], unique=False)
        batch_op.create_index('ix_people_dob_parts', ['dob_year', 'dob_month', 'dob_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_people_merged_into'), ['merged_into'], unique=False)
        batch_op.create_index(batch_op.f('ix_people_pnc_id'), ['pnc_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_people_surname_key'), ['surname_key'], unique=False)
        batch_op.create_index('ix_people_surname_sx_forename_sx', ['surname_sx', 'forename_sx'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_people_merged_into_people'), 'people', ['merged_into'], ['id'])


    people = sa.table('people', sa.column('id', sa.String), sa.column('surname', sa.String),
                      sa.column('forenames', sa.String), sa.column('date_of_birth', sa.Date),
                      sa.column('surname_key', sa.String), sa.column('surname_sx', sa.String),
                      sa.column('forename_key', sa.String), sa.column('forename_sx', sa.String),
                      sa.column('dob_year', sa.Integer), sa.column('dob_month', sa.Integer),
                      sa.column('dob_day', sa.Integer))
    conn = op.get_bind()
    for row in conn.execute(sa.select(people.c.id, people.c.surname, people.c.forenames,
                                      people.c.date_of_birth)).all():
        first = (row.forenames or '').split()[:1]
        dob = row.date_of_birth
        conn.execute(people.update().where(people.c.id == row.id).values(
            surname_key=compact(row.surname), surname_sx=soundex(row.surname),
            forename_key=compact(first[0]) if first else '', forename_sx=soundex(first[0]) if first else '',
            dob_year=dob.year if dob else None, dob_month=dob.month if dob else None,
            dob_day=dob.day if dob else None))


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_people_merged_into_people'), type_='foreignkey')
        batch_op.drop_index('ix_people_surname_sx_forename_sx')
        batch_op.drop_index(batch_op.f('ix_people_surname_key'))
        batch_op.drop_index(batch_op.f('ix_people_pnc_id'))
        batch_op.drop_index(batch_op.f('ix_people_merged_into'))
        batch_op.drop_index('ix_people_dob_parts')
        batch_op.drop_index(batch_op.f('ix_people_cro_number'))
        batch_op.drop_column('dob_day')
        batch_op.drop_column('dob_month')
        batch_op.drop_column('dob_year')
        batch_op.drop_column('forename_sx')
        batch_op.drop_column('forename_key')
        batch_op.drop_column('surname_sx')
        batch_op.drop_column('surname_key')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('version')
        batch_op.drop_column('merged_into')
        batch_op.drop_column('cro_number')
        batch_op.drop_column('pnc_id')
        batch_op.drop_column('officer_defined_ethnicity')
        batch_op.drop_column('self_defined_ethnicity')

    with op.batch_alter_table('action_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_history_action_id'))

    op.drop_table('action_history')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_status'))
        batch_op.drop_index(batch_op.f('ix_actions_investigation_id'))
        batch_op.drop_index(batch_op.f('ix_actions_allocated_to_id'))

    op.drop_table('actions')
    with op.batch_alter_table('person_merge_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_merge_links_merge_id'))

    op.drop_table('person_merge_links')
    with op.batch_alter_table('lines_of_enquiry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lines_of_enquiry_investigation_id'))

    op.drop_table('lines_of_enquiry')
    with op.batch_alter_table('investigation_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_investigation_people_person_id'))
        batch_op.drop_index(batch_op.f('ix_investigation_people_investigation_id'))

    op.drop_table('investigation_people')
    with op.batch_alter_table('intelligence_report_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intelligence_report_people_report_id'))
        batch_op.drop_index(batch_op.f('ix_intelligence_report_people_person_id'))

    op.drop_table('intelligence_report_people')
    with op.batch_alter_table('intelligence_report_locations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intelligence_report_locations_report_id'))

    op.drop_table('intelligence_report_locations')
    with op.batch_alter_table('intelligence_report_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intelligence_report_events_report_id'))

    op.drop_table('intelligence_report_events')
    with op.batch_alter_table('intelligence_gradings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intelligence_gradings_report_id'))

    op.drop_table('intelligence_gradings')
    with op.batch_alter_table('person_warning_markers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_warning_markers_person_id'))

    op.drop_table('person_warning_markers')
    with op.batch_alter_table('person_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_merges_survivor_id'))
        batch_op.drop_index(batch_op.f('ix_person_merges_merged_id'))

    op.drop_table('person_merges')
    with op.batch_alter_table('person_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_aliases_surname_sx'))
        batch_op.drop_index(batch_op.f('ix_person_aliases_surname_key'))
        batch_op.drop_index(batch_op.f('ix_person_aliases_person_id'))

    op.drop_table('person_aliases')
    with op.batch_alter_table('person_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_addresses_postcode'))
        batch_op.drop_index(batch_op.f('ix_person_addresses_person_id'))

    op.drop_table('person_addresses')
    op.drop_table('investigations')
    with op.batch_alter_table('intelligence_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intelligence_reports_status'))
        batch_op.drop_index(batch_op.f('ix_intelligence_reports_handling_code'))

    op.drop_table('intelligence_reports')
