// Drives the real Shotkeeper desktop app (built with custom-protocol) through
// tauri-driver + WebKitWebDriver: first start on the demo, connect a
// separately started simulator, verify, import, check the counts against the
// simulator's known answers, open an image with its articles, an article with
// its images, and filter broken images. Every step saves a screenshot.
//
// Run by tests/e2e/run.sh, which builds everything and provides Xvfb, a
// D-Bus session with an unlocked gnome-keyring, and a fresh HOME.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import path from "node:path";
import { Session, sleep, waitFor } from "./webdriver.mjs";

const APP = process.env.SHOTKEEPER_APP;
const SIM = process.env.SHOTKEEPER_SIM;
const DRIVER = process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444";
const OUT = process.env.E2E_OUTPUT ?? path.join(import.meta.dirname, "output");
const SIM_PROVIDER = process.env.E2E_SIM_PROVIDER ?? "helpjuice";
const LABEL = "Simulated help center";

assert.ok(APP, "SHOTKEEPER_APP must point at the desktop binary");
assert.ok(SIM, "SHOTKEEPER_SIM must point at the shotkeeper-sim binary");
mkdirSync(OUT, { recursive: true });

let simInfo;
let s;
/** The screenshots written for the demo: [{file, tier, replaces}]. */
let replacements = [];
let step = 0;
/** Every secret this run typed or was given: none may reach a log file. */
const secretsUsed = ["not-a-real-key"];

let webdriverShots = process.env.E2E_WEBDRIVER_SCREENSHOTS === "1";

