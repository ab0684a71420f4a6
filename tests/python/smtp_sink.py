"""A real SMTP server (aiosmtpd) on loopback that stores each received message as a file.

    smtp_sink.py PORT OUTDIR
Prints "ready" once listening; stops when its stdin closes.
"""
import os
import sys
import time

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, outdir: str):
        self.outdir = outdir
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = os.path.join(self.outdir, f"{self.count:04d}.eml")
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(path + ".rcpt", "w") as f:
            f.write("\n".join(envelope.rcpt_tos))
        os.rename(path + ".tmp", path)
        return "250 Message accepted"


def main() -> None:
    port, outdir = int(sys.argv[1]), sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    controller = Controller(Store(outdir), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()  # returns when the test closes our stdin or exits
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
