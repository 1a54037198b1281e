"""HTML pages of sharing for participants (being written)."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
