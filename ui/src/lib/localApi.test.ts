import { describe, expect, it } from "vitest";
import { curlExample, parsePort, sortKeys } from "./localApi";
import type { ApiKeyInfo } from "./types";

describe("parsePort", () => {
  it("accepts whole numbers from 1 to 65535", () => {
    expect(parsePort("8787")).toBe(8787);
    expect(parsePort(" 1 ")).toBe(1);
    expect(parsePort("65535")).toBe(65535);
  });
  it("refuses anything else", () => {
    for (const bad of ["", "0", "65536", "80.5", "-1", "port", "99999", "1e3"]) expect(parsePort(bad)).toBeNull();
  });
});

describe("curlExample", () => {
  it("sends the key header the API expects, with a placeholder", () => {
    expect(curlExample("http://127.0.0.1:8787")).toBe('curl -H "x-api-key: YOUR_KEY" http://127.0.0.1:8787/helpcenter/import');
  });
});

describe("sortKeys", () => {
  const key = (id: string, revokedAt: string | null): ApiKeyInfo => ({
    id,
    label: id,
    prefix: "skp_abcdef",
    createdAt: "2026-11-30T08:00:00.000Z",
    lastUsedAt: null,
    revokedAt,
  });
  it("puts live keys before revoked ones, keeping their order", () => {
    const sorted = sortKeys([key("a", "2026-11-30T09:00:00.000Z"), key("b", null), key("c", null)]);
    expect(sorted.map((k) => k.id)).toEqual(["b", "c", "a"]);
  });
});