/** The X window id of the app's main window ("Shotkeeper"), for `import -window`. */
function appWindowId() {
  try {
    const tree = execFileSync("xwininfo", ["-root", "-tree"], { encoding: "utf8", timeout: 10_000 });
    const line = tree.split("\n").find((l) => /"Shotkeeper"/.test(l) && /\d+x\d+\+/.test(l));
    return line?.trim().split(/\s+/)[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * Saves a screenshot of the app window as a person sees it (X11 `import` of
 * the real window, menu bar included). WebDriver's own screenshot is taken
 * too when E2E_WEBDRIVER_SCREENSHOTS=1 (WebKitWebDriver's can stall under Xvfb).
 */
async function shot(name) {
  step += 1;
  const base = path.join(OUT, `${String(step).padStart(2, "0")}-${name}`);
  await sleep(400); // let transitions settle
  const id = appWindowId();
  execFileSync("import", ["-window", id ?? "root", `${base}.png`], { timeout: 20_000, stdio: "ignore" });
  if (webdriverShots) {
    try {
      writeFileSync(`${base}.webview.png`, await s.screenshot());
    } catch (e) {
      console.log(`webdriver screenshot failed (${e.message}); using X11 screenshots only`);
      webdriverShots = false;
    }
  }
}

const sims = [];

/** Starts `shotkeeper-sim` and resolves with the JSON line it prints (api_base, token, settings, expected). */
function startSim(options = {}) {
  const opts = { provider: SIM_PROVIDER, articles: "30", "rate-limit": "off", ...options };
  const args = Object.entries(opts).flatMap(([k, v]) => [`--${k}`, String(v)]);
  return new Promise((resolve, reject) => {
    const sim = spawn(SIM, args, {
      stdio: ["ignore", "pipe", "inherit"],
    });
    sims.push(sim);
    const timer = setTimeout(() => reject(new Error("shotkeeper-sim printed nothing within 30 s")), 30_000);
    sim.on("error", reject);
    sim.on("exit", (code) => reject(new Error(`shotkeeper-sim exited with ${code}`)));
    createInterface({ input: sim.stdout }).once("line", (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
  });
}

/** Sets a <select> the way a person picking an option does (Svelte listens to change). */
function choose(css, value) {
  return s.exec(
    `const el = document.querySelector(arguments[0]);
     el.value = arguments[1];
     el.dispatchEvent(new Event("change", { bubbles: true }));
     return el.value;`,
    css,
    value,
  );
}

/** A port nothing listens on, on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const count = async (name) => {
  const el = await s.find(`[data-testid="import-counts"] [data-count="${name}"]`);
  return Number((await el.text()).split("/")[0].replace(/[^\d]/g, ""));
};

describe("Shotkeeper desktop", { timeout: 600_000 }, () => {
  before(async () => {
    simInfo = await startSim();
    secretsUsed.push(simInfo.token);
    console.log(`simulator: ${simInfo.api_base} expected ${JSON.stringify(simInfo.expected)}`);
    s = await waitFor(
      "a WebDriver session",
      () =>
        Session.create(DRIVER, {
          browserName: "wry",
          "tauri:options": { application: APP },
        }),
      { timeout: 60_000, interval: 1000 },
    );
  });

  after(async () => {
    if (s) {
      await shot("final").catch(() => {});
      await s.close();
    }
    for (const sim of sims) {
      sim.removeAllListeners("exit");
      sim.kill("SIGTERM");
    }
  });

  it("opens on the demo help center", async () => {
    await s.waitFor('[data-testid="nav-integrations"]', { timeout: 60_000 });
    // With no import yet the app lands on the integrations or import screen.
    await s.find('[data-testid="nav-integrations"]').then((e) => e.click());
    const demo = await s.waitFor('[data-testid="integration-row"][data-label="Demo help center"]', { timeout: 30_000 });
    assert.match(await demo.text(), /Demo/);
    assert.match(await demo.text(), /Key in keychain/);
    await shot("first-start-demo");
  });

  it("adds an integration for the simulator", async () => {
    await s.find('[data-testid="add-integration"]').then((e) => e.click());
    await s.waitFor('[data-testid="integration-form"]');
    // Saving an empty form shows what is missing, as core words it.
    await s.find('[data-testid="save-integration"]').then((e) => e.click());
    await s.waitFor('[data-testid="integration-form"] .error');
    await shot("add-form-validation");

    // Core checks the form as it is typed (the UI has no rules of its own):
    // a Freshdesk domain on another host is refused in core's words, beside
    // that field, not in a banner, naming no command-line flag.
    assert.equal(await choose('[data-testid="field-provider"]', "freshdesk"), "freshdesk");
    const domain = await s.waitFor('[data-testid="field-setting-domain"]');
    await domain.clear();
    await domain.type("support.acme.com");
    await s.find('[data-testid="field-secret"]').then((e) => e.type("not-a-real-key"));
    await s.find('[data-testid="save-integration"]').then((e) => e.click());
    const beside = await s.waitFor('[data-testid="field-setting-domain"] + .error');
    assert.match(await beside.text(), /support\.acme\.com/);
    assert.match(await beside.text(), /yourcompany\.freshdesk\.com/);
    assert.doesNotMatch(await beside.text(), /--set/);
    assert.equal(await s.find('[data-testid="field-setting-domain"]').then((e) => e.attr("aria-invalid")), "true");
    await shot("add-form-core-field-error");
    await s.find('[data-testid="field-secret"]').then((e) => e.clear());

    assert.equal(await choose('[data-testid="field-provider"]', SIM_PROVIDER), SIM_PROVIDER);
    const label = await s.waitFor('[data-testid="field-label"]');
    await label.clear();
    await label.type(LABEL);
    for (const [key, value] of Object.entries(simInfo.settings ?? {})) {
      const f = await s.waitFor(`[data-testid="field-setting-${key}"]`);
      await f.clear();
      await f.type(String(value));
    }
    await s.find('[data-testid="field-secret"]').then((e) => e.type(simInfo.token));
    await s.find(".advanced summary").then((e) => e.click());
    await s.waitFor('[data-testid="field-baseUrl"]').then((e) => e.type(simInfo.api_base));
    await shot("add-form-filled");
    await s.find('[data-testid="save-integration"]').then((e) => e.click());
    await waitFor("the form to close", async () => (await s.findAll('[data-testid="integration-form"]')).length === 0);
    await s.waitFor(`[data-testid="integration-row"][data-label="${LABEL}"]`);
  });

  it("verifies it", async () => {
    const row = `[data-testid="integration-row"][data-label="${LABEL}"]`;
    // Saving verifies at once; verify again explicitly as a person would.
    await s.waitFor(`${row} [data-testid="verify-result"]`, { timeout: 30_000 });
    await s.find(`${row} [data-testid="verify"]`).then((e) => e.click());
    const result = await s.waitFor(`${row} [data-testid="verify-result"]`, { timeout: 30_000 });
    assert.equal(await result.attr("data-ok"), "true", `verify failed: ${await result.text()}`);
    await shot("verified");
  });

  it("shows the stored secret only as 'Stored in keychain' when editing", async () => {
    const row = `[data-testid="integration-row"][data-label="${LABEL}"]`;
    await s.find(`${row} [data-testid="edit"]`).then((e) => e.click());
    const stored = await s.waitFor('[data-testid="secret-stored"]');
    assert.match(await stored.text(), /Stored in keychain/);
    const html = await s.exec("return document.body.innerHTML");
    assert.ok(!html.includes(simInfo.token) || simInfo.token.length < 6, "the secret must never reach the web page");
    await shot("edit-stored-in-keychain");
    await s.exec('document.querySelector("[data-testid=integration-form] .foot .btn").click()');
    await waitFor("the form to close", async () => (await s.findAll('[data-testid="integration-form"]')).length === 0);
  });

  it("imports with live progress and the simulator's counts", async () => {
    const row = `[data-testid="integration-row"][data-label="${LABEL}"]`;
    await s.find(`${row} [data-testid="import-from"]`).then((e) => e.click());
    await s.waitFor('[data-testid="import-progress"]');
    // The first progress report brings the counts; the import may be that fast, too.
    await s.waitFor('[data-testid="import-counts"]', { timeout: 30_000 });
    await shot("import-progress");
    await waitFor(
      "the import to finish",
      async () => (await s.find('[data-testid="import-progress"]').then((e) => e.attr("data-running"))) === "false",
      { timeout: 300_000, interval: 500 },
    );
    await s.waitFor('[data-testid="review-images"]', { timeout: 10_000 });
    await shot("import-done");
    const exp = simInfo.expected;
    assert.equal(await count("articlesDiscovered"), exp.documents, "articles discovered");
    assert.equal(await count("articlesProcessed"), exp.documents, "articles processed");
    assert.equal(await count("imageRefs"), exp.image_refs, "image references");
    assert.equal(await count("unique"), exp.unique_images, "unique images");
    assert.equal(await count("duplicates"), exp.duplicate, "duplicates");
    assert.equal(await count("broken"), exp.broken_urls, "broken images");
  });

  it("opens an image with its articles", async () => {
    await s.find('[data-testid="review-images"]').then((e) => e.click());
    await s.waitFor('[data-testid="image-grid"]');
    const total = Number(await s.find('[data-testid="image-grid"]').then((e) => e.attr("data-total")));
    assert.ok(total > 0, "the grid lists images");
    await shot("images-grid");
    // The most used image comes first (default sort: usage).
    await s.find('[data-testid="image-tile"]').then((e) => e.click());
    const panel = await s.waitFor('[data-testid="image-detail"] [data-testid="detail-articles"]');
    const articles = await panel.findAll('[data-testid="detail-article"]');
    assert.ok(articles.length >= 1, "the image lists the articles using it");
    const hash = await s.find('[data-testid="detail-hash"]').then((e) => e.text());
    assert.match(hash, /^[0-9a-f]{64}$/);
    await shot("image-detail");
  });

  it("opens an article with its images", async () => {
    await s.find('[data-testid="detail-article"] button').then((e) => e.click());
    await s.waitFor('[data-testid="article-page"] [data-testid="article-title"]');
    const images = await s.findAll('[data-testid="article-image"]');
    assert.ok(images.length >= 1, "the article shows its images");
    await shot("article-page");
    await s.find('[data-testid="back-to-articles"]').then((e) => e.click());
    await s.waitFor('[data-testid="article-list"]');
    await shot("articles-list");
  });

  it("filters broken images", async () => {
    await s.find('[data-testid="nav-images"]').then((e) => e.click());
    await s.waitFor('[data-testid="filter-broken"]');
    await s.find('[data-testid="filter-broken"]').then((e) => e.click());
    await s.waitFor('[data-testid="result-count"]');
    const tiles = await waitFor("broken tiles", async () => {
      const t = await s.findAll('[data-testid="image-tile"]');
      return t.length ? t : null;
    });
    for (const t of tiles) assert.equal(await t.attr("data-broken"), "true");
    const total = Number(await s.find('[data-testid="image-grid"]').then((e) => e.attr("data-total")));
    assert.ok(total >= simInfo.expected.broken_urls, `at least the ${simInfo.expected.broken_urls} broken URLs are listed, got ${total}`);
    await shot("broken-filter");
  });

  it("shows the audit findings as filters with the simulator's counts", async () => {
    // Still on the images of the first import, with the broken filter on.
    await s.find('[data-testid="filter-broken"]').then((e) => e.click());
    const want = simInfo.expected.audit;
    assert.ok(want, "the simulator states the audit's known answers");
    for (const rule of ["missing_alt", "heavy", "insecure", "hotlinked", "old"]) {
      const chip = await s.waitFor(`[data-testid="filter-audit-${rule}"]`);
      const n = await waitFor(`the ${rule} count`, async () => {
        const v = await chip.attr("data-count");
        return v === "" || v === null ? null : Number(v);
      });
      assert.equal(n, want[rule], `${rule} count`);
    }
    const chipCount = async (id) => Number((await s.find(`[data-testid="${id}"] .count`).then((e) => e.text())).replace(/[^\d]/g, ""));
    assert.equal(await chipCount("filter-broken"), want.broken, "broken count");
    assert.equal(await chipCount("filter-duplicates"), want.duplicate, "duplicates count");

    // Filtering by a rule shows exactly the images it found.
    await s.find('[data-testid="filter-audit-missing_alt"]').then((e) => e.click());
    const total = await waitFor("the filtered grid", async () => {
      const g = await s.findAll('[data-testid="image-grid"]');
      return g.length ? Number(await g[0].attr("data-total")) : null;
    });
    assert.equal(total, want.missing_alt, "images without alt text");
    await s.find('[data-testid="image-tile"]').then((e) => e.click());
    const findings = await s.waitFor('[data-testid="detail-findings"]');
    assert.match(await findings.text(), /Missing alt/);
    await shot("audit-missing-alt");

    await s.find('[data-testid="export-csv"]').then((e) => e.click());
    const saved = await s.waitFor('[data-testid="export-saved"] .mono');
    const file = await saved.text();
    const csv = readFileSync(file, "utf8");
    assert.match(csv.split("\n")[0], /^rule,image_url,detail,wasted_bytes,article_id/);
    assert.ok(csv.includes("missing_alt,"), "the CSV lists the findings");
    await shot("audit-exported");
    await s.find('[data-testid="filter-audit-missing_alt"]').then((e) => e.click());
    await s.find('[data-testid="image-detail"] [aria-label="Close details"]').then((e) => e.click());
  });

  it("recounts heavy images with the help center's own threshold, and remembers it", async () => {
    const heavyCount = async () => {
      const v = await s.find('[data-testid="filter-audit-heavy"]').then((e) => e.attr("data-count"));
      return v === "" || v === null ? null : Number(v);
    };
    const before = await waitFor("the heavy count", heavyCount);
    assert.equal(before, simInfo.expected.audit.heavy);
    const setThresholds = async (kib) => {
      await s.find('[data-testid="audit-settings"]').then((e) => e.click());
      const css = '[data-testid="audit-heavy-kib"]';
      const field = await s.waitFor(css);
      // The form shows what is stored before it is edited.
      const shown = await waitFor("the stored thresholds", async () => (await s.exec("return document.querySelector(arguments[0]).value;", css)) || null).catch(async (e) => {
        const form = await s.find('[data-testid="audit-settings-form"]').then((f) => f.text());
        await shot("audit-thresholds-failed");
        throw new Error(`${e.message}; the form says: ${form}`);
      });
      await field.clear();
      await field.type(String(kib));
      return shown;
    };
    assert.equal(await setThresholds(1), "500", "the defaults are shown first");
    await shot("audit-thresholds");
    await s.find('[data-testid="audit-settings-save"]').then((e) => e.click());
    const after = await waitFor("the heavy count with 1 KiB", async () => {
      const n = await heavyCount();
      return n !== null && n !== before ? n : null;
    });
    assert.ok(after > before, `a 1 KiB threshold finds more heavy images: ${before} -> ${after}`);
    await shot("audit-thresholds-applied");
    // Stored in core for this help center: the form shows it again, and
    // putting the default back gives the known answer again.
    assert.equal(await setThresholds(500), "1", "the saved threshold is remembered");
    await s.find('[data-testid="audit-settings-save"]').then((e) => e.click());
    await waitFor("the heavy count back at 500 KiB", async () => ((await heavyCount()) === before ? true : null));
  });

  it("cancels an import and resumes it", async () => {
    // A second help center, HelpCenter.io this time (100 articles a page),
    // whose API answers slowly: the listing takes several pages, leaving
    // time to cancel after the first one.
    const slow = await startSim({ provider: "helpcenterio", articles: 250, "images-per-article": 1, "slow-ms": 1500 });
    secretsUsed.push(slow.token);
    const label = "Slow help center";
    await s.find('[data-testid="nav-integrations"]').then((e) => e.click());
    await s.waitFor('[data-testid="add-integration"]').then((e) => e.click());
    await s.waitFor('[data-testid="integration-form"]');
    assert.equal(await choose('[data-testid="field-provider"]', "helpcenterio"), "helpcenterio");
    const name = await s.waitFor('[data-testid="field-label"]');
    await name.clear();
    await name.type(label);
    for (const [key, value] of Object.entries(slow.settings ?? {})) {
      const f = await s.waitFor(`[data-testid="field-setting-${key}"]`);
      await f.clear();
      await f.type(String(value));
    }
    await s.find('[data-testid="field-secret"]').then((e) => e.type(slow.token));
    await s.find(".advanced summary").then((e) => e.click());
    await s.waitFor('[data-testid="field-baseUrl"]').then((e) => e.type(slow.api_base));
    await s.find('[data-testid="save-integration"]').then((e) => e.click());
    const row = `[data-testid="integration-row"][data-label="${label}"]`;
    await s.waitFor(`${row} [data-testid="verify-result"][data-ok="true"]`, { timeout: 30_000 });

    await s.find(`${row} [data-testid="import-from"]`).then((e) => e.click());
    const cancel = await s.waitFor('[data-testid="cancel-import"]');
    // Enabled once the first progress report named the job.
    await waitFor("cancel to be enabled", async () => (await cancel.attr("disabled")) === null, { timeout: 30_000 });
    await cancel.click();
    await waitFor(
      "the import to stop",
      async () => (await s.find('[data-testid="import-progress"]').then((e) => e.attr("data-running"))) === "false",
      { timeout: 60_000, interval: 300 },
    );
    assert.match(await s.find('[data-testid="import-progress"] h2').then((e) => e.text()), /cancelled/i);
    const reached = await s.find('[data-testid="import-progress"] [role="progressbar"]').then((e) => e.attr("aria-valuenow"));
    assert.ok(Number(reached) < 100, `a cancelled import's bar shows how far it got, not full (${reached})`);
    const stopped = await s.waitFor('[data-testid="job-row"][data-status="cancelled"]', { timeout: 15_000 });
    await shot("import-cancelled");

    await stopped.find('[data-testid="resume-job"]').then((e) => e.click());
    await waitFor(
      "the resumed import to finish",
      async () => {
        const p = await s.find('[data-testid="import-progress"]');
        return (await p.attr("data-running")) === "false" && (await s.findAll('[data-testid="review-images"]')).length > 0;
      },
      { timeout: 400_000, interval: 500 },
    );
    assert.equal(await count("articlesDiscovered"), slow.expected.documents, "articles discovered after resume");
    assert.equal(await count("imageRefs"), slow.expected.image_refs, "image references after resume");
    assert.equal(await count("unique"), slow.expected.unique_images, "unique images after resume");
    const finished = await s.waitFor('[data-testid="job-row"][data-status="completed"]');
    const started = await finished.find('[data-testid="job-started"]').then((e) => e.text());
    assert.match(started, /^by E2E Tester, /, "the past jobs list says who started each");
    await shot("import-resumed");
  });

  it("matches screenshots dropped on the window and shows what changed", async () => {
    // Import the built-in demo (Help.Center, which has its own image upload).
    await s.find('[data-testid="nav-integrations"]').then((e) => e.click());
    const demo = '[data-testid="integration-row"][data-label="Demo help center"]';
    await s.waitFor(`${demo} [data-testid="import-from"]`).then((e) => e.click());
    // Done when the app reviews the new import (the sidebar names it).
    await waitFor(
      "the demo import to finish",
      async () => /Demo help center/.test(await s.find('[data-testid="reviewing"]').then((e) => e.text()).catch(() => "")),
      { timeout: 300_000, interval: 500 },
    );
    // New screenshots for the demo's images, one per matching tier: the
    // demo is the simulator's Help.Center with 40 articles and seed 1.
    const dir = path.join(OUT, "screenshots-to-drop");
    replacements = JSON.parse(
      execFileSync(SIM, ["--provider", "helpcenter", "--articles", "40", "--write-replacements", dir], { encoding: "utf8", timeout: 60_000 }),
    );
    assert.equal(replacements.length, 3);
    await s.find('[data-testid="nav-replace"]').then((e) => e.click());
    await s.waitFor('[data-testid="dropzone"] [data-testid="choose-files"]');
    await shot("replace-empty");
    // The same function the window's drop handler calls, with file paths.
    await s.exec("window.__SHOTKEEPER_DROP__(arguments[0]); return true;", replacements.map((r) => r.file));
    await s.waitFor('[data-testid="review-list"]', { timeout: 60_000 });
    const cards = await waitFor("three reviewed screenshots", async () => {
      const c = await s.findAll('[data-testid="planned-screenshot"]');
      return c.length === 3 ? c : null;
    });
    for (const r of replacements) {
      const name = path.basename(r.file);
      const card = await s.find(`[data-testid="planned-screenshot"][data-name="${name}"]`);
      assert.equal(await card.attr("data-match"), r.tier, `${name} is matched by ${r.tier}`);
      assert.equal(await card.attr("data-status"), "matched");
      const uses = await card.findAll('[data-testid="affected-articles"] > li');
      assert.ok(uses.length >= 1, `${name} lists the articles it changes`);
      // And, per article, each place that changes (image, picture source, link).
      const places = await card.findAll('[data-testid="place-changes"]');
      assert.ok(places.length >= uses.length, `${name} lists where each article changes`);
    }
    // Places beside a replaced image that stay (a 2x variant) say so.
    for (const kept of await s.findAll('[data-testid="place-kept"]')) {
      assert.match(await kept.text(), /is not replaced/);
    }
    assert.equal(cards.length, 3);
    const near = await s.find('[data-testid="planned-screenshot"][data-match="perceptual"]');
    assert.match(await near.find('[data-testid="match-distance"]').then((e) => e.text()), /\d+ of 256 bits differ/);
    await shot("review");

    await near.find('[data-testid="compare"]').then((e) => e.click());
    const share = await s.waitFor('[data-testid="diff-share"]', { timeout: 30_000 });
    const changed = Number(await share.attr("data-share"));
    assert.ok(changed > 0 && changed < 0.2, `a small panel changed, got ${changed}`);
    const regions = await s.findAll('[data-testid="diff-region"]');
    assert.ok(regions.length >= 1, "the changed panel is outlined");
    await shot("diff-view");

    // The four compare modes, switched with their keys, over core's pictures.
    const stage = '[data-testid="compare-stage"]';
    await s.waitFor(stage, { timeout: 30_000 });
    const press = (key) =>
      s.exec("document.body.dispatchEvent(new KeyboardEvent('keydown', { key: arguments[0], bubbles: true })); return true;", key);
    const modeIs = (mode) => waitFor(`compare mode ${mode}`, async () => ((await s.find(stage).then((e) => e.attr("data-mode"))) === mode ? true : null));
    const slide = (css, value) =>
      s.exec(
        `const el = document.querySelector(arguments[0]);
         el.value = arguments[1];
         el.dispatchEvent(new Event("input", { bubbles: true }));
         return el.value;`,
        css,
        String(value),
      );
    const width = Number(await s.find('[data-testid="compare-picture"]').then((e) => e.attr("viewBox").then((v) => v.split(" ")[2])));
    assert.ok(width > 0, "the pictures are in the diff canvas's coordinates");

    await press("2");
    await modeIs("swipe");
    await slide('[data-testid="swipe-slider"]', 30);
    const clipX = Number(await s.find('[data-testid="swipe-clip"]').then((e) => e.attr("x")));
    assert.ok(Math.abs(clipX - width * 0.3) < 1, `the divider is at 30 %: ${clipX} of ${width}`);
    await shot("compare-swipe");

    await press("3");
    await modeIs("onion");
    await slide('[data-testid="onion-slider"]', 40);
    assert.equal(Number(await s.find('[data-testid="layer-after"]').then((e) => e.attr("opacity"))), 0.4);
    await shot("compare-onion");

    await press("4");
    await modeIs("difference");
    assert.match(await s.find('[data-testid="layer-highlight"]').then((e) => e.attr("href")), /highlight/);
    assert.ok((await s.findAll('[data-testid="diff-region"]')).length >= 1, "the changed regions are outlined on the difference");
    await shot("compare-difference");

    await press("1");
    await modeIs("side");
    assert.equal((await s.findAll('[data-testid="compare-pane"]')).length, 2);
    await shot("compare-side");

    // 100 %: the pictures at the canvas's pixels, both panes panned together.
    await press("z");
    await waitFor("100 %", async () => ((await s.find(stage).then((e) => e.attr("data-zoom"))) === "actual" ? true : null));
    assert.equal(Number(await s.find('[data-testid="compare-picture"]').then((e) => e.attr("width"))), width);
    const panned = await s.exec(`
      const [a, b] = document.querySelectorAll('[data-testid="compare-pane"]');
      a.scrollLeft = 120; a.scrollTop = 60;
      a.dispatchEvent(new Event("scroll"));
      return new Promise((r) => requestAnimationFrame(() => r([a.scrollLeft, a.scrollTop, b.scrollLeft, b.scrollTop, a.scrollWidth > a.clientWidth])));`);
    if (panned[4]) {
      assert.ok(panned[0] > 0, "the picture at 100 % is larger than its pane");
      assert.deepEqual([panned[2], panned[3]], [panned[0], panned[1]], "the other pane follows");
    }
    await shot("compare-zoom");
    await press("z");
    await s.find('[data-testid="diff-view"] [aria-label="Close"]').then((e) => e.click());
  });

  it("deselects a change and updates the rest in one click", async () => {
    const summary = await s.find('[data-testid="plan-summary"]');
    const before = Number(await summary.attr("data-articles"));
    const button = await s.find('[data-testid="apply-update"]');
    assert.equal(await button.text(), before === 1 ? "Update 1 article" : `Update ${before} articles`);
    // Leave out the name match: its articles keep their image.
    const byName = await s.find('[data-testid="planned-screenshot"][data-match="name"]');
    await byName.find('[data-testid="select-screenshot"]').then((e) => e.click());
    const after = await waitFor("the count to drop", async () => {
      const n = Number(await s.find('[data-testid="plan-summary"]').then((e) => e.attr("data-articles")));
      return n < before ? n : null;
    });
    await shot("review-deselected");

    await s.find('[data-testid="apply-update"]').then((e) => e.click());
    const result = await s.waitFor('[data-testid="apply-summary"]', { timeout: 120_000 });
    await shot("update-result");
    assert.equal(Number(await result.attr("data-failed")), 0, await s.find('[data-testid="apply-panel"]').then((e) => e.text()));
    assert.equal(Number(await result.attr("data-updated")), after, "every selected article updated");
    const rows = await s.findAll('[data-testid="apply-result"][data-status="updated"]');
    assert.equal(rows.length, after);
  });

  it("rolls an article back from its page", async () => {
    await s.find('[data-testid="apply-result"][data-status="updated"] button').then((e) => e.click());
    const revision = await s.waitFor('[data-testid="revision"][data-status="applied"]', { timeout: 30_000 });
    await shot("article-revisions");
    const byline = await revision.find('[data-testid="revision-byline"]').then((e) => e.text());
    assert.match(byline, /^by E2E Tester, /, "the revision says who made it");
    await revision.find('[data-testid="rollback"]').then((e) => e.click());
    await s.waitFor('[data-testid="confirm-rollback"]').then((e) => e.click());
    const done = await s.waitFor('[data-testid="rollback-done"]', { timeout: 30_000 });
    assert.equal(await done.attr("data-mode"), "exact", "nothing changed the article since: byte for byte");
    await s.waitFor('[data-testid="revision"][data-status="rolled_back"]');
    await shot("article-rolled-back");
  });

  it("says an article changed since its plan, and does not write a screenshot it already shows", async () => {
    // A second review of one screenshot, from the same import: its articles
    // were updated since (above), so the image this plan names is gone and
    // the screenshot is matched against what they show now (its own upload).
    await s.find('[data-testid="nav-replace"]').then((e) => e.click());
    await s.waitFor('[data-testid="new-review"]').then((e) => e.click());
    const file = replacements.find((r) => r.tier === "metadata").file;
    await s.exec("window.__SHOTKEEPER_DROP__(arguments[0]); return true;", [file]);
    await s.waitFor('[data-testid="planned-screenshot"][data-match="metadata"]', { timeout: 60_000 });
    await s.find('[data-testid="apply-update"]').then((e) => e.click());
    const result = await s.waitFor('[data-testid="apply-summary"]', { timeout: 120_000 });
    const panel = await s.find('[data-testid="apply-panel"]').then((e) => e.text());
    assert.equal(Number(await result.attr("data-failed")), 0, panel);
    const notes = await s.findAll('[data-testid="apply-changed-since-plan"]');
    assert.ok(notes.length >= 1, `an article says it changed since the plan: ${panel}`);
    for (const n of notes) assert.match(await n.text(), /^Changed since the import this plan comes from, by E2E Tester, /);
    for (const row of await s.findAll('[data-testid="apply-result"][data-status="skipped"]')) {
      assert.match(await row.text(), /already shows/, "a skipped article says why");
    }
    await shot("update-changed-since-plan");
  });

  it("matches a screenshot dropped on one image by hand", async () => {
    await s.find('[data-testid="nav-replace"]').then((e) => e.click());
    await s.waitFor('[data-testid="new-review"]').then((e) => e.click());
    await s.find('[data-testid="nav-images"]').then((e) => e.click());
    const tile = await s.waitFor('[data-testid="image-tile"][data-broken="false"]');
    const url = await tile.attr("data-drop-url");
    const file = replacements.find((r) => r.tier === "name").file;
    await s.exec("window.__SHOTKEEPER_DROP__(arguments[0], arguments[1]); return true;", [file], url);
    const card = await s.waitFor('[data-testid="planned-screenshot"][data-match="manual"]', { timeout: 60_000 });
    assert.match(await card.text(), /Chosen by hand/);
    await shot("manual-match");
  });

  it("captures the demo app from its shipped scenarios file, reviews the matches and updates one", async () => {
    // Close the review left by the drop above, and import the demo again:
    // the captures are matched against help center images as they are now.
    await s.find('[data-testid="nav-replace"]').then((e) => e.click());
    for (const b of await s.findAll('[data-testid="discard-plan"], [data-testid="new-review"]')) await b.click();
    const reviewed = () => s.exec(`return document.querySelector('[data-testid="review-job"]')?.value ?? null`);
    const before = await reviewed();
    await s.find('[data-testid="nav-integrations"]').then((e) => e.click());
    await s.waitFor('[data-testid="integration-row"][data-label="Demo help center"] [data-testid="import-from"]').then((e) => e.click());
    await waitFor("a new demo import in review", async () => {
      const now = await reviewed();
      return now && now !== before ? now : null;
    }, { timeout: 300_000, interval: 500 });

    await s.find('[data-testid="nav-capture"]').then((e) => e.click());
    await s.waitFor('[data-testid="capture-view"]');
    await s.waitFor('[data-testid="open-demo-shots"]').then((e) => e.click());
    const rows = await waitFor("the demo's scenarios listed", async () => {
      const r = await s.findAll('[data-testid="scenario-row"]');
      return r.length >= 5 ? r : null;
    });
    const ids = [];
    for (const r of rows) ids.push(await r.attr("data-id"));
    assert.ok(ids.includes("billing-settings"), `the demo's scenarios: ${ids}`);
    assert.match(await s.find('[data-testid="shots-path"]').then((e) => e.text()), /shots\.toml$/);
    await shot("capture-demo-opened");

    await s.find('[data-testid="capture-all"]').then((e) => e.click());
    // Live: a scenario shows it is being captured before the run ends.
    await waitFor("a scenario being captured", async () => ((await s.findAll('[data-testid="scenario-row"][data-state="capturing"]')).length ? true : null), { timeout: 60_000, interval: 100 });
    // Nothing fails, so the review opens by itself with every capture matched.
    await s.waitFor('[data-testid="review-list"]', { timeout: 180_000 });
    const cards = await waitFor("every capture in review", async () => {
      const c = await s.findAll('[data-testid="planned-screenshot"]');
      return c.length === ids.length ? c : null;
    }, { timeout: 60_000 });
    for (const c of cards) {
      const name = await c.attr("data-name");
      assert.ok(ids.includes(name.replace(/\.png$/, "")), `a capture of the file: ${name}`);
      // The demo help center's images carry no metadata yet: the capture
      // finds the image it replaces by its file name.
      assert.equal(await c.attr("data-match"), "name", `${name} is matched by name`);
    }
    await shot("capture-review");

    // Update one: every other capture deselected.
    const keep = await cards[0].attr("data-name");
    for (const c of cards.slice(1)) await c.find('[data-testid="select-screenshot"]').then((e) => e.click());
    await waitFor("one capture selected", async () => {
      const n = Number(await s.find('[data-testid="plan-summary"]').then((e) => e.attr("data-articles")));
      return n >= 1 && n < cards.length ? n : null;
    });
    const articles = Number(await s.find('[data-testid="plan-summary"]').then((e) => e.attr("data-articles")));
    await s.find('[data-testid="apply-update"]').then((e) => e.click());
    const result = await s.waitFor('[data-testid="apply-summary"]', { timeout: 120_000 });
    assert.equal(Number(await result.attr("data-failed")), 0, await s.find('[data-testid="apply-panel"]').then((e) => e.text()));
    assert.equal(Number(await result.attr("data-updated")), articles, `the articles that show ${keep} were updated`);
    await shot("capture-updated");

    // Back in Capture: every scenario shows its new capture.
    await s.find('[data-testid="nav-capture"]').then((e) => e.click());
    const captured = await s.findAll('[data-testid="scenario-row"][data-state="captured"]');
    assert.equal(captured.length, ids.length);
    assert.match(await captured[0].find('[data-testid="scenario-status"]').then((e) => e.text()), /Captured \d+×\d+ in/);
    await shot("capture-view");
  });

  it("starts the local API from Settings, and a key created there works against it until revoked", async () => {
    await s.find('[data-testid="nav-settings"]').then((e) => e.click());
    await s.waitFor('[data-testid="local-api-state"]');
    const port = await freePort();
    const field = await s.waitFor('[data-testid="local-api-port"]');
    await field.clear();
    await field.type(String(port));
    await s.find('[data-testid="local-api-start"]').then((e) => e.click());
    const base = await s.waitFor('[data-testid="local-api-base-url"]', { timeout: 30_000 });
    const url = `http://127.0.0.1:${port}`;
    assert.equal(await base.text(), url);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);

    await s.find('[data-testid="api-key-label"]').then((e) => e.type("E2E script"));
    await s.find('[data-testid="api-key-create"]').then((e) => e.click());
    const key = await s.waitFor('[data-testid="api-key-value"]').then((e) => e.text());
    assert.match(key, /^skp_[0-9a-f]{64}$/);
    secretsUsed.push(key);
    await s.waitFor('[data-testid="api-key-row"]');
    // textContent: WebKitGTK's element text leaves out the ellipsised label cell.
    const row = await s.exec(`return document.querySelector('[data-testid="api-key-row"]').textContent`);
    assert.match(row, /E2E script/);
    assert.match(row, new RegExp(`${key.slice(0, 10)}…`));
    await shot("local-api-key-created");

    // What a script does with the key: the jobs imported above, through the API the app serves.
    const jobs = await fetch(`${url}/helpcenter/import`, { headers: { "x-api-key": key } });
    assert.equal(jobs.status, 200);
    assert.ok((await jobs.json()).total >= 1);
    assert.equal((await fetch(`${url}/helpcenter/import`, { headers: { "x-api-key": "skp_not-a-key" } })).status, 401);

    // Done: the key leaves the page; the list keeps its first characters only.
    await s.find('[data-testid="api-key-done"]').then((e) => e.click());
    assert.equal((await s.findAll('[data-testid="api-key-value"]')).length, 0);
    assert.ok(!(await s.exec("return document.body.innerText")).includes(key), "the key is not on the page any more");

    await s.find('[data-testid="api-key-revoke"]').then((e) => e.click());
    await s.waitFor('[data-testid="api-key-revoke-confirm"]').then((e) => e.click());
    await waitFor("the key listed as revoked", async () => /Revoked/.test(await s.find('[data-testid="api-keys"]').then((e) => e.text())) || null);
    assert.equal((await fetch(`${url}/helpcenter/import`, { headers: { "x-api-key": key } })).status, 401);
    await shot("local-api-key-revoked");

    await s.find('[data-testid="local-api-stop"]').then((e) => e.click());
    await s.waitFor('[data-testid="local-api-start"]', { timeout: 30_000 });
    assert.equal(await s.find('[data-testid="local-api-state"]').then((e) => e.text()), "Stopped");
    await assert.rejects(fetch(`${url}/healthz`), "nothing listens once stopped");
  });

  it("names the browser captures start in Settings, and refuses a path that is not one", async () => {
    await s.find('[data-testid="nav-settings"]').then((e) => e.click());
    const effective = await s.waitFor('[data-testid="capture-browser-effective"]');
    assert.match(await effective.text(), /Captures start \/.*chrom/i);
    const field = await s.find('[data-testid="capture-browser"]');
    await field.clear();
    await field.type("/nowhere/chromium");
    await s.find('[data-testid="capture-browser-save"]').then((e) => e.click());
    const banner = await s.waitFor('[data-testid="capture-settings"] [data-testid="error"]');
    assert.match(await banner.text(), /\/nowhere\/chromium is not a file/);
    await shot("settings-capture-refused");
    // Nothing was stored: captures still start the browser on PATH.
    assert.match(await s.find('[data-testid="capture-browser-effective"]').then((e) => e.text()), /Captures start \/.*chrom/i);
  });

  it("shows this computer on its own in Settings › Team, names an unreachable team database without its password, and saves a name", async () => {
    await s.find('[data-testid="nav-settings"]').then((e) => e.click());
    const where = await s.waitFor('[data-testid="team-where"]');
    assert.match(await where.text(), /^This computer: on its own \(SQLite in .*app\.shotkeeper\.desktop\)$/);
    assert.equal(await s.find('[data-testid="team-state"]').then((e) => e.text()), "On its own");

    const password = "e2e-team-pw-5b1c9d";
    secretsUsed.push(password);
    await s.find('[data-testid="team-address"]').then((e) => e.type(`postgres://someone:${password}@127.0.0.1:9/none`));
    await s.find('[data-testid="team-test"]').then((e) => e.click());
    const banner = await s.waitFor('[data-testid="team-settings"] [data-testid="error"]', { timeout: 30_000 });
    const words = await banner.text();
    assert.match(words, /The connection did not work/);
    assert.match(words, /postgres:\/\/someone:\*\*\*@127\.0\.0\.1:9\/none/);
    assert.match(words, /Check that PostgreSQL is running there/);
    assert.ok(!words.includes(password), words);
    await shot("settings-team-unreachable");

    // Joining tests first: refused the same way, and nothing is saved.
    await s.find('[data-testid="team-join"]').then((e) => e.click());
    await waitFor("the join refused", async () => {
      const b = await s.findAll('[data-testid="team-settings"] [data-testid="error"]');
      return b.length && /Could not join the team/.test(await b[0].text()) ? true : null;
    }, { timeout: 30_000 });
    assert.ok(!(await s.exec("return document.body.innerText")).includes(password));
    const dataDir = path.join(process.env.XDG_DATA_HOME ?? "", "app.shotkeeper.desktop");
    assert.ok(!readdirSync(dataDir).includes("team.json"), "a refused join saves nothing");

    // The name: saved, kept across visits, and SHOTKEEPER_AS (run.sh sets it) is said to win.
    const name = await s.find('[data-testid="member-name"]');
    await name.clear();
    await name.type("Ana Lima");
    await s.find('[data-testid="member-name-save"]').then((e) => e.click());
    await waitFor("the name saved", async () => /Saved/.test(await s.find('[data-testid="member-name-save"]').then((e) => e.text())) || null);
    assert.match(await s.find('[data-testid="team-override"]').then((e) => e.text()), /SHOTKEEPER_AS is set, so your work is recorded as E2E Tester/);
    await shot("settings-team");
    const saved = JSON.parse(readFileSync(path.join(dataDir, "team.json"), "utf8"));
    assert.deepEqual(saved, { name: "Ana Lima" });
    await s.find('[data-testid="nav-integrations"]').then((e) => e.click());
    await s.find('[data-testid="nav-settings"]').then((e) => e.click());
    await waitFor("the saved name shown again", async () =>
      (await s.exec(`return document.querySelector('[data-testid="member-name"]')?.value`)) === "Ana Lima" || null);
  });

  it("wrote no secret it was given to its log files", async () => {
    // The app's log directory on a fresh machine (run.sh sets XDG_DATA_HOME).
    const dir = path.join(process.env.XDG_DATA_HOME ?? "", "app.shotkeeper.desktop", "logs");
    const logs = readdirSync(dir).filter((f) => f.endsWith(".log"));
    assert.ok(logs.length > 0, `the desktop writes its log in ${dir}`);
    const text = logs.map((f) => readFileSync(path.join(dir, f), "utf8")).join("\n");
    assert.match(text, /demo help center ready/, "the log is this run's (the app logged its start)");
    for (const secret of secretsUsed) {
      assert.ok(secret.length >= 8, `a secret long enough to search for: ${secret.length} characters`);
      assert.ok(!text.includes(secret), `a secret of this run (${secret.slice(0, 4)}…) is in the log`);
    }
  });

  it("never violated the content security policy", async () => {
    assert.deepEqual(await s.exec("return window.__cspViolations"), []);
  });
});
