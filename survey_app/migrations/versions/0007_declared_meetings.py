"""declared_meeting: village meetings staff declared, whose web answers over one Wi-Fi are expected

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('declared_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('frame_village_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_declared_meeting_meeting_order')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_declared_meeting_created_by_id_user')),
    sa.ForeignKeyConstraint(['frame_village_id'], ['frame_village.id'],
                            name=op.f('fk_declared_meeting_frame_village_id_frame_village')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_declared_meeting_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declared_meeting'))
    )
    with op.batch_alter_table('declared_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declared_meeting_survey_id'), ['survey_id'], unique=False)


def downgrade():
    with op.batch_alter_table('declared_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declared_meeting_survey_id'))
    op.drop_table('declared_meeting')
