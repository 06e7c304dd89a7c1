import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { compileStrftime, strftime } from "../../src/Observability/strftime.js"

// Friday 5 January 2024, 14:03:09.123 and Sunday 14 July 2024, 00:07:08.004, local time (made after TZ is set)
const winter = () => new Date(2024, 0, 5, 14, 3, 9, 123)
const summer = () => new Date(2024, 6, 14, 0, 7, 8, 4)

describe("strftime", () => {
  const savedTz = process.env.TZ
  beforeAll(() => {
    process.env.TZ = "America/New_York"
  })
  afterAll(() => {
    if (savedTz === undefined) delete process.env.TZ
    else process.env.TZ = savedTz
  })

  it.each([
    ["%Y", "2024"],
    ["%y", "24"],
    ["%m", "01"],
    ["%d", "05"],
    ["%H", "14"],
    ["%M", "03"],
    ["%S", "09"],
    ["%f", "123000"],
    ["%z", "-0500"],
    ["%Z", "EST"],
    ["%a", "Fri"],
    ["%A", "Friday"],
    ["%b", "Jan"],
    ["%B", "January"],
    ["%j", "005"],
    ["%p", "PM"],
    ["%I", "02"],
    ["%%", "%"],
    ["%e", " 5"],
    ["%-d/%-m %-I", "5/1 2"],
    ["%F %T", "2024-01-05 14:03:09"],
    ["%Y-%m-%dT%H:%M:%S", "2024-01-05T14:03:09"],
    ["%c", "Fri Jan  5 14:03:09 2024"],
    ["at %H:%M, 100%%", "at 14:03, 100%"]
  ])("%s on a winter afternoon gives %j", (format, expected) => {
    expect(strftime(format, winter())).toBe(expected)
  })

  it.each([
    ["%z %Z", "-0400 EDT"],
    ["%I %p", "12 AM"],
    ["%j", "196"],
    ["%f", "004000"],
    ["%a %A %b %B", "Sun Sunday Jul July"]
  ])("%s in summer just after midnight gives %j", (format, expected) => {
    expect(strftime(format, summer())).toBe(expected)
  })

  it("follows the TZ setting for %z and %Z", () => {
    process.env.TZ = "Europe/Paris"
    try {
      expect(strftime("%H %z %Z", new Date(Date.UTC(2024, 6, 14, 12)))).toBe("14 +0200 CEST")
      process.env.TZ = "UTC"
      expect(strftime("%H %z %Z", new Date(Date.UTC(2024, 6, 14, 12)))).toBe("12 +0000 UTC")
    } finally {
      process.env.TZ = "America/New_York"
    }
  })

  it("reports unknown directives and renders them literally", () => {
    const compiled = compileStrftime("%Y %Q %")
    expect(compiled.unknown).toEqual(["%Q", "%"])
    expect(compiled.render(winter())).toBe("2024 %Q %")
  })
})
