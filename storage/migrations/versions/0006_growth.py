"""growth: invite codes, promo codes and their redemptions

Revision ID: 0006_growth
Revises: 0005
Create Date: 2026-12-03

Customers who exist already have had their first /start: their start_payload is set to ''
so that a later /start with someone's invite code cannot make them a referred customer.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006_growth'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'invite_codes',
        sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_invite_codes_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_invite_codes')),
        sa.UniqueConstraint('code', name=op.f('uq_invite_codes_code')),
    )
    op.create_table(
        'promo_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.Column('max_uses', sa.Integer(), nullable=True),
        sa.Column('uses', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('disabled', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('uses >= 0', name=op.f('ck_promo_codes_uses_not_negative')),
        sa.CheckConstraint(
            'max_uses IS NULL OR uses <= max_uses', name=op.f('ck_promo_codes_uses_within_max')
        ),
        sa.CheckConstraint('value > 0', name=op.f('ck_promo_codes_value_positive')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_promo_codes')),
        sa.UniqueConstraint('code', name=op.f('uq_promo_codes_code')),
    )
    op.create_table(
        'promo_redemptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('promo_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('topup_ref', sa.String(length=191), nullable=True),
        sa.Column('bonus', sa.BigInteger(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['promo_id'], ['promo_codes.id'], name=op.f('fk_promo_redemptions_promo_id_promo_codes')
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_promo_redemptions_user_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_promo_redemptions')),
        sa.UniqueConstraint('promo_id', 'user_id', name=op.f('uq_promo_redemptions_promo_id')),
    )
    op.create_index(
        'ix_promo_redemptions_pending', 'promo_redemptions', ['user_id', 'applied_at'], unique=False
    )
    op.execute("UPDATE users SET start_payload = '' WHERE start_payload IS NULL")


def downgrade() -> None:
    op.drop_index('ix_promo_redemptions_pending', table_name='promo_redemptions')
    op.drop_table('promo_redemptions')
    op.drop_table('promo_codes')
    op.drop_table('invite_codes')
