//! DynamoDB items and attribute values, their size by DynamoDB's rules (MODEL.md §1.2) and the
//! limits DynamoDB enforces on them.
//!
//! Sizes are throughput sizes: attribute names plus values, without the 100-byte storage
//! overhead (MODEL.md §1.2, "Storage-billing overhead"). [`item_size_bytes`] never fails;
//! [`validate_item`] checks the limits and returns the size.

pub mod json;
pub mod number;

pub use json::parse_item_json;
pub use number::{Number, NumberError};

use super::table::MAX_ITEM_BYTES;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// An item: attribute names to values, in name order.
pub type Item = BTreeMap<String, AttributeValue>;

/// Deepest nesting of lists and maps (MODEL.md §1.2, "Nesting up to 32 levels"): a list or map
/// at the top of an attribute is level 1, one inside it level 2, and so on.
pub const MAX_NESTING_LEVELS: usize = 32;

/// Bytes of overhead of a list or map, whatever it holds (MODEL.md §1.2).
pub const DOCUMENT_OVERHEAD_BYTES: u64 = 3;
/// Bytes of overhead of each element of a list or map (MODEL.md §1.2).
pub const ELEMENT_OVERHEAD_BYTES: u64 = 1;

/// One attribute value, of any DynamoDB type. Variant names follow the AWS SDKs'.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttributeValue {
    /// String (`S`).
    S(String),
    /// Number (`N`), kept as its decimal text.
    N(Number),
    /// Binary (`B`): raw bytes (the JSON form is base64; its size is the decoded length).
    B(Vec<u8>),
    /// Boolean (`BOOL`).
    Bool(bool),
    /// Null (`NULL`).
    Null,
    /// List (`L`).
    L(Vec<AttributeValue>),
    /// Map (`M`).
    M(BTreeMap<String, AttributeValue>),
    /// String set (`SS`).
    Ss(Vec<String>),
    /// Number set (`NS`).
    Ns(Vec<Number>),
    /// Binary set (`BS`).
    Bs(Vec<Vec<u8>>),
}

