-- POST a report with a session and its CSRF token (env KVAL_COOKIE, CSRF, REPORT_PATHS: a file
-- of /checkpoint/<id>/report paths). Each request takes the next path, each thread from its
-- own offset; a report on a reported checkpoint replaces it.
local paths = {}
for line in io.lines(os.getenv("REPORT_PATHS")) do paths[#paths + 1] = line end
local body = "csrf=" .. os.getenv("CSRF") ..
  "&outcome=genomf%C3%B6rd&reason=&uppfoljning=Uppf%C3%B6ljningen+gjord+i+ledningsgruppen" ..
  "&analys=Resultaten+%C3%A4r+stabila&links="
local headers = { ["Cookie"] = os.getenv("KVAL_COOKIE"), ["Content-Type"] = "application/x-www-form-urlencoded" }
local threads = 0
n = 0
setup = function(thread) threads = threads + 1; thread:set("n", threads * 7919) end
request = function()
  n = n + 1
  return wrk.format("POST", paths[(n % #paths) + 1], headers, body)
end
local bad = 0
response = function(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if bad <= 3 then io.stderr:write("report answered " .. status .. "\n") end
  end
end
