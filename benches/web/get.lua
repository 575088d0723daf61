-- GET with the chef's session cookie (wrk -s get.lua, env COOKIE=arshjul_session=…)
wrk.headers["Cookie"] = os.getenv("COOKIE")
