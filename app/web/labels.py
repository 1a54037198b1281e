"""The words pages show for stored values, in the reader's language (templates call _() on them),
and the notes shown after a redirect.

Participants read their own words in the first person ("My diagnosis"); clinicians read brief,
scannable labels ("Diagnosis"): where the two differ, a table holds both side by side, and each
audience gets its own from `labels_for`.
"""

from collections.abc import Mapping
from typing import Any, TypeVar

from app.checkins.statements import CHECK_IN_SHORT, CHECK_IN_STATEMENTS
from app.i18n import N_
from app.models.enums import (
    Discipline,
    EntryKind,
    GoalStatus,
    Importance,
    Outcome,
    ParticipantView,
    ResponseKind,
    Role,
    StorySection,
    TaskAnswer,
    Topic,
    TreatmentEffect,
    TryOutcome,
)

K = TypeVar("K")

ROLE_LABELS = {
    Role.participant: N_("Participant"),
    Role.clinician: N_("Clinician"),
    Role.admin: N_("Administrator"),
}
DISCIPLINE_LABELS = {
    Discipline.physiotherapist: N_("Physiotherapist"),
    Discipline.psychologist: N_("Psychologist"),
    Discipline.physician: N_("Physician"),
    Discipline.occupational_therapist: N_("Occupational therapist"),
    Discipline.social_worker: N_("Social worker"),
    Discipline.nurse: N_("Nurse"),
    Discipline.other: N_("Other discipline"),
}
INVITATION_STATUS_LABELS = {
    "pending": N_("Waiting"),
    "used": N_("Used"),
    "expired": N_("Expired"),
    "revoked": N_("Withdrawn"),
}
KIND_LABELS = {
    EntryKind.thought: N_("Thought"),
    EntryKind.feeling: N_("Feeling"),
    EntryKind.disagreement: N_("Disagreement"),
    EntryKind.question: N_("Question"),
    EntryKind.goal: N_("Goal"),
}
KIND_FILTER_LABELS = {
    EntryKind.thought: N_("Thoughts"),
    EntryKind.feeling: N_("Feelings"),
    EntryKind.disagreement: N_("Disagreements"),
    EntryKind.question: N_("Questions"),
    EntryKind.goal: N_("Goals"),
}
# The participant writes in this order; a clinician reads what needs talking about first.
PARTICIPANT_KINDS = [
    EntryKind.thought,
    EntryKind.feeling,
    EntryKind.disagreement,
    EntryKind.question,
    EntryKind.goal,
]
CLINICIAN_KINDS = [
    EntryKind.disagreement,
    EntryKind.question,
    EntryKind.goal,
    EntryKind.thought,
    EntryKind.feeling,
]
GOAL_STATUS_LABELS = {
    GoalStatus.active: N_("Working on it"),
    GoalStatus.achieved: N_("Achieved"),
    GoalStatus.let_go: N_("Let go"),
}
RESPONSE_KIND_LABELS = {
    ResponseKind.seen: N_("Seen"),
    ResponseKind.reply: N_("Reply"),
    ResponseKind.discussed: N_("Discussed"),
}

# --- the two voices: (the participant's own words, the clinician's brief label) ---------------

TOPIC_LABELS = {
    Topic.diagnosis: (N_("My diagnosis"), N_("Diagnosis")),
    Topic.cause_of_pain: (N_("The cause of my pain"), N_("Cause of pain")),
    Topic.treatment_plan: (N_("The treatment plan"), N_("Treatment plan")),
    Topic.exercises: (N_("Exercises and tasks"), N_("Exercises")),
    Topic.goals: (N_("Goals"), N_("Goals")),
    Topic.working_with_professional: (N_("Working with a professional"), N_("Working together")),
    Topic.care_organisation: (N_("How my care is organised"), N_("How care is organised")),
    Topic.daily_life: (N_("Daily life"), N_("Daily life")),
    Topic.other: (N_("Something else"), N_("Other")),
}
IMPORTANCE_LABELS = {
    Importance.low: (N_("A little"), N_("Low")),
    Importance.normal: (N_("Normal"), N_("Normal")),
    Importance.high: (N_("Very much"), N_("High")),
}
OUTCOME_LABELS = {
    Outcome.agreed: (N_("We agreed"), N_("Agreed")),
    Outcome.partly_agreed: (N_("We partly agreed"), N_("Partly agreed")),
    Outcome.still_differ: (N_("We still see it differently"), N_("We still see it differently")),
}
# The participant's answer to a task, and one try of it: in their words, and as a clinician reads them.
TASK_ANSWER_LABELS = {
    TaskAnswer.fits: (N_("This fits me"), N_("Fits them")),
    TaskAnswer.doubts: (N_("I have doubts"), N_("Has doubts")),
    TaskAnswer.does_not_fit: (N_("This does not fit me"), N_("Does not fit them")),
}
TRY_OUTCOME_LABELS = {
    TryOutcome.did_it: (N_("I did it"), N_("Did it")),
    TryOutcome.partly: (N_("Partly"), N_("Partly")),
    TryOutcome.not_this_time: (N_("Not this time"), N_("Not this time")),
    TryOutcome.too_painful: (N_("It hurt too much"), N_("It hurt too much")),
}
# The participant's answer to "does this match your view?", and how a clinician reads it.
VIEW_LABELS = {
    ParticipantView.matches: (N_("Yes, this matches my view"), N_("matches their view")),
    ParticipantView.partly: (N_("Partly"), N_("partly matches their view")),
    ParticipantView.differs: (N_("No, I see it differently"), N_("differs from their view")),
}
# The participant's latest view, prominent on the clinician's card: "Ria sees it differently: ...".
PARTICIPANT_WORD_LABELS = {
    ParticipantView.matches: N_("%(name)s says this matches their view"),
    ParticipantView.partly: N_("%(name)s partly agrees"),
    ParticipantView.differs: N_("%(name)s sees it differently"),
}
VIEW_SUMMARY_LABELS = {
    ParticipantView.matches: N_("You said this matches your view."),
    ParticipantView.partly: N_("You said this partly matches your view."),
    ParticipantView.differs: N_("You said you see it differently."),
}
PARTICIPANT, CLINICIAN = 0, 1

