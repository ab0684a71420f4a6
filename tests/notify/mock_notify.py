#!/usr/bin/env python3
"""A stand-in for the GOV.UK Notify API as NotifyNL runs it, for booking/tests/messages.rs.

Every POST /v2/notifications/sms is checked against the contract in tests/notify/README.md:
  - Authorization: Bearer <JWT>, HS256 signed with the API key's secret (--secret), with
    iss = the service id (--service-id) and iat within 30 s of now;
  - a JSON body with phone_number (a valid mobile number, + and 8 to 15 digits) and
    template_id (a UUID) required, personalisation an object of strings, reference a string
    of at most 1000 characters, no other fields than Notify knows.
A valid request is answered 201 with id, reference, content {body, from_number}, uri and
template {id, version, uri}, as Notify does; an invalid one 400 (BadRequestError /
ValidationError) or 403 (AuthError) in Notify's error shape
{"status_code": n, "errors": [{"error": ..., "message": ...}]}. Each refusal is recorded under
"errors" so the test can assert there were none.

Test controls (not part of Notify):
  POST /_control/faults  {"status": 500, "times": 1}  the next sends get that answer
  GET  /_control/state   {"sent": [...], "errors": [...]}
  POST /_control/inbound {"url": ..., "token": ..., "body": {...}}  posts Notify's inbound
       text callback to `url` with the bearer token, answers {"status": n}

Prints "PORT <n>" on stdout once listening.
"""

import argparse
import base64
import hashlib
import hmac
import json
import re
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KNOWN_FIELDS = {"phone_number", "template_id", "personalisation", "reference", "sms_sender_id"}
PHONE = re.compile(r"^\+?[0-9]{8,15}$")

state = {"sent": [], "errors": [], "faults": []}
lock = threading.Lock()
args = None


def b64url_decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def check_jwt(header):
    """None when the bearer token is one Notify accepts, else Notify's error message."""
    if not header:
        return "Unauthorized: authentication token must be provided"
    if not header.startswith("Bearer "):
        return "Unauthorized: authentication bearer scheme must be used"
    token = header[len("Bearer "):]
    try:
        head_b64, payload_b64, sig_b64 = token.split(".")
        head = json.loads(b64url_decode(head_b64))
        claims = json.loads(b64url_decode(payload_b64))
        signature = b64url_decode(sig_b64)
    except Exception:
        return "Invalid token: signature, api token not found"
    if head.get("alg") != "HS256":
        return "Invalid token: algorithm used is not HS256"
    expected = hmac.new(args.secret.encode(), f"{head_b64}.{payload_b64}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        return "Invalid token: signature, api token not found"
    if claims.get("iss") != args.service_id:
        return "Invalid token: service not found"
    iat = claims.get("iat")
    if not isinstance(iat, int):
        return "Invalid token: iat field not provided"
    if abs(time.time() - iat) > 30:
        return "Error: Your system clock must be accurate to within 30 seconds"
    return None


def check_body(body):
    """Notify's validation messages for the body, empty when valid."""
    if not isinstance(body, dict):
        return ["Invalid JSON supplied in POST data"]
    problems = []
    for field in ("phone_number", "template_id"):
        if field not in body:
            problems.append(f"{field} is a required property")
    for field in body:
        if field not in KNOWN_FIELDS:
            problems.append(f"Additional properties are not allowed ({field} was unexpected)")
    phone = body.get("phone_number")
    if phone is not None and (not isinstance(phone, str) or not PHONE.match(phone.replace(" ", ""))):
        problems.append("phone_number Not a valid phone number")
    template = body.get("template_id")
    if template is not None:
        try:
            uuid.UUID(str(template))
        except ValueError:
            problems.append("template_id is not a valid UUID")
    personalisation = body.get("personalisation", {})
    if not isinstance(personalisation, dict) or not all(isinstance(v, str) for v in personalisation.values()):
        problems.append("personalisation is not of type object (of strings)")
    reference = body.get("reference")
    if reference is not None and (not isinstance(reference, str) or len(reference) > 1000):
        problems.append("reference is not a string of at most 1000 characters")
    return problems


def error(status, kind, message):
    return status, {"status_code": status, "errors": [{"error": kind, "message": message}]}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, status, body):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            return json.loads(raw)
        except Exception:
            return None

    def do_GET(self):
        if self.path == "/_control/state":
            with lock:
                return self.answer(200, state)
        self.answer(*error(404, "NotFound", "Not found"))

    def do_POST(self):
        if self.path == "/_control/faults":
            fault = self.read_json()
            with lock:
                state["faults"] = [fault] if fault else []
            return self.answer(200, {})
        if self.path == "/_control/inbound":
            return self.inbound(self.read_json())
        if self.path != "/v2/notifications/sms":
            return self.answer(*error(404, "NotFound", "Not found"))
        auth = check_jwt(self.headers.get("Authorization"))
        body = self.read_json()
        if auth:
            status, answer = error(403, "AuthError", auth)
        else:
            problems = check_body(body)
            status, answer = error(400, "ValidationError", "; ".join(problems)) if problems else (201, None)
        if status != 201:
            with lock:
                state["errors"].append({"status": status, "answer": answer, "body": body})
            return self.answer(status, answer)
        with lock:
            fault = state["faults"][0] if state["faults"] else None
            if fault:
                fault["times"] = fault.get("times", 1) - 1
                if fault["times"] <= 0:
                    state["faults"] = []
        if fault:
            return self.answer(*error(fault["status"], "Exception", "Internal server error"))
        notification = str(uuid.uuid4())
        template = body["template_id"]
        text = " ".join(body.get("personalisation", {}).values())
        base = f"http://127.0.0.1:{self.server.server_port}"
        with lock:
            state["sent"].append(body)
        self.answer(201, {
            "id": notification,
            "reference": body.get("reference"),
            "content": {"body": text, "from_number": "Gemeente"},
            "uri": f"{base}/v2/notifications/{notification}",
            "template": {"id": template, "version": 1, "uri": f"{base}/v2/template/{template}/version/1"},
        })

    def inbound(self, control):
        """Posts Notify's inbound text callback, as Notify would, to our endpoint."""
        request = urllib.request.Request(
            control["url"],
            data=json.dumps(control["body"]).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {control['token']}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code
        self.answer(200, {"status": status})


def main():
    global args
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret", required=True)
    parser.add_argument("--service-id", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
