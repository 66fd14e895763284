// A minimal W3C WebDriver client over fetch: the dozen endpoints the
// desktop test needs, talking to tauri-driver (which proxies to
// WebKitWebDriver). No dependencies, no BiDi, nothing downloaded.

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class WebDriverError extends Error {
  constructor(status, body) {
    super(`${status} ${body?.value?.error ?? ""}: ${body?.value?.message ?? JSON.stringify(body)}`);
    this.status = status;
    this.code = body?.value?.error;
  }
}

async function request(base, method, path, body, timeoutMs = 60_000) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const res = await fetch(base + path, {
      method,
      headers: body ? { "content-type": "application/json" } : undefined,
      body: body ? JSON.stringify(body) : undefined,
      signal: ctrl.signal,
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new WebDriverError(res.status, json);
    return json.value;
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value (returned) or time runs out. */
export async function waitFor(what, fn, { timeout = 20_000, interval = 200 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${last.message}` : ""}`);
    }
    await sleep(interval);
  }
}

export class Element {
  constructor(session, id) {
    this.s = session;
    this.id = id;
  }
  #p(suffix = "") {
    return `/session/${this.s.id}/element/${this.id}${suffix}`;
  }
  click() {
    return this.s.req("POST", this.#p("/click"), {});
  }
  clear() {
    return this.s.req("POST", this.#p("/clear"), {});
  }
  type(text) {
    return this.s.req("POST", this.#p("/value"), { text });
  }
  text() {
    return this.s.req("GET", this.#p("/text"));
  }
  attr(name) {
    return this.s.req("GET", this.#p(`/attribute/${name}`));
  }
  displayed() {
    return this.s.req("GET", this.#p("/displayed"));
  }
  find(css) {
    return this.s.req("POST", this.#p("/element"), { using: "css selector", value: css }).then((v) => new Element(this.s, v[ELEMENT]));
  }
  findAll(css) {
    return this.s
      .req("POST", this.#p("/elements"), { using: "css selector", value: css })
      .then((vs) => vs.map((v) => new Element(this.s, v[ELEMENT])));
  }
  toJSON() {
    return { [ELEMENT]: this.id };
  }
}

export class Session {
  static async create(base, capabilities) {
    const v = await request(base, "POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, v.sessionId);
  }
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }
  req(method, path, body) {
    return request(this.base, method, path, body);
  }
  find(css) {
    return this.req("POST", `/session/${this.id}/element`, { using: "css selector", value: css }).then((v) => new Element(this, v[ELEMENT]));
  }
  findAll(css) {
    return this.req("POST", `/session/${this.id}/elements`, { using: "css selector", value: css }).then((vs) =>
      vs.map((v) => new Element(this, v[ELEMENT])),
    );
  }
  /** Waits until `css` matches a displayed element and returns it. */
  waitFor(css, opts) {
    return waitFor(
      `element ${css}`,
      async () => {
        const els = await this.findAll(css);
        for (const el of els) if (await el.displayed()) return el;
        return null;
      },
      opts,
    );
  }
  exec(script, ...args) {
    return this.req("POST", `/session/${this.id}/execute/sync`, { script, args });
  }
  screenshot() {
    return request(this.base, "GET", `/session/${this.id}/screenshot`, undefined, 15_000).then((b64) => Buffer.from(b64, "base64"));
  }
  setWindowRect(rect) {
    return this.req("POST", `/session/${this.id}/window/rect`, rect);
  }
  close() {
    return this.req("DELETE", `/session/${this.id}`).catch(() => {});
  }
}
