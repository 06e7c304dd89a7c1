import { describe, expect, it } from "vitest"
import { mallocTrimThreshold, workerEnvironment } from "../../src/Cluster/workerEnvironment.js"

describe("workerEnvironment", () => {
  it("sets glibc's trim threshold for a worker", () => {
    expect(workerEnvironment({ PATH: "/usr/bin" })).toEqual({ MALLOC_TRIM_THRESHOLD_: mallocTrimThreshold })
    expect(workerEnvironment({ GLIBC_TUNABLES: "glibc.rtld.optional_static_tls=2048" })).toEqual({ MALLOC_TRIM_THRESHOLD_: mallocTrimThreshold })
  })

  it("leaves the operator's own malloc settings alone", () => {
    expect(workerEnvironment({ MALLOC_TRIM_THRESHOLD_: "0" })).toEqual({})
    expect(workerEnvironment({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2" })).toEqual({})
  })
})
