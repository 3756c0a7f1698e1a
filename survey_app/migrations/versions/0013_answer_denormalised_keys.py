"""answer.survey_id and answer.frame_village_id without foreign keys: copies of the response's own keys

An answer reaches its survey and village through its version and response, whose foreign keys already
guarantee both exist; the two copies on answer are there for the tally's covering index. Checking them as
foreign keys cost two more lookups (and key-share locks on the one survey row every resident shares) per
answer row: forty per 20-item phiếu.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 01:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_constraint('fk_answer_survey_id_survey', type_='foreignkey')
        batch_op.drop_constraint('fk_answer_frame_village_id_frame_village', type_='foreignkey')


def downgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_answer_frame_village_id_frame_village', 'frame_village',
                                    ['frame_village_id'], ['id'])
        batch_op.create_foreign_key('fk_answer_survey_id_survey', 'survey', ['survey_id'], ['id'])
