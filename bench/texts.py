"""Short, realistic journal texts in English and Dutch, put together from fragments so that a
million entries do not repeat one sentence. Made up; no real person's words."""

import random

from app.models.enums import EntryKind

_EN: dict[EntryKind, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    EntryKind.thought: (
        (
            "Noticed today that",
            "I keep thinking that",
            "On the walk home I realised",
            "Funny how",
            "Writing this down because",
            "After the session I thought",
        ),
        (
            "the pain is worse on days I sit a lot",
            "I avoid the stairs even when my back feels fine",
            "pacing works better when I plan the afternoon",
            "my sleep and the pain go together",
            "I do more when nobody is watching",
            "the exercises feel easier in the morning",
            "stress at work shows up in my shoulders first",
        ),
        (
            ".",
            ", not sure what to do with that.",
            ", maybe worth mentioning.",
            ". Will keep an eye on it this week.",
            ", which surprised me.",
        ),
    ),
    EntryKind.feeling: (
        ("Feeling", "Today I felt", "Mostly", "Woke up", "This evening I am"),
        (
            "tired and a bit down",
            "frustrated that the knee still hurts",
            "proud that I walked to the shop",
            "anxious about going back to work",
            "calmer than yesterday",
            "irritated by the constant ache",
            "hopeful after the good night",
        ),
        (".", " again.", ", it comes and goes.", ", hard to explain why.", " since lunch."),
    ),
    EntryKind.disagreement: (
        (
            "I don't agree that",
            "It was said that",
            "I was told that",
            "I am not convinced that",
            "It does not feel right that",
        ),
        (
            "I should push through the pain",
            "the scan explains everything",
            "I need to lose weight first",
            "rest is bad for me",
            "it is all in my head",
            "I should stop the medication",
            "three sessions a week is realistic",
        ),
        (
            ".",
            "; my experience is different.",
            ". I want to talk about this.",
            ", at least not for me.",
            ". I felt not heard.",
        ),
    ),
    EntryKind.question: (
        ("Can we talk about", "Question:", "I would like to know", "What about", "Is it normal"),
        (
            "whether I can start cycling again",
            "why the pain moves around",
            "how long the programme takes",
            "what to do on a bad day",
            "if heat helps or makes it worse",
            "what the new exercise is for",
            "how to tell my employer",
        ),
        ("?", "? It keeps coming back.", "? Asked before but forgot the answer.", "? Not urgent."),
    ),
    EntryKind.goal: (
        ("Goal:", "I want to", "By next month I hope to", "Small goal:", "Next step:"),
        (
            "walk to the park without stopping",
            "play with my kids for half an hour",
            "work four hours a day",
            "do the exercises five days a week",
            "sleep through the night",
            "carry the groceries myself",
            "go to the birthday party",
        ),
        (".", ", one step at a time.", " before the summer.", ", with help if needed."),
    ),
}

