"""issue 23: the organiser's chosen interface language (their weekly digest speaks it)

Revision ID: 0009_mail_details
Revises: 0008_terugblik
Create Date: 2026-12-07 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_mail_details'
down_revision = '0008_terugblik'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='nl', nullable=False))


def downgrade():
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.drop_column('language')
