//! Observability: what the loop reports about itself.
//!
//! Placeholder until the observe seam (issue 9, branch `observe`) lands:
//! it owns this file and calls the timeline recorder from the loop.

#[cfg(feature = "timeline")]
#[allow(dead_code)] // Wired into the loop by the observe seam.
pub(crate) mod timeline;
