import { execFileSync, spawnSync } from "node:child_process"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { defaultConfigText } from "../../src/Config/DefaultConfigText.js"
import { loadSettings } from "../../src/Config/loadSettings.js"
import { projectRoot } from "../support/avalon.js"

// Nix itself is rarely installed (Debian's nix-bin gives nix-instantiate): without it these checks are skipped.
const hasNix = spawnSync("nix-instantiate", ["--version"]).status === 0

/** Evaluates an expression over the flake's outputs, without nixpkgs (only the pure helpers are reachable). */
const evaluate = (expression: string): unknown =>
  JSON.parse(execFileSync("nix-instantiate", [
    "--eval",
    "--strict",
    "--json",
    "-E",
    `let flake = (import ./flake.nix).outputs { self = flake; nixpkgs = throw "nixpkgs is not available here"; }; in ${expression}`
  ], { cwd: projectRoot, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }))

describe.skipIf(!hasNix)("flake.nix", () => {
  it("parses", () => {
    expect(spawnSync("nix-instantiate", ["--parse", "flake.nix"], { cwd: projectRoot }).status).toBe(0)
  })

  it("renders NixOS settings as a config file the program accepts", () => {
    const text = evaluate(`flake.lib.renderSettings {
      DATABASE_URL = "postgresql://avalon@db.internal/avalon";
      REQUEST_PATH = "/music";
      LOG_FORMAT = "[%(asctime)s] \\"quoted\\" \\\\ %(message)s";
      PORT = 8100;
      WORKERS = 4;
      RELOAD_INTERVAL = 0;
    }`)
    expect(typeof text).toBe("string")
    const settings = Either.getOrThrow(loadSettings({ defaultsText: defaultConfigText, env: {}, file: { path: "/nix/store/avalon.toml", text: text as string } }))
    expect(settings).toMatchObject({
      DATABASE_URL: "postgresql://avalon@db.internal/avalon",
      REQUEST_PATH: "/music",
      LOG_FORMAT: "[%(asctime)s] \"quoted\" \\ %(message)s",
      PORT: 8100,
      WORKERS: 4,
      RELOAD_INTERVAL: 0,
      HOST: "127.0.0.1"
    })
  })

  it("gives every registry package of the lockfile its tarball URL back", () => {
    const urls = evaluate(`let lock = builtins.fromJSON (builtins.readFile ./package-lock.json); in
      builtins.mapAttrs (path: module: module.resolved or null) (flake.lib.withRegistryUrls lock).packages`) as Record<string, string | null>
    expect(urls["node_modules/effect"]).toMatch(/^https:\/\/registry\.npmjs\.org\/effect\/-\/effect-3\.22\.4\.tgz$/)
    expect(urls["node_modules/@effect/cli"]).toBe("https://registry.npmjs.org/@effect/cli/-/cli-0.77.2.tgz")
    const missing = Object.entries(urls).filter(([path, url]) => path !== "" && url === null)
    expect(missing).toEqual([])
  })
})
