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
diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    users,
    self_service_policies,
    audit_events
);