# Gentle, optional invitations per kind: what people in pain rehabilitation tend to leave unsaid.
PROMPTS = {
    EntryKind.thought: [
        N_("What stayed with you after your last appointment?"),
        N_("Is there something you wanted to say, but did not?"),
    ],
    EntryKind.feeling: [
        N_("How do you feel about your pain, your treatment or the people who help you?"),
        N_("Every feeling is welcome here, also the difficult ones."),
    ],
    EntryKind.disagreement: [
        N_("What do you see differently about your diagnosis, your plan, your goals or your exercises?"),
        N_("Did something in a conversation not feel right?"),
    ],
    EntryKind.question: [
        N_("What would you like to ask, but have not asked yet?"),
        N_("About the cause of your pain, your plan, your exercises, or what comes next."),
    ],
    EntryKind.goal: [
        N_("What matters to you in your daily life? Say it in your own words."),
        N_("It may be small. Your goal does not have to match anyone else's."),
    ],
}

# "My story": each section's title (the participant's own voice, also as clinicians read it) and
# a gentle prompt for the participant.
STORY_SECTION_LABELS = {
    StorySection.before: N_("Before this programme"),
    StorySection.told: N_("What I was told about my pain"),
    StorySection.cause: N_("What I think causes my pain"),
    StorySection.fear: N_("What I fear"),
    StorySection.hope: N_("What I hope from this programme"),
    StorySection.know: N_("What my team should know about me"),
}
STORY_SECTION_PROMPTS = {
    StorySection.before: N_(
        "Which care, tests and treatments did you have? What helped, what did not, what disappointed you?"
    ),
    StorySection.told: N_("What did doctors or others tell you about your pain? What stayed with you?"),
    StorySection.cause: N_("In your own words. It may be different from what you were told."),
    StorySection.fear: N_("What worries you about your pain, or about this programme?"),
    StorySection.hope: N_("What would make this programme worth it for you?"),
    StorySection.know: N_("For example your work, your family, or what a good day looks like."),
}
TREATMENT_EFFECT_LABELS = {
    TreatmentEffect.helped: N_("It helped"),
    TreatmentEffect.no_help: N_("It did not help"),
    TreatmentEffect.worse: N_("It made it worse"),
}

