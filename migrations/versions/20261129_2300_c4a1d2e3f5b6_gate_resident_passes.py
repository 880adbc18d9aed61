"""gate: residents' phones per unit as the desk knows them; a pass's source (desk, call, resident) and contact

Revision ID: c4a1d2e3f5b6
Revises: c0a1d5e7f3b2
Create Date: 2026-11-29 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a1d2e3f5b6'
down_revision = 'c0a1d5e7f3b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('gate_unit_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('unit_key', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_gate_unit_contact_building_id_building'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_gate_unit_contact_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_gate_unit_contact_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gate_unit_contact'))
    )
    with op.batch_alter_table('gate_unit_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gate_unit_contact_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gate_unit_contact_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gate_unit_contact_unit_key'), ['unit_key'], unique=False)

    with op.batch_alter_table('gate_pass', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=10), nullable=False, server_default='desk'))
        batch_op.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_gate_pass_contact_id_gate_unit_contact'), 'gate_unit_contact',
                                    ['contact_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('gate_pass', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_gate_pass_contact_id_gate_unit_contact'), type_='foreignkey')
        batch_op.drop_column('contact_id')
        batch_op.drop_column('source')

    with op.batch_alter_table('gate_unit_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gate_unit_contact_unit_key'))
        batch_op.drop_index(batch_op.f('ix_gate_unit_contact_site_id'))
        batch_op.drop_index(batch_op.f('ix_gate_unit_contact_building_id'))

    op.drop_table('gate_unit_contact')