/// Why an item is not one DynamoDB would accept. Messages are lowercase and name the attribute
/// path (`Nested.Inner`, `List[2]`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ItemError {
    /// The item is over 400 KB (409,600 bytes) by the rules of MODEL.md §1.2.
    #[error("item is {bytes} bytes, over the 409600-byte (400 KB) limit")]
    TooLarge {
        /// The item's size.
        bytes: u64,
    },
    /// A number is malformed, out of range or has more than 38 significant digits.
    #[error("{path}: {source}")]
    Number {
        /// Where the number is.
        path: String,
        /// What is wrong with it.
        source: NumberError,
    },
    /// Lists and maps are nested more than [`MAX_NESTING_LEVELS`] deep.
    #[error("{path}: nested more than 32 levels deep")]
    TooDeep {
        /// The list or map at level 33.
        path: String,
    },
    /// A set has no elements (DynamoDB has no empty sets).
    #[error("{path}: a set may not be empty")]
    EmptySet {
        /// The set.
        path: String,
    },
    /// A set holds the same element twice.
    #[error("{path}: duplicate set element {element}")]
    DuplicateSetElement {
        /// The set.
        path: String,
        /// The repeated element, as text (binary in hex).
        element: String,
    },
    /// The item's JSON is not DynamoDB JSON (see [`json`]).
    #[error("{path}: {message}")]
    Malformed {
        /// Where the problem is (`item` for the document as a whole).
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// A path to an attribute, built on the stack while walking an item and formatted only for an
/// error: `Nested.Inner`, `List[2]`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Path<'a> {
    /// A top-level attribute.
    Attribute(&'a str),
    /// An entry of a map.
    Key(&'a Path<'a>, &'a str),
    /// An element of a list or set.
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Attribute(name) => f.write_str(name),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

impl AttributeValue {
    /// Bytes of the value without a name (MODEL.md §1.2): UTF-8 bytes of a string, raw bytes of
    /// a binary, 1 byte per two significant digits plus 1 for a number, 1 byte for a null or a
    /// boolean; a list or map is 3 bytes plus, for each element, 1 byte and the element's size
    /// (a map entry's size counts its key, as an attribute's counts its name); a set is the sum
    /// of its elements' sizes ([INF/FOLK] in MODEL.md).
    pub fn size_bytes(&self) -> u64 {
        match self {
            AttributeValue::S(s) => s.len() as u64,
            AttributeValue::N(n) => n.size_bytes(),
            AttributeValue::B(b) => b.len() as u64,
            AttributeValue::Bool(_) | AttributeValue::Null => 1,
            AttributeValue::L(list) => {
                DOCUMENT_OVERHEAD_BYTES
                    + list.iter().map(|v| ELEMENT_OVERHEAD_BYTES + v.size_bytes()).sum::<u64>()
            }
            AttributeValue::M(map) => {
                DOCUMENT_OVERHEAD_BYTES
                    + map
                        .iter()
                        .map(|(k, v)| ELEMENT_OVERHEAD_BYTES + k.len() as u64 + v.size_bytes())
                        .sum::<u64>()
            }
            AttributeValue::Ss(set) => set.iter().map(|s| s.len() as u64).sum(),
            AttributeValue::Ns(set) => set.iter().map(Number::size_bytes).sum(),
            AttributeValue::Bs(set) => set.iter().map(|b| b.len() as u64).sum(),
        }
    }
}

/// The item's size in bytes by MODEL.md §1.2: for each attribute, the UTF-8 bytes of its name
/// plus the size of its value ([`AttributeValue::size_bytes`]). Example A1:
/// `{"shirt-color": "R", "shirt-size": "M"}` is 23 bytes.
pub fn item_size_bytes(item: &Item) -> u64 {
    item.iter().map(|(name, value)| name.len() as u64 + value.size_bytes()).sum()
}

/// Checks the item against DynamoDB's limits (MODEL.md §1.2: 400 KB, 32 levels of nesting; no
/// empty sets or duplicate set elements) and returns its size in bytes.
pub fn validate_item(item: &Item) -> Result<u64, ItemError> {
    for (name, value) in item {
        check_value(value, &Path::Attribute(name), 0)?;
    }
    let bytes = item_size_bytes(item);
    if bytes > MAX_ITEM_BYTES {
        return Err(ItemError::TooLarge { bytes });
    }
    Ok(bytes)
}

/// Checks one value found at `path`, inside `level` lists and maps.
fn check_value(value: &AttributeValue, path: &Path<'_>, level: usize) -> Result<(), ItemError> {
    match value {
        AttributeValue::L(_) | AttributeValue::M(_) if level + 1 > MAX_NESTING_LEVELS => {
            Err(ItemError::TooDeep { path: path.to_string() })
        }
        AttributeValue::L(list) => {
            list.iter().enumerate().try_for_each(|(i, v)| check_value(v, &Path::Index(path, i), level + 1))
        }
        AttributeValue::M(map) => {
            map.iter().try_for_each(|(k, v)| check_value(v, &Path::Key(path, k), level + 1))
        }
        AttributeValue::Ss(set) => check_set(set, path, |s| s.as_str(), |s| format!("{s:?}")),
        AttributeValue::Ns(set) => check_set(set, path, Number::normalized, |n| n.to_string()),
        AttributeValue::Bs(set) => check_set(set, path, Vec::as_slice, |b| hex(b)),
        AttributeValue::S(_) | AttributeValue::N(_) | AttributeValue::B(_) => Ok(()),
        AttributeValue::Bool(_) | AttributeValue::Null => Ok(()),
    }
}

/// Rejects an empty set or a repeated element; elements are equal when their `key`s are
/// (numerically, for numbers), and `show` formats the repeated one.
fn check_set<'a, E, K: Ord + 'a>(
    set: &'a [E],
    path: &Path<'_>,
    key: impl Fn(&'a E) -> K,
    show: impl Fn(&E) -> String,
) -> Result<(), ItemError> {
    if set.is_empty() {
        return Err(ItemError::EmptySet { path: path.to_string() });
    }
    let mut seen = BTreeSet::new();
    for element in set {
        if !seen.insert(key(element)) {
            return Err(ItemError::DuplicateSetElement { path: path.to_string(), element: show(element) });
        }
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
