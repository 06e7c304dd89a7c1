import { createHash } from "node:crypto"
import html from "./docsPage.html"

const inlineHashes = (tag: "script" | "style"): string =>
  [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))]
    .map((match) => `'sha256-${createHash("sha256").update(match[1]!).digest("base64")}'`)
    .join(" ")

/** The interactive documentation page (self-contained: it only fetches openapi.json and the API itself). */
export const docsPage = (): { readonly html: string; readonly contentSecurityPolicy: string } => ({
  html,
  // Only the page's own inline script and style run, and they may only reach this server.
  contentSecurityPolicy: [
    "default-src 'none'",
    `script-src ${inlineHashes("script")}`,
    `style-src ${inlineHashes("style")}`,
    "connect-src 'self'",
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'"
  ].join("; ")
})
