//! selfserve's HTTP API: handlers, DTOs, auth, errors, the contract, and the
//! start-up of the `selfserve` binary.

pub mod auth;
pub mod cli;
pub mod config;
pub mod dto;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod idempotency;
pub mod mail;
pub mod middleware;
pub mod openapi;
pub mod outbound;
pub mod read_cache;
pub mod render;
pub mod representations;
pub mod startup;
