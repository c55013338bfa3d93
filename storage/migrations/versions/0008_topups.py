"""top-ups beyond Stars: one record per top-up (payments.method …) and manual transfer methods

Revision ID: 0008_topups
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008_topups'
down_revision: str | None = '0007_support'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('transfer_methods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_en', sa.String(length=64), nullable=False),
    sa.Column('name_ar', sa.String(length=64), nullable=False),
    sa.Column('instructions_en', sa.Text(), nullable=False),
    sa.Column('instructions_ar', sa.Text(), nullable=False),
    sa.Column('min_amount', sa.BigInteger(), nullable=False),
    sa.Column('max_amount', sa.BigInteger(), nullable=False),
    sa.Column('rate', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=8), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_methods'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('method', sa.String(length=16), server_default='stars', nullable=False))
        batch_op.add_column(sa.Column('amount', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('paid_amount', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('external_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('pay_url', sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column('transfer_method_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('receipt_file_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('receipt_kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('approved_by', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('telegram_payment_charge_id', existing_type=sa.String(length=191), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_payments_transfer_method_id_transfer_methods'), 'transfer_methods', ['transfer_method_id'], ['id'])
        batch_op.create_unique_constraint('uq_payments_method_external_id', ['method', 'external_id'])
        batch_op.create_index('ix_payments_method_status', ['method', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('ix_payments_method_status')
        batch_op.drop_constraint('uq_payments_method_external_id', type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_payments_transfer_method_id_transfer_methods'), type_='foreignkey')
        batch_op.alter_column('telegram_payment_charge_id', existing_type=sa.String(length=191), nullable=False)
        for column in ('settled_at', 'expires_at', 'reason', 'approved_by', 'receipt_kind',
                       'receipt_file_id', 'transfer_method_id', 'pay_url', 'external_id',
                       'paid_amount', 'amount', 'method'):
            batch_op.drop_column(column)
    op.drop_table('transfer_methods')
