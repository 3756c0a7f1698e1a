"""Indexes the tally reads alone: phiếu per village and channel, slips per village and status

ix_household_code_tally replaces ix_household_code_survey_id (its first column), so a household code
keeps as many indexes as before.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 23:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_index('ix_response_tally', ['survey_id', 'frame_village_id', 'channel'], unique=False)
    with op.batch_alter_table('household_code', schema=None) as batch_op:
        batch_op.create_index('ix_household_code_tally', ['survey_id', 'frame_village_id', 'status'], unique=False)
        batch_op.drop_index('ix_household_code_survey_id')


def downgrade():
    with op.batch_alter_table('household_code', schema=None) as batch_op:
        batch_op.create_index('ix_household_code_survey_id', ['survey_id'], unique=False)
        batch_op.drop_index('ix_household_code_tally')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index('ix_response_tally')
