"""HTML pages of accounts (placeholder until the pages are written)."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
