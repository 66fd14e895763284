/// <reference types="svelte" />
/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_MOCK?: string;
  /** "1" in the end-to-end test's build only: the test hooks on window. */
  readonly VITE_E2E?: string;
  readonly VITE_MOCK_IMAGES?: string;
  readonly VITE_MOCK_SCENARIO?: string;
}
