"""quarantine: field actions kept aside after a role change, a move to another site or a deactivation (R12); roles ended; site moves

Revision ID: 3ef05753a88a
Revises: 95921f83bc78
Create Date: 2026-11-29 15:16:03.341896

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3ef05753a88a'
down_revision = '95921f83bc78'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quarantine_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('origin_site_id', sa.Integer(), nullable=True),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('endpoint', sa.String(length=80), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_quarantine_item_decided_by_id_user')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user.id'], name=op.f('fk_quarantine_item_imported_by_id_user')),
    sa.ForeignKeyConstraint(['origin_site_id'], ['site.id'], name=op.f('fk_quarantine_item_origin_site_id_site')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_quarantine_item_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_quarantine_item_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine_item')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_quarantine_item_user_id_client_uuid'))
    )
    with op.batch_alter_table('quarantine_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantine_item_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quarantine_item_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_quarantine_item_user_id'), ['user_id'], unique=False)

    op.create_table('role_ended',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_role_ended_site_id_site'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_role_ended_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_ended'))
    )
    with op.batch_alter_table('role_ended', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_ended_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_ended_user_id'), ['user_id'], unique=False)

    op.create_table('site_move',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table', sa.String(length=60), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('from_site_id', sa.Integer(), nullable=False),
    sa.Column('to_site_id', sa.Integer(), nullable=False),
    sa.Column('moved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['from_site_id'], ['site.id'], name=op.f('fk_site_move_from_site_id_site')),
    sa.ForeignKeyConstraint(['to_site_id'], ['site.id'], name=op.f('fk_site_move_to_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_move'))
    )
    with op.batch_alter_table('site_move', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_move_object_id'), ['object_id'], unique=False)



def downgrade():
    with op.batch_alter_table('site_move', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_move_object_id'))

    op.drop_table('site_move')
    with op.batch_alter_table('role_ended', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_ended_user_id'))
        batch_op.drop_index(batch_op.f('ix_role_ended_site_id'))

    op.drop_table('role_ended')
    with op.batch_alter_table('quarantine_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_item_user_id'))
        batch_op.drop_index(batch_op.f('ix_quarantine_item_state'))
        batch_op.drop_index(batch_op.f('ix_quarantine_item_site_id'))

    op.drop_table('quarantine_item')
