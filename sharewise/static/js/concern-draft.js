// The concern form saves itself as it is filled. Until the server says a save
// landed, what was typed is also kept in this browser, so a lost connection or a
// session that ran out loses nothing; the copy goes once the server holds it.
(function () {
  const PREFIX = "sw-draft:";
  const WAIT = 1500; // ms after the last keystroke

  const forget = document.getElementById("sw-forget-draft");
  if (forget) {
    try {
      localStorage.removeItem(PREFIX + JSON.parse(forget.textContent));
    } catch (e) {
      /* storage may be switched off: nothing was kept then */
    }
  }

  const form = document.querySelector("form[data-draft-url]");
  if (!form) return;
  const storageKey = PREFIX + form.dataset.draftKey;
  const status = document.getElementById("draft-status");
  let timer = null;
  let changes = 0;

  function say(text) {
    if (status) status.textContent = text;
  }

  function fields() {
    const kept = {};
    for (const [name, value] of new FormData(form)) {
      if (name === "csrfmiddlewaretoken" || typeof value !== "string") continue;
      (kept[name] = kept[name] || []).push(value);
    }
    return kept;
  }

  function keepHere(kept) {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ fields: kept, at: Date.now() }));
    } catch (e) {
      /* full or switched off: the server copy still follows */
    }
  }

  function putBack(kept) {
    const names = new Set(Object.keys(kept));
    for (const el of form.elements) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "hidden") continue;
      const values = kept[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") {
        const want = values.includes(el.value);
        // A click, so the conditional questions under a choice open as they would.
        if (el.checked !== want && (want || el.type === "checkbox")) el.click();
      } else if (names.has(el.name) && el.value !== values[0]) {
        el.value = values[0];
      }
    }
  }

  function save() {
    const sending = changes;
    const body = new FormData(form);
    fetch(form.dataset.draftUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { Accept: "application/json" },
    })
      .then((answer) => {
        if (answer.type === "opaqueredirect" || answer.status === 401) {
          say(
            "You have been signed out. What you typed is kept on this device: " +
              "sign in again and it will come back.",
          );
          return null;
        }
        if (!answer.ok) throw new Error(String(answer.status));
        return answer.json();
      })
      .then((saved) => {
        if (!saved) return;
        if (sending === changes) {
          try {
            localStorage.removeItem(storageKey);
          } catch (e) {
            /* nothing kept */
          }
        }
        say("Draft saved at " + saved.saved_at + ". Only you can see it.");
      })
      .catch(() => {
        say("Not saved yet: what you typed is kept on this device until it can be.");
      });
  }

  function changed() {
    changes += 1;
    keepHere(fields());
    clearTimeout(timer);
    timer = setTimeout(save, WAIT);
  }

  let left = null;
  try {
    left = JSON.parse(localStorage.getItem(storageKey) || "null");
  } catch (e) {
    left = null;
  }
  if (left && left.fields) {
    putBack(left.fields);
    changes += 1;
    timer = setTimeout(save, 0);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // Sending the form is the last word: no save may follow it.
  form.addEventListener("submit", () => clearTimeout(timer));
})();
