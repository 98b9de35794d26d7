"""The data model: one module per aggregate. Importing this package registers every table."""

from meetup.models.agreement import Agreement, AgreementStatus, AgreementUpdate, Commitment
from meetup.models.audit import AuditEntry, Operation
from meetup.models.board import Note, Round, Vote
from meetup.models.grouping import Grouping, NoteGroup, NoteGroupMember
from meetup.models.meetup import Meetup, Phase, PhaseChange, Theme
from meetup.models.organiser import Organiser
from meetup.models.participant import Participant, Table
from meetup.models.series import Series

__all__ = [
    "Agreement",
    "AgreementStatus",
    "AgreementUpdate",
    "AuditEntry",
    "Commitment",
    "Grouping",
    "Meetup",
    "Note",
    "NoteGroup",
    "NoteGroupMember",
    "Operation",
    "Organiser",
    "Participant",
    "Phase",
    "PhaseChange",
    "Round",
    "Series",
    "Table",
    "Theme",
    "Vote",
]
