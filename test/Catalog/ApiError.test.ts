import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  InvalidParameterName,
  InvalidParameterType,
  InvalidParameterValue,
  MethodNotAllowed,
  Misconfigured,
  NotFound,
  renderErrorEnvelope,
  ServiceUnavailable,
  UnknownError
} from "../../src/Catalog/ApiError.js"

describe("ApiError", () => {
  it("renders the messages and payloads of api.md verbatim", () => {
    expect(renderErrorEnvelope(InvalidParameterValue.negative("limit", -1n))).toEqual({
      status: 400,
      body: "{\"success\":null,\"errors\":[{\"code\":102,\"message\":\"The value of limit may not be negative\"," +
        "\"message_key\":\"avalon.service.error.invalid_input_value\",\"payload\":{\"field\":\"limit\",\"value\":-1}}]," +
        "\"warnings\":[]}"
    })
    expect(JSON.parse(renderErrorEnvelope(InvalidParameterValue.negative("offset", -10n)).body)).toEqual({
      success: null,
      errors: [{
        code: 102,
        message: "The value of offset may not be negative",
        message_key: "avalon.service.error.invalid_input_value",
        payload: { field: "offset", value: -10 }
      }],
      warnings: []
    })
    expect(JSON.parse(renderErrorEnvelope(InvalidParameterType.integer("offset", "foo")).body).errors).toEqual([{
      code: 101,
      message: "Invalid field value for integer field offset: 'foo'",
      message_key: "avalon.service.error.invalid_input_type",
      payload: { field: "offset", value: "foo" }
    }])
    expect(JSON.parse(renderErrorEnvelope(InvalidParameterType.uuid("album_id", "xyz")).body).errors).toEqual([{
      code: 101,
      message: "Invalid field value for UUID field album_id: 'xyz'",
      message_key: "avalon.service.error.invalid_input_type",
      payload: { field: "album_id", value: "xyz" }
    }])
    expect(JSON.parse(renderErrorEnvelope(InvalidParameterValue.direction("sideways")).body).errors).toEqual([{
      code: 102,
      message: "Invalid sort direction 'sideways'",
      message_key: "avalon.service.error.invalid_input_value",
      payload: { direction: "sideways" }
    }])
    expect(JSON.parse(renderErrorEnvelope(InvalidParameterName.orderField("bogus")).body).errors).toEqual([{
      code: 100,
      message: "Invalid order-by field 'bogus'",
      message_key: "avalon.service.error.invalid_input_name",
      payload: { field: "bogus" }
    }])
  })

  it("keeps every digit of a huge negative value", () => {
    const { body } = renderErrorEnvelope(InvalidParameterValue.negative("limit", -99999999999999999999n))
    expect(body).toContain("\"payload\":{\"field\":\"limit\",\"value\":-99999999999999999999}")
    expect(body).not.toContain("e+")
  })

  it("escapes values into valid JSON", () => {
    const value = "a'\"\\\n\u0000😀"
    const parsed = JSON.parse(renderErrorEnvelope(InvalidParameterType.integer("limit", value)).body)
    expect(parsed.errors[0].payload.value).toBe(value)
    expect(parsed.errors[0].message).toBe(`Invalid field value for integer field limit: '${value}'`)
  })

  it("carries code, message key and status for every error", () => {
    const cases = [
      [InvalidParameterName.orderField("x"), 100, "avalon.service.error.invalid_input_name", 400],
      [InvalidParameterType.integer("limit", "x"), 101, "avalon.service.error.invalid_input_type", 400],
      [InvalidParameterValue.direction("x"), 102, "avalon.service.error.invalid_input_value", 400],
      [UnknownError.default(), 1, "avalon.service.error.unknown", 500],
      [ServiceUnavailable.default(), 2, "avalon.service.error.unavailable", 503],
      [new Misconfigured({ message: "bad", payload: {} }), 3, "avalon.service.error.misconfigured", 503],
      [NotFound.path("/nope"), 4, "avalon.service.error.not_found", 404],
      [MethodNotAllowed.method("POST", "/avalon/songs"), 5, "avalon.service.error.method_not_allowed", 405]
    ] as const
    for (const [error, code, key, status] of cases) {
      expect([error.code, error.message_key, error.status]).toEqual([code, key, status])
      const rendered = renderErrorEnvelope(error)
      expect(rendered.status).toBe(status)
      const parsed = JSON.parse(rendered.body)
      expect(Object.keys(parsed)).toEqual(["success", "errors", "warnings"])
      expect(Object.keys(parsed.errors[0])).toEqual(["code", "message", "message_key", "payload"])
      expect(parsed.errors[0]).toMatchObject({ code, message_key: key, message: error.message })
    }
  })

  it.effect("are yieldable typed errors with a tag", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(InvalidParameterName.orderField("count"))
      expect(error._tag).toBe("InvalidParameterName")
      expect(error).toBeInstanceOf(InvalidParameterName)
      expect(error.message).toBe("Invalid order-by field 'count'")
      expect(error.payload).toEqual({ field: "count" })
    }))
})
