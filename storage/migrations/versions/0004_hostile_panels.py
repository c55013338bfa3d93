"""hostile panels: 64-bit quantities, per-order status trouble, the last catalog sync's report

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Panels send "max": "5000000000": quantities need 64 bits. SQLite's INTEGER already is.
_WIDENED = (("services", "min_quantity"), ("services", "max_quantity"), ("orders", "quantity"))


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table, column in _WIDENED:
            op.alter_column(table, column, type_=sa.BigInteger(), existing_type=sa.Integer())
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_errors', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('unknown_status_since', sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('panels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sync_report', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('panels', schema=None) as batch_op:
        batch_op.drop_column('sync_report')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('unknown_status_since')
        batch_op.drop_column('status_errors')
    if op.get_context().dialect.name == "postgresql":
        for table, column in _WIDENED:
            op.alter_column(table, column, type_=sa.Integer(), existing_type=sa.BigInteger())
