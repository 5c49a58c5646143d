import { initAll } from "../build/nhsuk/nhsuk-frontend.min.js";

initAll();

// Radios that reveal a question: show what a checked radio controls and hide the rest.
// NHS.UK frontend's own radios script would also set aria-expanded on the radio,
// which ARIA does not allow on a radio.
function revealRadios(group) {
  const radios = group.querySelectorAll('input[type="radio"]');
  const sync = () => {
    for (const radio of radios) {
      const target = document.getElementById(radio.getAttribute("aria-controls") || "");
      if (target) target.classList.toggle("nhsuk-radios__conditional--hidden", !radio.checked);
    }
  };
  group.addEventListener("change", sync);
  window.addEventListener("pageshow", sync);
  sync();
}

for (const group of document.querySelectorAll('[data-module="sw-reveal-radios"]')) {
  revealRadios(group);
}
