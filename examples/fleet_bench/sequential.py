#!/usr/bin/env python3
"""The documented purchase flow, one call after another: what a partner writes in PowerShell.

Used by `examples/fleet_bench.rs` as the baseline reservoir is compared with, on the same
sandbox world. For every customer of the manifest (JSON on stdin: a list of
{"id", "subscriptions": [{"id", "sku", "region", "term", "scope", "quantity"}]}):

  GET customer (country) -> GET subscriptions -> GET registration status of each subscription ->
  GET products of the reservation view -> GET SKUs of each product until the SKU is found ->
  GET availabilities of the SKU -> check inventory when the SKU asks for it -> POST cart ->
  POST checkout.

429 answers are waited out (Retry-After) and retried, as the documentation advises. Prints one
JSON line: {"calls", "throttled", "wall_secs", "orders"}.

Usage: sequential.py ENDPOINT TENANT CLIENT_ID CLIENT_SECRET REFRESH_TOKEN < customers.json
"""

import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

STATS = {"calls": 0, "throttled": 0}


def call(method, url, token=None, body=None, form=None):
    while True:
        headers = {"Accept": "application/json"}
        data = None
        if token:
            headers["Authorization"] = "Bearer " + token
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        STATS["calls"] += 1
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                text = resp.read().decode("utf-8-sig")
                return json.loads(text) if text.strip() else {}
        except urllib.error.HTTPError as e:
            if e.code == 429:
                STATS["throttled"] += 1
                time.sleep(float(e.headers.get("Retry-After") or "1"))
                continue
            raise RuntimeError(f"{method} {url}: HTTP {e.code} {e.read()[:300]!r}") from None


def main():
    base, tenant, client_id, secret, refresh = sys.argv[1:6]
    base = base.rstrip("/")
    customers = json.load(sys.stdin)
    started = time.monotonic()
    token = call(
        "POST",
        f"{base}/{tenant}/oauth2/token",
        form={
            "grant_type": "refresh_token",
            "client_id": client_id,
            "client_secret": secret,
            "refresh_token": refresh,
            "resource": "https://api.partnercenter.microsoft.com",
            "scope": "openid",
        },
    )["access_token"]
    api = base + "/v1"
    orders = 0
    for c in customers:
        cid = c["id"]
        customer = call("GET", f"{api}/customers/{cid}", token)
        country = customer["billingProfile"]["defaultAddress"]["country"]
        call("GET", f"{api}/customers/{cid}/subscriptions", token)
        for s in c["subscriptions"]:
            call("GET", f"{api}/customers/{cid}/subscriptions/{s['id']}/registrationstatus", token)
        q = urllib.parse.urlencode(
            {"country": country, "targetView": "AzureReservationsVM", "reservationScope": "AzurePlan"}
        )
        products = call("GET", f"{api}/products?{q}", token).get("items", [])
        lines = []
        for s in c["subscriptions"]:
            want = (s["sku"].lower(), s["region"].lower(), s["term"])
            found = None
            for p in products:
                q = urllib.parse.urlencode({"country": country, "reservationScope": "AzurePlan"})
                for sku in call("GET", f"{api}/products/{p['id']}/skus?{q}", token).get("items", []):
                    d = sku.get("dynamicAttributes") or {}
                    term = {"1Year": "P1Y", "3Years": "P3Y"}.get(d.get("duration"), "")
                    if (str(d.get("armSkuName", "")).lower(), str(d.get("armRegionName", "")).lower(), term) == want:
                        found = (p["id"], sku)
                        break
                if found:
                    break
            if not found:
                raise RuntimeError(f"{cid}: no SKU for {want}")
            pid, sku = found
            av = call("GET", f"{api}/products/{pid}/skus/{sku['id']}/availabilities?{q}", token)
            items = [a for a in av.get("items", []) if a.get("segment", "commercial").lower() == "commercial"]
            catalog_item = items[0]["catalogItemId"]
            if "InventoryCheck" in (sku.get("purchasePrerequisites") or []):
                call(
                    "POST",
                    f"{api}/extensions/product/checkinventory?country={country}",
                    token,
                    body={
                        "targetItems": [{"id": pid, "skuId": sku["id"]}],
                        "inventoryContext": {
                            "customerId": cid,
                            "azureSubscriptionId": s["id"],
                            "armRegionName": s["region"],
                        },
                    },
                )
            lines.append(
                {
                    "id": len(lines),
                    "catalogItemId": catalog_item,
                    "quantity": s["quantity"],
                    "billingCycle": "one_time",
                    "termDuration": s["term"],
                    "provisioningContext": {
                        "subscriptionId": s["id"],
                        "scope": s["scope"],
                        "duration": {"P1Y": "1Year", "P3Y": "3Years"}[s["term"]],
                    },
                }
            )
        cart = call("POST", f"{api}/customers/{cid}/carts", token, body={"lineItems": lines})
        call("POST", f"{api}/customers/{cid}/carts/{cart['id']}/checkout", token, body={})
        orders += 1
    print(
        json.dumps(
            {
                "calls": STATS["calls"],
                "throttled": STATS["throttled"],
                "wall_secs": time.monotonic() - started,
                "orders": orders,
            }
        )
    )


if __name__ == "__main__":
    main()
