/// <reference types="svelte" />
/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_MOCK?: string;
  readonly VITE_MOCK_IMAGES?: string;
  readonly VITE_MOCK_SCENARIO?: string;
}
