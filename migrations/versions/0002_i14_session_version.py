"""issue 14: sessions that end (organiser session version); short code before opening; privacy (retention, anonymised, e-mails in the shared report)

Revision ID: 0002_i14
Revises: 0002_i11c
Create Date: 2026-12-02 11:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_i14'
down_revision = '0002_i11c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0',
                                      nullable=False))
    with op.batch_alter_table('meetups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_before_opening', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('report_shows_emails', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('retention_until', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('meetups', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('retention_until')
        batch_op.drop_column('report_shows_emails')
        batch_op.drop_column('code_before_opening')
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.drop_column('session_version')
