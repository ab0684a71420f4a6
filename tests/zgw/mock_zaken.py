#!/usr/bin/env python3
"""A stand-in for a ZGW Zaken API 1.5.1 (as Open Zaak serves it), for booking/tests/zgw.rs.

Every request under /api/v1 is checked against the OpenAPI document with openapi-core (path,
query, required headers such as Accept-Crs/Content-Crs, body schema) and its JWT is checked
as ZGW demands (HS256 with the shared secret; iss, client_id, iat, user_id and
user_representation present; iat recent). A request that fails a check gets a 400/403 problem
answer and is recorded under "errors", so the test can assert there were none. Every answer is
checked against the document too (response errors are recorded the same way).

Zaken, rollen, resultaten, statussen and zaakinformatieobjecten live in memory. Like Open Zaak,
an end status is refused while the zaak has no resultaat, a zaak has at most one resultaat, and
a zaakinformatieobject needs an informatieobject the Documenten API holds.

With --documenten-spec the same server also plays the Documenten API under /documenten/api/v1
(mock_documenten.py), checked against that document the same way.

Test controls (outside /api/v1, not validated):
  POST /_control/faults  [{"method": "POST", "path": "/statussen", "status": 503, "times": 1},
                          {"method": "GET", "path": "/zaken", "sleep": 3}]
      the next matching requests get that status (a problem body) or are answered late;
      "times": -1 means until the faults are replaced. {"hold": true} keeps a matching
      request waiting until the faults are next replaced; it is then handled as usual (even
      when its client has died meanwhile), so a test decides exactly when it lands.
  POST /_control/page-size {"size": 1}   list answers are paged with this many per page.
  GET  /_control/state   everything stored, the request log and the recorded errors.

Prints "PORT <n>" on stdout once listening.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import sys
import threading
import time
import uuid
from urllib.parse import urlencode, urlparse
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.wrappers import Request, Response

import mock_documenten

PREFIX = "/api/v1"
CRS = "EPSG:4326"


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # The default listen backlog of 5 drops connections when a worker opens dozens at once.
    request_queue_size = 128


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def is_uri(value):
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def b64url_decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def check_jwt(header, secret):
    """Returns None when the bearer token is a valid ZGW JWT, else the reason."""
    if not header or not header.startswith("Bearer "):
        return "no bearer token"
    token = header[len("Bearer "):]
    try:
        head_b64, payload_b64, sig_b64 = token.split(".")
        head = json.loads(b64url_decode(head_b64))
        claims = json.loads(b64url_decode(payload_b64))
        signature = b64url_decode(sig_b64)
    except Exception as e:  # malformed token
        return f"malformed token: {e}"
    if head.get("alg") != "HS256":
        return f"alg must be HS256, not {head.get('alg')}"
    expected = hmac.new(secret.encode(), f"{head_b64}.{payload_b64}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        return "bad signature"
    for claim in ("iss", "client_id", "iat", "user_id", "user_representation"):
        if claim not in claims:
            return f"claim {claim} missing"
    if not isinstance(claims["iat"], int) or abs(time.time() - claims["iat"]) > 60:
        return "iat is not recent: tokens must be fresh"
    return None


def checker(spec):
    # openapi-core checks "uri" strings in bodies but has no formatter for them in query
    # parameters; give it one that demands an absolute http(s) URL, as the API does.
    return OpenAPI.from_dict(spec, config=Config(
        spec_validator_cls=None,
        extra_format_validators={"uri": is_uri},
        extra_format_unmarshallers={"uri": str},
        # Error answers are application/problem+json: JSON, to be checked as such.
        extra_media_type_deserializers={"application/problem+json": json.loads},
    ))


class ZakenApi:
    def __init__(self, spec, secret, end_statustype, documenten_spec=None):
        self.openapi = checker(spec)
        self.documenten_openapi = checker(documenten_spec) if documenten_spec else None
        self.documenten = mock_documenten.DocumentenApi(self.problem, self.paged)
        self.zios = {}
        self.secret = secret
        self.end_statustype = end_statustype
        self.lock = threading.Lock()
        self.zaken, self.rollen, self.resultaten, self.statussen = {}, {}, {}, {}
        self.errors, self.requests, self.faults = [], [], []
        # Set (and replaced) whenever the faults change: releases the held requests.
        self.released = threading.Event()
        self.base = None
        self.page_size = 100

    # -- helpers ---------------------------------------------------------------------------

    def url(self, kind, id_):
        return f"{self.base}{PREFIX}/{kind}/{id_}"

    @staticmethod
    def problem(status, title, detail, invalid=()):
        body = {
            "type": f"https://example.org/ref/fouten/{status}/",
            "code": "invalid" if status == 400 else "error",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": f"urn:uuid:{uuid.uuid4()}",
            "invalidParams": [{"name": n, "code": "invalid", "reason": r} for n, r in invalid],
        }
        return status, body

    def take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault.get("method", method) == method and path.startswith(fault.get("path", path)):
                    if fault.get("times", 1) == 0:
                        continue
                    if fault.get("times", 1) > 0:
                        fault["times"] = fault.get("times", 1) - 1
                    return dict(fault)
        return None

    # -- the API ---------------------------------------------------------------------------

    def handle(self, method, path, query, body):
        """Returns (status, body) for a request that passed validation."""
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        today = now[:10]
        parts = path[len(PREFIX):].strip("/").split("/")
        kind = parts[0]
        with self.lock:
            if kind == "zaken" and method == "GET" and len(parts) == 1:
                found = [z for z in self.zaken.values()
                         if all(z.get(k) == query[k] for k in ("identificatie", "bronorganisatie") if k in query)]
                return 200, self.paged(path, query, found)
            if kind == "zaken" and method == "POST":
                if any(z["identificatie"] == body.get("identificatie") and z["bronorganisatie"] == body["bronorganisatie"]
                       for z in self.zaken.values()):
                    return self.problem(400, "Invalid input.", "", [("identificatie", "Deze identificatie bestaat al.")])
                id_ = str(uuid.uuid4())
                zaak = {
                    "url": self.url("zaken", id_), "uuid": id_,
                    "identificatie": body.get("identificatie", f"ZAAK-{id_[:8]}"),
                    "bronorganisatie": body["bronorganisatie"],
                    "omschrijving": body.get("omschrijving", ""), "toelichting": body.get("toelichting", ""),
                    "zaaktype": body["zaaktype"], "registratiedatum": today,
                    "verantwoordelijkeOrganisatie": body["verantwoordelijkeOrganisatie"],
                    "startdatum": body["startdatum"], "einddatum": None,
                    "betalingsindicatieWeergave": "", "deelzaken": [], "eigenschappen": [], "rollen": [],
                    "status": None, "zaakinformatieobjecten": [], "zaakobjecten": [], "resultaat": None,
                    "kenmerken": [], "relevanteAndereZaken": [], "archiefnominatie": None,
                    "archiefstatus": "nog_te_archiveren", "archiefactiedatum": None, "hoofdzaak": None,
                    "vertrouwelijkheidaanduiding": "openbaar", "productenOfDiensten": [],
                }
                self.zaken[id_] = zaak
                return 201, zaak
            if kind == "rollen" and method == "GET":
                found = [r for r in self.rollen.values()
                         if all(r.get(k) == query[k] for k in ("zaak", "roltype") if k in query)]
                return 200, self.paged(path, query, found)
            if kind == "rollen" and method == "POST":
                zaak = self.zaak_by_url(body["zaak"])
                if zaak is None:
                    return self.problem(400, "Invalid input.", "", [("zaak", "De zaak bestaat niet.")])
                id_ = str(uuid.uuid4())
                rol = dict(body, url=self.url("rollen", id_), uuid=id_, omschrijving="Initiator",
                           omschrijvingGeneriek="initiator", registratiedatum=now, statussen=[])
                self.rollen[id_] = rol
                zaak["rollen"].append(rol["url"])
                return 201, rol
            if kind == "resultaten" and method == "GET" and len(parts) == 1:
                found = [r for r in self.resultaten.values() if r["zaak"] == query.get("zaak", r["zaak"])]
                return 200, self.paged(path, query, found)
            if kind == "resultaten" and method == "POST":
                zaak = self.zaak_by_url(body["zaak"])
                if zaak is None:
                    return self.problem(400, "Invalid input.", "", [("zaak", "De zaak bestaat niet.")])
                if zaak["resultaat"]:
                    return self.problem(400, "Invalid input.", "", [("zaak", "De zaak heeft al een resultaat.")])
                id_ = str(uuid.uuid4())
                res = {"url": self.url("resultaten", id_), "uuid": id_, "zaak": body["zaak"],
                       "resultaattype": body["resultaattype"], "toelichting": body.get("toelichting", "")}
                self.resultaten[id_] = res
                zaak["resultaat"] = res["url"]
                return 201, res
            if kind == "resultaten" and method == "PATCH" and len(parts) == 2:
                res = self.resultaten.get(parts[1])
                if res is None:
                    return self.problem(404, "Niet gevonden.", "Resultaat bestaat niet.")
                res.update({k: v for k, v in body.items() if k in ("resultaattype", "toelichting")})
                return 200, res
            if kind == "statussen" and method == "GET":
                found = [s for s in self.statussen.values()
                         if all(s.get(k) == query[k] for k in ("zaak", "statustype") if k in query)]
                return 200, self.paged(path, query, found)
            if kind == "statussen" and method == "POST":
                zaak = self.zaak_by_url(body["zaak"])
                if zaak is None:
                    return self.problem(400, "Invalid input.", "", [("zaak", "De zaak bestaat niet.")])
                if body["statustype"] == self.end_statustype and not zaak["resultaat"]:
                    return self.problem(400, "Invalid input.", "",
                                        [("nonFieldErrors", "De zaak heeft geen resultaat; een eindstatus kan niet gezet worden.")])
                for s in self.statussen.values():
                    if s["zaak"] == zaak["url"]:
                        s["indicatieLaatstGezetteStatus"] = False
                id_ = str(uuid.uuid4())
                status = {"url": self.url("statussen", id_), "uuid": id_, "zaak": body["zaak"],
                          "statustype": body["statustype"], "datumStatusGezet": body["datumStatusGezet"],
                          "statustoelichting": body.get("statustoelichting", ""),
                          "indicatieLaatstGezetteStatus": True, "zaakinformatieobjecten": []}
                self.statussen[id_] = status
                zaak["status"] = status["url"]
                if body["statustype"] == self.end_statustype:
                    zaak["einddatum"] = body["datumStatusGezet"][:10]
                return 201, status
            if kind == "zaakinformatieobjecten" and method == "GET":
                # Not paged in the Zaken API: a plain array.
                return 200, [z for z in self.zios.values()
                             if all(z.get(k) == query[k] for k in ("zaak", "informatieobject") if k in query)]
            if kind == "zaakinformatieobjecten" and method == "POST":
                if self.zaak_by_url(body["zaak"]) is None:
                    return self.problem(400, "Invalid input.", "", [("zaak", "De zaak bestaat niet.")])
                if not self.documenten.exists(body["informatieobject"]):
                    return self.problem(400, "Invalid input.", "",
                                        [("informatieobject", "Het informatieobject bestaat niet.")])
                if any(z["zaak"] == body["zaak"] and z["informatieobject"] == body["informatieobject"]
                       for z in self.zios.values()):
                    return self.problem(400, "Invalid input.", "",
                                        [("nonFieldErrors", "Het informatieobject is al aan de zaak gekoppeld.")])
                id_ = str(uuid.uuid4())
                zio = {"url": self.url("zaakinformatieobjecten", id_), "uuid": id_,
                       "informatieobject": body["informatieobject"], "zaak": body["zaak"],
                       "aardRelatieWeergave": "Hoort bij, omgekeerd: kent",
                       "titel": body.get("titel", ""), "beschrijving": body.get("beschrijving", ""),
                       "registratiedatum": now, "vernietigingsdatum": None, "status": None}
                self.zios[id_] = zio
                self.zaak_by_url(body["zaak"])["zaakinformatieobjecten"].append(zio["url"])
                return 201, zio
        return self.problem(404, "Niet gevonden.", f"{method} {path} is not served by this mock")

    def paged(self, path, query, found):
        """A page of a list as the API pages it: count, next/previous links, results."""
        page = int(query.get("page", "1"))
        start = (page - 1) * self.page_size
        def link(n):
            return f"{self.base}{path}?{urlencode(dict(query, page=str(n)))}"
        return {
            "count": len(found),
            "next": link(page + 1) if start + self.page_size < len(found) else None,
            "previous": link(page - 1) if page > 1 else None,
            "results": found[start:start + self.page_size],
        }

    def zaak_by_url(self, url):
        return next((z for z in self.zaken.values() if z["url"] == url), None)

    # -- WSGI --------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self.respond(request)
        return response(environ, start_response)

    def json_response(self, status, body, headers=None):
        ctype = "application/json" if status < 400 else "application/problem+json"
        return Response(json.dumps(body), status=status, headers=headers or {}, content_type=ctype)

    def respond(self, request):
        method, path = request.method, request.path
        if path == "/_control/state":
            with self.lock:
                return self.json_response(200, {
                    "zaken": list(self.zaken.values()), "rollen": list(self.rollen.values()),
                    "resultaten": list(self.resultaten.values()), "statussen": list(self.statussen.values()),
                    "zaakinformatieobjecten": list(self.zios.values()),
                    "informatieobjecten": self.documenten.state(),
                    "errors": self.errors, "requests": self.requests})
        if path == "/_control/faults" and method == "POST":
            with self.lock:
                self.faults = json.loads(request.get_data() or b"[]")
                self.released.set()
                self.released = threading.Event()
            return self.json_response(200, {"faults": len(self.faults)})
        if path == "/_control/page-size" and method == "POST":
            with self.lock:
                self.page_size = json.loads(request.get_data())["size"]
            return self.json_response(200, {"size": self.page_size})
        documenten = self.documenten_openapi is not None and path.startswith(mock_documenten.PREFIX)
        if documenten:
            prefix, openapi = mock_documenten.PREFIX, self.documenten_openapi
        elif path.startswith(PREFIX):
            prefix, openapi = PREFIX, self.openapi
        else:
            return self.json_response(*self.problem(404, "Niet gevonden.", path))

        with self.lock:
            self.requests.append(f"{method} {path[len(prefix):]}")
        openapi_request = WerkzeugOpenAPIRequest(request)
        result = openapi.unmarshal_request(openapi_request)
        if result.errors:
            reasons = [describe(e) for e in result.errors]
            with self.lock:
                self.errors.append({"request": f"{method} {path}", "errors": reasons})
            return self.json_response(*self.problem(400, "Invalid input.", "; ".join(reasons),
                                                    [("request", r) for r in reasons]))
        jwt_problem = check_jwt(request.headers.get("Authorization"), self.secret)
        if jwt_problem:
            with self.lock:
                self.errors.append({"request": f"{method} {path}", "errors": [f"JWT: {jwt_problem}"]})
            return self.json_response(*self.problem(403, "Niet geautoriseerd.", jwt_problem))

        with self.lock:
            released = self.released
        fault = self.take_fault(method, path[len(prefix):])
        if fault and fault.get("hold"):
            released.wait(timeout=120)
        if fault and "sleep" in fault:
            time.sleep(fault["sleep"])
        if fault and "status" in fault:
            status, body = self.problem(fault["status"], fault.get("title", "Fout."), fault.get("detail", "injected fault"))
        else:
            body_json = json.loads(request.get_data()) if request.get_data() else None
            if documenten:
                with self.lock:
                    status, body = self.documenten.handle(method, path, request.args.to_dict(), body_json)
            else:
                status, body = self.handle(method, path, request.args.to_dict(), body_json)
        headers = {"API-version": "1.4.2" if documenten else "1.5.1"}
        if not documenten and path[len(PREFIX):].startswith("/zaken"):
            headers["Content-Crs"] = CRS
        response = self.json_response(status, body, headers)

        checked = openapi.unmarshal_response(openapi_request, WerkzeugOpenAPIResponse(response))
        if checked.errors:
            with self.lock:
                self.errors.append({"response": f"{method} {path} -> {status}",
                                    "errors": [describe(e) for e in checked.errors]})
        return response


def describe(error):
    """The validation error with the schema errors under it, as one line."""
    text = f"{type(error).__name__}: {error}"
    cause = error.__cause__
    details = getattr(cause, "schema_errors", None) or getattr(error, "schema_errors", None)
    if details:
        text += " (" + "; ".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in details) + ")"
    elif cause is not None:
        text += f" ({cause})"
    return text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--end-statustype", required=True)
    parser.add_argument("--documenten-spec", help="also play the Documenten API with this document")
    args = parser.parse_args()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(args.spec) as f:
        spec = yaml.load(f, Loader=loader)
    documenten_spec = None
    if args.documenten_spec:
        with open(args.documenten_spec) as f:
            documenten_spec = yaml.load(f, Loader=loader)
    server = make_server("127.0.0.1", 0, None, server_class=ThreadingServer, handler_class=Quiet)
    base = f"http://127.0.0.1:{server.server_port}"
    # Requests are matched against the servers list: serve the document at our own address.
    spec["servers"] = [{"url": base + PREFIX}]
    if documenten_spec:
        documenten_spec["servers"] = [{"url": base + mock_documenten.PREFIX}]
    api = ZakenApi(spec, args.secret, args.end_statustype, documenten_spec)
    api.base = base
    api.documenten.base = base
    server.set_app(api)
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
