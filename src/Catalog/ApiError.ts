import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import { Schema } from "effect"

/** A payload value; a bigint is rendered as a JSON integer with all its digits. */
export const PayloadValue = Schema.Union(Schema.String, Schema.Number, Schema.BigIntFromSelf)
export const Payload = Schema.Record({ key: Schema.String, value: PayloadValue })
export type Payload = typeof Payload.Type

const fields = { message: Schema.String, payload: Payload }

/** 100: `order` names no field of the returned objects. */
export class InvalidParameterName extends Schema.TaggedError<InvalidParameterName>()(
  "InvalidParameterName",
  fields,
  HttpApiSchema.annotations({ status: 400 })
) {
  get code(): 100 {
    return 100
  }
  get message_key(): "avalon.service.error.invalid_input_name" {
    return "avalon.service.error.invalid_input_name"
  }
  get status(): 400 {
    return 400
  }
  static orderField(field: string): InvalidParameterName {
    return new InvalidParameterName({ message: `Invalid order-by field '${field}'`, payload: { field } })
  }
}

/** 101: a value has the wrong type (integer, UUID). */
export class InvalidParameterType extends Schema.TaggedError<InvalidParameterType>()(
  "InvalidParameterType",
  fields,
  HttpApiSchema.annotations({ status: 400 })
) {
  get code(): 101 {
    return 101
  }
  get message_key(): "avalon.service.error.invalid_input_type" {
    return "avalon.service.error.invalid_input_type"
  }
  get status(): 400 {
    return 400
  }
  static integer(field: string, value: string): InvalidParameterType {
    return new InvalidParameterType({
      message: `Invalid field value for integer field ${field}: '${value}'`,
      payload: { field, value }
    })
  }
  static uuid(field: string, value: string): InvalidParameterType {
    return new InvalidParameterType({
      message: `Invalid field value for UUID field ${field}: '${value}'`,
      payload: { field, value }
    })
  }
}

/** 102: a value is out of range (negative limit/offset, bad sort direction). */
export class InvalidParameterValue extends Schema.TaggedError<InvalidParameterValue>()(
  "InvalidParameterValue",
  fields,
  HttpApiSchema.annotations({ status: 400 })
) {
  get code(): 102 {
    return 102
  }
  get message_key(): "avalon.service.error.invalid_input_value" {
    return "avalon.service.error.invalid_input_value"
  }
  get status(): 400 {
    return 400
  }
  static negative(field: string, value: bigint): InvalidParameterValue {
    return new InvalidParameterValue({
      message: `The value of ${field} may not be negative`,
      payload: { field, value }
    })
  }
  static required(field: string): InvalidParameterValue {
    return new InvalidParameterValue({ message: `The parameter ${field} is required`, payload: { field } })
  }
  static direction(direction: string): InvalidParameterValue {
    return new InvalidParameterValue({
      message: `Invalid sort direction '${direction}'`,
      payload: { direction }
    })
  }
}

/** 1: unexpected failure. */
export class UnknownError extends Schema.TaggedError<UnknownError>()(
  "UnknownError",
  fields,
  HttpApiSchema.annotations({ status: 500 })
) {
  get code(): 1 {
    return 1
  }
  get message_key(): "avalon.service.error.unknown" {
    return "avalon.service.error.unknown"
  }
  get status(): 500 {
    return 500
  }
  static readonly default = (): UnknownError =>
    new UnknownError({ message: "An unknown error occurred", payload: {} })
}

/** 2: service unavailable (e.g. start-up failed). */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()(
  "ServiceUnavailable",
  fields,
  HttpApiSchema.annotations({ status: 503 })
) {
  get code(): 2 {
    return 2
  }
  get message_key(): "avalon.service.error.unavailable" {
    return "avalon.service.error.unavailable"
  }
  get status(): 503 {
    return 503
  }
  static readonly default = (): ServiceUnavailable =>
    new ServiceUnavailable({ message: "The service is unavailable", payload: {} })
}

/** 3: misconfigured. */
export class Misconfigured extends Schema.TaggedError<Misconfigured>()(
  "Misconfigured",
  fields,
  HttpApiSchema.annotations({ status: 503 })
) {
  get code(): 3 {
    return 3
  }
  get message_key(): "avalon.service.error.misconfigured" {
    return "avalon.service.error.misconfigured"
  }
  get status(): 503 {
    return 503
  }
}

/** 4: unknown path. */
export class NotFound extends Schema.TaggedError<NotFound>()(
  "NotFound",
  fields,
  HttpApiSchema.annotations({ status: 404 })
) {
  get code(): 4 {
    return 4
  }
  get message_key(): "avalon.service.error.not_found" {
    return "avalon.service.error.not_found"
  }
  get status(): 404 {
    return 404
  }
  static path(path: string): NotFound {
    return new NotFound({ message: `Resource not found: '${path}'`, payload: { path } })
  }
}

/** 5: known path, method other than GET/HEAD. */
export class MethodNotAllowed extends Schema.TaggedError<MethodNotAllowed>()(
  "MethodNotAllowed",
  fields,
  HttpApiSchema.annotations({ status: 405 })
) {
  get code(): 5 {
    return 5
  }
  get message_key(): "avalon.service.error.method_not_allowed" {
    return "avalon.service.error.method_not_allowed"
  }
  get status(): 405 {
    return 405
  }
  static method(method: string, path: string): MethodNotAllowed {
    return new MethodNotAllowed({ message: `Method ${method} not allowed for '${path}'`, payload: { method, path } })
  }
}

/** 11: the change feed cannot answer from that generation (too old, from before the change log, or not yet reached). */
export class FullSyncRequired extends Schema.TaggedError<FullSyncRequired>()(
  "FullSyncRequired",
  fields,
  HttpApiSchema.annotations({ status: 410 })
) {
  get code(): 11 {
    return 11
  }
  get message_key(): "avalon.service.error.full_sync_required" {
    return "avalon.service.error.full_sync_required"
  }
  get status(): 410 {
    return 410
  }
  static since(since: bigint, oldest: number, generation: number): FullSyncRequired {
    return new FullSyncRequired({
      message: `Changes since generation ${since} are not available (only since generations ${oldest} to ${generation}): download the whole collection again`,
      payload: { since, oldest, generation }
    })
  }
}

/** Errors a query can produce. */
export type QueryError = InvalidParameterName | InvalidParameterType | InvalidParameterValue

export type ApiError =
  | QueryError
  | FullSyncRequired
  | UnknownError
  | ServiceUnavailable
  | Misconfigured
  | NotFound
  | MethodNotAllowed

const renderValue = (value: string | number | bigint): string =>
  typeof value === "bigint" ? value.toString() : JSON.stringify(value) ?? "null"

const renderPayload = (payload: Payload): string =>
  `{${Object.keys(payload).map((key) => `${JSON.stringify(key)}:${renderValue(payload[key]!)}`).join(",")}}`

/** The error envelope (api.md) and the HTTP status for `error`. */
export const renderErrorEnvelope = (error: ApiError): { readonly status: number; readonly body: string } => ({
  status: error.status,
  body: `{"success":null,"errors":[{"code":${error.code},"message":${JSON.stringify(error.message)},"message_key":${
    JSON.stringify(error.message_key)
  },"payload":${renderPayload(error.payload)}}],"warnings":[]}`
})
