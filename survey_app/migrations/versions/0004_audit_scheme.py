"""audit_entry.scheme: how each entry's hash was made; entries written so far are plain SHA-256 ("sha256"),
new ones are sealed with HMAC-SHA256 under the audit key (services/audit.py)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheme', sa.String(length=40), server_default='sha256', nullable=False))


def downgrade():
    # The code before this revision checks every entry as plain SHA-256: keyed entries would fail its check.
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('scheme')
