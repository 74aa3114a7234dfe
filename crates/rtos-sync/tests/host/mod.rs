//! HostPort scenarios.
