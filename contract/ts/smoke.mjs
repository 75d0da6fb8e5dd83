// Runs the compiled typed client (contract/ts/client.ts, emitted by run.sh into
// contract/.generated/ts-out/) against the live server that run.sh started.
// Env: CONTRACT_BASE_URL, CONTRACT_TOKEN (a member's token).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { SelfserveClient, isProblem } from "../.generated/ts-out/client.js";

const baseUrl = process.env.CONTRACT_BASE_URL;
const token = process.env.CONTRACT_TOKEN;
assert.ok(baseUrl && token, "CONTRACT_BASE_URL and CONTRACT_TOKEN are required");
const client = new SelfserveClient({ baseUrl, token });

const me = await client.me();
assert.ok(me.ok, `GET /v1/me: ${JSON.stringify(me)}`);
assert.equal(me.status, 200);
assert.match(me.data.user.id, /^[0-9a-f-]{36}$/);
console.log(`GET /v1/me -> 200 (${me.data.user.display_name}, roles ${JSON.stringify(me.data.roles)})`);

const page = await client.listProducts({ limit: 2 });
assert.ok(page.ok, `GET /v1/products: ${JSON.stringify(page)}`);
assert.equal(page.data.data.length, 2);
assert.equal(typeof page.data.next_cursor, "string");
const next = await client.listProducts({ limit: 2, cursor: page.data.next_cursor });
assert.ok(next.ok && next.data.data.length > 0, "second page of products");
assert.notEqual(next.data.data[0].id, page.data.data[0].id);
console.log(`GET /v1/products -> 200 (${page.data.data.map((p) => p.name).join(", ")}, then a second page)`);

const key = randomUUID();
const body = {
  card: { number: "5555 5555 5555 4444", exp_month: 12, exp_year: 2035, cvc: "123", holder_name: "Contract Smoke" },
  billing_address: { line1: "1 Main St", city: "Springfield", postal_code: "12345", country: "US" },
};
const created = await client.createPaymentMethod(body, key);
assert.ok(created.ok, `POST /v1/payment-methods: ${JSON.stringify(created)}`);
assert.equal(created.status, 201);
assert.equal(created.data.last4, "4444");
assert.equal(created.data.brand, "mastercard");
const echoed = JSON.stringify(created.data);
assert.ok(!echoed.includes("5555 5555") && !echoed.includes("55555555"), "the card number is never echoed");
const replay = await client.createPaymentMethod(body, key);
assert.ok(replay.ok && replay.data.id === created.data.id, "same Idempotency-Key and body replay the first response");
console.log(`POST /v1/payment-methods -> 201 (${created.data.brand} ${created.data.last4}), replayed with the same key`);

const refused = await client.listProducts({ limit: 1000 });
assert.ok(!refused.ok, "limit=1000 must be refused");
assert.equal(refused.status, 422);
assert.ok(isProblem(refused.problem));
assert.equal(refused.problem.code, "invalid_parameter");
console.log(`GET /v1/products?limit=1000 -> 422 problem ${refused.problem.code}`);
