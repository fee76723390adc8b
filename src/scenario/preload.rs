//! Validation of `[table.preload]`: how many items to store before time zero, their sizes, and
//! the workload whose key generators make their keys (`workload::preload` enumerates them).

use super::raw::{RawPreload, RawWorkload};
use super::validate::{nearest, positive_int, Problems};
use crate::workload::Preload;
use std::path::Path;

/// Most items a preload may store. At about 110 bytes of memory per stored item (README,
/// "Performance"), a billion items need over 100 GB: the limit is a guard against typos, not a
/// promise.
pub const MAX_PRELOAD_ITEMS: i64 = 1_000_000_000;

/// `[table.preload]` against the scenario's `workloads` (as written), with data files in `dir`.
pub fn preload(p: &mut Problems, raw: &RawPreload, workloads: &[RawWorkload], dir: &Path) -> Option<Preload> {
    let items = positive_int(p, "table.preload.items", Some(raw.items), 1, MAX_PRELOAD_ITEMS);
    let workload = match &raw.workload {
        Some(name) => named(p, name, workloads),
        // The first put: its generators are those that write the items the others read.
        None => Some(workloads.iter().position(|w| w.operation == "put").unwrap_or(0)),
    };
    // Sizes are drawn per entity, as a put of the workload draws them, when it has entities.
    let has_entity = workload.and_then(|i| workloads.get(i)).is_some_and(|w| w.entity.is_some());
    let item_bytes = super::size::item_size(p, "table.preload.item_bytes", &raw.item_bytes, has_entity, dir);
    // A scenario without workloads has had that problem reported already.
    let workload = workload.filter(|&i| i < workloads.len())?;
    Some(Preload { items: items?, item_bytes: item_bytes?, workload })
}

/// The position of the workload named `name`, or a problem that lists the names.
fn named(p: &mut Problems, name: &str, workloads: &[RawWorkload]) -> Option<usize> {
    if let Some(i) = workloads.iter().position(|w| w.name == name) {
        return Some(i);
    }
    let names: Vec<&str> = workloads.iter().map(|w| w.name.as_str()).collect();
    let suggestion = nearest(name, &names).map(|n| format!(" (did you mean \"{n}\"?)")).unwrap_or_default();
    let list = names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
    p.add(
        "table.preload.workload",
        format!("no workload named \"{name}\"{suggestion}; the preload takes its keys from one of: {list}"),
    );
    None
}
