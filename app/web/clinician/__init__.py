"""The clinician's pages (desktop first)."""
