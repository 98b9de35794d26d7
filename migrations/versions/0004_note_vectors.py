"""note vectors: each note's sentence vector for grouping, and which model made it (issue 24)

Revision ID: 0004_note_vectors
Revises: 0003_mail_outbox
Create Date: 2026-12-07 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_note_vectors'
down_revision = '0003_mail_outbox'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vector', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('vector_key', sa.String(length=96), nullable=True))
        batch_op.create_index(batch_op.f('ix_notes_vector_key'), ['vector_key'], unique=False)


def downgrade():
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notes_vector_key'))
        batch_op.drop_column('vector_key')
        batch_op.drop_column('vector')
