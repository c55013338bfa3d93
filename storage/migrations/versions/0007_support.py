"""support desk: tickets and the message map of their relays (survives a restart)

Revision ID: 0007_support
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007_support'
down_revision: str | None = '0006_growth'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('support_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('open_user_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('thread_id', sa.BigInteger(), nullable=True),
    sa.Column('customer_blocked', sa.Boolean(), nullable=False),
    sa.Column('closed_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_support_tickets_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_tickets')),
    sa.UniqueConstraint('open_user_id', name=op.f('uq_support_tickets_open_user_id'))
    )
    with op.batch_alter_table('support_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_tickets_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_support_tickets_topic', ['chat_id', 'thread_id'], unique=False)

    op.create_table('support_relays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('staff_chat_id', sa.BigInteger(), nullable=False),
    sa.Column('staff_message_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_message_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['support_tickets.id'], name=op.f('fk_support_relays_ticket_id_support_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_relays')),
    sa.UniqueConstraint('staff_chat_id', 'staff_message_id', name=op.f('uq_support_relays_staff_chat_id'))
    )
    with op.batch_alter_table('support_relays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_relays_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index('ix_support_relays_customer', ['customer_message_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('support_relays', schema=None) as batch_op:
        batch_op.drop_index('ix_support_relays_customer')
        batch_op.drop_index(batch_op.f('ix_support_relays_ticket_id'))
    op.drop_table('support_relays')
    with op.batch_alter_table('support_tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_support_tickets_topic')
        batch_op.drop_index(batch_op.f('ix_support_tickets_user_id'))
    op.drop_table('support_tickets')
