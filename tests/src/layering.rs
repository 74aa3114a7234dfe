//! The layering rule of the workspace, checked on `cargo metadata` output.
//!
//! Every workspace crate has a level; a crate may depend (normally, for
//! builds, or for tests) only on workspace crates of a strictly lower level.
//! Crates of the same level never depend on each other.

use std::fmt;

/// The level of each workspace crate; lower levels sit lower in the stack.
pub const LEVELS: &[(&str, u32)] = &[
    ("avutil", 0),
    ("rtos-sync", 0),
    ("looper", 1),
    ("avcodec", 1),
    ("swscale", 1),
    ("avformat", 2),
    ("fastforward", 3),
    ("ffw", 4),
    ("ffwprobe", 4),
    ("fastforward-tests", 5),
];

/// The level of a workspace crate, or `None` for a crate the table does not know.
pub fn level(name: &str) -> Option<u32> {
    LEVELS.iter().find(|(n, _)| *n == name).map(|&(_, l)| l)
}

/// A dependency edge between two workspace crates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// The crate that depends.
    pub from: String,
    /// The crate it depends on.
    pub to: String,
}

impl Edge {
    /// An edge `from -> to`.
    pub fn new(from: &str, to: &str) -> Self {
        Self {
            from: from.to_owned(),
            to: to.to_owned(),
        }
    }
}

/// Why an edge breaks the layering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// `from` depends on a crate at its own level or above.
    Upward {
        /// The edge.
        edge: Edge,
        /// Level of `edge.from`.
        from_level: u32,
        /// Level of `edge.to`.
        to_level: u32,
    },
    /// A workspace crate the level table does not know (add it to [`LEVELS`]).
    Unknown {
        /// The crate's name.
        name: String,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Upward {
                edge,
                from_level,
                to_level,
            } => write!(
                f,
                "{} (level {from_level}) depends on {} (level {to_level}): dependencies must point to a strictly lower level",
                edge.from, edge.to
            ),
            Violation::Unknown { name } => {
                write!(
                    f,
                    "workspace crate {name} has no level in the layering table"
                )
            }
        }
    }
}

/// Checks a set of edges between workspace crates.
pub fn check(edges: &[Edge]) -> Result<(), Vec<Violation>> {
    let mut bad = Vec::new();
    for e in edges {
        match (level(&e.from), level(&e.to)) {
            (Some(a), Some(b)) if b >= a => bad.push(Violation::Upward {
                edge: e.clone(),
                from_level: a,
                to_level: b,
            }),
            (Some(_), Some(_)) => {}
            (None, _) => bad.push(Violation::Unknown {
                name: e.from.clone(),
            }),
            (_, None) => bad.push(Violation::Unknown { name: e.to.clone() }),
        }
    }
    if bad.is_empty() { Ok(()) } else { Err(bad) }
}

/// Extracts the edges between workspace members from `cargo metadata --format-version 1 --no-deps` JSON.
///
/// Every dependency kind counts (normal, build and dev): a test may not reach upward either.
pub fn edges_from_metadata(meta: &serde_json::Value) -> Result<Vec<Edge>, String> {
    let packages = meta
        .get("packages")
        .and_then(|p| p.as_array())
        .ok_or("cargo metadata output has no \"packages\" array")?;
    let names: Vec<&str> = packages
        .iter()
        .filter_map(|p| p.get("name").and_then(|n| n.as_str()))
        .collect();
    let mut edges = Vec::new();
    for p in packages {
        let from = p
            .get("name")
            .and_then(|n| n.as_str())
            .ok_or("package without a name")?;
        let deps = p
            .get("dependencies")
            .and_then(|d| d.as_array())
            .ok_or("package without dependencies")?;
        for d in deps {
            let to = d
                .get("name")
                .and_then(|n| n.as_str())
                .ok_or("dependency without a name")?;
            // Only edges to workspace members matter (path dependencies).
            if names.contains(&to) && d.get("path").is_some_and(|p| !p.is_null()) {
                edges.push(Edge::new(from, to));
            }
        }
        if level(from).is_none() {
            edges.push(Edge::new(from, from));
        }
    }
    Ok(edges)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta(pkgs: &[(&str, &[&str])]) -> serde_json::Value {
        json!({
            "packages": pkgs.iter().map(|(n, deps)| json!({
                "name": n,
                "dependencies": deps.iter().map(|d| json!({"name": d, "path": format!("/ws/{d}")})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>()
        })
    }

    #[test]
    fn the_intended_stack_passes() {
        let m = meta(&[
            ("avutil", &[]),
            ("rtos-sync", &[]),
            ("looper", &["rtos-sync"]),
            ("avcodec", &["avutil"]),
            ("swscale", &["avutil"]),
            ("avformat", &["avutil", "avcodec"]),
            (
                "fastforward",
                &[
                    "avutil",
                    "rtos-sync",
                    "looper",
                    "avcodec",
                    "swscale",
                    "avformat",
                ],
            ),
            ("ffw", &["fastforward"]),
            ("ffwprobe", &["fastforward"]),
        ]);
        assert_eq!(check(&edges_from_metadata(&m).unwrap()), Ok(()));
    }

    #[test]
    fn a_deliberate_upward_dependency_fails() {
        let m = meta(&[("avutil", &["avformat"]), ("avformat", &["avutil"])]);
        let err = check(&edges_from_metadata(&m).unwrap()).unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(
            err[0].to_string(),
            "avutil (level 0) depends on avformat (level 2): dependencies must point to a strictly lower level"
        );
    }

    #[test]
    fn sideways_dependencies_fail() {
        assert!(check(&[Edge::new("swscale", "avcodec")]).is_err());
        assert!(check(&[Edge::new("ffw", "ffwprobe")]).is_err());
        assert!(check(&[Edge::new("avutil", "rtos-sync")]).is_err());
    }

    #[test]
    fn unknown_crates_are_reported() {
        let m = meta(&[("newcrate", &["avutil"])]);
        let err = check(&edges_from_metadata(&m).unwrap()).unwrap_err();
        assert!(matches!(&err[0], Violation::Unknown { name } if name == "newcrate"));
    }

    #[test]
    fn external_dependencies_are_ignored() {
        let m = json!({"packages": [{"name": "avutil", "dependencies": [{"name": "log", "path": null}]}]});
        assert_eq!(edges_from_metadata(&m).unwrap(), vec![]);
    }

    #[test]
    fn the_real_workspace_passes() {
        let out = std::process::Command::new(env!("CARGO"))
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo metadata runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let edges = edges_from_metadata(&m).unwrap();
        assert!(
            edges
                .iter()
                .any(|e| e.from == "avformat" && e.to == "avcodec")
        );
        if let Err(v) = check(&edges) {
            panic!(
                "{}",
                v.iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
}
