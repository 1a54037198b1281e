"""Request and response shapes of "My story"."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from app.models.enums import Discipline, StorySection, TreatmentEffect
from app.sharing.schemas import StorySharePublic
from app.validation import StrictModel

MAX_SECTION = 8000  # characters per section, after line endings are normalised
MAX_TREATMENTS = 40


class Treatment(StrictModel):
    """One earlier treatment or professional, in a few words."""

    what: str = Field(min_length=1, max_length=200, description='e.g. "physiotherapy", "a pain clinic"')
    when: str = Field(default="", max_length=100, description='roughly when, in own words, e.g. "2019"')
    effect: TreatmentEffect | None = None


class StoryContent(BaseModel):
    """What the participant wrote: the sections they filled in, and earlier treatments."""

    sections: dict[StorySection, str] = Field(default_factory=dict)
    treatments: list[Treatment] = Field(default_factory=list)


class StoryWrite(StrictModel):
    """A new version. `base_version` is the version the text was written on (0 for the first):
    if the story changed since, the save is refused (409) and nothing is lost."""

    base_version: int = Field(ge=0, strict=True)
    sections: dict[StorySection, str] = Field(default_factory=dict)
    treatments: list[Treatment] = Field(default_factory=list, max_length=MAX_TREATMENTS)


class StoryPublic(StoryContent):
    """My story as it is now (version 0: nothing written yet), and who it is shared with."""

    version: int
    updated_at: datetime | None
    shares: list[StorySharePublic] = Field(default_factory=list)


class StoryVersionSummary(BaseModel):
    version: int
    saved_at: datetime
    sections: list[StorySection] = Field(description="The sections this version has")
    treatments: int


class StoryVersionPublic(StoryContent):
    version: int
    saved_at: datetime


class StoryForClinician(StoryContent):
    """A story shared with me. `changed`: the sections that changed since I last read it, or,
    when I never read it (`first_read`), since it was shared with me."""

    participant_id: uuid.UUID
    version: int
    updated_at: datetime
    first_read: bool
    changed: list[StorySection]
    treatments_changed: bool


class StoryReader(BaseModel):
    """One read of my story by a clinician, from the audit log."""

    clinician_name: str | None = Field(description="null when the clinician's account no longer exists")
    clinician_discipline: Discipline | None
    read_at: datetime
