#!/usr/bin/env python3
"""Prints the first /login/<token> link in any captured mail to ADDRESS (text or HTML part)."""
import email, email.policy, glob, re, sys
d, to = sys.argv[1], sys.argv[2].lower()
for path in sorted(glob.glob(f"{d}/*.eml")):
    m = email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)
    if to not in str(m.get("To", "")).lower():
        continue
    for part in m.walk():
        if part.get_content_maintype() == "text":
            hit = re.search(r"https?://[^\s\"<>]*/login/([A-Za-z0-9._~%-]+)", part.get_content())
            if hit:
                print(hit.group(1))
                sys.exit(0)
sys.exit(1)
