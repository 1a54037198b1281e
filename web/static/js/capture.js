// Instant save for the quick-capture form: the entry goes to the JSON API with fetch and the
// page stays, ready for the next thought. Without this script the form posts as a normal form.
//
// - Saved (201, or 200 for a replay of the same save): say so, clear the form and its draft.
// - Refused (4xx): show the server's message next to the form; the text stays.
// - No connection or a server error: the save goes into the outbox (outbox.js) with its id and
//   is sent later. Offline, the form is cleared for the next thought and the save is listed as
//   "waiting to sync"; online (a passing failure) the text also stays in the form, kept as a
//   draft, so "Save" can simply be pressed again.

import { fieldsOf, resetDraft, saveDraftNow, texts } from "./draft.js";
import { available as outboxAvailable, discard, enqueue, render as renderOutbox, replay } from "./outbox.js";

const form = document.querySelector("form[data-capture]");
// The offline shell's form (offline.html): no connection and no token, so each save goes
// straight into the outbox.
const shellForm = Boolean(form?.hasAttribute("data-offline-capture"));

function newId() {
  if (window.crypto?.randomUUID) return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

// The form's fields as the API's EntryCreate: the same rules as the server's form handling.
function payload() {
  const fields = fieldsOf(form);
  const body = {
    id: fields.id || undefined,
    kind: fields.kind,
    body: fields.body || "",
    topic: fields.topic || null,
    importance: fields.importance || "normal",
    raise_next_session: Boolean(fields.raise_next_session),
  };
  const [what, value] = (fields.about || "").split(/:(.*)/s);
  if (what === "discipline" && value) body.about_discipline = value;
  if (what === "clinician" && value) body.about_clinician_id = value;
  if (fields.kind === "feeling" && fields.intensity !== "" && fields.intensity !== undefined) {
    body.intensity = Number(fields.intensity);
  }
  if (fields.kind === "goal" && fields.goal_status) body.goal_status = fields.goal_status;
  if (fields.appointment_id) body.appointment_id = fields.appointment_id;
  return body;
}

function result() {
  return form.querySelector("[data-capture-result]");
}

function show(className, ...nodes) {
  const line = result();
  line.className = `capture-result ${className}`;
  line.replaceChildren(...nodes);
}

function clearFieldMarks() {
  for (const element of form.querySelectorAll("[data-capture-invalid]")) {
    element.removeAttribute("aria-invalid");
    element.removeAttribute("data-capture-invalid");
  }
}

function markFields(errors) {
  const names = { about_discipline: "about", about_clinician_id: "about" };
  for (const error of errors || []) {
    const element = form.elements.namedItem(names[error.field] || error.field);
    if (element && element.setAttribute) {
      element.setAttribute("aria-invalid", "true");
      element.setAttribute("data-capture-invalid", "");
    }
  }
}

function showProblem(problem) {
  const nodes = [];
  const detail = document.createElement("strong");
  detail.textContent = problem.detail || problem.title || "";
  nodes.push(detail);
  const messages = (problem.errors || []).map((error) => error.message).filter((m) => m !== problem.detail);
  if (messages.length) {
    const list = document.createElement("ul");
    for (const message of messages) {
      const item = document.createElement("li");
      item.textContent = message;
      list.append(item);
    }
    nodes.push(list);
  }
  show("capture-result--error", ...nodes);
  markFields(problem.errors);
  result().focus();
}

function outboxText(name) {
  return document.querySelector("[data-outbox]")?.dataset[name] || "";
}

async function notSent(body) {
  saveDraftNow(form);
  let queued = false;
  if (outboxAvailable() && body.id) {
    try {
      await enqueue({
        id: body.id,
        kind: "create",
        url: "/api/v1/entries",
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body,
        fields: fieldsOf(form),
        draftKey: "write",
      });
      queued = true;
    } catch {
      queued = false; // no IndexedDB: the draft is what keeps the words
    }
  }
  if (queued && (navigator.onLine === false || shellForm)) {
    clearForm();
    show("capture-result--waiting", outboxText("queued"));
  } else {
    show("capture-result--waiting", texts().notSent || "");
  }
  result().focus();
}

function clearForm() {
  form.reset(); // back to the choices the page was served with
  form.elements.namedItem("body").value = "";
  form.elements.namedItem("id").value = newId();
  const details = form.querySelector("details");
  if (details) details.open = false;
  form.dispatchEvent(new Event("change", { bubbles: true }));
  resetDraft(form);
  savedAt = Date.now();
}

function saved(entry) {
  const message = document.createTextNode(`${texts().saved || ""} `);
  const link = document.createElement("a");
  link.href = `/entries/${encodeURIComponent(entry.id)}`;
  link.textContent = texts().savedLink || "";
  clearForm();
  show("capture-result--done", message, link);
}

async function send(body) {
  return fetch("/api/v1/entries", {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRF-Token": csrfToken(),
    },
    body: JSON.stringify(body),
  });
}

let busy = false;
let savedAt = 0;
// A double tap on "Save" can arrive after the first tap's save has emptied the form.
const DOUBLE_TAP_MS = 2000;

