//! Ordered string metadata with FFmpeg's matching rules (cf. `AVDictionary`).
//!
//! Keys match case-insensitively (ASCII) unless [`DictFlags::MATCH_CASE`]
//! is given. Entries keep insertion order, with FFmpeg's one twist, kept so
//! that metadata prints in the same order as FFmpeg's: replacing an
//! existing key moves the *last* entry into the replaced slot and appends the
//! new value at the end.

use std::ops::BitOr;

/// Flags of [`Dictionary::get_with`] and [`Dictionary::set_with`] (cf. `AV_DICT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct DictFlags(u32);

impl DictFlags {
    /// No flags.
    pub const NONE: DictFlags = DictFlags(0);
    /// Keys match case-sensitively (`AV_DICT_MATCH_CASE`).
    pub const MATCH_CASE: DictFlags = DictFlags(1);
    /// The looked-up key is a prefix of the entry key (`AV_DICT_IGNORE_SUFFIX`);
    /// an empty prefix matches every entry.
    pub const IGNORE_SUFFIX: DictFlags = DictFlags(2);
    /// Keep an existing value (`AV_DICT_DONT_OVERWRITE`).
    pub const DONT_OVERWRITE: DictFlags = DictFlags(16);
    /// Append to an existing value (`AV_DICT_APPEND`).
    pub const APPEND: DictFlags = DictFlags(32);
    /// Allow several entries with the same key (`AV_DICT_MULTIKEY`).
    pub const MULTIKEY: DictFlags = DictFlags(64);

    /// True when every flag of `other` is set in `self`.
    pub const fn contains(self, other: DictFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for DictFlags {
    type Output = DictFlags;
    fn bitor(self, rhs: DictFlags) -> DictFlags {
        DictFlags(self.0 | rhs.0)
    }
}

/// Ordered key/value metadata (cf. `AVDictionary`).
///
/// ```
/// use avutil::{Dictionary, DictFlags};
/// let mut d = Dictionary::new();
/// d.set("Title", "Big Buck Bunny");
/// d.set("artist", "Blender");
/// assert_eq!(d.get("TITLE"), Some("Big Buck Bunny"));
/// d.set_with("artist", Some(" Foundation"), DictFlags::APPEND);
/// assert_eq!(d.get("artist"), Some("Blender Foundation"));
/// d.remove("title");
/// assert_eq!(d.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dictionary {
    entries: Vec<(String, String)>,
}

impl Dictionary {
    /// An empty dictionary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn matches(entry: &str, key: &str, flags: DictFlags) -> bool {
        let prefix = flags.contains(DictFlags::IGNORE_SUFFIX);
        if entry.len() < key.len() || (!prefix && entry.len() != key.len()) {
            return false;
        }
        let head = &entry.as_bytes()[..key.len()];
        if flags.contains(DictFlags::MATCH_CASE) {
            head == key.as_bytes()
        } else {
            head.eq_ignore_ascii_case(key.as_bytes())
        }
    }

