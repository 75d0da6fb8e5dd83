//! Start-up of the `selfserve` binary, in the order it happens: the command
//! chosen on the command line (`commands`), configuration turned into the
//! verifier, database, catalog and application state (`runtime`, with
//! `secrets` and `catalog_file`), the actix application (`app`: routes,
//! middleware order) and the servers around it (`server`).
//!
//! Dependencies point one way: start-up knows every other module, and none
//! of them knows start-up except through `state` (what handlers and use
//! cases are given).

pub mod app;
pub mod catalog_file;
pub mod commands;
pub mod runtime;
pub mod secrets;
pub mod server;
pub mod state;
pub mod worker;
