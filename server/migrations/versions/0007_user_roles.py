"""User administration (issue 12): several roles per user, a version for conditional updates, home suite, and the
workstation each session was signed in from.

Revision ID: 0007
Revises: 0004 (the lead re-chains it when merging)

`users.role` stays as the user's first role (the /me answer keeps it for older clients); `user_roles` holds every
role, and every user's existing role is copied into it here.
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'user_roles',
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_roles')),
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('home_suite', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('auth_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('workstation', sa.String(length=200), nullable=True))
    op.execute("INSERT INTO user_roles (user_id, role) SELECT id, role FROM users")


def downgrade() -> None:
    with op.batch_alter_table('auth_tokens', schema=None) as batch_op:
        batch_op.drop_column('workstation')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('version')
        batch_op.drop_column('home_suite')
    op.drop_table('user_roles')
