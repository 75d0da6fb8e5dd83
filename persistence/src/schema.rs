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
        profile_iat -> Nullable<BigInt>,
        is_admin -> Bool,
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
        actor_id -> Nullable<Text>,
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
        expiry_notified -> Nullable<Text>,
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
        invoice_language -> Text,
        tax_id -> Nullable<Text>,
        proration_behavior -> Text,
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

diesel::table! {
    subscriptions (id) {
        id -> Text,
        organization_id -> Text,
        purchaser_id -> Text,
        product_id -> Text,
        source -> Text,
        status -> Text,
        license_count -> BigInt,
        assigned_count -> BigInt,
        currency -> Text,
        billing_frequency -> Nullable<Text>,
        unit_price -> Nullable<BigInt>,
        current_period_start -> Nullable<Date>,
        current_period_end -> Nullable<Date>,
        period_anchor_day -> Nullable<Integer>,
        trial_ends_on -> Nullable<Date>,
        purchased_on -> Nullable<Date>,
        auto_renew -> Bool,
        billing_profile_id -> Nullable<Text>,
        payment_method_id -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        cancel_feedback -> Nullable<Text>,
        canceled_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        cancel_at -> Nullable<Date>,
        seat_threshold -> Integer,
    }
}

diesel::table! {
    license_assignments (subscription_id, user_id) {
        subscription_id -> Text,
        user_id -> Text,
        organization_id -> Text,
        assigned_by -> Text,
        assigned_at -> Timestamp,
        state -> Text,
    }
}

diesel::table! {
    invoices (id) {
        id -> Text,
        organization_id -> Text,
        owner_id -> Text,
        number -> BigInt,
        billing_profile_id -> Text,
        subscription_id -> Text,
        reason -> Text,
        issued_at -> Timestamp,
        issue_date -> Date,
        due_date -> Date,
        period_start -> Date,
        period_end -> Date,
        status -> Text,
        currency -> Text,
        subtotal -> BigInt,
        tax -> BigInt,
        total -> BigInt,
        bill_to -> Text,
        renewal_key -> Nullable<Text>,
    }
}

diesel::table! {
    invoice_lines (invoice_id, position) {
        invoice_id -> Text,
        position -> Integer,
        kind -> Text,
        description -> Text,
        subscription_id -> Text,
        quantity -> BigInt,
        unit_amount -> BigInt,
        amount -> BigInt,
        period_start -> Date,
        period_end -> Date,
    }
}

diesel::table! {
    pending_credits (id) {
        id -> Text,
        subscription_id -> Text,
        kind -> Text,
        description -> Text,
        quantity -> BigInt,
        unit_amount -> BigInt,
        amount -> BigInt,
        period_start -> Date,
        period_end -> Date,
        created_at -> Timestamp,
        invoice_id -> Nullable<Text>,
    }
}

diesel::table! {
    organization_settings (organization_id) {
        organization_id -> Text,
        default_policy -> Text,
        license_requests -> Text,
        license_request_url -> Nullable<Text>,
        spend_cap_amount -> Nullable<BigInt>,
        spend_cap_currency -> Nullable<Text>,
        version -> BigInt,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    license_requests (id) {
        id -> Text,
        organization_id -> Text,
        requester_id -> Text,
        product_id -> Text,
        status -> Text,
        message -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_subscription_id -> Nullable<Text>,
        decision_message -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    license_request_users (request_id, user_id) {
        request_id -> Text,
        user_id -> Text,
        position -> Integer,
        outcome -> Text,
    }
}

diesel::table! {
    quotes (id) {
        id -> Text,
        organization_id -> Text,
        subscription_id -> Text,
        subscription_version -> BigInt,
        license_count -> BigInt,
        amount -> BigInt,
        currency -> Text,
        priced_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        organization_id -> Text,
        #[sql_name = "type"]
        event_type -> Text,
        created_at -> Timestamp,
        data -> Text,
        dispatched_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        organization_id -> Text,
        recipient_id -> Text,
        event_id -> Text,
        event_type -> Text,
        title -> Text,
        summary -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        organization_id -> Text,
        url -> Text,
        description -> Nullable<Text>,
        events -> Text,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Timestamp>,
        failing_since -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    deliveries (id) {
        id -> Text,
        organization_id -> Text,
        event_id -> Text,
        channel -> Text,
        endpoint_id -> Nullable<Text>,
        recipient -> Nullable<Text>,
        notification_id -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_owner -> Nullable<Text>,
        leased_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    delivery_attempts (id) {
        id -> Text,
        delivery_id -> Text,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        duration_ms -> BigInt,
        succeeded -> Bool,
        error -> Nullable<Text>,
    }
}

diesel::joinable!(license_assignments -> users (user_id));
diesel::joinable!(deliveries -> events (event_id));
diesel::joinable!(deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(delivery_attempts -> deliveries (delivery_id));
diesel::joinable!(license_assignments -> subscriptions (subscription_id));
diesel::joinable!(invoice_lines -> invoices (invoice_id));
diesel::joinable!(license_request_users -> license_requests (request_id));

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    users,
    self_service_policies,
    audit_events,
    billing_accounts,
    billing_profiles,
    payment_methods,
    idempotency_keys,
    subscriptions,
    license_assignments,
    invoices,
    invoice_lines,
    pending_credits,
    organization_settings,
    license_requests,
    license_request_users,
    quotes,
    events,
    notifications,
    webhook_endpoints,
    deliveries,
    delivery_attempts,
);
