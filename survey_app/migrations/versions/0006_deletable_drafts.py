"""Deletable drafts: audit_entry.survey_id loses its foreign key (the log outlives a deleted draft), and on SQLite
survey ids come from AUTOINCREMENT, so that a deleted draft's id is never given to a later survey

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 10:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_entry_survey_id_survey', type_='foreignkey')
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('survey', recreate='always', table_kwargs={'sqlite_autoincrement': True}):
            pass


def downgrade():
    # Fails on PostgreSQL once a draft was deleted: its audit entries name a survey that no longer exists.
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('survey', recreate='always', table_kwargs={'sqlite_autoincrement': False}):
            pass
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_audit_entry_survey_id_survey', 'survey', ['survey_id'], ['id'])
