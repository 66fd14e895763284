//! Shotkeeper core: every behaviour of the product lives here, once.
//! Front ends (the `shotkeeper` CLI, the Tauri desktop shell) only parse,
//! call into this crate, and present.

pub mod error;
pub mod html;
pub mod http;
pub mod imaging;
pub mod matching;
pub mod model;
pub mod providers;
pub mod storage;

pub use error::{CoreError, Result};
