//! MPEG program stream muxer.

use crate::registry::MuxerInfo;

/// The muxer entry.
pub fn muxer() -> MuxerInfo {
    todo!()
}
