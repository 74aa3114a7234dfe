//! ffprobe's output writers: `default`, `json`, `csv`, `compact`, `flat`-free subset.
//! Values are typed like ffprobe's: integers print bare in JSON, strings quoted,
//! and optional values that are unknown are omitted in JSON but print `N/A`
//! in the line-oriented writers.

/// One value of a section.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// An integer (`print_int`).
    Int(i64),
    /// A string (`print_str`, `print_fmt`, `print_val`).
    Str(String),
    /// An optional string: `None` is `N/A` (`print_str_opt`, `print_time`/`print_ts` of NOPTS).
    Opt(Option<String>),
    /// An optional integer (`print_ts`).
    OptInt(Option<i64>),
}

/// A section (`[STREAM]`, `"format": {}`...) with ordered fields and nested sections.
#[derive(Debug, Clone, Default)]
pub(crate) struct Section {
    pub(crate) name: &'static str,
    pub(crate) fields: Vec<(String, Val)>,
    pub(crate) children: Vec<Section>,
}

impl Section {
    pub(crate) fn new(name: &'static str) -> Self {
        Section {
            name,
            ..Default::default()
        }
    }
    pub(crate) fn int(&mut self, k: &str, v: i64) -> &mut Self {
        self.fields.push((k.into(), Val::Int(v)));
        self
    }
    pub(crate) fn str(&mut self, k: &str, v: impl Into<String>) -> &mut Self {
        self.fields.push((k.into(), Val::Str(v.into())));
        self
    }
    pub(crate) fn opt(&mut self, k: &str, v: Option<String>) -> &mut Self {
        self.fields.push((k.into(), Val::Opt(v)));
        self
    }
    pub(crate) fn opt_int(&mut self, k: &str, v: Option<i64>) -> &mut Self {
        self.fields.push((k.into(), Val::OptInt(v)));
        self
    }
}

/// What is printed: a list section per kind, in ffprobe's order, and the format.
#[derive(Debug, Default)]
pub(crate) struct Document {
    /// `packets`, `frames` or `packets_and_frames`, with its entries.
    pub(crate) lists: Vec<(&'static str, Vec<Section>)>,
    pub(crate) format: Option<Section>,
}

fn plain(v: &Val) -> String {
    match v {
        Val::Int(i) => i.to_string(),
        Val::Str(s) => s.clone(),
        Val::Opt(o) => o.clone().unwrap_or_else(|| "N/A".into()),
        Val::OptInt(o) => o.map_or("N/A".into(), |i| i.to_string()),
    }
}

fn upper_prefix(name: &str) -> &'static str {
    match name {
        "disposition" => "DISPOSITION",
        "tags" => "TAG",
        _ => "SIDE_DATA",
    }
}

/// The `default` writer.
pub(crate) fn default(doc: &Document) -> String {
    let mut out = String::new();
    let mut section = |s: &Section| {
        let up = s.name.to_uppercase();
        out.push_str(&format!("[{up}]\n"));
        for (k, v) in &s.fields {
            out.push_str(&format!("{k}={}\n", plain(v)));
        }
        for c in &s.children {
            for (k, v) in &c.fields {
                out.push_str(&format!("{}:{k}={}\n", upper_prefix(c.name), plain(v)));
            }
        }
        out.push_str(&format!("[/{up}]\n"));
    };
    for (_, items) in &doc.lists {
        for s in items {
            section(s);
        }
    }
    if let Some(f) = &doc.format {
        section(f);
    }
    out
}

/// The `csv` (and `compact`) writer: one line per section, nested sections inline.
pub(crate) fn compact(doc: &Document, sep: char, keys: bool) -> String {
    let mut out = String::new();
    let mut line = |s: &Section| {
        let mut parts = vec![s.name.to_owned()];
        for (k, v) in &s.fields {
            parts.push(if keys {
                format!("{k}={}", plain(v))
            } else {
                csv_escape(&plain(v), sep)
            });
        }
        for c in &s.children {
            for (k, v) in &c.fields {
                parts.push(if keys {
                    format!("{}:{k}={}", c.name, plain(v))
                } else {
                    csv_escape(&plain(v), sep)
                });
            }
        }
        out.push_str(&parts.join(&sep.to_string()));
        out.push('\n');
    };
    for (_, items) in &doc.lists {
        for s in items {
            line(s);
        }
    }
    if let Some(f) = &doc.format {
        line(f);
    }
    out
}

