-- wrk script: print one JSON line with the exact figures (latency in microseconds) after the run.
-- With WRK_PIPELINE=N (N > 1) each connection sends its requests N at a time (HTTP/1.1 pipelining): wrk then
-- spends far less CPU per request, which matters where it shares the server's cores.
local depth = tonumber(os.getenv("WRK_PIPELINE") or "1")
if depth > 1 then
  init = function(args)
    local batch = {}
    for i = 1, depth do batch[i] = wrk.format(nil) end
    pipelined = table.concat(batch)
  end
  request = function() return pipelined end
end

-- wrk's own CPU time (user + system) in clock ticks, from /proc/self/stat: what it took from the servers' cores.
local function cpuTicks()
  local file = io.open("/proc/self/stat")
  if not file then return -1 end
  local stat = file:read("*a")
  file:close()
  local fields = {}
  for field in stat:sub(stat:find("[^)]*$") + 1):gmatch("%S+") do fields[#fields + 1] = field end
  return tonumber(fields[12]) + tonumber(fields[13])
end

done = function(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"cpu_ticks":%d,"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    cpuTicks(), summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency.min, latency.mean, latency.stdev,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
