//! Integration tests of avutil: property tests against big-integer references.

mod rescale_props;
