// Builds Reflect's front-end into static/ (served by WhiteNoise; nothing from a CDN).
// GOV.UK Frontend is compiled from its Sass with our own font stack and colours: no crown,
// no GDS Transport (that typeface is licensed for GOV.UK only).
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const out = "static";
const govuk = "node_modules/govuk-frontend/dist/govuk";
mkdirSync(`${out}/reflect`, { recursive: true });
mkdirSync(`${out}/govuk`, { recursive: true });

const result = sass.compile("assets/scss/reflect.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "mixed-decls"],
});
writeFileSync(`${out}/reflect/reflect.css`, result.css);
cpSync(`${govuk}/govuk-frontend.min.js`, `${out}/govuk/govuk-frontend.min.js`);
cpSync("assets/js/init.js", `${out}/reflect/init.js`);
cpSync(`${govuk}/assets/images`, `${out}/govuk/assets/images`, { recursive: true });
// axe-core is served only to the browser tests, which inject it from disk.
mkdirSync(`${out}/vendor`, { recursive: true });
cpSync("node_modules/axe-core/axe.min.js", `${out}/vendor/axe.min.js`);
console.log(`built ${out}/reflect/reflect.css (${result.css.length} bytes)`);
