// Passkeys: adding one on the account page, and logging in with one on the login page (with the
// button, or by picking it where the browser suggests it in the username field). The server
// makes and checks every challenge; this module only carries bytes between the server's JSON
// (base64url) and the browser's WebAuthn calls. Without it, or without WebAuthn, the pages work
// as before: the passkey parts stay hidden.

const supported = typeof window.PublicKeyCredential === "function" && Boolean(navigator.credentials);

function toBytes(text) {
  const base64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(base64 + "===".slice((base64.length + 3) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0)).buffer;
}

function toText(buffer) {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

// A refused request throws its problem (RFC 9457), whose words are already in the reader's language.
async function post(url, body, csrfToken) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const response = await fetch(url, {
    method: "POST",
    headers,
    credentials: "same-origin",
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(`${url}: ${response.status}`), { problem: answer });
  return answer;
}

function descriptors(list) {
  return (list || []).map((item) => ({ ...item, id: toBytes(item.id) }));
}

function creationOptions(options) {
  return {
    ...options,
    challenge: toBytes(options.challenge),
    user: { ...options.user, id: toBytes(options.user.id) },
    excludeCredentials: descriptors(options.excludeCredentials),
  };
}

function requestOptions(options) {
  return { ...options, challenge: toBytes(options.challenge), allowCredentials: descriptors(options.allowCredentials) };
}

function made(credential) {
  const response = credential.response;
  return {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toText(response.clientDataJSON),
      attestationObject: toText(response.attestationObject),
      transports: typeof response.getTransports === "function" ? response.getTransports() : [],
    },
  };
}

function signed(credential) {
  const response = credential.response;
  return {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toText(response.clientDataJSON),
      authenticatorData: toText(response.authenticatorData),
      signature: toText(response.signature),
      userHandle: response.userHandle ? toText(response.userHandle) : null,
    },
  };
}

// What went wrong, in the words the page or the server gave; the field it is about, if any.
function problemOf(error, words) {
  if (error.problem) {
    const first = error.problem.errors?.[0];
    return { message: first?.message || error.problem.detail || words.errorFailed, field: first?.field };
  }
  if (error.name === "NotAllowedError" || error.name === "AbortError") return { message: words.errorCancelled };
  if (error.name === "InvalidStateError" && words.errorExists) return { message: words.errorExists };
  return { message: words.errorFailed };
}

function say(box, message) {
  box.querySelector("[data-passkey-problem]").textContent = message;
}

function markField(input, wrong) {
  if (!input) return;
  if (wrong) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

// --- the account page: adding a passkey ------------------------------------------------------

function setUpAdding(form) {
  form.hidden = false;
  const unsupported = form.parentElement.querySelector("[data-passkey-unsupported]");
  if (unsupported) unsupported.hidden = true;
  const { name, password } = form.elements;
  const button = form.querySelector("button[type=submit]");

  function refuse(message, input) {
    say(form, message);
    markField(input, true);
    input?.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(form, "");
    markField(name, false);
    markField(password, false);
    if (!name.value.trim()) return refuse(form.dataset.errorName, name);
    if (!password.value) return refuse(form.dataset.errorPassword, password);
    const csrfToken = form.elements.csrf_token.value;
    button.disabled = true;
    try {
      const { options } = await post("/api/v1/me/passkey-options", { password: password.value }, csrfToken);
      const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
      await post("/api/v1/me/passkeys", { name: name.value, credential: made(credential) }, csrfToken);
      window.location.assign("/account?done=passkey_added");
    } catch (error) {
      const problem = problemOf(error, form.dataset);
      const input = { name, password }[problem.field];
      refuse(problem.message, input);
    } finally {
      button.disabled = false;
    }
  });
}

// --- the login page: signing in with a passkey -----------------------------------------------

// A challenge lasts 5 minutes: the browser's suggestion in the username field is renewed before.
const RENEW_AFTER_MS = 4 * 60 * 1000;

function setUpSignIn(box) {
  box.hidden = false;
  const button = box.querySelector("button");
  const next = document.querySelector('form[action="/login"] input[name="next"]')?.value || "/";
  let pending = null; // { controller, done }: the one WebAuthn request this page has open
  let renewal = null;

  async function stopPending() {
    if (!pending) return;
    pending.controller.abort();
    await pending.done;
    pending = null;
  }

  async function ask(mediation) {
    await stopPending();
    const controller = new AbortController();
    const attempt = (async () => {
      const { options } = await post("/api/v1/auth/passkey-options", {});
      const credential = await navigator.credentials.get({
        publicKey: requestOptions(options),
        signal: controller.signal,
        ...(mediation ? { mediation } : {}),
      });
      await post("/api/v1/auth/passkey", { credential: signed(credential) });
      window.location.assign(next);
    })();
    pending = { controller, done: attempt.catch(() => undefined) };
    try {
      await attempt;
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  }

  async function offerInUsernameField() {
    clearTimeout(renewal);
    const check = PublicKeyCredential.isConditionalMediationAvailable;
    const available = check ? await check.call(PublicKeyCredential).catch(() => false) : false;
    if (!available) return;
    renewal = setTimeout(offerInUsernameField, RENEW_AFTER_MS);
    ask("conditional").catch((error) => say(box, problemOf(error, box.dataset).message));
  }

  button.addEventListener("click", async () => {
    say(box, "");
    clearTimeout(renewal);
    button.disabled = true;
    try {
      await ask(null);
    } catch (error) {
      say(box, problemOf(error, box.dataset).message);
      offerInUsernameField();
    } finally {
      button.disabled = false;
    }
  });
  offerInUsernameField();
}

if (supported) {
  const addForm = document.querySelector("form[data-passkey-add]");
  if (addForm) setUpAdding(addForm);
  const signIn = document.querySelector("[data-passkey-sign-in]");
  if (signIn) setUpSignIn(signIn);
}
