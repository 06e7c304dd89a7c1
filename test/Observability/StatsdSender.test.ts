import { createSocket } from "node:dgram"
import { describe, expect, it } from "vitest"
import { formatValue, makeStatsdSender } from "../../src/Observability/StatsdSender.js"

const datagramReceiver = async () => {
  const socket = createSocket("udp4")
  const datagrams: Array<Buffer> = []
  socket.on("message", (message) => datagrams.push(message))
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve))
  const lines = () => datagrams.flatMap((datagram) => datagram.toString("utf8").split("\n"))
  const waitForLines = async (count: number) => {
    const deadline = Date.now() + 10_000
    while (lines().length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    return lines()
  }
  return { port: socket.address().port, datagrams, lines, waitForLines, close: () => socket.close() }
}

describe("makeStatsdSender", () => {
  it("packs queued lines, in order, into datagrams of at most maxPacketBytes", async () => {
    const receiver = await datagramReceiver()
    const sender = makeStatsdSender({ address: "127.0.0.1", port: receiver.port, prefix: "avalon", maxPacketBytes: 200 })
    try {
      for (let i = 0; i < 100; i++) sender.send("request.songs", i / 8, "ms")
      sender.send("scan.files", 3, "c")
      const lines = await receiver.waitForLines(101)
      expect(lines).toEqual([...Array.from({ length: 100 }, (_, i) => `avalon.request.songs:${i / 8}|ms`), "avalon.scan.files:3|c"])
      expect(receiver.datagrams.length).toBeGreaterThan(1)
      expect(receiver.datagrams.length).toBeLessThan(40)
      for (const datagram of receiver.datagrams) expect(datagram.length).toBeLessThanOrEqual(200)
    } finally {
      await sender.close()
      receiver.close()
    }
  })

  it("sends what is queued on close without waiting for the flush interval, then drops further lines", async () => {
    const receiver = await datagramReceiver()
    const sender = makeStatsdSender({ address: "127.0.0.1", port: receiver.port, prefix: "p.", flushIntervalMs: 60_000 })
    sender.send("a", 1, "c")
    sender.send("b", 2.5, "ms")
    await sender.close()
    sender.send("c", 3, "c")
    expect(await receiver.waitForLines(2)).toEqual(["p.a:1|c", "p.b:2.5|ms"])
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(receiver.lines()).toEqual(["p.a:1|c", "p.b:2.5|ms"])
    receiver.close()
  })

  it("keeps the line protocol intact whatever the names say, and an empty prefix adds no dot", async () => {
    const receiver = await datagramReceiver()
    const sender = makeStatsdSender({ address: "127.0.0.1", port: receiver.port, prefix: "" })
    sender.send("we|ird:name\nx", 1, "c")
    await sender.close()
    expect(await receiver.waitForLines(1)).toEqual(["we_ird_name_x:1|c"])
    receiver.close()
  })

  it("counts a line's bytes, not its characters, when packing", async () => {
    const receiver = await datagramReceiver()
    // 54 bytes a line ("é" is two): 2 fit in 130 bytes, where counting characters (30 a line) would pack 4.
    const prefix = "é".repeat(24)
    const sender = makeStatsdSender({ address: "127.0.0.1", port: receiver.port, prefix, maxPacketBytes: 130 })
    for (let i = 0; i < 9; i++) sender.send("t", 1, "c")
    await sender.close()
    expect(await receiver.waitForLines(9)).toEqual(Array.from({ length: 9 }, () => `${prefix}.t:1|c`))
    expect(receiver.datagrams.map((datagram) => datagram.length)).toEqual([109, 109, 109, 109, 54])
    receiver.close()
  })

  it("writes values to a thousandth, without trailing zeros", () => {
    expect(formatValue(3)).toBe("3")
    expect(formatValue(12.5)).toBe("12.5")
    expect(formatValue(0.0412345)).toBe("0.041")
    expect(formatValue(0.0005)).toBe("0.001")
    expect(formatValue(0.0004)).toBe("0")
    expect(formatValue(7.0996)).toBe("7.1")
    expect(formatValue(0.9996)).toBe("1")
    expect(formatValue(1.01)).toBe("1.01")
    expect(formatValue(-1.25)).toBe("-1.25")
    expect(formatValue(2.5e9)).toBe("2500000000")
    expect(formatValue(Number.NaN)).toBe("NaN")
    for (let i = 0; i < 2000; i++) {
      const value = Math.random() * 1000
      expect(Number(formatValue(value))).toBeCloseTo(Math.round(value * 1000) / 1000, 9)
    }
  })

  it("never throws when nothing listens", async () => {
    const sender = makeStatsdSender({ address: "127.0.0.1", port: 9, prefix: "avalon", flushIntervalMs: 1 })
    for (let i = 0; i < 50; i++) sender.send("request.songs", i, "ms")
    await new Promise((resolve) => setTimeout(resolve, 30))
    for (let i = 0; i < 50; i++) sender.send("request.songs", i, "ms")
    await sender.close()
  })
})
