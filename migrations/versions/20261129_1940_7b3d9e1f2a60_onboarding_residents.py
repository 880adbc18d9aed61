"""onboarding and residents: a place's floor, forced password change, buildings' public tokens (楼栋公示),
replaced building tokens, desk notices, residents' requests

Revision ID: 7b3d9e1f2a60
Revises: 7c3d2e1f0a58
Create Date: 2026-11-29 19:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3d9e1f2a60'
down_revision = '7c3d2e1f0a58'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.add_column(sa.Column('floor', sa.String(length=8), nullable=True))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_token', sa.String(length=64), nullable=True))
    building = sa.table('building', sa.column('id', sa.Integer), sa.column('public_token', sa.String))
    connection = op.get_bind()
    for (building_id,) in connection.execute(sa.select(building.c.id)).all():
        connection.execute(building.update().where(building.c.id == building_id)
                           .values(public_token=secrets.token_urlsafe(18)))
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.alter_column('public_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_building_public_token'), ['public_token'])

    op.create_table('retired_building_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_retired_building_token_building_id_building'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['retired_by_id'], ['user.id'], name=op.f('fk_retired_building_token_retired_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retired_building_token')),
    sa.UniqueConstraint('token', name=op.f('uq_retired_building_token_token'))
    )
    with op.batch_alter_table('retired_building_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retired_building_token_building_id'), ['building_id'], unique=False)

    op.create_table('desk_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_desk_notice_building_id_building'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_desk_notice_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_desk_notice_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_notice'))
    )
    with op.batch_alter_table('desk_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_notice_site_id'), ['site_id'], unique=False)

    op.create_table('resident_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('photo_key', sa.String(length=80), nullable=True),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_resident_request_building_id_building'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_resident_request_owner_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_resident_request_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_request')),
    sa.UniqueConstraint('reference', name=op.f('uq_resident_request_reference'))
    )
    with op.batch_alter_table('resident_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_request_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_request_state'), ['state'], unique=False)


def downgrade():
    op.drop_table('resident_request')
    op.drop_table('desk_notice')
    op.drop_table('retired_building_token')
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_building_public_token'), type_='unique')
        batch_op.drop_column('public_token')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.drop_column('floor')
