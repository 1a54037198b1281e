"""JSON API of reminders on one's own devices. Thin: parse, call one service, answer."""

import uuid

from fastapi import APIRouter, status

from app.accounts.deps import CurrentUser
from app.deps import SessionDep
from app.reminders import service, vapid
from app.reminders.schemas import (
    DevicePublic,
    PushPublicKey,
    PushSubscriptionCreate,
    ReminderSettingsPublic,
    ReminderSettingsUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["reminders"])


@router.get("/me/push-key")
def push_key(user: CurrentUser) -> PushPublicKey:
    """The server's public VAPID key, the browser's applicationServerKey."""
    return PushPublicKey(application_server_key=vapid.application_server_key())


@router.get("/me/push-devices")
def my_devices(user: CurrentUser, session: SessionDep) -> list[DevicePublic]:
    """The devices I turned reminders on for (never their keys)."""
    return service.my_devices(session, actor=user)


@router.post("/me/push-devices", status_code=status.HTTP_201_CREATED)
def subscribe(data: PushSubscriptionCreate, user: CurrentUser, session: SessionDep) -> DevicePublic:
    """Turn reminders on for this browser: its PushSubscription.toJSON() and a name."""
    return service.subscribe(session, actor=user, data=data)


@router.delete("/me/push-devices/{device_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_device(device_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    service.remove_device(session, actor=user, device_id=device_id)


@router.get("/me/reminder-settings")
def my_settings(user: CurrentUser, session: SessionDep) -> ReminderSettingsPublic:
    return service.my_settings(session, actor=user)


@router.patch("/me/reminder-settings")
def update_settings(
    data: ReminderSettingsUpdate, user: CurrentUser, session: SessionDep
) -> ReminderSettingsPublic:
    return service.update_settings(session, actor=user, data=data)
