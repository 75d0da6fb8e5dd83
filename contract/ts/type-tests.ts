// Compile-time checks that the generated types carry the contract's promises
// (PRODUCT.md §3 and §5). Nothing here runs; `tsc --noEmit --strict` is the test.

import type { Me, NewPaymentMethod, PaymentMethod, Problem, Product } from "./client";

const card: NewPaymentMethod = {
  card: { number: "4242 4242 4242 4242", exp_month: 12, exp_year: 2030, cvc: "123", holder_name: "Ada Lovelace" },
  billing_address: { line1: "1 Main St", city: "Springfield", postal_code: "12345", country: "US" },
};

const withUnknownField: NewPaymentMethod = {
  ...card,
  // @ts-expect-error request bodies reject unknown fields (additionalProperties: false)
  owner_id: "someone-else",
};

// @ts-expect-error the card number is write-only: a stored payment method never has it
const leaked: PaymentMethod["number"] = "4242";

// Money is integer minor units plus a currency, never a float string.
const monthly: Product["unit_prices"]["monthly"] = { amount: 1250, currency: "USD" };

// Problem documents always carry a stable code.
const code: Problem["code"] = "not_found";

// GET /v1/me names the user, organisation and roles.
const who: [Me["user"]["id"], Me["organization_id"], Me["roles"]] = ["u", "o", ["admin"]];

export const typeTests = [card, withUnknownField, leaked, monthly, code, who] as const;
