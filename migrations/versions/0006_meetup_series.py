"""issue 25: a series of meetups, a follow-up meetup's earlier meetup, continued agreements

Revision ID: 0006_meetup_series
Revises: 0005_expected_participants
Create Date: 2026-12-07 11:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_meetup_series'
down_revision = '0005_expected_participants'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisers.id'], name=op.f('fk_series_organiser_id_organisers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_series'))
    )
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_series_organiser_id'), ['organiser_id'], unique=False)

    with op.batch_alter_table('meetups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('previous_meetup_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_meetups_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetups_previous_meetup_id'), ['previous_meetup_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_meetups_series_id_series'), 'series', ['series_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_meetups_previous_meetup_id_meetups'), 'meetups', ['previous_meetup_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('continues_agreement_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_agreements_continues_agreement_id'), ['continues_agreement_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_agreements_continues_agreement_id_agreements'), 'agreements', ['continues_agreement_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agreements_continues_agreement_id_agreements'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_agreements_continues_agreement_id'))
        batch_op.drop_column('continues_agreement_id')

    with op.batch_alter_table('meetups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meetups_previous_meetup_id_meetups'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_meetups_series_id_series'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_meetups_previous_meetup_id'))
        batch_op.drop_index(batch_op.f('ix_meetups_series_id'))
        batch_op.drop_column('previous_meetup_id')
        batch_op.drop_column('series_id')

    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_series_organiser_id'))

    op.drop_table('series')
