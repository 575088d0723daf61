//! The definition language: YAML files under `workflows/` describing organisations, their
//! wheel (årshjul) and their plans, parsed with positions, validated with every problem
//! reported at once, and turned into the checked [`Model`].
//!
//! Flow: bytes → [`yaml::Node`] tree (located) → typed [`model`] values, collecting
//! [`Diagnostic`]s on the way. Only [`load_dir`] touches the disk.

pub mod diag;
mod load;
pub mod model;
pub mod period;
pub mod yaml;

pub use diag::{Diagnostic, Lang, Pos};
pub use load::{KINDS, is_valid_id, load_dir, load_sources, slug};
pub use model::Model;
