"""assessment: rectification orders (限期整改) after two failed months in a row

Revision ID: c4a55e55f17a
Revises: c4a1d2e3f5b6
Create Date: 2026-11-29 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a55e55f17a'
down_revision = 'c4a1d2e3f5b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rectification_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('streak', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('done_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_rectification_order_site_id_site')),
    sa.ForeignKeyConstraint(['done_by_id'], ['user.id'], name=op.f('fk_rectification_order_done_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_order')),
    sa.UniqueConstraint('site_id', 'month', name=op.f('uq_rectification_order_site_id_month'))
    )
    with op.batch_alter_table('rectification_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_order_site_id'), ['site_id'], unique=False)


def downgrade():
    with op.batch_alter_table('rectification_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_order_site_id'))
    op.drop_table('rectification_order')
