"""The words of a check-in (issue 14, item 3): Stem's own statements, written for pain
rehabilitation and not taken from any questionnaire (not a validated questionnaire), each with a
short name for tables and charts. Here, below the pages, so that the FHIR export can name them
too; pages translate them where they are shown."""

from app.i18n import N_

CHECK_IN_STATEMENTS = {
    "heard": N_("%(name)s listened to me and believed what I told them."),
    "goals": N_("We spent the time on things that matter in my life."),
    "approach": N_("What we agreed to do next is something I can and want to do."),
    "voice": N_("I said what was on my mind, also where I disagree."),
}
CHECK_IN_SHORT = {
    "heard": N_("Listened and believed"),
    "goals": N_("What matters to me"),
    "approach": N_("A plan that suits me"),
    "voice": N_("Said what I wanted"),
}
CHECK_IN_NOTE = N_("Anything you would like to add?")
