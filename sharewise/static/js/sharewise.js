import { initAll } from "../build/nhsuk/nhsuk-frontend.min.js";

initAll();
