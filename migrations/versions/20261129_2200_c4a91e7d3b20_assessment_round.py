"""assessment round: the inspector's entries of a site-month (scores, on-site deductions, decisions on proposed deductions, reprimands, signatures), append-only and chained

Revision ID: c4a91e7d3b20
Revises: 1c73d202783c
Create Date: 2026-11-29 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a91e7d3b20'
down_revision = '1c73d202783c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessment_entry',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('item', sa.String(length=40), nullable=False),
    sa.Column('proposal_key', sa.String(length=80), nullable=False),
    sa.Column('points', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reprimand_kind', sa.String(length=12), nullable=False),
    sa.Column('doc_number', sa.String(length=60), nullable=False),
    sa.Column('signer_role', sa.String(length=10), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_assessment_entry_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_assessment_entry_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_entry')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_assessment_entry_user_id_client_uuid'))
    )
    with op.batch_alter_table('assessment_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_entry_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_entry_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_entry_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_assessment_entry_site_month', ['site_id', 'month'], unique=False)

    from wuye_field.audit.triggers import make_append_only

    # H5: the round's entries are append-only (frozen list).
    make_append_only({"assessment_entry": "received_at"}, bind=op.get_bind())


def downgrade():
    from wuye_field.audit.triggers import drop_append_only

    drop_append_only(["assessment_entry"], bind=op.get_bind())
    with op.batch_alter_table('assessment_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_entry_site_month')
        batch_op.drop_index(batch_op.f('ix_assessment_entry_user_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_entry_site_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_entry_client_uuid'))

    op.drop_table('assessment_entry')
