"""data_version: committed writes per survey (and the units register), the key of cached live results

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 22:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_version',
    sa.Column('scope', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('shard', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('writes', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'shard', name=op.f('pk_data_version'))
    )


def downgrade():
    op.drop_table('data_version')
