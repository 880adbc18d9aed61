"""residents' complaints become complaints: a complaint may come from a building's window (reference, building, phone, photo; no owner until taken), the window's complaint requests moved over; positions on scans and inspections erasable after the personal-data retention (position erasures, the erasure gate)

Revision ID: c0a1d5e7f3b2
Revises: c4a91e7d3b20
Create Date: 2026-11-29 22:30:00

A resident's complaint is a `complaint` (channel "window") with the same-day clock and the W5 figures of
every complaint. Requests of kind "complaint" already on the residents' desk move over with their
reference number: a new one stays without an owner; a taken one keeps its owner; a closed one keeps its
owner, counts as answered when it was closed and keeps the desk's note as its result, and waits for the
resident's verdict (a complaint closes on the verdict, W5/W6). The moves are not chain steps: the
requests they come from never were on the chain.

The phone's position on scans and inspections is personal data: their UPDATE triggers now let one change
through, the position columns set to NULL on rows older than a cutoff at least 30 days back while an
erasure gate is open for the site (`audit.triggers.erase_columns`); `position_erasure` records each erasure
(append-only, chained).
"""
import uuid
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c0a1d5e7f3b2'
down_revision = "c4a91e7d3b20"
branch_labels = None
depends_on = None

DEFAULT_CUTOFF = "24:00"


