"""survey: each site's questionnaire and public link, the month's responses (append-only, one per phone
per site-month), the log of full phone-number views

Revision ID: 1c73d202783c
Revises: b7f0b634eb3a
Create Date: 2026-11-29 22:09:36.507048

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1c73d202783c'
down_revision = 'b7f0b634eb3a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_survey_access_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_survey_access_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_access'))
    )
    with op.batch_alter_table('survey_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_access_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_access_user_id'), ['user_id'], unique=False)

    op.create_table('survey_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_survey_link_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_link')),
    sa.UniqueConstraint('site_id', name=op.f('uq_survey_link_site_id')),
    sa.UniqueConstraint('token', name=op.f('uq_survey_link_token'))
    )
    op.create_table('survey_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('text', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_survey_question_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question'))
    )
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_question_site_id'), ['site_id'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('respondent', sa.String(length=8), nullable=False),
    sa.Column('overall', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('client_uuid', sa.String(length=36), nullable=True),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_survey_response_building_id_building')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_survey_response_site_id_site')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_survey_response_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('site_id', 'month', 'phone', name=op.f('uq_survey_response_site_id_month_phone'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_response_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_user_id'), ['user_id'], unique=False)



    from wuye_field.audit.triggers import make_append_only

    # H5: records are never altered. The tables of this revision, frozen.
    make_append_only({"survey_response": "received_at", "survey_access": "created_at"}, bind=op.get_bind())


def downgrade():
    from wuye_field.audit.triggers import drop_append_only

    drop_append_only(["survey_response", "survey_access"], bind=op.get_bind())
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_response_user_id'))
        batch_op.drop_index(batch_op.f('ix_survey_response_site_id'))

    op.drop_table('survey_response')
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_question_site_id'))

    op.drop_table('survey_question')
    op.drop_table('survey_link')
    with op.batch_alter_table('survey_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_access_user_id'))
        batch_op.drop_index(batch_op.f('ix_survey_access_site_id'))

    op.drop_table('survey_access')
