"""issue 23: follow-up mail: reminder consent, the mail outbox, unsubscribes, the scheduler's
heartbeat, the meetup's follow-up intervals, an agreement's owner picked from the table

Revision ID: 0003_mail_outbox
Revises: 0002_i14
Create Date: 2026-12-07 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_mail_outbox'
down_revision = '0002_i14'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_days_before', sa.Integer(), server_default='3',
                                      nullable=False))
        batch_op.add_column(sa.Column('followup_every_weeks', sa.Integer(), server_default='4',
                                      nullable=False))
        batch_op.add_column(sa.Column('followup_max', sa.Integer(), server_default='6',
                                      nullable=False))
        batch_op.add_column(sa.Column('organiser_digest', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_agreements_owner_id'), ['owner_id'], unique=False)
        batch_op.create_foreign_key('fk_agreements_owner_id_participants', 'participants',
                                    ['owner_id'], ['id'], ondelete='SET NULL')

    op.create_table(
        'reminder_consents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meetup_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=True),
        sa.Column('agreement_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.Enum('reminders', 'signed', name='consentkind', native_enum=False,
                                  create_constraint=False, length=24), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['meetup_id'], ['meetups.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('reminder_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_consents_agreement_id'), ['agreement_id'])
        batch_op.create_index(batch_op.f('ix_reminder_consents_meetup_id'), ['meetup_id'])
        batch_op.create_index(batch_op.f('ix_reminder_consents_participant_id'),
                              ['participant_id'])

    op.create_table(
        'mail_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meetup_id', sa.Integer(), nullable=True),
        sa.Column('agreement_id', sa.Integer(), nullable=True),
        sa.Column('consent_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.Enum('owner_closed', 'signed_closed', 'reminder_before',
                                  'reminder_day', 'followup', 'digest', name='mailkind',
                                  native_enum=False, create_constraint=False, length=24),
                  nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('dedup_key', sa.String(length=200), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('claim_token', sa.String(length=40), nullable=True),
        sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancel_reason', sa.String(length=40), nullable=False),
        sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['consent_id'], ['reminder_consents.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['meetup_id'], ['meetups.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dedup_key'),
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_mail_outbox_due', ['sent_at', 'due_at'])
        batch_op.create_index(batch_op.f('ix_mail_outbox_agreement_id'), ['agreement_id'])
        batch_op.create_index(batch_op.f('ix_mail_outbox_consent_id'), ['consent_id'])
        batch_op.create_index(batch_op.f('ix_mail_outbox_meetup_id'), ['meetup_id'])

    op.create_table(
        'mail_unsubscribes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meetup_id', sa.Integer(), nullable=False),
        sa.Column('address_hash', sa.String(length=64), nullable=False),
        sa.Column('how', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['meetup_id'], ['meetups.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('meetup_id', 'address_hash'),
    )
    with op.batch_alter_table('mail_unsubscribes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_unsubscribes_meetup_id'), ['meetup_id'])

    op.create_table(
        'scheduler_heartbeats',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_sent', sa.Integer(), nullable=False),
        sa.Column('last_failed', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade():
    op.drop_table('scheduler_heartbeats')
    with op.batch_alter_table('mail_unsubscribes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_unsubscribes_meetup_id'))
    op.drop_table('mail_unsubscribes')
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_outbox_meetup_id'))
        batch_op.drop_index(batch_op.f('ix_mail_outbox_consent_id'))
        batch_op.drop_index(batch_op.f('ix_mail_outbox_agreement_id'))
        batch_op.drop_index('ix_mail_outbox_due')
    op.drop_table('mail_outbox')
    with op.batch_alter_table('reminder_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_consents_participant_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_consents_meetup_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_consents_agreement_id'))
    op.drop_table('reminder_consents')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_constraint('fk_agreements_owner_id_participants', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_agreements_owner_id'))
        batch_op.drop_column('owner_id')
    with op.batch_alter_table('meetups', schema=None) as batch_op:
        batch_op.drop_column('organiser_digest')
        batch_op.drop_column('followup_max')
        batch_op.drop_column('followup_every_weeks')
        batch_op.drop_column('reminder_days_before')