async function submit(event) {
  event.preventDefault();
  if (busy) return;
  const empty = !form.elements.namedItem("body").value.trim();
  if (empty && Date.now() - savedAt < DOUBLE_TAP_MS) return;
  busy = true;
  const button = form.querySelector("button[type=submit]");
  button?.setAttribute("aria-disabled", "true");
  clearFieldMarks();
  saveDraftNow(form);
  show("capture-result--busy", texts().saving || "");
  let body = payload();
  try {
    if (shellForm) {
      await notSent(body);
      return;
    }
    let response = await send(body);
    let problem = null;
    if (response.status === 409) {
      problem = await response.json().catch(() => ({}));
      if ((problem.errors || []).some((error) => error.field === "id")) {
        // This id belongs to an earlier, different save: keep both, save this one anew.
        form.elements.namedItem("id").value = newId();
        saveDraftNow(form);
        body = payload();
        response = await send(body);
        problem = null;
      }
    }
    if (response.ok) {
      const entry = await response.json();
      if (outboxAvailable()) await discard(entry.id).catch(() => {});
      saved(entry);
    } else if (response.status >= 500) {
      await notSent(body);
    } else {
      showProblem(problem || (await response.json().catch(() => ({ detail: response.statusText }))));
    }
  } catch {
    await notSent(body); // no connection: the words stay on this device
  } finally {
    busy = false;
    button?.removeAttribute("aria-disabled");
  }
}

// A queued save the server refused on replay: its words come back into the empty form.
function putBack(event) {
  const { record } = event.detail || {};
  const bodyField = form.elements.namedItem("body");
  if (!record?.fields || record.kind !== "create" || bodyField.value.trim()) return;
  for (const element of form.elements) {
    const name = element.name;
    if (!name || name === "csrf_token" || !(name in record.fields)) continue;
    if (element.type === "radio") element.checked = element.value === record.fields[name];
    else if (element.type === "checkbox") element.checked = Boolean(record.fields[name]);
    else if (!["submit", "button", "reset", "file"].includes(element.type)) element.value = record.fields[name];
  }
  form.dispatchEvent(new Event("change", { bubbles: true }));
  saveDraftNow(form);
}

if (form && window.fetch) {
  if (shellForm) form.elements.namedItem("id").value = newId();
  form.addEventListener("submit", submit);
  document.addEventListener("stem:outbox-refused", putBack);
  renderOutbox();
  replay();
}

// --- Edits: sent with fetch (PATCH, If-Match), queued in the outbox when they cannot be sent ---
// A refusal or a conflict goes the ordinary way (the form is posted), so the server's own page
// shows the reason or both versions side by side.

const editForm = document.querySelector("form[data-capture-edit]");

function editPayload() {
  const fields = fieldsOf(editForm);
  const body = {
    kind: fields.kind,
    body: fields.body || "",
    topic: fields.topic || null,
    about_discipline: null,
    about_clinician_id: null,
    importance: fields.importance || "normal",
    raise_next_session: Boolean(fields.raise_next_session),
    intensity: null,
    goal_status: null,
  };
  const [what, value] = (fields.about || "").split(/:(.*)/s);
  if (what === "discipline" && value) body.about_discipline = value;
  if (what === "clinician" && value) body.about_clinician_id = value;
  if (fields.kind === "feeling" && fields.intensity) body.intensity = Number(fields.intensity);
  if (fields.kind === "goal" && fields.goal_status) body.goal_status = fields.goal_status;
  return body;
}

let editBusy = false;

async function submitEdit(event) {
  if (editForm.dataset.nativeSubmit) return;
  event.preventDefault();
  if (editBusy) return;
  editBusy = true;
  const entryId = editForm.dataset.captureEdit;
  const version = editForm.elements.namedItem("version")?.value || "";
  const url = `/api/v1/entries/${encodeURIComponent(entryId)}`;
  const body = editPayload();
  const line = editForm.querySelector("[data-capture-result]");
  saveDraftNow(editForm);
  let response = null;
  try {
    response = await fetch(url, {
      method: "PATCH",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": csrfToken(),
        "If-Match": `"${version}"`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    response = null; // no connection
  }
  if (response && response.ok) {
    window.location.assign(`/entries/${encodeURIComponent(entryId)}?done=edited`);
    return;
  }
  if (response && response.status < 500) {
    // Refused or changed elsewhere: the server's page says why and keeps the words.
    editForm.dataset.nativeSubmit = "1";
    editForm.submit();
    return;
  }
  let queued = false;
  if (outboxAvailable()) {
    try {
      await enqueue({
        id: entryId,
        kind: "edit",
        url,
        method: "PATCH",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body,
        version,
        fields: fieldsOf(editForm),
        draftKey: editForm.dataset.draftKey,
      });
      queued = true;
    } catch {
      queued = false;
    }
  }
  if (line) {
    line.className = "capture-result capture-result--waiting";
    line.textContent = queued ? outboxText("queued") : texts().notSent || "";
    line.focus();
  }
  editBusy = false;
}

if (editForm && window.fetch) {
  editForm.addEventListener("submit", submitEdit);
  renderOutbox();
}
