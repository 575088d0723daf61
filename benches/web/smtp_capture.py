#!/usr/bin/env python3
"""A local SMTP server for the web bench: accepts every mail on 127.0.0.1:PORT and writes each
one as DIR/NNNN.eml (the sign-in mail is read from there). Python 3.11's smtpd, no packages."""
import asyncore, os, smtpd, sys, warnings
warnings.filterwarnings("ignore")
port, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
class Capture(smtpd.SMTPServer):
    n = 0
    def process_message(self, peer, mailfrom, rcpttos, data, **kw):
        Capture.n += 1
        with open(os.path.join(out, f"{Capture.n:04d}.eml.tmp"), "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        os.rename(os.path.join(out, f"{Capture.n:04d}.eml.tmp"), os.path.join(out, f"{Capture.n:04d}.eml"))
Capture(("127.0.0.1", port), None, decode_data=False)
asyncore.loop()
