"""i11c: default countdown per phase (meetups.phase_minutes)

Revision ID: 0002_i11c
Revises: 0002_i15
Create Date: 2026-12-02 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_i11c'
down_revision = '0002_i15'
branch_labels = None
depends_on = None


def upgrade():
    # Existing meetups get no default durations: their phases keep starting without a countdown.
    with op.batch_alter_table('meetups') as batch_op:
        batch_op.add_column(sa.Column('phase_minutes', sa.JSON(), nullable=False,
                                      server_default=sa.text("'{}'")))


def downgrade():
    with op.batch_alter_table('meetups') as batch_op:
        batch_op.drop_column('phase_minutes')
