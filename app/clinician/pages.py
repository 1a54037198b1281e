"""HTML pages of the clinician's dashboard and preparation (being written)."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
