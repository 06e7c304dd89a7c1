import { readFileSync } from "node:fs"
import { defineConfig } from "vitest/config"

export default defineConfig({
  plugins: [
    {
      name: "toml-and-html-as-text",
      load(id) {
        return id.endsWith(".toml") || id.endsWith(".html") ? `export default ${JSON.stringify(readFileSync(id, "utf8"))}` : null
      }
    }
  ],
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true
  }
})
