"""The pages people see: the top floor. It composes the domains' services into pages and holds
no rules and no SQL (see ../shared/ARCHITECTURE.md)."""

from fastapi import APIRouter

from app.web import accounts, calendar, help_now, home, passkeys, pwa, resets
from app.web.clinician import dashboard, preparation
from app.web.participant import appointments, check_ins, goals, journal, my_data, plan, sharing, story

# Every page router, in order; app.main includes them after the JSON API.
ROUTERS: list[APIRouter] = [
    pwa.router,
    help_now.router,
    home.router,
    accounts.router,
    resets.router,
    passkeys.router,
    journal.router,
    sharing.router,
    appointments.router,
    calendar.router,
    dashboard.router,
    preparation.router,
    my_data.router,
    story.router,
    goals.router,
    plan.router,
    check_ins.router,
]
