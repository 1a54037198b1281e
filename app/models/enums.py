"""Closed vocabularies stored in tables and accepted by the API."""

from enum import StrEnum


class Role(StrEnum):
    participant = "participant"
    clinician = "clinician"
    admin = "admin"


class Discipline(StrEnum):
    physiotherapist = "physiotherapist"
    psychologist = "psychologist"
    physician = "physician"
    occupational_therapist = "occupational_therapist"
    social_worker = "social_worker"
    nurse = "nurse"
    other = "other"
