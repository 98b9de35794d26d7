"""issue 21: a meetup's expected number of participants (joins beyond it are slowed)

Revision ID: 0005_expected_participants
Revises: 0004_note_vectors
Create Date: 2026-12-07 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_expected_participants'
down_revision = '0004_note_vectors'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected_participants', sa.Integer(),
                                      server_default='300', nullable=False))


def downgrade():
    with op.batch_alter_table('meetups', schema=None) as batch_op:
        batch_op.drop_column('expected_participants')
