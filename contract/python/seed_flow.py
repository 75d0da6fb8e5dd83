"""The seed flow, driven only through the client generated from openapi/openapi.json
by openapi-python-client: buy 100 licenses, change the total to 105, assign 20
members, try 21 (422), cancel with a reason, list invoices of the last 3 months.

Usage: python seed_flow.py BASE_URL ADMIN_TOKEN MEMBER_TOKEN
"""

import sys
import uuid

from selfserve_client import AuthenticatedClient
from selfserve_client.api.assignments import assign_licenses
from selfserve_client.api.billing import create_billing_profile, list_billing_accounts
from selfserve_client.api.invoices import list_invoices
from selfserve_client.api.payment_methods import create_payment_method
from selfserve_client.api.subscriptions import (
    cancel_subscription,
    create_subscription,
    get_subscription,
    update_subscription,
)
from selfserve_client.api.users import create_user
from selfserve_client.models import (
    AddressDto,
    CancelReasonDto,
    CancelRequest,
    CardInput,
    CreateBillingProfileRequest,
    CreatePaymentMethodRequest,
    PurchaseRequest,
    CreateUserRequest,
    FrequencyDto,
    ListInvoicesPeriod,
    UpdateSubscriptionRequest,
    UserBatchRequest,
)

CRM = uuid.UUID("6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01")


def expect(response, status, what):
    if response.status_code != status:
        raise SystemExit(f"{what}: expected {status}, got {response.status_code}: {response.content[:400]!r}")
    return response.parsed


def main(base, admin_token, member_token):
    admin = AuthenticatedClient(base_url=base, token=admin_token, raise_on_unexpected_status=False)
    member = AuthenticatedClient(base_url=base, token=member_token, raise_on_unexpected_status=False)
    address = AddressDto(line1="1 Main St", city="Springfield", postal_code="12345", country="US")

    card = expect(
        create_payment_method.sync_detailed(
            client=member,
            body=CreatePaymentMethodRequest(
                card=CardInput(number="4242 4242 4242 4242", exp_month=12, exp_year=2035, cvc="123", holder_name="Seed Flow"),
                billing_address=address,
            ),
            idempotency_key=str(uuid.uuid4()),
        ),
        201,
        "add a card",
    )
    account = expect(list_billing_accounts.sync_detailed(client=member), 200, "billing account").data[0]
    profile = expect(
        create_billing_profile.sync_detailed(
            account.id,
            client=member,
            body=CreateBillingProfileRequest(name="Seed", bill_to=address, invoice_email="ap@example.com", payment_method_id=card.id),
        ),
        201,
        "billing profile",
    )

    sub = expect(
        create_subscription.sync_detailed(
            client=member,
            body=PurchaseRequest(
                product_id=CRM,
                license_count=100,
                billing_frequency=FrequencyDto.MONTHLY,
                billing_profile_id=profile.id,
                payment_method_id=card.id,
            ),
            idempotency_key=str(uuid.uuid4()),
        ),
        201,
        "buy 100 licenses",
    )
    assert sub.license_count == 100 and sub.status.value == "active", sub

    read = get_subscription.sync_detailed(sub.id, client=member)
    etag = read.headers["etag"]
    changed = expect(
        update_subscription.sync_detailed(sub.id, client=member, body=UpdateSubscriptionRequest(license_count=105), if_match=etag),
        200,
        "change the total to 105",
    )
    assert changed.license_count == 105, changed

    people = []
    for i in range(21):
        user = expect(
            create_user.sync_detailed(
                client=admin,
                body=CreateUserRequest(display_name=f"Seed Member {i}", email=f"seed{i}-{uuid.uuid4().hex[:8]}@example.com"),
            ),
            201,
            "add a member",
        )
        people.append(user.id)

    assigned = expect(assign_licenses.sync_detailed(sub.id, client=member, body=UserBatchRequest(user_ids=people[:20])), 200, "assign 20")
    assert len(assigned.assigned) == 20 and assigned.assigned_count == 20, assigned
    too_many = expect(assign_licenses.sync_detailed(sub.id, client=member, body=UserBatchRequest(user_ids=people)), 422, "assign 21")
    assert too_many.code == "too_many_users", too_many

    canceled = expect(
        cancel_subscription.sync_detailed(sub.id, client=member, body=CancelRequest(reason=CancelReasonDto.TOO_EXPENSIVE, feedback="seed flow")),
        200,
        "cancel",
    )
    assert canceled.status.value == "canceled" and canceled.assigned_count == 0, canceled

    invoices = expect(list_invoices.sync_detailed(client=member, period=ListInvoicesPeriod.LAST_3_MONTHS), 200, "invoices").data
    kinds = sorted(line.kind for invoice in invoices for line in invoice.lines)
    assert kinds == ["cancellation_credit", "prorated_increase", "purchase"], kinds
    for invoice in invoices:
        assert sum(line.amount.amount for line in invoice.lines) == invoice.subtotal.amount, invoice
        assert invoice.subtotal.amount + invoice.tax.amount == invoice.total.amount, invoice
    print(f"seed flow: 7 steps passed, 0 failed ({len(invoices)} invoices)")


if __name__ == "__main__":
    main(*sys.argv[1:4])
