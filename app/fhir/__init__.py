"""Stem speaks FHIR R4 (issue 20): the participant's record, and what they shared, as bundles."""
