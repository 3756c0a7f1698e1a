"""paper keying: batches of paper phiếu and the entries of their first and second keying

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('keying_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('frame_village_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('web', 'paper', 'meeting', name='channel', native_enum=False, length=10), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_keying_batch_created_by_id_user')),
    sa.ForeignKeyConstraint(['frame_village_id'], ['frame_village.id'], name=op.f('fk_keying_batch_frame_village_id_frame_village')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_keying_batch_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_keying_batch'))
    )
    with op.batch_alter_table('keying_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_keying_batch_survey_id'), ['survey_id'], unique=False)

    op.create_table('keyed_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('keying', sa.Integer(), nullable=False),
    sa.Column('household_code_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolution', sa.Enum('kept', 'corrected', name='resolution', native_enum=False, length=10), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('keying IN (1, 2)', name=op.f('ck_keyed_entry_keying_first_or_second')),
    sa.ForeignKeyConstraint(['batch_id'], ['keying_batch.id'], name=op.f('fk_keyed_entry_batch_id_keying_batch')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_keyed_entry_created_by_id_user')),
    sa.ForeignKeyConstraint(['household_code_id'], ['household_code.id'], name=op.f('fk_keyed_entry_household_code_id_household_code')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('fk_keyed_entry_resolved_by_id_user')),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_keyed_entry_response_id_response')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_keyed_entry')),
    sa.UniqueConstraint('batch_id', 'keying', 'household_code_id', name=op.f('uq_keyed_entry_batch_id_keying_household_code_id'))
    )
    with op.batch_alter_table('keyed_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_keyed_entry_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_keyed_entry_household_code_id'), ['household_code_id'], unique=False)


def downgrade():
    with op.batch_alter_table('keyed_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_keyed_entry_household_code_id'))
        batch_op.drop_index(batch_op.f('ix_keyed_entry_batch_id'))

    op.drop_table('keyed_entry')
    with op.batch_alter_table('keying_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_keying_batch_survey_id'))

    op.drop_table('keying_batch')
