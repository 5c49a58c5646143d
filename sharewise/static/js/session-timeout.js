// Warns two minutes before the idle limit signs someone out, and counts typing in a
// form as activity (told to the server at most every five minutes), so a long concern
// typed without pressing anything does not run the session out.
(function () {
  const data = document.getElementById("sw-session-timing");
  if (!data) return;
  const timing = JSON.parse(data.textContent);
  const idle = timing.idle * 1000;
  const WARN_BEFORE = 2 * 60 * 1000;
  const TELL_EVERY = 5 * 60 * 1000;
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  let lastTold = Date.now();
  let timer = null;
  let endTimer = null;
  let banner = null;

  function stillHere() {
    if (!csrf) return Promise.resolve();
    lastTold = Date.now();
    const body = new URLSearchParams({ csrfmiddlewaretoken: csrf.value });
    return fetch(timing.still_here, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf.value },
    }).then((answer) => {
      if (answer.ok) {
        hideWarning();
        schedule();
      } else {
        signedOut();
      }
    });
  }

  function showWarning() {
    if (!banner) {
      banner = document.createElement("div");
      banner.className = "nhsuk-notification-banner";
      banner.setAttribute("role", "alert");
      banner.id = "sw-idle-warning";
      const header = document.createElement("div");
      header.className = "nhsuk-notification-banner__header";
      const title = document.createElement("h2");
      title.className = "nhsuk-notification-banner__title";
      title.textContent = "Important";
      header.append(title);
      const content = document.createElement("div");
      content.className = "nhsuk-notification-banner__content";
      const text = document.createElement("p");
      text.className = "nhsuk-notification-banner__heading";
      text.textContent =
        "You will be signed out in 2 minutes because you have not been active. " +
        "Anything you send after that is kept for you until you sign in again.";
      const button = document.createElement("button");
      button.className = "nhsuk-button nhsuk-u-margin-bottom-0";
      button.type = "button";
      button.textContent = "Stay signed in";
      button.addEventListener("click", stillHere);
      content.append(text, button);
      banner.append(header, content);
      const main = document.getElementById("maincontent") || document.body;
      main.prepend(banner);
    }
    banner.hidden = false;
  }

  function signedOut() {
    showWarning();
    banner.querySelector("p").textContent =
      "You have been signed out because you were not active. Anything you send now is " +
      "kept for you until you sign in again.";
    const button = banner.querySelector("button");
    if (button) button.remove();
  }

  function hideWarning() {
    if (banner) banner.hidden = true;
  }

  function schedule() {
    clearTimeout(timer);
    clearTimeout(endTimer);
    timer = setTimeout(showWarning, Math.max(idle - WARN_BEFORE, 0));
    endTimer = setTimeout(signedOut, idle);
  }

  document.addEventListener("input", (event) => {
    if (event.target.closest && event.target.closest("main form") && Date.now() - lastTold > TELL_EVERY) {
      stillHere();
    }
  });
  schedule();
})();
