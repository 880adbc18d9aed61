"""setting_change: effective-dated settings (every value a figure depends on, from when it applies)

Revision ID: 5e7a1c2d9b40
Revises: 3ef05753a88a
Create Date: 2026-11-29 18:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e7a1c2d9b40'
down_revision = '3ef05753a88a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('setting_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=24), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('effective_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_setting_change_lookup', 'setting_change',
                    ['site_id', 'subject', 'name', 'subject_id', 'effective_from'], unique=False)


def downgrade():
    op.drop_index('ix_setting_change_lookup', table_name='setting_change')
    op.drop_table('setting_change')
