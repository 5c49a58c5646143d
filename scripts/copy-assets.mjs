// Copies NHS.UK frontend's script and images next to the compiled stylesheet,
// so whitenoise serves everything from this machine and nothing from a CDN.
import { cpSync, mkdirSync } from "node:fs";

const src = "node_modules/nhsuk-frontend/dist/nhsuk";
const out = "sharewise/static/build";
mkdirSync(`${out}/nhsuk/assets`, { recursive: true });
cpSync(`${src}/nhsuk-frontend.min.js`, `${out}/nhsuk/nhsuk-frontend.min.js`);
cpSync(`${src}/assets/images`, `${out}/nhsuk/assets/images`, { recursive: true });
