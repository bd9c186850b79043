// Starts GOV.UK Frontend's components (skip link focus, error summary, buttons…). Loaded as a
// module from our own static files: the CSP allows no inline script, so the classes GOV.UK's
// template sets inline are set here. Every page still works without JavaScript.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
