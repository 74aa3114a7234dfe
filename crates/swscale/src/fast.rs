//! Fast paths (filled in below).
use crate::flags::ScaleFlags;
use crate::generic::Colors;
use crate::{Planes, Side, SrcPlanes};

#[derive(Debug)]
pub(crate) struct Fast {}

impl Fast {
    pub(crate) fn new(_s: &Side, _d: &Side, _f: &ScaleFlags, _sit: [(i64, i64); 2], _threads: usize) -> Option<Fast> {
        None
    }
    pub(crate) fn name(&self) -> &'static str {
        "fast"
    }
    pub(crate) fn run<P: Planes>(&mut self, _sp: &SrcPlanes<'_>, _dst: &mut P, _c: &Colors, _pool: Option<&rayon::ThreadPool>) -> bool {
        false
    }
}
