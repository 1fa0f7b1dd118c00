"""Sets up, through a running `lgsp serve`, what a gateway call needs: an operator client (by the CLI),
two agencies, a provider system with a published service on a given upstream, a consumer system with
an approved grant. Used by the gateway memory check and benchmark."""
import json
import requests

OPENAPI = {"openapi": "3.1.0", "info": {"title": "Dịch vụ đo", "version": "1.0"},
           "paths": {"/items/{id}": {"get": {"responses": {"200": {"description": "Một mục"}}}},
                     "/big": {"get": {"responses": {"200": {"description": "Nội dung lớn"}}}},
                     "/sink": {"post": {"responses": {"200": {"description": "Đã nhận"}}}}}}
COLLECTION = {"info": {"name": "Đo", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
              "item": [{"name": "Một mục", "request": {"method": "GET", "url": "{{base}}/items/1"}}]}


def token(url, client_id, secret, scope):
    answer = requests.post(url + "/sso/token", data={"grant_type": "client_credentials", "scope": scope}, auth=(client_id, secret))
    answer.raise_for_status()
    return answer.json()["access_token"]


class GatewayWorld:
    def __init__(self, server, upstream, limits=None, max_request_bytes=1 << 30, timeout_ms=300000):
        self.url = server.url
        operator = json.loads(server.run("client", "add", "--id", "gw-van-hanh", "--name", "Vận hành trục kết nối", "--type", "confidential",
                                         "--grant", "client_credentials", "--scope", "gateway.admin"))
        self.operator = token(self.url, operator["client"]["clientId"], operator["clientSecret"], "gateway.admin")
        provider_member = self.post("/api/v1/gateway/members", {"identifier": "000.00.31.H49", "name": "Sở Tư pháp tỉnh Đắk Lắk", "level": "department"})
        consumer_member = self.post("/api/v1/gateway/members", {"identifier": "000.00.32.H49", "name": "Sở Y tế tỉnh Đắk Lắk", "level": "department"})
        provider = self.post(f"/api/v1/gateway/members/{provider_member['id']}/systems", {"code": "do-cung-cap", "name": "Hệ thống cung cấp", "kind": "information-system"})
        consumer = self.post(f"/api/v1/gateway/members/{consumer_member['id']}/systems", {"code": "do-su-dung", "name": "Hệ thống sử dụng", "kind": "information-system"})
        service = self.post("/api/v1/gateway/services", {
            "systemId": provider["id"], "code": "do", "version": "v1", "name": "Dịch vụ đo", "upstreams": {"production": upstream},
            "timeoutMs": timeout_ms, "maxRequestBytes": max_request_bytes,
            "documentation": {"authentication": "Không", "contentType": "application/json",
                              "operations": [{"method": "GET", "path": "/items/{id}", "summary": "Một mục"}]},
            "contact": {"name": "Người đo", "email": "do@daklak.gov.vn"},
            "securityCommitment": {"signedBy": "Giám đốc", "signedAt": "2026-11-01"}})
        self.service = service["id"]
        self.put(f"/api/v1/gateway/services/{self.service}/openapi", OPENAPI)
        self.put(f"/api/v1/gateway/services/{self.service}/test-collection", COLLECTION)
        self.post(f"/api/v1/gateway/services/{self.service}/publish", None, expect=200)
        credentials = self.post(f"/api/v1/gateway/systems/{consumer['id']}/credentials/production", None, expect=200)
        self.consumer_id, self.consumer_secret = credentials["clientId"], credentials["clientSecret"]
        self.consumer = token(self.url, self.consumer_id, self.consumer_secret, "gateway.call")
        request = self.post("/api/v1/gateway/access-requests", {
            "serviceId": self.service, "environment": "production", "purpose": "Đo hiệu năng trục kết nối", "scopeOfUse": "Kiểm thử tải",
            "contact": {"name": "Người đo", "email": "do@daklak.gov.vn"}}, bearer=self.consumer)
        self.grant = self.post(f"/api/v1/gateway/access-requests/{request['id']}/approve", limits or {}, expect=200)["grant"]
        self.call = self.url + "/gw/do/v1"

    def refresh(self):
        """A fresh consumer token (they last 5 minutes)."""
        self.consumer = token(self.url, self.consumer_id, self.consumer_secret, "gateway.call")
        return self.consumer

    def post(self, path, body, expect=201, bearer=None):
        answer = requests.post(self.url + path, json=body, headers={"Authorization": f"Bearer {bearer or self.operator}"})
        assert answer.status_code == expect, (path, answer.status_code, answer.text)
        return answer.json()

    def put(self, path, body):
        answer = requests.put(self.url + path, json=body, headers={"Authorization": f"Bearer {self.operator}"})
        assert answer.status_code == 200, (path, answer.status_code, answer.text)
        return answer.json()