    /// The value of `key`, matched case-insensitively (cf. `av_dict_get`).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.get_with(key, DictFlags::NONE, None).map(|(_, _, v)| v)
    }

    /// The first entry matching `key` under `flags` after index `after`
    /// (`None` to start from the beginning): `(index, key, value)`. Iterate
    /// over all matches by passing the previous index back.
    pub fn get_with(
        &self,
        key: &str,
        flags: DictFlags,
        after: Option<usize>,
    ) -> Option<(usize, &str, &str)> {
        let start = after.map_or(0, |i| i + 1);
        self.entries
            .iter()
            .enumerate()
            .skip(start)
            .find(|(_, (k, _))| Self::matches(k, key, flags))
            .map(|(i, (k, v))| (i, k.as_str(), v.as_str()))
    }

    /// Sets `key` to `value`, replacing an existing entry (cf. `av_dict_set`).
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let value = value.into();
        self.set_with(key, Some(value.as_str()), DictFlags::NONE);
    }

    /// Sets, appends to, or (with `value == None`) deletes `key`, as `av_dict_set` does with `flags`.
    pub fn set_with(&mut self, key: impl Into<String>, value: Option<&str>, flags: DictFlags) {
        let key = key.into();
        let existing = if flags.contains(DictFlags::MULTIKEY) {
            None
        } else {
            self.get_with(&key, flags, None).map(|(i, _, _)| i)
        };
        let mut new_value = value.map(str::to_owned);
        if let Some(i) = existing {
            if flags.contains(DictFlags::DONT_OVERWRITE) {
                return;
            }
            if let (Some(v), true) = (new_value.as_mut(), flags.contains(DictFlags::APPEND)) {
                *v = format!("{}{}", self.entries[i].1, v);
            }
            self.entries.swap_remove(i);
        }
        if let Some(v) = new_value {
            self.entries.push((key, v));
        }
    }

    /// Removes the first entry matching `key` (case-insensitively).
    pub fn remove(&mut self, key: &str) {
        self.set_with(key, None, DictFlags::NONE);
    }

    /// Copies every entry of `other` into `self` with `flags` (cf. `av_dict_copy`).
    pub fn merge(&mut self, other: &Dictionary, flags: DictFlags) {
        for (k, v) in other.iter() {
            self.set_with(k, Some(v), flags);
        }
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Dictionary {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut d = Dictionary::new();
        for (k, v) in iter {
            d.set(k, v);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(d: &Dictionary) -> Vec<&str> {
        d.iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn overwrite_moves_last_into_slot() {
        let mut d: Dictionary = [("a", "1"), ("b", "2"), ("c", "3")].into_iter().collect();
        d.set("A", "9");
        // FFmpeg order: the last entry fills the replaced slot, the new one goes last.
        assert_eq!(keys(&d), ["c", "b", "A"]);
        assert_eq!(d.get("a"), Some("9"));
    }

    #[test]
    fn flags() {
        let mut d = Dictionary::new();
        d.set("key", "v1");
        d.set_with("key", Some("v2"), DictFlags::DONT_OVERWRITE);
        assert_eq!(d.get("key"), Some("v1"));
        d.set_with("key", Some("v2"), DictFlags::MULTIKEY);
        assert_eq!(d.len(), 2);
        let first = d.get_with("key", DictFlags::NONE, None).unwrap();
        let second = d.get_with("key", DictFlags::NONE, Some(first.0)).unwrap();
        assert_eq!((first.2, second.2), ("v1", "v2"));
        assert!(d.get_with("key", DictFlags::NONE, Some(second.0)).is_none());
        assert!(d.get_with("KEY", DictFlags::MATCH_CASE, None).is_none());
        assert_eq!(
            d.get_with("ke", DictFlags::IGNORE_SUFFIX, None)
                .map(|e| e.2),
            Some("v1")
        );
        assert!(d.get("ke").is_none());
        let all: Vec<_> =
            std::iter::successors(d.get_with("", DictFlags::IGNORE_SUFFIX, None), |e| {
                d.get_with("", DictFlags::IGNORE_SUFFIX, Some(e.0))
            })
            .collect();
        assert_eq!(all.len(), 2);
        d.set_with("new", Some("x"), DictFlags::APPEND);
        assert_eq!(d.get("new"), Some("x"));
        d.remove("missing");
        d.remove("KEY");
        assert_eq!(d.len(), 2);
        assert_eq!(d.get("key"), Some("v2"));
    }

    #[test]
    fn merge_and_non_ascii_keys() {
        let mut a = Dictionary::new();
        a.set("Ünïcode", "1");
        assert_eq!(
            a.get("ünïcode"),
            None,
            "case folding is ASCII-only, as in FFmpeg"
        );
        let b: Dictionary = [("x", "1"), ("Ünïcode", "2")].into_iter().collect();
        a.merge(&b, DictFlags::DONT_OVERWRITE);
        assert_eq!(a.get("Ünïcode"), Some("1"));
        assert_eq!(a.get("X"), Some("1"));
    }
}
