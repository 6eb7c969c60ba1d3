"""Audit at force scale (issue 9): one row per list read naming its subjects; several hash chains.

Revision ID: 0012
Revises: 0011

- audit_subject: the subjects of a list read's row (a list read is ONE audit row; its subjects are rows
  here, written in one bulk insert, indexed on entity_id so "who looked at this person" stays one indexed query).
  Append-only like audit_log (same triggers).
- audit_log gains `chain` and `chain_seq`: rows are chained in one of several chains (CHAINS heads), so audited
  transactions committing at the same moment take different heads instead of queueing at one. Existing rows are
  chain 1 with chain_seq NULL, read as their id (the single chain they were written in had no gaps in id).
  Columns added with a constant default: no row is rewritten (the triggers would refuse it anyway).
- audit_chain_head gains last_seq; heads 2..CHAINS start at the genesis hash.
- PostgreSQL: the id sequence is moved past the rows (ids were computed from the single head until now; with
  several chains they come from the sequence).
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
CHAINS = 32


def upgrade() -> None:
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    op.add_column('audit_log', sa.Column('chain', sa.Integer(), nullable=False, server_default='1'))
    op.add_column('audit_log', sa.Column('chain_seq', sa.BigInteger(), nullable=True))
    op.add_column('audit_chain_head', sa.Column('last_seq', sa.BigInteger(), nullable=False, server_default='0'))
    conn.execute(sa.text("UPDATE audit_chain_head SET last_seq = last_id WHERE id = 1"))
    conn.execute(sa.text("INSERT INTO audit_chain_head (id, last_id, last_hash, last_seq) VALUES (:i, 0, :g, 0)"),
                 [{"i": i, "g": GENESIS} for i in range(2, CHAINS + 1)])

    op.create_table(
        'audit_subject',
        sa.Column('audit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('entity_id', sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint('audit_id', 'entity_id', name=op.f('pk_audit_subject')),
    )
    op.create_index(op.f('ix_audit_subject_entity_id'), 'audit_subject', ['entity_id'], unique=False)

    if postgres:
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('audit_log', 'id'), "
                             "(SELECT coalesce(max(id), 0) + 1 FROM audit_log), false)"))
        op.execute("CREATE TRIGGER audit_subject_append_only BEFORE UPDATE OR DELETE ON audit_subject "
                   "FOR EACH ROW EXECUTE FUNCTION bridewell_audit_append_only()")
        op.execute("CREATE TRIGGER audit_subject_no_truncate BEFORE TRUNCATE ON audit_subject "
                   "FOR EACH STATEMENT EXECUTE FUNCTION bridewell_audit_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_subject_no_{verb.lower()} BEFORE {verb} ON audit_subject "
                       f"BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: {verb} refused'); END")


def downgrade() -> None:
    # Rows named several subjects, or chained in chains other than 1, cannot be put back into the old form without
    # rewriting the audit, which is append-only: restore a backup taken before 0012 instead.
    raise RuntimeError("0012 cannot be downgraded: the audit is append-only (restore the pre-0012 backup)")
