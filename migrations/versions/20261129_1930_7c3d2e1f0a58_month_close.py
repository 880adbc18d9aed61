"""month_close: a site-month's figures frozen when the month is closed (R30), append-only, on the chain; handover_post.created_at (from when a post is due handovers)

Revision ID: 7c3d2e1f0a58
Revises: 5e7a1c2d9b40
Create Date: 2026-11-29 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3d2e1f0a58'
down_revision = '5e7a1c2d9b40'
branch_labels = None
depends_on = None

RECORD_TABLES = {"month_close_file": "closed_at", "month_close": "closed_at"}  # frozen: the tables this revision makes append-only


def upgrade():
    op.create_table('month_close',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_month_close_closed_by_id_user')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_month_close_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_month_close')),
    sa.UniqueConstraint('site_id', 'month', name=op.f('uq_month_close_site_id_month'))
    )
    with op.batch_alter_table('month_close', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_month_close_site_id'), ['site_id'], unique=False)
    op.create_table('month_close_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_month_close_file_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_month_close_file')),
    sa.UniqueConstraint('site_id', 'month', 'name', name=op.f('uq_month_close_file_site_id_month_name'))
    )
    with op.batch_alter_table('month_close_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_month_close_file_site_id'), ['site_id'], unique=False)
    from wuye_field.audit.triggers import make_append_only

    make_append_only(RECORD_TABLES, bind=op.get_bind())
    with op.batch_alter_table('handover_post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True),
                                      server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False))


def downgrade():
    with op.batch_alter_table('handover_post', schema=None) as batch_op:
        batch_op.drop_column('created_at')
    from wuye_field.audit.triggers import drop_append_only

    drop_append_only(RECORD_TABLES, bind=op.get_bind())
    with op.batch_alter_table('month_close_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_month_close_file_site_id'))
    op.drop_table('month_close_file')
    with op.batch_alter_table('month_close', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_month_close_site_id'))
    op.drop_table('month_close')
