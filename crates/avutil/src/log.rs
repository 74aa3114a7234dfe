//! Log levels with FFmpeg's names and numbers (cf. `av_log_set_level`).
//!
//! Libraries log through the `log` crate only; the tools parse `-v LEVEL`
//! with [`LogLevel::parse`] and install a logger filtered at
//! [`LogLevel::to_filter`].

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// FFmpeg's log levels (cf. `AV_LOG_*`), ordered from silent to most verbose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum LogLevel {
    /// Print nothing (-8).
    Quiet,
    /// Only unrecoverable crashes (0).
    Panic,
    /// Unrecoverable errors (8).
    Fatal,
    /// Errors (16).
    Error,
    /// Warnings (24).
    Warning,
    /// Informational messages (32), the default.
    #[default]
    Info,
    /// Detailed information (40).
    Verbose,
    /// Debugging (48).
    Debug,
    /// Extremely verbose (56).
    Trace,
}

const LEVELS: [(LogLevel, &str, i32); 9] = [
    (LogLevel::Quiet, "quiet", -8),
    (LogLevel::Panic, "panic", 0),
    (LogLevel::Fatal, "fatal", 8),
    (LogLevel::Error, "error", 16),
    (LogLevel::Warning, "warning", 24),
    (LogLevel::Info, "info", 32),
    (LogLevel::Verbose, "verbose", 40),
    (LogLevel::Debug, "debug", 48),
    (LogLevel::Trace, "trace", 56),
];

impl LogLevel {
    /// FFmpeg's name.
    pub fn name(self) -> &'static str {
        LEVELS.iter().find(|l| l.0 == self).map_or("info", |l| l.1)
    }

    /// FFmpeg's number.
    pub fn value(self) -> i32 {
        LEVELS.iter().find(|l| l.0 == self).map_or(32, |l| l.2)
    }

    /// Parses `-loglevel` syntax: a name or a number, optionally preceded by
    /// flags (`repeat+level+info`; flags are accepted and ignored). A number
    /// maps to the most verbose level not above it.
    pub fn parse(text: &str) -> Result<LogLevel> {
        let bad = || Error::InvalidLogLevel {
            text: text.to_owned(),
        };
        let mut last = text;
        for part in text.split('+') {
            let p = part.trim_start_matches('-');
            if matches!(p, "repeat" | "level" | "") {
                continue;
            }
            last = part;
        }
        if let Some(&(l, _, _)) = LEVELS.iter().find(|l| l.1 == last) {
            return Ok(l);
        }
        let n: i32 = last.parse().map_err(|_| bad())?;
        Ok(LEVELS
            .iter()
            .rev()
            .find(|l| l.2 <= n)
            .map_or(LogLevel::Quiet, |l| l.0))
    }

    /// The `log` crate filter for this level.
    pub fn to_filter(self) -> log::LevelFilter {
        match self {
            LogLevel::Quiet => log::LevelFilter::Off,
            LogLevel::Panic | LogLevel::Fatal | LogLevel::Error => log::LevelFilter::Error,
            LogLevel::Warning => log::LevelFilter::Warn,
            LogLevel::Info => log::LevelFilter::Info,
            LogLevel::Verbose | LogLevel::Debug => log::LevelFilter::Debug,
            LogLevel::Trace => log::LevelFilter::Trace,
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for LogLevel {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        LogLevel::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names_numbers_and_flags() {
        assert_eq!(LogLevel::parse("error").unwrap(), LogLevel::Error);
        assert_eq!(
            LogLevel::parse("repeat+level+warning").unwrap(),
            LogLevel::Warning
        );
        assert_eq!(LogLevel::parse("32").unwrap(), LogLevel::Info);
        assert_eq!(LogLevel::parse("33").unwrap(), LogLevel::Info);
        assert_eq!(LogLevel::parse("-8").unwrap(), LogLevel::Quiet);
        assert_eq!(LogLevel::parse("-100").unwrap(), LogLevel::Quiet);
        assert_eq!(
            LogLevel::parse("quiet").unwrap().to_filter(),
            log::LevelFilter::Off
        );
        assert_eq!(
            LogLevel::parse("loud").unwrap_err().to_string(),
            "invalid log level 'loud'"
        );
        assert!(LogLevel::Debug > LogLevel::Info);
        assert_eq!(LogLevel::Verbose.value(), 40);
    }
}
