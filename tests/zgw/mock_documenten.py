"""The Documenten API part of the ZGW mock (issue 22), served by mock_zaken.py under
/documenten/api/v1 when it is started with --documenten-spec.

Requests and answers are checked against the vendored Documenten API document
(documenten-api-1.4.2.openapi.yaml, see README.md) by mock_zaken.py, with the same JWT check,
faults and request log as the Zaken API. What is kept here: the enkelvoudiginformatieobjecten,
with the decoded content's size and SHA-256 (never the content itself) so a test can check what
arrived. Like Open Zaak, an identificatie is unique per bronorganisatie, and `bestandsomvang`
must match the content.
"""

import base64
import binascii
import datetime
import hashlib
import uuid

PREFIX = "/documenten/api/v1"


class DocumentenApi:
    def __init__(self, problem, paged):
        # The Zaken mock's problem answer and paging, so both APIs answer alike.
        self.problem = problem
        self.paged = paged
        self.base = None
        self.objecten = {}

    def url(self, kind, id_):
        return f"{self.base}{PREFIX}/{kind}/{id_}"

    def exists(self, url):
        return any(o["url"] == url for o in self.objecten.values())

    def state(self):
        return list(self.objecten.values())

    def handle(self, method, path, query, body):
        """(status, body) for a request that passed validation; the caller holds the lock."""
        parts = path[len(PREFIX):].strip("/").split("/")
        kind = parts[0]
        if kind == "enkelvoudiginformatieobjecten" and method == "GET" and len(parts) == 1:
            found = [self.public(o) for o in self.objecten.values()
                     if all(o.get(k) == query[k] for k in ("identificatie", "bronorganisatie") if k in query)]
            return 200, self.paged(path, query, found)
        if kind == "enkelvoudiginformatieobjecten" and method == "POST" and len(parts) == 1:
            ident = body.get("identificatie") or f"DOC-{uuid.uuid4().hex[:8]}"
            if any(o["identificatie"] == ident and o["bronorganisatie"] == body["bronorganisatie"]
                   for o in self.objecten.values()):
                return self.problem(400, "Invalid input.", "", [("identificatie", "Deze identificatie bestaat al.")])
            try:
                content = base64.b64decode(body.get("inhoud") or "", validate=True)
            except (binascii.Error, ValueError):
                return self.problem(400, "Invalid input.", "", [("inhoud", "Geen geldige base64.")])
            size = body.get("bestandsomvang")
            if size is not None and size != len(content):
                return self.problem(400, "Invalid input.", "",
                                    [("bestandsomvang", "De bestandsomvang komt niet overeen met de inhoud.")])
            id_ = str(uuid.uuid4())
            now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            kept = {k: v for k, v in body.items() if k != "inhoud"}
            obj = dict(kept, url=self.url("enkelvoudiginformatieobjecten", id_), identificatie=ident,
                       versie=1, beginRegistratie=now, locked=False, bestandsdelen=[],
                       bestandsomvang=len(content),
                       inhoud=self.url("enkelvoudiginformatieobjecten", id_) + "/download")
            self.objecten[id_] = obj
            # Only in the test's view of the state, never in an answer.
            answer = dict(obj)
            obj["_sha256"] = hashlib.sha256(content).hexdigest()
            return 201, answer
        return self.problem(404, "Niet gevonden.", f"{method} {path} is not served by this mock")

    def public(self, obj):
        """An object as the API shows it (without the test's own fields)."""
        return {k: v for k, v in obj.items() if not k.startswith("_")}
