// A small typed client for the selfserve API, written against the types that
// openapi-typescript generates from openapi/openapi.json (into
// contract/.generated/api.d.ts). contract/run.sh compiles it with
// `tsc --strict`: when the contract changes a path, a field or a status this
// client relies on, the compile fails. contract/ts/smoke.mjs runs it against
// the live server.

import type { components, paths } from "../.generated/api";

// ---- types taken from the contract ------------------------------------------

/** The JSON body of a response object, as openapi-typescript models it. */
type JsonBody<R> = R extends { content: { "application/json": infer B } } ? B : never;
/** The JSON request body of an operation. */
type RequestJson<Op> = Op extends { requestBody: { content: { "application/json": infer B } } } ? B : never;

/** RFC 9457 problem document; `code` is the stable, machine-readable part. */
export type Problem = components["schemas"]["Problem"];

type MeOp = paths["/v1/me"]["get"];
type ListProductsOp = paths["/v1/products"]["get"];
type CreatePaymentMethodOp = paths["/v1/payment-methods"]["post"];

export type Me = JsonBody<MeOp["responses"][200]>;
export type ProductPage = JsonBody<ListProductsOp["responses"][200]>;
export type Product = ProductPage["data"][number];
export type ProductQuery = NonNullable<ListProductsOp["parameters"]["query"]>;
export type NewPaymentMethod = RequestJson<CreatePaymentMethodOp>;
export type PaymentMethod = JsonBody<CreatePaymentMethodOp["responses"][201]>;

/** Every error this client can surface comes from the contract's problem responses. */
type ProblemStatus = Exclude<keyof CreatePaymentMethodOp["responses"], 201>;
const _problemStatusesAreDocumented: ProblemStatus[] = [400, 401, 409, 413, 415, 422, 500, 503];
void _problemStatusesAreDocumented;

// ---- results ----------------------------------------------------------------

export type Result<T> =
  | { readonly ok: true; readonly status: number; readonly data: T; readonly headers: Headers }
  | { readonly ok: false; readonly status: number; readonly problem: Problem; readonly headers: Headers };

export function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v["type"] === "string" &&
    typeof v["title"] === "string" &&
    typeof v["status"] === "number" &&
    typeof v["detail"] === "string" &&
    typeof v["code"] === "string"
  );
}

// ---- the client -------------------------------------------------------------

export interface ClientOptions {
  /** Origin of the service, e.g. `http://127.0.0.1:8080` (no trailing slash needed). */
  readonly baseUrl: string;
  /** A bearer JWT (`selfserve token` mints one locally). */
  readonly token: string;
  /** Injectable for tests; defaults to the global `fetch`. */
  readonly fetch?: typeof fetch;
}

type Query = Readonly<Record<string, string | number | boolean | null | undefined>>;

interface RequestSpec {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly path: string;
  readonly query?: Query;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
}

export class SelfserveClient {
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;

  constructor(options: ClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#token = options.token;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** GET /v1/me: the caller, their organisation and roles. */
  me(): Promise<Result<Me>> {
    return this.#request<Me>({ method: "GET", path: "/v1/me" });
  }

  /** GET /v1/products: one page of the catalog with this organisation's policy. */
  listProducts(query: ProductQuery = {}): Promise<Result<ProductPage>> {
    return this.#request<ProductPage>({ method: "GET", path: "/v1/products", query });
  }

  /** POST /v1/payment-methods: adds a card; send an Idempotency-Key to make retries safe. */
  createPaymentMethod(body: NewPaymentMethod, idempotencyKey?: string): Promise<Result<PaymentMethod>> {
    const spec: RequestSpec =
      idempotencyKey === undefined
        ? { method: "POST", path: "/v1/payment-methods", body }
        : { method: "POST", path: "/v1/payment-methods", body, idempotencyKey };
    return this.#request<PaymentMethod>(spec);
  }

  async #request<T>(spec: RequestSpec): Promise<Result<T>> {
    const url = new URL(this.#baseUrl + spec.path);
    for (const [name, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    const headers = new Headers({
      Accept: "application/json, application/problem+json",
      Authorization: `Bearer ${this.#token}`,
    });
    if (spec.idempotencyKey !== undefined) headers.set("Idempotency-Key", spec.idempotencyKey);
    const init: RequestInit = { method: spec.method, headers };
    if (spec.body !== undefined) {
      headers.set("Content-Type", "application/json");
      init.body = JSON.stringify(spec.body);
    }

    const response = await this.#fetch(url, init);
    const text = await response.text();
    const parsed: unknown = text === "" ? null : safeJson(text);
    if (response.ok) {
      return { ok: true, status: response.status, data: parsed as T, headers: response.headers };
    }
    const problem: Problem = isProblem(parsed)
      ? parsed
      : {
          type: "about:blank",
          title: response.statusText || "Unexpected response",
          status: response.status,
          detail: text.slice(0, 200),
          code: "unexpected_response",
        };
    return { ok: false, status: response.status, problem, headers: response.headers };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
