import { type Answer, jsonType } from "./answerRequest.js"
import { docsPage } from "./docsPage.js"
import { openApiDocument } from "./openApiDocument.js"
import type { StaticRoute } from "./routes.js"

/** The answers of the documentation routes, each serialized once. */
export const makeDocumentationAnswers = (basePath: string, version: string): Record<StaticRoute, Answer> => {
  const page = docsPage()
  return {
    "openapi.json": {
      status: 200,
      contentType: jsonType,
      body: Buffer.from(JSON.stringify(openApiDocument(basePath, version)))
    },
    docs: {
      status: 200,
      contentType: "text/html; charset=utf-8",
      body: Buffer.from(page.html),
      headers: {
        "content-security-policy": page.contentSecurityPolicy,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer"
      }
    }
  }
}
