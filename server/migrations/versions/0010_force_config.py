"""Force configuration held in the database (issue 15): the [U] settings and the offence catalogue, versioned;
each charge keeps the catalogue version it was made under.

Revision ID: 0010
Revises: 0009 here (0007 on main; the lead re-chains it when merging)

No rows are added here: until an administrator first changes a setting, the configuration files are version 0
(server/config_store.py), and existing charges were made under them (catalogue_version 0).
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'force_settings',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_force_settings_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_force_settings')),
    )
    op.create_table(
        'force_setting_versions',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('setting_id', sa.String(length=36), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('changed_by_id', sa.String(length=36), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'],
                                name=op.f('fk_force_setting_versions_changed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_force_setting_versions')),
        sa.UniqueConstraint('setting_id', 'version', name=op.f('uq_force_setting_versions_setting_id')),
    )
    op.create_index(op.f('ix_force_setting_versions_setting_id'), 'force_setting_versions', ['setting_id'])
    with op.batch_alter_table('charges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('catalogue_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('charges', schema=None) as batch_op:
        batch_op.drop_column('catalogue_version')
    op.drop_index(op.f('ix_force_setting_versions_setting_id'), table_name='force_setting_versions')
    op.drop_table('force_setting_versions')
    op.drop_table('force_settings')
