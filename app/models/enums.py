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


class StorySection(StrEnum):
    """The parts of "My story", in the order the participant sees them; all optional."""

    before = "before"  # what happened before this programme: care, tests, treatments
    told = "told"  # what I was told about my pain
    cause = "cause"  # what I think causes my pain
    fear = "fear"  # what I fear
    hope = "hope"  # what I hope from this programme
    know = "know"  # what my team should know about me


class TreatmentEffect(StrEnum):
    """How an earlier treatment went, in the participant's view."""

    helped = "helped"
    no_help = "no_help"
    worse = "worse"


class TaskAnswer(StrEnum):
    """The participant's answer to a task their team suggests."""

    fits = "fits"  # this fits me
    doubts = "doubts"  # I have doubts
    does_not_fit = "does_not_fit"  # this does not fit me


class TryOutcome(StrEnum):
    """How one try of a task went, in the participant's words."""

    did_it = "did_it"
    partly = "partly"
    not_this_time = "not_this_time"
    too_painful = "too_painful"  # it hurt too much
