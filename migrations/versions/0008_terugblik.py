"""issue 25: the Terugblik, the earlier agreement shown on the projector

Revision ID: 0008_terugblik
Revises: 0007_organisations
Create Date: 2026-12-07 11:40:00

The phase ``retrospective`` needs no change: phases are stored as plain strings.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_terugblik'
down_revision = '0007_organisations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retrospective_position', sa.Integer(),
                                      server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('meetups', schema=None) as batch_op:
        batch_op.drop_column('retrospective_position')
