"""checks: equipment register and status history, check plans, checks, meter readings, drills, planned orders (issue 15)

Revision ID: ea551b7d6579
Revises: ae6e4db2eb5b
Create Date: 2026-11-29 18:41:16.834150

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ea551b7d6579'
down_revision = 'ae6e4db2eb5b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('check_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('equipment_types', sa.JSON(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('equipment_ids', sa.JSON(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('frequency', sa.JSON(), nullable=False),
    sa.Column('meter_trigger', sa.JSON(), nullable=True),
    sa.Column('orders_ahead_days', sa.Integer(), nullable=False),
    sa.Column('order_category', sa.String(length=12), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_check_plan_assignee_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_check_plan_building_id_building'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_check_plan_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_check_plan_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_plan'))
    )
    with op.batch_alter_table('check_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_plan_site_id'), ['site_id'], unique=False)
        batch_op.create_index('ix_check_plan_site_key', ['site_id', 'key'], unique=False)

    op.create_table('drill',
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('participant_ids', sa.JSON(), nullable=False),
    sa.Column('participants_typed', sa.Text(), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_drill_place_id_place')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_drill_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_drill_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drill')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_drill_user_id_client_uuid'))
    )
    with op.batch_alter_table('drill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drill_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_drill_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_drill_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drill_user_id'), ['user_id'], unique=False)

    op.create_table('equipment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('floor', sa.String(length=10), nullable=False),
    sa.Column('attrs', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('tag_place_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_equipment_building_id_building'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_equipment_place_id_place'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_equipment_site_id_site'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_place_id'], ['place.id'], name=op.f('fk_equipment_tag_place_id_place'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equipment')),
    sa.UniqueConstraint('site_id', 'code', name=op.f('uq_equipment_site_id_code'))
    )
    with op.batch_alter_table('equipment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_equipment_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_equipment_place_id'), ['place_id'], unique=False)
        batch_op.create_index('ix_equipment_site_type', ['site_id', 'type'], unique=False)
        batch_op.create_index(batch_op.f('ix_equipment_tag_place_id'), ['tag_place_id'], unique=False)

    op.create_table('check_record',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('equipment_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=8), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('failures', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('equipment_removed', sa.Boolean(), nullable=False),
    sa.Column('defect_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], name=op.f('fk_check_record_equipment_id_equipment')),
    sa.ForeignKeyConstraint(['plan_id'], ['check_plan.id'], name=op.f('fk_check_record_plan_id_check_plan')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_check_record_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_check_record_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_record')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_check_record_user_id_client_uuid'))
    )
    with op.batch_alter_table('check_record', schema=None) as batch_op:
        batch_op.create_index('ix_check_record_board', ['site_id', 'plan_id', 'device_time', 'equipment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_record_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_record_defect_id'), ['defect_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_record_equipment_id'), ['equipment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_record_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_record_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_record_user_id'), ['user_id'], unique=False)

    op.create_table('equipment_status',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('equipment_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], name=op.f('fk_equipment_status_equipment_id_equipment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_equipment_status_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equipment_status'))
    )
    with op.batch_alter_table('equipment_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_equipment_status_equipment_id'), ['equipment_id'], unique=False)

    op.create_table('meter_reading',
    sa.Column('equipment_id', sa.Integer(), nullable=False),
    sa.Column('meter', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], name=op.f('fk_meter_reading_equipment_id_equipment')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_meter_reading_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_meter_reading_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_reading')),
    sa.UniqueConstraint('user_id', 'client_uuid', 'meter', name=op.f('uq_meter_reading_user_id_client_uuid_meter'))
    )
    with op.batch_alter_table('meter_reading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meter_reading_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index('ix_meter_reading_equipment', ['equipment_id', 'meter', 'device_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_meter_reading_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meter_reading_user_id'), ['user_id'], unique=False)

    op.create_table('planned_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('equipment_id', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('work_order_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], name=op.f('fk_planned_order_equipment_id_equipment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['check_plan.id'], name=op.f('fk_planned_order_plan_id_check_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_planned_order_site_id_site'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_order.id'], name=op.f('fk_planned_order_work_order_id_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planned_order')),
    sa.UniqueConstraint('plan_id', 'equipment_id', 'window_start', name=op.f('uq_planned_order_plan_id_equipment_id_window_start'))
    )
    with op.batch_alter_table('planned_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planned_order_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planned_order_work_order_id'), ['work_order_id'], unique=False)

    from wuye_field.audit.triggers import make_append_only

    # H5: the field records of checks are append-only (frozen list: later models do not change this revision).
    make_append_only({"check_record": "received_at", "meter_reading": "received_at", "drill": "received_at"},
                     bind=op.get_bind())


def downgrade():
    with op.batch_alter_table('planned_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planned_order_work_order_id'))
        batch_op.drop_index(batch_op.f('ix_planned_order_site_id'))

    op.drop_table('planned_order')
    with op.batch_alter_table('meter_reading', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meter_reading_user_id'))
        batch_op.drop_index(batch_op.f('ix_meter_reading_site_id'))
        batch_op.drop_index('ix_meter_reading_equipment')
        batch_op.drop_index(batch_op.f('ix_meter_reading_client_uuid'))

    op.drop_table('meter_reading')
    with op.batch_alter_table('equipment_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_equipment_status_equipment_id'))

    op.drop_table('equipment_status')
    with op.batch_alter_table('check_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_record_user_id'))
        batch_op.drop_index(batch_op.f('ix_check_record_site_id'))
        batch_op.drop_index(batch_op.f('ix_check_record_plan_id'))
        batch_op.drop_index(batch_op.f('ix_check_record_equipment_id'))
        batch_op.drop_index(batch_op.f('ix_check_record_defect_id'))
        batch_op.drop_index(batch_op.f('ix_check_record_client_uuid'))
        batch_op.drop_index('ix_check_record_board')

    op.drop_table('check_record')
    with op.batch_alter_table('equipment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_equipment_tag_place_id'))
        batch_op.drop_index('ix_equipment_site_type')
        batch_op.drop_index(batch_op.f('ix_equipment_place_id'))
        batch_op.drop_index(batch_op.f('ix_equipment_building_id'))

    op.drop_table('equipment')
    with op.batch_alter_table('drill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drill_user_id'))
        batch_op.drop_index(batch_op.f('ix_drill_site_id'))
        batch_op.drop_index(batch_op.f('ix_drill_held_on'))
        batch_op.drop_index(batch_op.f('ix_drill_client_uuid'))

    op.drop_table('drill')
    with op.batch_alter_table('check_plan', schema=None) as batch_op:
        batch_op.drop_index('ix_check_plan_site_key')
        batch_op.drop_index(batch_op.f('ix_check_plan_site_id'))

    op.drop_table('check_plan')