# Notes after a redirect (?done=...). Only known keys are shown: nothing from the URL is echoed.
DONE_MESSAGES = {
    # accounts
    "joined": N_("Welcome to Stem. Your account is ready."),
    "logged_out": N_("You are logged out."),
    "logged_out_everywhere": N_("You are logged out on all your devices."),
    "profile": N_("Your details are saved."),
    "password": N_("Your password is changed. Your other devices are logged out."),
    "recovered": N_(
        "You are back in, with your new password. That code is used up, "
        "and your other devices are logged out."
    ),
    "reset_started": N_("The reset is started. A second person must approve it now."),
    "reset_approved": N_("Approved. The person who started the reset can now make the code."),
    "reset_stopped": N_("The reset is stopped. Its code does not work."),
    "passkey_added": N_("Your passkey is added. Next time you can log in with it, without your password."),
    "passkey_removed": N_("The passkey is removed. It no longer logs you in."),
    "reminders": N_("Your reminder settings are saved."),
    "push_device_removed": N_("Reminders are off on that device."),
    "push_device_added": N_("Reminders are on for this device."),
    "team": N_("The care team is created."),
    "team_help": N_("The team's contact details are saved."),
    "revoked": N_("The invitation is withdrawn. The code no longer works."),
    "activated": N_("The account is active again."),
    "deactivated": N_("The account is deactivated and logged out everywhere."),
    "erased": N_("Your account and everything you wrote are erased."),
    # the participant's journal and sharing
    "saved": N_("Saved. It is private until you choose to share it."),
    "edited": N_("Your changes are saved."),
    "deleted": N_("Moved to the trash. You can restore it for 30 days."),
    "restored": N_("Restored. It is back in your journal."),
    "shared": N_("Shared. The people you chose can read it now."),
    "shared_agenda": N_("Shared, and on the agenda of your next appointment."),
    "unshared": N_("No longer shared. It is hidden from them again."),
    "view": N_("Thank you. Your view is saved next to the outcome."),
    "message": N_("Sent. The people you shared this with can read your answer."),
    "raised": N_("Shared with the person you chose, and marked for the next time you see them."),
    "raised_agenda": N_(
        "Shared with the person you chose, and on the agenda of your next appointment with them."
    ),
    "joiner_allowed": N_(
        "Done. They can now also read what you shared with the whole team before they joined."
    ),
    "joiner_kept_out": N_("Done. They read only what you share with the whole team from now on."),
    "appointment": N_("The appointment is saved."),
    "agenda": N_("The agenda is saved."),
    "cancelled": N_("The appointment is cancelled. What you shared stays shared."),
    "calendar_link_stopped": N_("The calendar link is turned off. It no longer works."),
    "story_saved": N_("Your story is saved. Earlier versions are kept."),
    "story_shared": N_("Your story is shared. The people you chose can read it now."),
    "story_unshared": N_("Your story is no longer shared with them. It is hidden from them again."),
    "rated": N_("Your rating is saved."),
    "rating_removed": N_("The rating is removed."),
    "moved": N_("The order of your goals is saved."),
    "answered": N_("Your answer is saved. Only you can see it until you send it."),
    "tried": N_("Your try is saved. Only you can see it until you send it."),
    "try_removed": N_("The try is removed."),
    "task_sent": N_("Sent. They can see your answer and tries now."),
    "task_unsent": N_("Taken back. Your answer and tries are private again."),
    "task_suggested": N_("Task saved. The participant can see it and answer it."),
    "task_edited": N_("Your changes to the task are saved."),
    "checked_in": N_("Saved. Only you can see it until you send it."),
    "check_in_sent": N_("Sent. They can see how the appointment went for you."),
    "check_in_unsent": N_("Taken back. It is private again."),
    "check_in_deleted": N_("The check-in is removed."),
    "task_withdrawn": N_("The task is withdrawn. The participant keeps it, marked as no longer suggested."),
    # the clinician's preparation
    "seen": N_("Marked as seen."),
    "reply": N_("Reply sent. The participant can read it."),
    "discussed": N_("Marked as discussed."),
    "resolved": N_("Marked as discussed: agreed. It no longer shows under disagreements."),
    "planned": N_("Appointment planned."),
    "cancelled_clinician": N_("The appointment is cancelled. The participant sees that it is gone."),
}


def labels_for(role: Role | str | None) -> dict[str, Any]:
    """The label maps a page's templates use, in the words of its reader."""
    common: dict[str, Any] = {
        "role_labels": ROLE_LABELS,
        "discipline_labels": DISCIPLINE_LABELS,
        "status_labels": INVITATION_STATUS_LABELS,
        "kind_labels": KIND_LABELS,
        "goal_status_labels": GOAL_STATUS_LABELS,
        "response_kind_labels": RESPONSE_KIND_LABELS,
        "story_section_labels": STORY_SECTION_LABELS,
        "treatment_effect_labels": TREATMENT_EFFECT_LABELS,
        "check_in_statements": CHECK_IN_STATEMENTS,
        "check_in_short": CHECK_IN_SHORT,
    }
    voice = CLINICIAN if role == Role.clinician else PARTICIPANT
    common["topic_labels"] = _in_voice(TOPIC_LABELS, voice)
    common["importance_labels"] = _in_voice(IMPORTANCE_LABELS, voice)
    common["outcome_labels"] = _in_voice(OUTCOME_LABELS, voice)
    common["task_answer_labels"] = _in_voice(TASK_ANSWER_LABELS, voice)
    common["try_outcome_labels"] = _in_voice(TRY_OUTCOME_LABELS, voice)
    if voice == CLINICIAN:
        common["kind_filters"] = [(kind, KIND_FILTER_LABELS[kind]) for kind in CLINICIAN_KINDS]
        common["participant_view_labels"] = _in_voice(VIEW_LABELS, voice)
        common["participant_word_labels"] = PARTICIPANT_WORD_LABELS
        return common
    common["kinds"] = PARTICIPANT_KINDS
    common["view_labels"] = _in_voice(VIEW_LABELS, voice)
    common["view_summary_labels"] = VIEW_SUMMARY_LABELS
    common["prompts"] = PROMPTS
    common["story_section_prompts"] = STORY_SECTION_PROMPTS
    return common


def _in_voice(labels: Mapping[K, tuple[str, str]], voice: int) -> dict[K, str]:
    return {value: words[voice] for value, words in labels.items()}
