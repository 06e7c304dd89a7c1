import { type IncomingHttpHeaders, request } from "node:http"

export type RawResponse = { readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: Buffer }

/**
 * One request with exactly the headers given and the body as sent (no decompression, unlike fetch, which
 * also adds an Accept-Encoding of its own).
 */
export const httpRequest = (url: string, headers: Readonly<Record<string, string>> = {}, method = "GET"): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers, agent: false }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }))
      response.on("error", reject)
    })
    outgoing.setTimeout(30_000, () => outgoing.destroy(new Error(`timeout: ${method} ${url}`)))
    outgoing.on("error", reject)
    outgoing.end()
  })
