"""Sorts `perf script -F comm,ip,sym` samples (with call chains) of the SFU into what a forwarded
packet pays for. Each sample counts once, for the first rule below that one of its frames
matches (so a `sendto` made while forwarding counts as the kernel's send, not as our code).
Reads standard input, prints a table in percent of all samples."""

import re
import sys

RULES = [
    ("kernel: send (sendto, incl. loopback delivery)", r"__sys_sendto|__x64_sys_sendto|udp_sendmsg"),
    ("kernel: receive (recvfrom)", r"__sys_recvfrom|__x64_sys_recvfrom|udp_recvmsg"),
    ("rtc: read pipeline (handle_read, poll_read)", r"RTCPeerConnection.*::(handle_read|poll_read)\b"),
    ("rtc: write pipeline (write_rtp/rtcp, poll_write)", r"::(write_rtp|write_rtcp|handle_write|poll_write)\b"),
    ("rtc: timers and events (handle_timeout, poll_event)", r"RTCPeerConnection.*::(handle_timeout|poll_timeout|poll_event)\b"),
    ("waiting and waking (epoll, scheduler, futex)", r"epoll_wait|__schedule|futex_|do_nanosleep|tokio::runtime::park"),
    ("engine's own code (sfu::)", r"\bsfu::"),
]
# Shown below the table: parts of the rows above, in percent of all samples.
PARTS = [
    ("  part: SRTP (encrypt + decrypt)", r"\bsrtp::"),
    ("  part: interceptors", r"\binterceptor::"),
    ("  part: memmove/memcpy (user space)", r"__memmove|__memcpy"),
    ("  part: malloc/free", r"\bmalloc|\bfree\b|_int_malloc|_int_free|cfree|realloc"),
    ("  part: syscall entry and exit", r"entry_SYSCALL|syscall_return|do_syscall_64|syscall_exit|srso_|_untrain_ret|return_thunk"),
]
# Parts counted at the sample's leaf frame only (where the cycles are spent).
LEAF_PARTS = ("memmove", "malloc", "syscall")


def samples(lines):
    frames = []
    for line in lines:
        if not line.strip():
            if frames:
                yield frames
            frames = []
        elif line.startswith("\t"):
            frames.append(line.strip())
        else:
            if frames:
                yield frames
            frames = [line.strip()]
    if frames:
        yield frames


def main():
    rules = [(name, re.compile(rx)) for name, rx in RULES]
    parts = [(name, re.compile(rx)) for name, rx in PARTS]
    counts = {name: 0 for name, _ in RULES}
    counts["other (runtime, libc, unresolved)"] = 0
    part_counts = {name: 0 for name, _ in PARTS}
    total = 0
    for frames in samples(sys.stdin):
        total += 1
        stack = frames[1:] or frames
        for name, rx in rules:
            if any(rx.search(f) for f in stack):
                counts[name] += 1
                break
        else:
            counts["other (runtime, libc, unresolved)"] += 1
        # The crates' parts are inclusive (any frame); the rest count where the cycles are.
        leaf = stack[0] if stack else ""
        for name, rx in parts:
            at_leaf = any(word in name for word in LEAF_PARTS)
            hit = rx.search(leaf) if at_leaf else any(rx.search(f) for f in stack)
            if hit:
                part_counts[name] += 1
    if total == 0:
        sys.exit("no samples (is perf allowed to read this process?)")
    print(f"{total} samples")
    for name, n in counts.items():
        print(f"{100 * n / total:6.1f} %  {name}")
    for name, n in part_counts.items():
        print(f"{100 * n / total:6.1f} %  {name}")


if __name__ == "__main__":
    main()
