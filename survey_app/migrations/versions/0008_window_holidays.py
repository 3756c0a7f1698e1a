"""survey.skip_holidays: whether a survey's window also leaves out public holidays

Guidance 90/HD leaves out Saturdays and Sundays only, which new surveys now follow by default. Surveys that
already exist were counted leaving out public holidays too: they are marked so, and keep their end date.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skip_holidays', sa.Boolean(), server_default=sa.false(), nullable=False))
    survey = sa.table('survey', sa.column('skip_holidays', sa.Boolean()))
    op.execute(survey.update().values(skip_holidays=True))


def downgrade():
    # SQLite rebuilds the table to drop a column: keep the AUTOINCREMENT 0006 gave it.
    with op.batch_alter_table('survey', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_column('skip_holidays')
