"""Audit integrity (issue 12): the audit log append-only at the database and hash-chained; sign-in throttle.

Revision ID: 0006
Revises: 0004

- audit_log gains workstation, prev_hash and row_hash; existing rows are chained in id order (server.audit's
  canonical form, written out here so a later change to the module cannot change what this migration did).
- audit_chain_head: one row, the last id and hash.
- Triggers refuse UPDATE and DELETE of audit rows on both databases, and TRUNCATE on PostgreSQL, whatever role
  connects (the table's owner can still drop them: see docs/operator-guide.md, owner and server roles). The head
  row may be updated (by the server, as it chains) but not deleted or truncated.
- sign_in_throttle: failed sign-ins per user name and per address, shared by every server process.
"""

import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
HASHED = ("id", "at", "user_id", "action", "entity", "entity_id", "justification", "workstation", "prev_hash")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION bridewell_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def _hash(row: dict) -> str:
    fields = {name: row[name] for name in HASHED}
    fields["at"] = row["at"].replace(tzinfo=UTC).isoformat(timespec="microseconds")
    fields["id"] = int(row["id"])
    return hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False).encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('workstation', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, at, user_id, action, entity, entity_id, justification, workstation "
                                "FROM audit_log ORDER BY id").columns(sa.column("at", sa.DateTime()))).mappings().all()
    last_id, last_hash = 0, GENESIS
    for row in rows:
        chained = {**row, "prev_hash": last_hash}
        last_id, last_hash = int(row["id"]), _hash(chained)
        conn.execute(sa.text("UPDATE audit_log SET prev_hash = :p, row_hash = :h WHERE id = :id"),
                     {"p": chained["prev_hash"], "h": last_hash, "id": last_id})

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('row_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_log_row_hash'), ['row_hash'])

    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_id', sa.BigInteger(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    conn.execute(sa.text("INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, :i, :h)"),
                 {"i": last_id, "h": last_hash})

    op.create_table('sign_in_throttle',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_throttle'))
    )

    if conn.dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION bridewell_audit_append_only()")
        op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION bridewell_audit_append_only()")
        op.execute("CREATE TRIGGER audit_chain_head_kept BEFORE DELETE ON audit_chain_head "
                   "FOR EACH ROW EXECUTE FUNCTION bridewell_audit_append_only()")
        op.execute("CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head "
                   "FOR EACH STATEMENT EXECUTE FUNCTION bridewell_audit_append_only()")
    else:
        # SQLite has no TRUNCATE (DELETE without WHERE is refused by the same trigger).
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                       f"BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: {verb} refused'); END")
        op.execute("CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head "
                   "BEGIN SELECT RAISE(ABORT, 'the audit chain head is kept: DELETE refused'); END")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_chain_head_no_truncate ON audit_chain_head")
        op.execute("DROP TRIGGER IF EXISTS audit_chain_head_kept ON audit_chain_head")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS bridewell_audit_append_only()")
    else:
        for name in ("audit_log_no_update", "audit_log_no_delete", "audit_chain_head_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('sign_in_throttle')
    op.drop_table('audit_chain_head')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_log_row_hash'), type_='unique')
        batch_op.drop_column('row_hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('workstation')
