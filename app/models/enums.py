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


class EntryKind(StrEnum):
    thought = "thought"
    feeling = "feeling"
    disagreement = "disagreement"
    question = "question"
    goal = "goal"


class Topic(StrEnum):
    diagnosis = "diagnosis"
    cause_of_pain = "cause_of_pain"
    treatment_plan = "treatment_plan"
    exercises = "exercises"
    goals = "goals"
    working_with_professional = "working_with_professional"
    care_organisation = "care_organisation"
    daily_life = "daily_life"
    other = "other"


class Importance(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"


class GoalStatus(StrEnum):
    active = "active"
    achieved = "achieved"
    let_go = "let_go"


class ShareAudience(StrEnum):
    team = "team"
    clinician = "clinician"


class ResponseKind(StrEnum):
    seen = "seen"
    reply = "reply"
    discussed = "discussed"


class Outcome(StrEnum):
    agreed = "agreed"
    partly_agreed = "partly_agreed"
    still_differ = "still_differ"


class ParticipantView(StrEnum):
    matches = "matches"
    partly = "partly"
    differs = "differs"
