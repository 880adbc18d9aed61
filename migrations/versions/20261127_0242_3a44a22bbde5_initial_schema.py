"""initial schema

Revision ID: 3a44a22bbde5
Revises:
Create Date: 2026-11-27 02:42:22.473323

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3a44a22bbde5'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_retention_gate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('cutoff', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_retention_gate'))
    )
    op.create_table('site',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('public_base_url', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site')),
    sa.UniqueConstraint('code', name=op.f('uq_site_code'))
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_no', sa.String(length=32), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('phone', name=op.f('uq_user_phone')),
    sa.UniqueConstraint('staff_no', name=op.f('uq_user_staff_no'))
    )
    op.create_table('audit_admin_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=50), nullable=False),
    sa.Column('what', sa.String(length=200), nullable=False),
    sa.Column('before', sa.Text(), nullable=False),
    sa.Column('after', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_audit_admin_change_actor_id_user')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_audit_admin_change_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_admin_change'))
    )
    with op.batch_alter_table('audit_admin_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_admin_change_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_admin_change_site_id'), ['site_id'], unique=False)

    op.create_table('audit_chain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_audit_chain_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain')),
    sa.UniqueConstraint('site_id', 'seq', name=op.f('uq_audit_chain_site_id_seq'))
    )
    with op.batch_alter_table('audit_chain', schema=None) as batch_op:
        batch_op.create_index('ix_audit_chain_kind_record', ['kind', 'record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_chain_site_id'), ['site_id'], unique=False)

    op.create_table('audit_chain_head',
    sa.Column('site_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_audit_chain_head_site_id_site')),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_audit_chain_head'))
    )
    op.create_table('audit_retention',
    sa.Column('site_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('years', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_audit_retention_site_id_site')),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_audit_retention'))
    )
    op.create_table('building',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('floors', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_building_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_building')),
    sa.UniqueConstraint('site_id', 'name', name=op.f('uq_building_site_id_name'))
    )
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_building_site_id'), ['site_id'], unique=False)

    op.create_table('cleaning_settings',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('allow_tap', sa.Boolean(), nullable=False),
    sa.Column('reclean_hours', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_cleaning_settings_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_cleaning_settings'))
    )
    op.create_table('handover_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('shift_starts', sa.String(length=60), nullable=False),
    sa.Column('window_min', sa.Integer(), nullable=False),
    sa.Column('late_after_min', sa.Integer(), nullable=False),
    sa.Column('equipment', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_handover_post_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_post')),
    sa.UniqueConstraint('site_id', 'code', name=op.f('uq_handover_post_site_id_code'))
    )
    with op.batch_alter_table('handover_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_post_site_id'), ['site_id'], unique=False)

    op.create_table('idempotency_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=36), nullable=False),
    sa.Column('endpoint', sa.String(length=80), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_idempotency_key_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_key')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_idempotency_key_user_id_key'))
    )
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_key_user_id'), ['user_id'], unique=False)

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_membership_site_id_site'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_membership_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('user_id', 'site_id', 'role', name=op.f('uq_membership_user_id_site_id_role'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_user_id'), ['user_id'], unique=False)

    op.create_table('photo',
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('display_key', sa.String(length=120), nullable=False),
    sa.Column('thumb_key', sa.String(length=120), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('format_in', sa.String(length=10), nullable=False),
    sa.Column('bytes_in', sa.Integer(), nullable=False),
    sa.Column('bytes_out', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_photo_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_photo_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_photo_user_id_client_uuid'))
    )
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_user_id'), ['user_id'], unique=False)

    op.create_table('photo_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('photo_uuid', sa.String(length=36), nullable=False),
    sa.Column('owner_kind', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_photo_link_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_photo_link_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo_link')),
    sa.UniqueConstraint('owner_kind', 'owner_id', 'photo_uuid', name=op.f('uq_photo_link_owner_kind_owner_id_photo_uuid'))
    )
    with op.batch_alter_table('photo_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_link_photo_uuid'), ['photo_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_link_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_link_user_id'), ['user_id'], unique=False)

    op.create_table('sync_conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=36), nullable=False),
    sa.Column('endpoint', sa.String(length=80), nullable=False),
    sa.Column('stored_hash', sa.String(length=64), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sync_conflict_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_conflict'))
    )
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_conflict_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_conflict_user_id'), ['user_id'], unique=False)

    op.create_table('handover',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('shift_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('root_id', sa.Integer(), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['corrects_id'], ['handover.id'], name=op.f('fk_handover_corrects_id_handover')),
    sa.ForeignKeyConstraint(['post_id'], ['handover_post.id'], name=op.f('fk_handover_post_id_handover_post')),
    sa.ForeignKeyConstraint(['root_id'], ['handover.id'], name=op.f('fk_handover_root_id_handover')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_handover_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_handover_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_handover_user_id_client_uuid'))
    )
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_corrects_id'), ['corrects_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_root_id'), ['root_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_shift_start'), ['shift_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_user_id'), ['user_id'], unique=False)

    op.create_table('place',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('is_key_area', sa.Boolean(), nullable=False),
    sa.Column('patrol_interval_min', sa.Integer(), nullable=False),
    sa.Column('tag_token', sa.String(length=64), nullable=False),
    sa.Column('tag_issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_place_building_id_building'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_place_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place')),
    sa.UniqueConstraint('site_id', 'code', name=op.f('uq_place_site_id_code')),
    sa.UniqueConstraint('tag_token', name=op.f('uq_place_tag_token'))
    )
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_place_site_id'), ['site_id'], unique=False)

    op.create_table('cleaning_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_cleaning_assignment_place_id_place'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_cleaning_assignment_site_id_site'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_cleaning_assignment_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cleaning_assignment')),
    sa.UniqueConstraint('place_id', 'user_id', name=op.f('uq_cleaning_assignment_place_id_user_id'))
    )
    with op.batch_alter_table('cleaning_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cleaning_assignment_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_assignment_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_assignment_user_id'), ['user_id'], unique=False)

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
        batch_op.create_index(batch_op.f('ix_cleaning_issue_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_issue_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_issue_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_issue_user_id'), ['user_id'], unique=False)

    op.create_table('cleaning_spot_check',
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
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_cleaning_spot_check_place_id_place')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_cleaning_spot_check_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_cleaning_spot_check_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cleaning_spot_check')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_cleaning_spot_check_user_id_client_uuid'))
    )
    with op.batch_alter_table('cleaning_spot_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cleaning_spot_check_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_spot_check_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_spot_check_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_spot_check_user_id'), ['user_id'], unique=False)

    op.create_table('cleaning_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('standard', sa.String(length=8), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('every_n', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.String(length=5), nullable=False),
    sa.Column('window_end', sa.String(length=5), nullable=False),
    sa.Column('times', sa.String(length=120), nullable=False),
    sa.Column('weekdays', sa.String(length=20), nullable=False),
    sa.Column('month_day', sa.Integer(), nullable=False),
    sa.Column('anchor', sa.Date(), nullable=False),
    sa.Column('done_before', sa.String(length=5), nullable=True),
    sa.Column('photo_required', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_cleaning_task_place_id_place'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_cleaning_task_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cleaning_task'))
    )
    with op.batch_alter_table('cleaning_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cleaning_task_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_task_site_id'), ['site_id'], unique=False)

    op.create_table('handover_acceptance',
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('root_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('cosigned', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['handover_id'], ['handover.id'], name=op.f('fk_handover_acceptance_handover_id_handover')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_handover_acceptance_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['root_id'], ['handover.id'], name=op.f('fk_handover_acceptance_root_id_handover')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_handover_acceptance_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_handover_acceptance_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_acceptance')),
    sa.UniqueConstraint('root_id', name=op.f('uq_handover_acceptance_root_id')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_handover_acceptance_user_id_client_uuid'))
    )
    with op.batch_alter_table('handover_acceptance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_acceptance_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_acceptance_handover_id'), ['handover_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_acceptance_recorded_by_id'), ['recorded_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_acceptance_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_acceptance_user_id'), ['user_id'], unique=False)

    op.create_table('handover_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['handover_id'], ['handover.id'], name=op.f('fk_handover_item_handover_id_handover')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_handover_item_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_item'))
    )
    with op.batch_alter_table('handover_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_item_handover_id'), ['handover_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_item_site_id'), ['site_id'], unique=False)

    op.create_table('handover_matter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('important', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['handover_id'], ['handover.id'], name=op.f('fk_handover_matter_handover_id_handover')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_handover_matter_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_matter'))
    )
    with op.batch_alter_table('handover_matter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_matter_handover_id'), ['handover_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_matter_site_id'), ['site_id'], unique=False)

    op.create_table('retired_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_retired_tag_place_id_place'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['retired_by_id'], ['user.id'], name=op.f('fk_retired_tag_retired_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retired_tag')),
    sa.UniqueConstraint('token', name=op.f('uq_retired_tag_token'))
    )
    with op.batch_alter_table('retired_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retired_tag_place_id'), ['place_id'], unique=False)

    op.create_table('scan',
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('via', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_scan_place_id_place')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_scan_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_scan_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scan')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_scan_user_id_client_uuid'))
    )
    with op.batch_alter_table('scan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scan_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_user_id'), ['user_id'], unique=False)

    op.create_table('cleaning_checkoff',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.String(length=20), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_cleaning_checkoff_place_id_place')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_cleaning_checkoff_site_id_site')),
    sa.ForeignKeyConstraint(['task_id'], ['cleaning_task.id'], name=op.f('fk_cleaning_checkoff_task_id_cleaning_task')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_cleaning_checkoff_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cleaning_checkoff')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_cleaning_checkoff_user_id_client_uuid'))
    )
    with op.batch_alter_table('cleaning_checkoff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cleaning_checkoff_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_checkoff_done_at'), ['done_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_checkoff_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_checkoff_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_checkoff_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_checkoff_user_id'), ['user_id'], unique=False)

    op.create_table('cleaning_spot_check_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spot_check_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('cleaner_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cleaner_id'], ['user.id'], name=op.f('fk_cleaning_spot_check_item_cleaner_id_user')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_cleaning_spot_check_item_site_id_site')),
    sa.ForeignKeyConstraint(['spot_check_id'], ['cleaning_spot_check.id'], name=op.f('fk_cleaning_spot_check_item_spot_check_id_cleaning_spot_check')),
    sa.ForeignKeyConstraint(['task_id'], ['cleaning_task.id'], name=op.f('fk_cleaning_spot_check_item_task_id_cleaning_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cleaning_spot_check_item'))
    )
    with op.batch_alter_table('cleaning_spot_check_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cleaning_spot_check_item_cleaner_id'), ['cleaner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_spot_check_item_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_spot_check_item_spot_check_id'), ['spot_check_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_spot_check_item_task_id'), ['task_id'], unique=False)

    op.create_table('handover_acceptance_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acceptance_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('handed', sa.Integer(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['acceptance_id'], ['handover_acceptance.id'], name=op.f('fk_handover_acceptance_item_acceptance_id_handover_acceptance')),
    sa.ForeignKeyConstraint(['item_id'], ['handover_item.id'], name=op.f('fk_handover_acceptance_item_item_id_handover_item')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_handover_acceptance_item_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_acceptance_item'))
    )
    with op.batch_alter_table('handover_acceptance_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_acceptance_item_acceptance_id'), ['acceptance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_acceptance_item_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_acceptance_item_site_id'), ['site_id'], unique=False)

    op.create_table('handover_takeover',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acceptance_id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['acceptance_id'], ['handover_acceptance.id'], name=op.f('fk_handover_takeover_acceptance_id_handover_acceptance')),
    sa.ForeignKeyConstraint(['matter_id'], ['handover_matter.id'], name=op.f('fk_handover_takeover_matter_id_handover_matter')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_handover_takeover_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_takeover'))
    )
    with op.batch_alter_table('handover_takeover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_takeover_acceptance_id'), ['acceptance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_takeover_matter_id'), ['matter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_takeover_site_id'), ['site_id'], unique=False)

    op.create_table('cleaning_reclean',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('spot_check_item_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_cleaning_reclean_place_id_place')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_cleaning_reclean_site_id_site')),
    sa.ForeignKeyConstraint(['spot_check_item_id'], ['cleaning_spot_check_item.id'], name=op.f('fk_cleaning_reclean_spot_check_item_id_cleaning_spot_check_item')),
    sa.ForeignKeyConstraint(['task_id'], ['cleaning_task.id'], name=op.f('fk_cleaning_reclean_task_id_cleaning_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cleaning_reclean')),
    sa.UniqueConstraint('spot_check_item_id', name=op.f('uq_cleaning_reclean_spot_check_item_id'))
    )
    with op.batch_alter_table('cleaning_reclean', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cleaning_reclean_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_reclean_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaning_reclean_task_id'), ['task_id'], unique=False)

    from wuye_field.audit.triggers import make_append_only

    # H5: records are never altered. The tables of this revision, frozen (later revisions add theirs).
    make_append_only({
        "handover_takeover": "created_at", "handover_acceptance_item": "created_at",
        "handover_acceptance": "received_at", "handover_matter": "created_at", "handover_item": "created_at",
        "handover": "received_at", "photo_link": "created_at", "scan": "received_at",
        "cleaning_checkoff": "received_at", "cleaning_issue": "received_at", "cleaning_reclean": "created_at",
        "cleaning_spot_check": "received_at", "audit_admin_change": "created_at", "audit_chain": "created_at",
    }, bind=op.get_bind())


def downgrade():
    with op.batch_alter_table('cleaning_reclean', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cleaning_reclean_task_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_reclean_site_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_reclean_place_id'))

    op.drop_table('cleaning_reclean')
    with op.batch_alter_table('handover_takeover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_takeover_site_id'))
        batch_op.drop_index(batch_op.f('ix_handover_takeover_matter_id'))
        batch_op.drop_index(batch_op.f('ix_handover_takeover_acceptance_id'))

    op.drop_table('handover_takeover')
    with op.batch_alter_table('handover_acceptance_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_acceptance_item_site_id'))
        batch_op.drop_index(batch_op.f('ix_handover_acceptance_item_item_id'))
        batch_op.drop_index(batch_op.f('ix_handover_acceptance_item_acceptance_id'))

    op.drop_table('handover_acceptance_item')
    with op.batch_alter_table('cleaning_spot_check_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cleaning_spot_check_item_task_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_spot_check_item_spot_check_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_spot_check_item_site_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_spot_check_item_cleaner_id'))

    op.drop_table('cleaning_spot_check_item')
    with op.batch_alter_table('cleaning_checkoff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cleaning_checkoff_user_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_checkoff_task_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_checkoff_site_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_checkoff_place_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_checkoff_done_at'))
        batch_op.drop_index(batch_op.f('ix_cleaning_checkoff_client_uuid'))

    op.drop_table('cleaning_checkoff')
    with op.batch_alter_table('scan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scan_user_id'))
        batch_op.drop_index(batch_op.f('ix_scan_site_id'))
        batch_op.drop_index(batch_op.f('ix_scan_place_id'))
        batch_op.drop_index(batch_op.f('ix_scan_client_uuid'))

    op.drop_table('scan')
    with op.batch_alter_table('retired_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retired_tag_place_id'))

    op.drop_table('retired_tag')
    with op.batch_alter_table('handover_matter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_matter_site_id'))
        batch_op.drop_index(batch_op.f('ix_handover_matter_handover_id'))

    op.drop_table('handover_matter')
    with op.batch_alter_table('handover_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_item_site_id'))
        batch_op.drop_index(batch_op.f('ix_handover_item_handover_id'))

    op.drop_table('handover_item')
    with op.batch_alter_table('handover_acceptance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_acceptance_user_id'))
        batch_op.drop_index(batch_op.f('ix_handover_acceptance_site_id'))
        batch_op.drop_index(batch_op.f('ix_handover_acceptance_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_handover_acceptance_handover_id'))
        batch_op.drop_index(batch_op.f('ix_handover_acceptance_client_uuid'))

    op.drop_table('handover_acceptance')
    with op.batch_alter_table('cleaning_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cleaning_task_site_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_task_place_id'))

    op.drop_table('cleaning_task')
    with op.batch_alter_table('cleaning_spot_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cleaning_spot_check_user_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_spot_check_site_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_spot_check_place_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_spot_check_client_uuid'))

    op.drop_table('cleaning_spot_check')
    with op.batch_alter_table('cleaning_issue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cleaning_issue_user_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_issue_site_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_issue_place_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_issue_client_uuid'))

    op.drop_table('cleaning_issue')
    with op.batch_alter_table('cleaning_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cleaning_assignment_user_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_assignment_site_id'))
        batch_op.drop_index(batch_op.f('ix_cleaning_assignment_place_id'))

    op.drop_table('cleaning_assignment')
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_site_id'))
        batch_op.drop_index(batch_op.f('ix_place_building_id'))

    op.drop_table('place')
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_user_id'))
        batch_op.drop_index(batch_op.f('ix_handover_site_id'))
        batch_op.drop_index(batch_op.f('ix_handover_shift_start'))
        batch_op.drop_index(batch_op.f('ix_handover_root_id'))
        batch_op.drop_index(batch_op.f('ix_handover_post_id'))
        batch_op.drop_index(batch_op.f('ix_handover_corrects_id'))
        batch_op.drop_index(batch_op.f('ix_handover_client_uuid'))

    op.drop_table('handover')
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_conflict_user_id'))
        batch_op.drop_index(batch_op.f('ix_sync_conflict_key'))

    op.drop_table('sync_conflict')
    with op.batch_alter_table('photo_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_link_user_id'))
        batch_op.drop_index(batch_op.f('ix_photo_link_site_id'))
        batch_op.drop_index(batch_op.f('ix_photo_link_photo_uuid'))

    op.drop_table('photo_link')
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_user_id'))
        batch_op.drop_index(batch_op.f('ix_photo_site_id'))
        batch_op.drop_index(batch_op.f('ix_photo_sha256'))
        batch_op.drop_index(batch_op.f('ix_photo_client_uuid'))

    op.drop_table('photo')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_user_id'))
        batch_op.drop_index(batch_op.f('ix_membership_site_id'))

    op.drop_table('membership')
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_key_user_id'))

    op.drop_table('idempotency_key')
    with op.batch_alter_table('handover_post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_post_site_id'))

    op.drop_table('handover_post')
    op.drop_table('cleaning_settings')
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_building_site_id'))

    op.drop_table('building')
    op.drop_table('audit_retention')
    op.drop_table('audit_chain_head')
    with op.batch_alter_table('audit_chain', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_chain_site_id'))
        batch_op.drop_index('ix_audit_chain_kind_record')

    op.drop_table('audit_chain')
    with op.batch_alter_table('audit_admin_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_admin_change_site_id'))
        batch_op.drop_index(batch_op.f('ix_audit_admin_change_actor_id'))

    op.drop_table('audit_admin_change')
    op.drop_table('user')
    op.drop_table('site')
    op.drop_table('audit_retention_gate')
