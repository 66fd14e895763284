import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";

// Kept so the end-to-end test (its own build, VITE_E2E=1) can check that the
// strict CSP is never violated; a release build keeps nothing on window.
if (import.meta.env.VITE_E2E === "1") {
  const cspViolations: string[] = [];
  (window as unknown as { __cspViolations: string[] }).__cspViolations = cspViolations;
  document.addEventListener("securitypolicyviolation", (e) => {
    cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`);
  });
}

async function boot() {
  // Browser-only development without the Rust side: `VITE_MOCK=1 npm run dev`.
  if (import.meta.env.VITE_MOCK === "1") {
    const { installMock, runScenario } = await import("./lib/mock");
    installMock();
    mount(App, { target: document.getElementById("app")! });
    await runScenario(import.meta.env.VITE_MOCK_SCENARIO).catch((e: unknown) => {
      document.title = `scenario failed: ${String(e)}`;
      console.error(e);
    });
    return;
  }
  mount(App, { target: document.getElementById("app")! });
}

void boot();
