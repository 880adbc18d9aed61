"""alerts and incidents: alerts with their recipients, outbound deliveries and push subscriptions; incidents, follow-ups, SOS calls, complaints and their steps; positions on scans, inspections and places (issue 16)

Revision ID: ae6e4db2eb5b
Revises: 7b3d9e1f2a60
Create Date: 2026-11-29 18:53:43.935931

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ae6e4db2eb5b'
down_revision = '7b3d9e1f2a60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=False),
    sa.Column('source_kind', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['user.id'], name=op.f('fk_alert_acknowledged_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_alert_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
    sa.UniqueConstraint('site_id', 'dedupe_key', name=op.f('uq_alert_site_id_dedupe_key'))
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_site_id'), ['site_id'], unique=False)

    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('who', sa.String(length=100), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answer_due', sa.DateTime(timezone=True), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('effective', sa.Boolean(), nullable=True),
    sa.Column('link_kind', sa.String(length=12), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_complaint_owner_id_user')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['user.id'], name=op.f('fk_complaint_raised_by_id_user')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_complaint_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    sa.UniqueConstraint('client_uuid', name=op.f('uq_complaint_client_uuid'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_site_id'), ['site_id'], unique=False)

    op.create_table('push_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=1000), nullable=False),
    sa.Column('p256dh', sa.String(length=200), nullable=False),
    sa.Column('auth', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_push_subscription_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscription')),
    sa.UniqueConstraint('endpoint', name=op.f('uq_push_subscription_endpoint'))
    )
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscription_user_id'), ['user_id'], unique=False)

    op.create_table('sos_call',
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('last_checkpoint', sa.String(length=100), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_sos_call_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sos_call_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sos_call')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_sos_call_user_id_client_uuid'))
    )
    with op.batch_alter_table('sos_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sos_call_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_sos_call_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sos_call_user_id'), ['user_id'], unique=False)

    op.create_table('alert_recipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_by', sa.String(length=10), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_alert_recipient_alert_id_alert'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_alert_recipient_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_recipient')),
    sa.UniqueConstraint('alert_id', 'user_id', name=op.f('uq_alert_recipient_alert_id_user_id'))
    )
    with op.batch_alter_table('alert_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_recipient_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index('ix_alert_recipient_user_open', ['user_id', 'acknowledged_at'], unique=False)

    op.create_table('complaint_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('effective', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_complaint_step_complaint_id_complaint')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_complaint_step_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_complaint_step_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_step'))
    )
    with op.batch_alter_table('complaint_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_step_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_step_site_id'), ['site_id'], unique=False)

    op.create_table('alert_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('target', sa.Text(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_alert_delivery_alert_id_alert'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['alert_recipient.id'], name=op.f('fk_alert_delivery_recipient_id_alert_recipient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_delivery'))
    )
    with op.batch_alter_table('alert_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_delivery_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index('ix_alert_delivery_due', ['state', 'next_try_at'], unique=False)

    op.create_table('incident',
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('where_text', sa.String(length=200), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('people', sa.String(length=300), nullable=False),
    sa.Column('loss_yuan', sa.Integer(), nullable=False),
    sa.Column('casualties', sa.Boolean(), nullable=False),
    sa.Column('police_called', sa.Boolean(), nullable=False),
    sa.Column('fire_called', sa.Boolean(), nullable=False),
    sa.Column('ambulance_called', sa.Boolean(), nullable=False),
    sa.Column('colleague_name', sa.String(length=50), nullable=False),
    sa.Column('major', sa.Boolean(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_incident_place_id_place')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_incident_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_incident_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_incident_user_id_client_uuid'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_user_id'), ['user_id'], unique=False)

    op.create_table('incident_followup',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('closes', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Float(), nullable=True),
    sa.Column('skew_flagged', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_followup_incident_id_incident')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_incident_followup_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_incident_followup_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_followup')),
    sa.UniqueConstraint('user_id', 'client_uuid', name=op.f('uq_incident_followup_user_id_client_uuid'))
    )
    with op.batch_alter_table('incident_followup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_followup_client_uuid'), ['client_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_followup_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_followup_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_followup_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('lon', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('accuracy_m', sa.Float(), nullable=True))

    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('lon', sa.Float(), nullable=True))

    with op.batch_alter_table('scan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('lon', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('accuracy_m', sa.Float(), nullable=True))


    from wuye_field.audit.triggers import make_append_only

    # H5: the new record tables are append-only; `scan` and `inspection` again, in case SQLite rebuilt them
    # above (which drops triggers). Frozen list.
    make_append_only({"incident": "received_at", "incident_followup": "received_at", "sos_call": "received_at",
                      "complaint_step": "created_at", "scan": "received_at", "inspection": "received_at"},
                     bind=op.get_bind())


def downgrade():
    with op.batch_alter_table('scan', schema=None) as batch_op:
        batch_op.drop_column('accuracy_m')
        batch_op.drop_column('lon')
        batch_op.drop_column('lat')

    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.drop_column('lon')
        batch_op.drop_column('lat')

    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_column('accuracy_m')
        batch_op.drop_column('lon')
        batch_op.drop_column('lat')

    from wuye_field.audit.triggers import make_append_only

    make_append_only({"scan": "received_at", "inspection": "received_at"}, bind=op.get_bind())

    with op.batch_alter_table('incident_followup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_followup_user_id'))
        batch_op.drop_index(batch_op.f('ix_incident_followup_site_id'))
        batch_op.drop_index(batch_op.f('ix_incident_followup_incident_id'))
        batch_op.drop_index(batch_op.f('ix_incident_followup_client_uuid'))

    op.drop_table('incident_followup')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_user_id'))
        batch_op.drop_index(batch_op.f('ix_incident_site_id'))
        batch_op.drop_index(batch_op.f('ix_incident_client_uuid'))

    op.drop_table('incident')
    with op.batch_alter_table('alert_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_delivery_due')
        batch_op.drop_index(batch_op.f('ix_alert_delivery_alert_id'))

    op.drop_table('alert_delivery')
    with op.batch_alter_table('complaint_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_step_site_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_step_complaint_id'))

    op.drop_table('complaint_step')
    with op.batch_alter_table('alert_recipient', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_recipient_user_open')
        batch_op.drop_index(batch_op.f('ix_alert_recipient_alert_id'))

    op.drop_table('alert_recipient')
    with op.batch_alter_table('sos_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sos_call_user_id'))
        batch_op.drop_index(batch_op.f('ix_sos_call_site_id'))
        batch_op.drop_index(batch_op.f('ix_sos_call_client_uuid'))

    op.drop_table('sos_call')
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscription_user_id'))

    op.drop_table('push_subscription')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_site_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_received_at'))

    op.drop_table('complaint')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_site_id'))
        batch_op.drop_index(batch_op.f('ix_alert_created_at'))

    op.drop_table('alert')
