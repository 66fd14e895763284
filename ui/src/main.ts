import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";

async function boot() {
  // Browser-only development without the Rust side: `VITE_MOCK=1 npm run dev`.
  if (import.meta.env.VITE_MOCK === "1") {
    const { installMock } = await import("./lib/mock");
    installMock();
  }
  mount(App, { target: document.getElementById("app")! });
}

void boot();