_NL: dict[EntryKind, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    EntryKind.thought: (
        (
            "Vandaag gemerkt dat",
            "Ik blijf denken dat",
            "Op weg naar huis bedacht ik dat",
            "Gek eigenlijk dat",
            "Ik schrijf dit op omdat",
            "Na de sessie dacht ik dat",
        ),
        (
            "de pijn erger is als ik veel zit",
            "ik de trap vermijd, ook als mijn rug goed voelt",
            "doseren beter lukt als ik de middag plan",
            "mijn slaap en de pijn samenhangen",
            "ik meer doe als niemand kijkt",
            "de oefeningen 's ochtends makkelijker gaan",
            "spanning op het werk eerst in mijn schouders zit",
        ),
        (
            ".",
            ", weet niet goed wat ik ermee moet.",
            ", misschien goed om te noemen.",
            ". Ik let er deze week op.",
            ", dat verbaasde me.",
        ),
    ),
    EntryKind.feeling: (
        ("Ik voel me", "Vandaag voelde ik me", "Vooral", "Wakker geworden en", "Vanavond ben ik"),
        (
            "moe en een beetje somber",
            "gefrustreerd dat mijn knie nog pijn doet",
            "trots dat ik naar de winkel liep",
            "onrustig over weer aan het werk gaan",
            "rustiger dan gisteren",
            "geïrriteerd door de constante pijn",
            "hoopvol na een goede nacht",
        ),
        (".", ", alweer.", ", het komt en gaat.", ", moeilijk uit te leggen.", " sinds de lunch."),
    ),
    EntryKind.disagreement: (
        (
            "Ik ben het er niet mee eens dat",
            "Er werd gezegd dat",
            "Mij werd verteld dat",
            "Ik ben er niet van overtuigd dat",
            "Het voelt niet goed dat",
        ),
        (
            "ik door de pijn heen moet",
            "de scan alles verklaart",
            "ik eerst moet afvallen",
            "rust slecht voor me is",
            "het tussen mijn oren zit",
            "ik moet stoppen met de medicatie",
            "drie keer per week haalbaar is",
        ),
        (
            ".",
            "; ik ervaar het anders.",
            ". Hier wil ik het over hebben.",
            ", in elk geval niet voor mij.",
            ". Ik voelde me niet gehoord.",
        ),
    ),
    EntryKind.question: (
        ("Kunnen we het hebben over", "Vraag:", "Ik wil graag weten", "Hoe zit het met", "Is het normaal"),
        (
            "of ik weer kan gaan fietsen",
            "waarom de pijn steeds verschuift",
            "hoe lang het programma duurt",
            "wat ik op een slechte dag kan doen",
            "of warmte helpt of het erger maakt",
            "waar de nieuwe oefening voor is",
            "hoe ik het mijn werkgever vertel",
        ),
        ("?", "? Het komt steeds terug.", "? Eerder gevraagd maar vergeten.", "? Niet dringend."),
    ),
    EntryKind.goal: (
        ("Doel:", "Ik wil", "Volgende maand hoop ik", "Klein doel:", "Volgende stap:"),
        (
            "naar het park lopen zonder te stoppen",
            "een half uur met mijn kinderen spelen",
            "vier uur per dag werken",
            "vijf dagen per week de oefeningen doen",
            "de nacht doorslapen",
            "zelf de boodschappen dragen",
            "naar het verjaardagsfeest gaan",
        ),
        (".", ", stap voor stap.", " voor de zomer.", ", met hulp als het nodig is."),
    ),
}

_REPLIES = {
    "en": (
        "Thanks for writing this down. Let's look at it together next time.",
        "Good observation. Try to keep noting when it happens.",
        "That is a fair question; we will take time for it on Tuesday.",
        "I hear you. We can adjust the plan so it fits better.",
        "Well done on this step. How did it feel afterwards?",
        "Let's discuss this in our next session, it matters.",
    ),
    "nl": (
        "Goed dat je dit opschrijft. We kijken er de volgende keer samen naar.",
        "Mooie observatie. Probeer bij te houden wanneer het gebeurt.",
        "Terechte vraag; daar nemen we dinsdag de tijd voor.",
        "Ik hoor je. We kunnen het plan aanpassen zodat het beter past.",
        "Knap gedaan. Hoe voelde het achteraf?",
        "Laten we dit in de volgende sessie bespreken, het is belangrijk.",
    ),
}

_NOTES = {
    "en": ("I see it a bit differently.", "Yes, that is how I remember it.", "Partly, not completely."),
    "nl": ("Ik zie het iets anders.", "Ja, zo herinner ik het me ook.", "Deels, niet helemaal."),
}

FIRST_NAMES = (
    "Anna", "Bram", "Chloé", "Daan", "Emma", "Fatima", "Guus", "Hanna", "Ilse", "Jan", "Kees", "Lotte",
    "Mohammed", "Noor", "Olga", "Pieter", "Quinten", "Rosa", "Sem", "Tess", "Umut", "Vera", "Wim",
    "Yara", "Zoë", "Liam", "Sophie", "Lucas", "Julia", "Milan",
)  # fmt: skip
LAST_NAMES = (
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos",
    "Vos", "Peters", "Hendriks", "van Dijk", "Yilmaz", "El Amrani", "Dekker", "van Leeuwen", "Brouwer",
    "de Wit",
)  # fmt: skip


def entry_body(rng: random.Random, kind: EntryKind, locale: str) -> str:
    starts, middles, ends = (_NL if locale == "nl" else _EN)[kind]
    text = f"{rng.choice(starts)} {rng.choice(middles)}{rng.choice(ends)}"
    if rng.random() < 0.25:  # now and then a second sentence
        starts2, middles2, ends2 = (_NL if locale == "nl" else _EN)[EntryKind.thought]
        text += f" {rng.choice(starts2)} {rng.choice(middles2)}{rng.choice(ends2)}"
    return text


def reply_body(rng: random.Random, locale: str) -> str:
    return rng.choice(_REPLIES["nl" if locale == "nl" else "en"])


def participant_note(rng: random.Random, locale: str) -> str:
    return rng.choice(_NOTES["nl" if locale == "nl" else "en"])


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
