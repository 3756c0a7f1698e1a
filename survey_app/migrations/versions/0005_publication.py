"""publication: each published version of a survey's results, frozen as canonical JSON bytes with their SHA-256

Surveys published before this revision have no snapshot yet: `flask results ID --freeze` stores one for each
(docs/operations.md); until then they are served from a live recount, as before.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('document', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_publication_created_by_id_user')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_publication_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication')),
    sa.UniqueConstraint('survey_id', 'version', name=op.f('uq_publication_survey_id_version'))
    )
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_survey_id'), ['survey_id'], unique=False)


def downgrade():
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_survey_id'))
    op.drop_table('publication')
