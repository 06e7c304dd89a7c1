import { existsSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type Browser, chromium, type Page } from "playwright-core"
import { routeNames } from "../../src/Http/routes.js"
import { fixturesCollection, runAvalon, startServer, type RunningServer } from "../support/avalon.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const chromiumPath = "/usr/bin/chromium"
const folder = makeTemporaryFolder()
const databaseUrl = `sqlite:///${join(folder.path, "docs.sqlite")}`

/** A page that records what must not happen: console errors, uncaught exceptions, CSP violations, foreign requests. */
const watchedPage = async (browser: Browser, origin: string) => {
  const page = await browser.newPage()
  const problems: Array<string> = []
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`)
  })
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
  page.on("request", (request) => {
    if (!request.url().startsWith(`${origin}/`)) problems.push(`request outside the server: ${request.url()}`)
  })
  // Browser-side code is given as text: the tests are compiled without the DOM library.
  await page.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (event) => console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI))"
  })
  return { page, problems }
}

const trySection = async (page: Page, id: string, fill: Record<string, string>, submit: "click" | "enter") => {
  const section = page.locator(`section#${id}`)
  const form = section.getByRole("form")
  const names = Object.keys(fill)
  for (const name of names) await form.getByLabel(name, { exact: true }).fill(fill[name]!)
  if (submit === "click") await form.getByRole("button", { name: "Try it" }).click()
  else await form.getByLabel(names[0]!, { exact: true }).press("Enter")
  const status = section.locator(".output .status")
  await status.waitFor()
  return {
    status: (await status.textContent()) ?? "",
    headers: (await section.locator(".output pre.headers").textContent()) ?? "",
    body: (await section.locator(".output pre.body").textContent()) ?? ""
  }
}

describe("the /docs page in headless Chromium", () => {
  let browser: Browser | undefined
  let server: RunningServer | undefined

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(`${chromiumPath} is missing: the /docs browser test needs Debian's Chromium (apt-get install chromium)`)
    }
    const scan = runAvalon(["scan", "-q", "-d", databaseUrl, fixturesCollection])
    expect(scan.status).toBe(0)
    server = await startServer({ AVALON_DATABASE_URL: databaseUrl })
    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] })
  })
  afterAll(async () => {
    await browser?.close()
    if (server !== undefined) expect(await server.stop()).toBe(0)
    folder.remove()
  })

  it("lists every endpoint with its parameters, tries requests and shows status, headers and JSON, with no error or CSP violation", async () => {
    const origin = server!.url("")
    const { page, problems } = await watchedPage(browser!, origin)
    const response = await page.goto(server!.url("/avalon/docs"))
    expect(response?.status()).toBe(200)
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'")

    for (const route of routeNames) await page.getByRole("heading", { name: `GET /avalon/${route}` }).waitFor()
    await expect(page.getByRole("navigation", { name: "Endpoints" }).getByRole("link").count()).resolves.toBe(routeNames.length + 1)
    const songsForm = page.locator("section#getSongs").getByRole("form")
    for (const name of ["query", "album", "artist_id", "order", "direction", "limit", "offset"]) {
      await expect(songsForm.getByLabel(name, { exact: true }).count()).resolves.toBe(1)
    }
    await expect(page.locator("section#getSongs").textContent()).resolves.toContain("Any other value is error 100")
    await expect(page.getByRole("table").textContent()).resolves.toContain("avalon.service.error.invalid_input_name")

    const songs = await trySection(page, "getSongs", { query: "straight", order: "year" }, "click")
    expect(songs.status).toBe("200 OK")
    expect(songs.headers).toContain("content-type: application/json; charset=utf-8")
    expect(songs.body).toContain('\n  "success": [\n')
    const found = JSON.parse(songs.body) as { success: Array<{ name: string; artist: string; year: number }> }
    expect(found.success).toEqual([expect.objectContaining({ name: "Straight Edge", artist: "Minor Threat", year: 1981 })])

    // Keyboard only: Enter in a field submits its form; errors are shown as the server sent them.
    const albums = await trySection(page, "getAlbums", { limit: "-1" }, "enter")
    expect(albums.status).toBe("400 Bad Request")
    expect(JSON.parse(albums.body).errors[0].message).toBe("The value of limit may not be negative")

    // The watch is not blind: an inline style the policy does not allow is reported.
    expect(problems.filter((problem) => !problem.includes("status of 400"))).toEqual([])
    await page.evaluate("document.head.append(Object.assign(document.createElement('style'), { textContent: 'body { color: red }' }))")
    await expect.poll(() => problems.some((problem) => problem.includes("CSP violation: style-src"))).toBe(true)
    await page.close()
  })

  it("works at the root too (REQUEST_PATH=/)", async () => {
    const root = await startServer({ AVALON_DATABASE_URL: databaseUrl, AVALON_REQUEST_PATH: "/" })
    try {
      const { page, problems } = await watchedPage(browser!, root.url(""))
      await page.goto(root.url("/docs"))
      await page.getByRole("heading", { name: "GET /heartbeat" }).waitFor()
      const heartbeat = await trySection(page, "getHeartbeat", {}, "click")
      expect(heartbeat.status).toBe("200 OK")
      expect(heartbeat.body).toBe("OKOKOK")
      expect(problems).toEqual([])
      await page.close()
    } finally {
      await root.stop()
    }
  })
})
