-- wrk script: PUT one single-event transaction per request, each with a unique transaction id
-- and event id, as a homeserver would. The hs_token comes from the environment.
local counter = 0
local thread_id = 0
local token = os.getenv("SPOTTER_BENCH_HS_TOKEN") or "hs_bench"

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  counter = 0
  math.randomseed(os.time() + id)
  run = tostring(math.random(1, 1000000000))
end

request = function()
  counter = counter + 1
  local key = run .. "-" .. id .. "-" .. counter
  local body = '{"events": [{"event_id": "$bench-' .. key .. '", "room_id": "!bench' .. (counter % 50) ..
    ':localhost", "sender": "@lifter' .. (counter % 500) .. ':localhost", "type": "m.room.message", ' ..
    '"origin_server_ts": ' .. (os.time() * 1000) .. ', "content": {"msgtype": "m.text", "body": "should I go to failure on squats?"}}]}'
  return wrk.format("PUT", "/_matrix/app/v1/transactions/" .. key,
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
