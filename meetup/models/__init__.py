"""The data model: one module per aggregate. Importing this package registers every table."""

from meetup.models.agreement import Agreement, AgreementStatus, AgreementUpdate, Commitment
from meetup.models.audit import AuditEntry, Operation
from meetup.models.board import Note, Round, Vote
from meetup.models.consent import ConsentKind, ReminderConsent
from meetup.models.grouping import Grouping, NoteGroup, NoteGroupMember
from meetup.models.meetup import Meetup, Phase, PhaseChange, Theme
from meetup.models.organisation import Invitation, Membership, Organisation, Role
from meetup.models.organiser import Organiser
from meetup.models.outbox import MailKind, OutboxMail, SchedulerHeartbeat
from meetup.models.participant import Participant, Table
from meetup.models.series import Series
from meetup.models.unsubscribe import Unsubscribe

__all__ = [
    "Agreement",
    "AgreementStatus",
    "AgreementUpdate",
    "AuditEntry",
    "Commitment",
    "ConsentKind",
    "Grouping",
    "Invitation",
    "MailKind",
    "Meetup",
    "Membership",
    "Note",
    "NoteGroup",
    "NoteGroupMember",
    "Operation",
    "Organisation",
    "Organiser",
    "OutboxMail",
    "Participant",
    "Phase",
    "PhaseChange",
    "ReminderConsent",
    "Role",
    "Round",
    "SchedulerHeartbeat",
    "Series",
    "Table",
    "Theme",
    "Unsubscribe",
    "Vote",
]
