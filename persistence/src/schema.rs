//! diesel table definitions, shared by both backends (see `migrations/`).

diesel::table! {
    organizations (id) {
        id -> Text,
        next_invoice_number -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        organization_id -> Text,
        subject -> Nullable<Text>,
        display_name -> Text,
        display_name_key -> Text,
        email -> Nullable<Text>,
        email_key -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    self_service_policies (organization_id, product_id) {
        organization_id -> Text,
        product_id -> Text,
        policy -> Text,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        organization_id -> Text,
        actor_id -> Text,
        action -> Text,
        target_type -> Text,
        target_id -> Text,
        subscription_id -> Nullable<Text>,
        before_state -> Nullable<Text>,
        after_state -> Nullable<Text>,
        occurred_at -> Timestamp,
    }
}

diesel::joinable!(users -> organizations (organization_id));

diesel::table! {
    billing_accounts (id) {
        id -> Text,
        organization_id -> Text,
        owner_id -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    payment_methods (id) {
        id -> Text,
        organization_id -> Text,
        owner_id -> Text,
        brand -> Text,
        last4 -> Text,
        exp_month -> Integer,
        exp_year -> Integer,
        holder_name -> Text,
        address_line1 -> Text,
        address_line2 -> Nullable<Text>,
        address_city -> Text,
        address_postal_code -> Text,
        address_region -> Nullable<Text>,
        address_country -> Text,
        fingerprint -> Text,
        cvc_check -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    billing_profiles (id) {
        id -> Text,
        organization_id -> Text,
        billing_account_id -> Text,
        owner_id -> Text,
        name -> Text,
        bill_to_line1 -> Text,
        bill_to_line2 -> Nullable<Text>,
        bill_to_city -> Text,
        bill_to_postal_code -> Text,
        bill_to_region -> Nullable<Text>,
        bill_to_country -> Text,
        invoice_email -> Text,
        po_number -> Nullable<Text>,
        payment_method_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (owner_id, idempotency_key) {
        owner_id -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        state -> Text,
        locked_until -> Timestamp,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    users,
    self_service_policies,
    audit_events,
    billing_accounts,
    billing_profiles,
    payment_methods,
    idempotency_keys,
);
