"""Demo data for trying Stem locally: one care team, three clinicians, two participants."""

from dataclasses import dataclass

from sqlmodel import Session

from app.accounts import repository, service
from app.accounts.passwords import DEMO_PASSWORD
from app.models import CareTeam, TeamMembership
from app.models.enums import Discipline, Role

DEMO_TEAM = "Demo pain rehabilitation"
# Printed on the terminal for whoever runs `make run`; demo data is refused in production.


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    discipline: Discipline | None = None
    locale: str = "en"


DEMO_ACCOUNTS = (
    DemoAccount("admin", "Demo administrator", Role.admin),
    DemoAccount("sanne", "Sanne de Vries", Role.clinician, Discipline.physiotherapist, "nl"),
    DemoAccount("mark", "Mark Jansen", Role.clinician, Discipline.psychologist),
    DemoAccount("amira", "Dr. Amira Haddad", Role.clinician, Discipline.physician),
    DemoAccount("eva", "Eva", Role.participant, locale="nl"),
    DemoAccount("tom", "Tom", Role.participant),
)


def create_demo_data(session: Session) -> bool:
    """Creates the demo team and accounts; False (and nothing changed) when they already exist."""
    if repository.team_by_name(session, DEMO_TEAM) is not None:
        return False
    team = CareTeam(name=DEMO_TEAM)
    session.add(team)
    session.flush()
    for account in DEMO_ACCOUNTS:
        user = repository.user_by_username(session, account.username)
        if user is None:
            user = service.create_user(
                session,
                username=account.username,
                display_name=account.display_name,
                password=DEMO_PASSWORD,
                role=account.role,
                discipline=account.discipline,
                locale=account.locale,
                check_password=False,
            )
        if account.role != Role.admin:
            session.add(TeamMembership(team_id=team.id, user_id=user.id, member_role=user.role))
    session.flush()
    return True


def demo_logins_text(base_url: str) -> str:
    lines = [f"Demo logins for {base_url} (password for all: {DEMO_PASSWORD!r}):"]
    for account in DEMO_ACCOUNTS:
        what = account.role.value
        if account.discipline:
            what += f", {account.discipline.value.replace('_', ' ')}"
        lines.append(f"  {account.username:<8} {account.display_name} ({what})")
    return "\n".join(lines)
