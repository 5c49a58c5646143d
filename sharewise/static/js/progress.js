// A page showing a long job's progress asks the server again every few seconds and
// updates in place: the progress is read out by the polite live region
// ([data-sw-live]) without the page reloading, and when the job ends the result takes
// its place. Replaces <meta http-equiv="refresh">, which reloads the whole page,
// moves focus to the top and is a failure of WCAG 2.2.1 (timing adjustable).
(function () {
  const job = document.querySelector("[data-sw-poll]");
  if (!job || !job.id || !window.fetch || !window.DOMParser) return;
  const seconds = Number(job.dataset.swPoll) || 2;
  const live = job.querySelector("[data-sw-live]");

  function replaceAllBut(container, keep, fresh, freshKeep) {
    for (const child of Array.from(container.children)) {
      if (child !== keep) child.remove();
    }
    for (const child of Array.from(fresh.children)) {
      if (child !== freshKeep) container.appendChild(document.importNode(child, true));
    }
  }

  async function poll() {
    let text;
    try {
      const response = await fetch(window.location.href, {
        credentials: "same-origin",
        headers: { "X-Requested-With": "progress" },
      });
      if (!response.ok || response.redirected) return; // signed out, or gone: stop
      text = await response.text();
    } catch {
      window.setTimeout(poll, seconds * 1000 * 2);
      return;
    }
    const page = new DOMParser().parseFromString(text, "text/html");
    const fresh = page.getElementById(job.id);
    if (!fresh) return;
    const freshLive = fresh.querySelector("[data-sw-live]");
    if (live && freshLive) {
      if (live.innerHTML !== freshLive.innerHTML) live.innerHTML = freshLive.innerHTML;
      replaceAllBut(job, live, fresh, freshLive);
    } else {
      job.innerHTML = fresh.innerHTML;
    }
    if (fresh.dataset.swPoll) {
      window.setTimeout(poll, seconds * 1000);
    } else {
      job.removeAttribute("data-sw-poll");
      document.title = page.title;
    }
  }

  window.setTimeout(poll, seconds * 1000);
})();
