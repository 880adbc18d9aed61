"""patrol rounds inspections defects work orders

Revision ID: 95921f83bc78
Revises: 3a44a22bbde5
Create Date: 2026-11-27 04:47:49.357915

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '95921f83bc78'
down_revision = '3a44a22bbde5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('order_settings',
    sa.Column('site_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('allow_grab', sa.Boolean(), nullable=False),
    sa.Column('require_signature', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_order_settings_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_order_settings'))
    )
    op.create_table('price_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('unit', sa.String(length=12), nullable=False),
    sa.Column('price_fen', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_price_item_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_item'))
    )
    with op.batch_alter_table('price_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_item_site_id'), ['site_id'], unique=False)

    op.create_table('route',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('expected_minutes', sa.Integer(), nullable=False),
    sa.Column('window_minutes', sa.Integer(), nullable=False),
    sa.Column('min_seconds_between', sa.Integer(), nullable=False),
    sa.Column('random_order', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_route_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_route')),
    sa.UniqueConstraint('site_id', 'name', name=op.f('uq_route_site_id_name'))
    )
    with op.batch_alter_table('route', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_route_site_id'), ['site_id'], unique=False)

    op.create_table('sla_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('arrive_minutes', sa.Integer(), nullable=True),
    sa.Column('finish_minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_sla_policy_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policy')),
    sa.UniqueConstraint('site_id', 'priority', name=op.f('uq_sla_policy_site_id_priority'))
    )
    with op.batch_alter_table('sla_policy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_policy_site_id'), ['site_id'], unique=False)

    op.create_table('technician_trade',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_technician_trade_site_id_site'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_technician_trade_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_technician_trade')),
    sa.UniqueConstraint('user_id', 'site_id', 'category', name=op.f('uq_technician_trade_user_id_site_id_category'))
    )
    with op.batch_alter_table('technician_trade', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_technician_trade_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_technician_trade_user_id'), ['user_id'], unique=False)

    op.create_table('round',
    sa.Column('route_id', sa.Integer(), nullable=False),
    sa.Column('planned', sa.Text(), nullable=False),
    sa.Column('window_ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['route_id'], ['route.id'], name=op.f('fk_round_route_id_route')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_round_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_round_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_round_user_id_client_uuid'))
    )
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_route_id'), ['route_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_user_id'), ['user_id'], unique=False)

    op.create_table('checklist_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('unit', sa.String(length=12), nullable=False),
    sa.Column('min_value', sa.Float(), nullable=True),
    sa.Column('max_value', sa.Float(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_checklist_item_place_id_place'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_checklist_item_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_item'))
    )
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_item_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checklist_item_site_id'), ['site_id'], unique=False)

    op.create_table('defect',
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_defect_place_id_place')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_defect_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_defect_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defect')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_defect_user_id_client_uuid'))
    )
    with op.batch_alter_table('defect', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defect_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_defect_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defect_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defect_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defect_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defect_user_id'), ['user_id'], unique=False)

    op.create_table('inspection',
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('all_ok', sa.Boolean(), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('correction_reason', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['corrects_id'], ['inspection.id'], name=op.f('fk_inspection_corrects_id_inspection')),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_inspection_place_id_place')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_inspection_round_id_round')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_inspection_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_inspection_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_inspection_user_id_client_uuid'))
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_user_id'), ['user_id'], unique=False)

    op.create_table('patrol_makeup',
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_patrol_makeup_place_id_place')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_patrol_makeup_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_patrol_makeup_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_makeup')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_patrol_makeup_user_id_client_uuid'))
    )
    with op.batch_alter_table('patrol_makeup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_makeup_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrol_makeup_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrol_makeup_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrol_makeup_user_id'), ['user_id'], unique=False)

    op.create_table('round_finish',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_round_finish_round_id_round')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_round_finish_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_round_finish_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_finish')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_round_finish_user_id_client_uuid'))
    )
    with op.batch_alter_table('round_finish', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_finish_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_finish_round_id'), ['round_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_round_finish_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_finish_user_id'), ['user_id'], unique=False)

    op.create_table('route_stop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_route_stop_place_id_place'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['route_id'], ['route.id'], name=op.f('fk_route_stop_route_id_route'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_route_stop')),
    sa.UniqueConstraint('route_id', 'place_id', name=op.f('uq_route_stop_route_id_place_id'))
    )
    with op.batch_alter_table('route_stop', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_route_stop_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_route_stop_route_id'), ['route_id'], unique=False)

    op.create_table('work_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('defect_id', sa.Integer(), nullable=True),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('room', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('resident_name', sa.String(length=40), nullable=False),
    sa.Column('resident_phone', sa.String(length=20), nullable=False),
    sa.Column('arrive_minutes', sa.Integer(), nullable=True),
    sa.Column('finish_minutes', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('on_hold_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused_seconds', sa.Integer(), nullable=False),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_work_order_assignee_id_user')),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_work_order_building_id_building'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_work_order_place_id_place')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['user.id'], name=op.f('fk_work_order_raised_by_id_user')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_work_order_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_order')),
    sa.UniqueConstraint('raised_by_id', 'client_uuid', name=op.f('uq_work_order_raised_by_id_client_uuid')),
    sa.UniqueConstraint('site_id', 'number', name=op.f('uq_work_order_site_id_number'))
    )
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_order_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_work_order_assignee_state', ['assignee_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_defect_id'), ['defect_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_raised_by_id'), ['raised_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_state'), ['state'], unique=False)

    op.create_table('defect_resolution',
    sa.Column('defect_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('work_order_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['defect_id'], ['defect.id'], name=op.f('fk_defect_resolution_defect_id_defect')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_defect_resolution_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_defect_resolution_user_id_user')),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_order.id'], name=op.f('fk_defect_resolution_work_order_id_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defect_resolution')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_defect_resolution_user_id_client_uuid'))
    )
    with op.batch_alter_table('defect_resolution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defect_resolution_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_defect_resolution_defect_id'), ['defect_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_defect_resolution_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defect_resolution_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defect_resolution_work_order_id'), ['work_order_id'], unique=False)

    op.create_table('inspection_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('reading', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_answer_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_item.id'], name=op.f('fk_inspection_answer_item_id_checklist_item')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_inspection_answer_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_answer'))
    )
    with op.batch_alter_table('inspection_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_answer_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_answer_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_answer_site_id'), ['site_id'], unique=False)

    op.create_table('order_event',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('from_state', sa.String(length=10), nullable=False),
    sa.Column('to_state', sa.String(length=10), nullable=False),
    sa.Column('applied', sa.Boolean(), nullable=False),
    sa.Column('conflict_reason', sa.Text(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('verdict', sa.String(length=14), nullable=False),
    sa.Column('paid', sa.Boolean(), nullable=True),
    sa.Column('price_item_id', sa.Integer(), nullable=True),
    sa.Column('amount_fen', sa.Integer(), nullable=True),
    sa.Column('materials', sa.Text(), nullable=False),
    sa.Column('signature_photo_uuid', sa.String(length=36), nullable=True),
    sa.Column('no_signature_reason', sa.Text(), nullable=False),
    sa.Column('settles_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_order_event_assignee_id_user')),
    sa.ForeignKeyConstraint(['order_id'], ['work_order.id'], name=op.f('fk_order_event_order_id_work_order')),
    sa.ForeignKeyConstraint(['price_item_id'], ['price_item.id'], name=op.f('fk_order_event_price_item_id_price_item')),
    sa.ForeignKeyConstraint(['settles_id'], ['order_event.id'], name=op.f('fk_order_event_settles_id_order_event')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_order_event_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_order_event_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_event')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_order_event_user_id_client_uuid'))
    )
    with op.batch_alter_table('order_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_event_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_event_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_event_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_event_user_id'), ['user_id'], unique=False)

    op.create_table('resident_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['work_order.id'], name=op.f('fk_resident_access_order_id_work_order')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_resident_access_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_resident_access_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_access'))
    )
    with op.batch_alter_table('resident_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_access_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_access_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_access_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('cleaning_issue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cleaning_issue_client_uuid'))
        batch_op.drop_index(batch_op.f('ix_cleaning_issue_place_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_issue_site_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_issue_user_id'))

    op.drop_table('cleaning_issue')
    with op.batch_alter_table('scan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('off_route', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('tag_retired', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index('ix_scan_place_device_time_live', ['place_id', 'device_time'], unique=False, postgresql_where=sa.text('NOT tag_retired'), sqlite_where=sa.text('NOT tag_retired'))
        batch_op.create_index(batch_op.f('ix_scan_round_id'), ['round_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_scan_round_id_round'), 'round', ['round_id'], ['id'])

    from wuye_field.audit.triggers import make_append_only

    # H5: the new record tables are append-only; `scan` again (SQLite rebuilt it above, which
    # drops triggers) and `cleaning_spot_check_item`, which the first revision left out.
    make_append_only({
        "inspection_answer": "created_at", "inspection": "received_at", "patrol_makeup": "received_at",
        "scan": "received_at", "round_finish": "received_at", "round": "received_at",
        "defect_resolution": "received_at", "defect": "received_at", "order_event": "received_at",
        "resident_access": "created_at", "cleaning_spot_check_item": "created_at",
    }, bind=op.get_bind())


def downgrade():
    with op.batch_alter_table('scan', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_scan_round_id_round'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_scan_round_id'))
        batch_op.drop_index('ix_scan_place_device_time_live', postgresql_where=sa.text('NOT tag_retired'), sqlite_where=sa.text('NOT tag_retired'))
        batch_op.drop_column('tag_retired')
        batch_op.drop_column('off_route')
        batch_op.drop_column('round_id')

    op.create_table('cleaning_issue',
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_cleaning_issue_place_id_place')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_cleaning_issue_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_cleaning_issue_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cleaning_issue')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_cleaning_issue_user_id_client_uuid'))
    )
    with op.batch_alter_table('cleaning_issue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cleaning_issue_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_issue_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_issue_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_issue_client_uuid'), ['client_uuid'], unique=False)

    with op.batch_alter_table('resident_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_access_user_id'))
        batch_op.drop_index(batch_op.f('ix_resident_access_site_id'))
        batch_op.drop_index(batch_op.f('ix_resident_access_order_id'))

    op.drop_table('resident_access')
    with op.batch_alter_table('order_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_event_user_id'))
        batch_op.drop_index(batch_op.f('ix_order_event_site_id'))
        batch_op.drop_index(batch_op.f('ix_order_event_order_id'))
        batch_op.drop_index(batch_op.f('ix_order_event_client_uuid'))

    op.drop_table('order_event')
    with op.batch_alter_table('inspection_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_answer_site_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_answer_item_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_answer_inspection_id'))

    op.drop_table('inspection_answer')
    with op.batch_alter_table('defect_resolution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defect_resolution_work_order_id'))
        batch_op.drop_index(batch_op.f('ix_defect_resolution_user_id'))
        batch_op.drop_index(batch_op.f('ix_defect_resolution_site_id'))
        batch_op.drop_index(batch_op.f('ix_defect_resolution_defect_id'))
        batch_op.drop_index(batch_op.f('ix_defect_resolution_client_uuid'))

    op.drop_table('defect_resolution')
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_order_state'))
        batch_op.drop_index(batch_op.f('ix_work_order_site_id'))
        batch_op.drop_index(batch_op.f('ix_work_order_raised_by_id'))
        batch_op.drop_index(batch_op.f('ix_work_order_place_id'))
        batch_op.drop_index(batch_op.f('ix_work_order_defect_id'))
        batch_op.drop_index(batch_op.f('ix_work_order_building_id'))
        batch_op.drop_index('ix_work_order_assignee_state')
        batch_op.drop_index(batch_op.f('ix_work_order_assignee_id'))

    op.drop_table('work_order')
    with op.batch_alter_table('route_stop', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_route_stop_route_id'))
        batch_op.drop_index(batch_op.f('ix_route_stop_place_id'))

    op.drop_table('route_stop')
    with op.batch_alter_table('round_finish', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_finish_user_id'))
        batch_op.drop_index(batch_op.f('ix_round_finish_site_id'))
        batch_op.drop_index(batch_op.f('ix_round_finish_round_id'))
        batch_op.drop_index(batch_op.f('ix_round_finish_client_uuid'))

    op.drop_table('round_finish')
    with op.batch_alter_table('patrol_makeup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_makeup_user_id'))
        batch_op.drop_index(batch_op.f('ix_patrol_makeup_site_id'))
        batch_op.drop_index(batch_op.f('ix_patrol_makeup_place_id'))
        batch_op.drop_index(batch_op.f('ix_patrol_makeup_client_uuid'))

    op.drop_table('patrol_makeup')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_user_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_site_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_round_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_place_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_client_uuid'))

    op.drop_table('inspection')
    with op.batch_alter_table('defect', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defect_user_id'))
        batch_op.drop_index(batch_op.f('ix_defect_site_id'))
        batch_op.drop_index(batch_op.f('ix_defect_round_id'))
        batch_op.drop_index(batch_op.f('ix_defect_place_id'))
        batch_op.drop_index(batch_op.f('ix_defect_inspection_id'))
        batch_op.drop_index(batch_op.f('ix_defect_client_uuid'))

    op.drop_table('defect')
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_item_site_id'))
        batch_op.drop_index(batch_op.f('ix_checklist_item_place_id'))

    op.drop_table('checklist_item')
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_user_id'))
        batch_op.drop_index(batch_op.f('ix_round_site_id'))
        batch_op.drop_index(batch_op.f('ix_round_route_id'))
        batch_op.drop_index(batch_op.f('ix_round_client_uuid'))

    op.drop_table('round')
    with op.batch_alter_table('technician_trade', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_technician_trade_user_id'))
        batch_op.drop_index(batch_op.f('ix_technician_trade_site_id'))

    op.drop_table('technician_trade')
    with op.batch_alter_table('sla_policy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_policy_site_id'))

    op.drop_table('sla_policy')
    with op.batch_alter_table('route', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_route_site_id'))

    op.drop_table('route')
    with op.batch_alter_table('price_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_price_item_site_id'))

    op.drop_table('price_item')
    op.drop_table('order_settings')