fn csv_escape(s: &str, sep: char) -> String {
    if s.contains([sep, '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn json_fields(out: &mut String, s: &Section, indent: usize, typed: Option<&str>) {
    let pad = " ".repeat(indent);
    let mut entries: Vec<String> = Vec::new();
    if let Some(t) = typed {
        entries.push(format!("{pad}\"type\": \"{t}\""));
    }
    for (k, v) in &s.fields {
        let key = serde_json::to_string(k).unwrap_or_default();
        match v {
            Val::Int(i) => entries.push(format!("{pad}{key}: {i}")),
            Val::Str(x) => entries.push(format!(
                "{pad}{key}: {}",
                serde_json::to_string(x).unwrap_or_default()
            )),
            Val::Opt(Some(x)) => entries.push(format!(
                "{pad}{key}: {}",
                serde_json::to_string(x).unwrap_or_default()
            )),
            Val::OptInt(Some(i)) => entries.push(format!("{pad}{key}: {i}")),
            Val::Opt(None) | Val::OptInt(None) => {}
        }
    }
    for c in &s.children {
        let mut inner = String::new();
        json_fields(&mut inner, c, indent + 4, None);
        entries.push(format!("{pad}\"{}\": {{\n{inner}\n{pad}}}", c.name));
    }
    out.push_str(&entries.join(",\n"));
}

/// The `json` writer.
pub(crate) fn json(doc: &Document) -> String {
    let mut blocks: Vec<String> = Vec::new();
    for (name, items) in &doc.lists {
        let mut b = format!("    \"{name}\": [\n");
        let both = *name == "packets_and_frames";
        let objs: Vec<String> = items
            .iter()
            .map(|s| {
                let mut o = String::from("        {\n");
                json_fields(&mut o, s, 12, both.then_some(s.name));
                o.push_str("\n        }");
                o
            })
            .collect();
        b.push_str(&if objs.is_empty() {
            String::from("\n")
        } else {
            objs.join(",\n") + "\n"
        });
        b.push_str("    ]");
        blocks.push(b);
    }
    if let Some(f) = &doc.format {
        let mut b = String::from("    \"format\": {\n");
        json_fields(&mut b, f, 8, None);
        b.push_str("\n    }");
        blocks.push(b);
    }
    format!("{{\n{}\n}}\n", blocks.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Document {
        let mut p = Section::new("packet");
        p.str("codec_type", "audio")
            .int("stream_index", 0)
            .opt_int("pts", Some(0))
            .opt("pos", None);
        let mut f = Section::new("format");
        f.str("filename", "a.wav").int("nb_streams", 1);
        let mut tags = Section::new("tags");
        tags.str("encoder", "x");
        f.children.push(tags);
        Document {
            lists: vec![("packets", vec![p])],
            format: Some(f),
        }
    }

    #[test]
    fn writers() {
        let d = doc();
        assert_eq!(
            default(&d),
            "[PACKET]\ncodec_type=audio\nstream_index=0\npts=0\npos=N/A\n[/PACKET]\n[FORMAT]\nfilename=a.wav\nnb_streams=1\nTAG:encoder=x\n[/FORMAT]\n"
        );
        assert_eq!(
            compact(&d, ',', false),
            "packet,audio,0,0,N/A\nformat,a.wav,1,x\n"
        );
        assert_eq!(
            json(&d),
            "{\n    \"packets\": [\n        {\n            \"codec_type\": \"audio\",\n            \"stream_index\": 0,\n            \"pts\": 0\n        }\n    ],\n    \"format\": {\n        \"filename\": \"a.wav\",\n        \"nb_streams\": 1,\n        \"tags\": {\n            \"encoder\": \"x\"\n        }\n    }\n}\n"
        );
    }
}
