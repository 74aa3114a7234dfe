//! Seeking by bisection on timestamps read from the file (cf. `ff_gen_search`
//! with a demuxer's `read_timestamp`), for formats without an index whose
//! packets carry timestamps at resynchronisable points (MPEG program
//! streams, ...).

use crate::error::Result;
use crate::io::IoReader;

/// Reads the first timestamp at or after byte `pos`: `(timestamp, position
/// of the unit carrying it)`, or `None` when there is none before the end.
pub type ReadTimestamp<'a> = dyn FnMut(&mut IoReader, u64) -> Result<Option<(i64, u64)>> + 'a;

/// Finds the unit with the largest timestamp at or below `target`
/// (`backward`), or the smallest at or above it; returns its position and
/// timestamp. Timestamps are assumed to grow with the position (the search
/// still ends on files where they do not). When every timestamp is above
/// the target, the first unit is returned (below it: the last).
pub fn search(
    io: &mut IoReader,
    target: i64,
    backward: bool,
    read_ts: &mut ReadTimestamp<'_>,
) -> Result<Option<(u64, i64)>> {
    let Some(first) = read_ts(io, 0)? else {
        return Ok(None);
    };
    let last = last_timestamp(io, read_ts, first)?;
    if target <= first.0 {
        return Ok(Some((first.1, first.0)));
    }
    if target >= last.0 {
        return Ok(Some((last.1, last.0)));
    }
    // Invariant: lo.ts < target < hi.ts, lo.pos < hi.pos.
    let (mut lo, mut hi) = (first, last);
    for _ in 0..64 {
        if hi.1 <= lo.1 + 1 {
            break;
        }
        let mid = lo.1 + (hi.1 - lo.1) / 2;
        match read_ts(io, mid)? {
            Some(m) if m.1 < hi.1 && m.1 > lo.1 => {
                if m.0 == target {
                    return Ok(Some((m.1, m.0)));
                }
                if m.0 < target {
                    lo = m;
                } else {
                    hi = m;
                }
            }
            _ => {
                // Nothing between mid and hi: walk forward from lo instead.
                match read_ts(io, lo.1 + 1)? {
                    Some(m) if m.1 < hi.1 && m.1 > lo.1 => {
                        if m.0 == target {
                            return Ok(Some((m.1, m.0)));
                        }
                        if m.0 < target {
                            lo = m;
                        } else {
                            hi = m;
                        }
                    }
                    _ => break,
                }
            }
        }
    }
    let pick = if backward { lo } else { hi };
    Ok(Some((pick.1, pick.0)))
}

/// The last timestamp of the input, searching back from its end in growing steps.
fn last_timestamp(
    io: &mut IoReader,
    read_ts: &mut ReadTimestamp<'_>,
    first: (i64, u64),
) -> Result<(i64, u64)> {
    let Some(size) = io.size() else {
        return Ok(first);
    };
    let mut step = 1024u64;
    loop {
        let from = size.saturating_sub(step);
        if let Some(mut best) = read_ts(io, from)? {
            // Walk to the last one.
            while let Some(n) = read_ts(io, best.1 + 1)? {
                if n.1 <= best.1 {
                    break;
                }
                best = n;
            }
            return Ok(best);
        }
        if from == 0 {
            return Ok(first);
        }
        step = step.saturating_mul(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bisects_on_sorted_units() {
        // A unit every 100 bytes with timestamp pos/10.
        let mut io = IoReader::from_bytes(vec![0u8; 10_000], "mem");
        let mut rt = |_: &mut IoReader, pos: u64| -> Result<Option<(i64, u64)>> {
            let p = pos.div_ceil(100) * 100;
            Ok((p < 10_000).then_some(((p / 10) as i64, p)))
        };
        assert_eq!(
            search(&mut io, 555, true, &mut rt).unwrap(),
            Some((5500, 550))
        );
        assert_eq!(
            search(&mut io, 555, false, &mut rt).unwrap(),
            Some((5600, 560))
        );
        assert_eq!(
            search(&mut io, 560, true, &mut rt).unwrap(),
            Some((5600, 560))
        );
        assert_eq!(search(&mut io, -5, true, &mut rt).unwrap(), Some((0, 0)));
        assert_eq!(
            search(&mut io, 99_999, true, &mut rt).unwrap(),
            Some((9900, 990))
        );
    }
}
