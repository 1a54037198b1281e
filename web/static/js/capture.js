// Instant save for the quick-capture form: the entry goes to the JSON API with fetch and the
// page stays, ready for the next thought. Without this script the form posts as a normal form.
//
// - Saved (201, or 200 for a replay of the same save): say so, clear the form and its draft.
// - Refused (4xx): show the server's message next to the form; the text stays.
// - No connection or a server error: the text stays, kept on this device as a draft.

import { fieldsOf, resetDraft, saveDraftNow, texts } from "./draft.js";

const form = document.querySelector("form[data-capture]");

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

function notSent() {
  saveDraftNow(form);
  show("capture-result--waiting", texts().notSent || "");
  result().focus();
}

function saved(entry) {
  const message = document.createTextNode(`${texts().saved || ""} `);
  const link = document.createElement("a");
  link.href = `/entries/${encodeURIComponent(entry.id)}`;
  link.textContent = texts().savedLink || "";
  form.reset(); // back to the choices the page was served with
  form.elements.namedItem("body").value = "";
  form.elements.namedItem("id").value = newId();
  const details = form.querySelector("details");
  if (details) details.open = false;
  form.dispatchEvent(new Event("change", { bubbles: true }));
  resetDraft(form);
  savedAt = Date.now();
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
  try {
    let response = await send(payload());
    let problem = null;
    if (response.status === 409) {
      problem = await response.json().catch(() => ({}));
      if ((problem.errors || []).some((error) => error.field === "id")) {
        // This id belongs to an earlier, different save: keep both, save this one anew.
        form.elements.namedItem("id").value = newId();
        saveDraftNow(form);
        response = await send(payload());
        problem = null;
      }
    }
    if (response.ok) {
      saved(await response.json());
    } else if (response.status >= 500) {
      notSent();
    } else {
      showProblem(problem || (await response.json().catch(() => ({ detail: response.statusText }))));
    }
  } catch {
    notSent(); // no connection: the words stay here
  } finally {
    busy = false;
    button?.removeAttribute("aria-disabled");
  }
}

if (form && window.fetch) form.addEventListener("submit", submit);
