"""scan_upload and scan_file: stacks of scans sent from the console and their files; scan_page queued for a
worker (upload_id, claim, claimed_at, attempts)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scan_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('batches', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_scan_upload_created_by_id_user')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_scan_upload_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_upload'))
    )
    with op.batch_alter_table('scan_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scan_upload_survey_id'), ['survey_id'], unique=False)

    op.create_table('scan_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('upload_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_scan_file_survey_id_survey')),
    sa.ForeignKeyConstraint(['upload_id'], ['scan_upload.id'], name=op.f('fk_scan_file_upload_id_scan_upload')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_file')),
    sa.UniqueConstraint('survey_id', 'sha256', name=op.f('uq_scan_file_survey_id_sha256'))
    )
    with op.batch_alter_table('scan_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scan_file_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_file_upload_id'), ['upload_id'], unique=False)

    with op.batch_alter_table('scan_page', schema=None) as batch_op:
        batch_op.add_column(sa.Column('upload_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claim', sa.String(length=32), server_default='', nullable=False))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_scan_page_upload_id'), ['upload_id'], unique=False)
        batch_op.create_index('ix_scan_page_status', ['status', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_scan_page_upload_id_scan_upload'), 'scan_upload', ['upload_id'],
                                    ['id'])


def downgrade():
    with op.batch_alter_table('scan_page', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_scan_page_upload_id_scan_upload'), type_='foreignkey')
        batch_op.drop_index('ix_scan_page_status')
        batch_op.drop_index(batch_op.f('ix_scan_page_upload_id'))
        batch_op.drop_column('attempts')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claim')
        batch_op.drop_column('upload_id')

    with op.batch_alter_table('scan_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scan_file_upload_id'))
        batch_op.drop_index(batch_op.f('ix_scan_file_survey_id'))

    op.drop_table('scan_file')
    with op.batch_alter_table('scan_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scan_upload_survey_id'))

    op.drop_table('scan_upload')
