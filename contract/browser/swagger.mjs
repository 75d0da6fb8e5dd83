// Swagger UI in a real browser: Debian's chromium driven by playwright-core.
// Opens /swagger-ui/, authorizes with a bearer token, runs GET /v1/me with
// "Try it out" -> "Execute" and asserts that the live response is 200.
// Env: CONTRACT_BASE_URL, CONTRACT_TOKEN; optional CONTRACT_SCREENSHOT (path),
// CHROMIUM (default /usr/bin/chromium). Run by contract/run.sh.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(new URL("../../.tools/node/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const baseUrl = process.env.CONTRACT_BASE_URL;
const token = process.env.CONTRACT_TOKEN;
assert.ok(baseUrl && token, "CONTRACT_BASE_URL and CONTRACT_TOKEN are required");
const origin = new URL(baseUrl).origin;
const screenshot = process.env.CONTRACT_SCREENSHOT ?? `${here}/../../target/swagger-ui.png`;
const timeout = 20_000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const pageErrors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1100 } });
  context.setDefaultTimeout(timeout);
  // Swagger UI is vendored into the binary: nothing may be fetched from elsewhere.
  const foreign = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || new URL(url).origin === origin) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(String(error)));

  await page.goto(`${origin}/swagger-ui/`, { waitUntil: "load" });
  // Found by method and path, not by operationId: the operation block of GET /v1/me.
  const operation = page
    .locator(".opblock.opblock-get")
    .filter({ has: page.locator('.opblock-summary-path[data-path="/v1/me"]') });
  await operation.waitFor();
  console.log("swagger-ui: loaded, GET /v1/me listed");

  // Authorize: open the dialog, enter the token, apply, close.
  await page.locator(".scheme-container .btn.authorize").click();
  const dialog = page.locator(".modal-ux");
  await dialog.waitFor();
  await dialog.locator('input[aria-label="auth-bearer-value"]').fill(token);
  await dialog.getByRole("button", { name: "Apply credentials" }).click();
  await dialog.getByRole("button", { name: "Remove authorization" }).waitFor();
  await dialog.locator(".btn-done").click();
  await dialog.waitFor({ state: "detached" });
  console.log("swagger-ui: authorized with the bearer token");

  // Expand GET /v1/me, Try it out, Execute.
  await operation.locator(".opblock-summary-control").click();
  await operation.locator(".try-out__btn").click();
  await operation.locator(".btn.execute").click();
  const live = operation.locator(".live-responses-table");
  const status = live.locator(".response .response-col_status").first();
  await status.waitFor();
  const statusText = (await status.innerText()).trim();
  const body = (await live.locator(".response-col_description .microlight, .response-col_description pre").first().innerText()).trim();
  assert.match(statusText, /^200\b/, `live response status: ${statusText}`);
  assert.match(body, /"organization_id"/, `live response body: ${body.slice(0, 300)}`);
  console.log(`swagger-ui: GET /v1/me executed in the browser -> ${statusText}`);

  await live.scrollIntoViewIfNeeded();
  await operation.locator(".opblock-summary").evaluate((el) => el.scrollIntoView({ block: "start" }));
  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot });
  console.log(`swagger-ui: screenshot ${screenshot}`);

  assert.deepEqual(foreign, [], `requests outside ${origin}`);
  assert.deepEqual(pageErrors, [], "JavaScript errors on the page");
} finally {
  await browser.close();
}