def _utc(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _answer_due(received, tz_name, cutoff):
    """The same rule as incidents.rules.answer_due, frozen here: due at the site's cut-off of the day it
    came in, or of the next day when it came in at or after the cut-off."""
    zone = ZoneInfo(tz_name or "Asia/Shanghai")
    local = received.astimezone(zone)
    hours, minutes = (int(part) for part in str(cutoff).split(":"))
    due = datetime.combine(local.date(), time(0), zone) + timedelta(hours=hours, minutes=minutes)
    if local >= due:
        due = datetime.combine(local.date() + timedelta(days=1), time(0), zone) + timedelta(hours=hours,
                                                                                            minutes=minutes)
    return due.astimezone(timezone.utc)


def _cutoff(bind, site_id, at):
    rows = bind.execute(sa.text(
        "SELECT value, effective_from FROM setting_change WHERE site_id = :site AND subject = 'site' "
        "AND name = 'incidents.complaint_cutoff'"), {"site": site_id}).all()
    in_force = [(_utc(start), value) for value, start in rows if _utc(start) <= at]
    if not in_force:
        return DEFAULT_CUTOFF
    value = max(in_force, key=lambda item: item[0])[1]
    return value.strip('"') if isinstance(value, str) else str(value)


POSITION = ("lat", "lon", "accuracy_m")


def upgrade():
    op.create_table('audit_erasure_gate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('cutoff', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_erasure_gate'))
    )
    op.create_table('position_erasure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('cutoff', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('scans', sa.Integer(), nullable=False),
    sa.Column('inspections', sa.Integer(), nullable=False),
    sa.Column('record_ids', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_position_erasure_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position_erasure'))
    )
    with op.batch_alter_table('position_erasure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_position_erasure_site_id'), ['site_id'], unique=False)

    from wuye_field.audit.triggers import make_append_only

    # H5, frozen: the new record table, and scans and inspections whose positions may be erased (R35).
    make_append_only({"position_erasure": "created_at"}, bind=op.get_bind())
    make_append_only({"scan": "received_at", "inspection": "received_at"}, bind=op.get_bind(),
                     erasable={"scan": POSITION, "inspection": POSITION})

    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('building_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('photo_key', sa.String(length=80), nullable=True))
        batch_op.alter_column('raised_by_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('owner_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_complaint_reference'), ['reference'])
        batch_op.create_foreign_key(batch_op.f('fk_complaint_building_id_building'), 'building', ['building_id'],
                                    ['id'], ondelete='SET NULL')

    bind = op.get_bind()
    moved = bind.execute(sa.text(
        "SELECT r.id, r.site_id, r.building_id, r.reference, r.phone, r.description, r.photo_key, r.state, "
        "r.created_at, r.owner_id, r.closed_at, r.note, s.timezone, b.name "
        "FROM resident_request r JOIN site s ON s.id = r.site_id LEFT JOIN building b ON b.id = r.building_id "
        "WHERE r.kind = 'complaint' ORDER BY r.id")).all()
    complaint = sa.table(
        'complaint', sa.column('site_id'), sa.column('client_uuid'), sa.column('channel'), sa.column('category'),
        sa.column('who'), sa.column('what'), sa.column('received_at', sa.DateTime(timezone=True)),
        sa.column('answer_due', sa.DateTime(timezone=True)), sa.column('raised_by_id'), sa.column('owner_id'),
        sa.column('answered_at', sa.DateTime(timezone=True)), sa.column('result'),
        sa.column('closed_at', sa.DateTime(timezone=True)), sa.column('effective'), sa.column('link_kind'),
        sa.column('link_id'), sa.column('reference'), sa.column('building_id'), sa.column('phone'),
        sa.column('photo_key'))
    for (_id, site_id, building_id, reference, phone, description, photo_key, state, created_at, owner_id,
         closed_at, note, tz_name, building_name) in moved:
        received = _utc(created_at)
        closed = state == "closed"
        bind.execute(complaint.insert().values(
            site_id=site_id, client_uuid=str(uuid.uuid4()), channel="window", category="other",
            who=f"{building_name or ''}住户"[:100], what=description, received_at=received,
            answer_due=_answer_due(received, tz_name, _cutoff(bind, site_id, received)), raised_by_id=None,
            owner_id=owner_id if state in ("taken", "closed") else None,
            answered_at=_utc(closed_at) if closed else None, result=(note or "") if closed else "",
            closed_at=None, effective=None, link_kind="", link_id=None, reference=reference,
            building_id=building_id, phone=phone, photo_key=photo_key))
    if moved:
        bind.execute(sa.text("DELETE FROM resident_request WHERE kind = 'complaint'"))


def downgrade():
    from wuye_field.audit.triggers import drop_append_only, make_append_only

    bind = op.get_bind()
    stepped = bind.execute(sa.text(
        "SELECT count(*) FROM complaint c WHERE c.channel = 'window' AND EXISTS "
        "(SELECT 1 FROM complaint_step s WHERE s.complaint_id = c.id)")).scalar()
    if stepped:
        raise RuntimeError(f"{stepped} residents' complaints have steps on the chain; they cannot move back")
    drop_append_only(["scan", "inspection", "position_erasure"], bind=bind)
    make_append_only({"scan": "received_at", "inspection": "received_at"}, bind=bind)
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS wuye_append_only_erasable()")
    with op.batch_alter_table('position_erasure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_position_erasure_site_id'))
    op.drop_table('position_erasure')
    op.drop_table('audit_erasure_gate')

    rows = bind.execute(sa.text(
        "SELECT site_id, building_id, reference, phone, what, photo_key, received_at, owner_id, result "
        "FROM complaint WHERE channel = 'window' ORDER BY id")).all()
    request = sa.table(
        'resident_request', sa.column('site_id'), sa.column('building_id'), sa.column('reference'),
        sa.column('kind'), sa.column('category'), sa.column('phone'), sa.column('description'),
        sa.column('photo_key'), sa.column('state'), sa.column('created_at', sa.DateTime(timezone=True)),
        sa.column('owner_id'), sa.column('note'))
    for site_id, building_id, reference, phone, what, photo_key, received_at, owner_id, result in rows:
        bind.execute(request.insert().values(
            site_id=site_id, building_id=building_id, reference=reference, kind="complaint", category="other",
            phone=phone, description=what, photo_key=photo_key, state="taken" if owner_id else "new",
            created_at=_utc(received_at), owner_id=owner_id, note=result or ""))
    bind.execute(sa.text("DELETE FROM complaint WHERE channel = 'window'"))
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_complaint_building_id_building'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_complaint_reference'), type_='unique')
        batch_op.alter_column('owner_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('raised_by_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('photo_key')
        batch_op.drop_column('phone')
        batch_op.drop_column('building_id')
        batch_op.drop_column('reference')
