//! Maps between TOML key paths (`workload[1].attributes.UserId.count`) and lines of the file,
//! using the span information of a `toml_edit` parse of the same text.

use toml_edit::{Document, DocumentMut, Item, Table, Value};

/// 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Segment::Key(key));
        }
        while let Some(end) = rest.find(']') {
            if let Ok(i) = rest[1..end].parse() {
                out.push(Segment::Index(i));
            }
            rest = &rest[end + 1..];
        }
    }
    out
}

/// A place in the parsed document: `Table`s of arrays of tables are not `Item`s, so walking a
/// path needs a node that can be either.
#[derive(Clone, Copy)]
enum Node<'a> {
    Table(&'a Table),
    Item(&'a Item),
    Value(&'a Value),
}

type Span = Option<std::ops::Range<usize>>;

fn child<'a>(node: Node<'a>, segment: &Segment<'_>, span: &mut Span) -> Option<Node<'a>> {
    match (node, segment) {
        (Node::Table(t), Segment::Key(k)) => {
            let (key, item) = t.get_key_value(k)?;
            *span = key.span().or_else(|| item_span(item)).or(span.take());
            Some(Node::Item(item))
        }
        (Node::Item(Item::Table(t)), _) => child(Node::Table(t), segment, span),
        (Node::Item(Item::Value(v)), _) => child(Node::Value(v), segment, span),
        (Node::Item(Item::ArrayOfTables(a)), Segment::Index(i)) => {
            let t = a.get(*i)?;
            *span = t.span().or(span.take());
            Some(Node::Table(t))
        }
        (Node::Value(Value::InlineTable(t)), Segment::Key(k)) => {
            let (key, item) = t.get_key_value(k)?;
            *span = key.span().or_else(|| item_span(item)).or(span.take());
            Some(Node::Item(item))
        }
        (Node::Value(Value::Array(a)), Segment::Index(i)) => {
            let value = a.get(*i)?;
            *span = value.span().or(span.take());
            Some(Node::Value(value))
        }
        _ => None,
    }
}

/// The line where `path` is written, or of its nearest written ancestor.
pub fn line_of_path(doc: &Document<&str>, text: &str, path: &str) -> Option<usize> {
    let mut span = None;
    let mut node = Node::Table(doc.as_table());
    for segment in segments(path) {
        match child(node, &segment, &mut span) {
            Some(next) => node = next,
            None => break,
        }
    }
    span.map(|s| line_of(text, s.start))
}

/// The key path of the deepest key or value whose span holds byte `offset`.
pub fn path_at(doc: &Document<&str>, offset: usize) -> Option<String> {
    let mut path = String::new();
    find(Node::Table(doc.as_table()), offset, &mut path).then_some(path)
}

fn holds(span: Span, offset: usize) -> bool {
    span.is_some_and(|s| s.start <= offset && offset < s.end.max(s.start + 1))
}

fn item_span(item: &Item) -> Span {
    match item {
        Item::Value(v) => v.span(),
        Item::Table(t) => t.span(),
        Item::ArrayOfTables(a) => a.span(),
        Item::None => None,
    }
}

fn find(node: Node<'_>, offset: usize, path: &mut String) -> bool {
    let len = path.len();
    match node {
        Node::Table(t) => {
            for (name, item) in t.iter() {
                // An array of tables spans from its first header to its last, over any other
                // table written in between: only its elements (searched below) can hold `offset`.
                let here = t.get_key_value(name).is_some_and(|(k, _)| holds(k.span(), offset))
                    || (!item.is_array_of_tables() && holds(item_span(item), offset));
                push_key(path, name);
                if find(Node::Item(item), offset, path) || here {
                    return true;
                }
                path.truncate(len);
            }
            false
        }
        Node::Item(Item::Table(t)) => find(Node::Table(t), offset, path),
        Node::Item(Item::Value(v)) => find(Node::Value(v), offset, path),
        Node::Item(Item::ArrayOfTables(a)) => {
            for (i, t) in a.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                if find(Node::Table(t), offset, path) || holds(t.span(), offset) {
                    return true;
                }
                path.truncate(len);
            }
            false
        }
        Node::Value(Value::InlineTable(t)) => {
            for (name, value) in t.iter() {
                let here = t.get_key_value(name).is_some_and(|(k, _)| holds(k.span(), offset))
                    || holds(value.span(), offset);
                push_key(path, name);
                if find(Node::Value(value), offset, path) || here {
                    return true;
                }
                path.truncate(len);
            }
            false
        }
        Node::Value(Value::Array(a)) => {
            for (i, value) in a.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                if find(Node::Value(value), offset, path) || holds(value.span(), offset) {
                    return true;
                }
                path.truncate(len);
            }
            false
        }
        _ => false,
    }
}

/// `path` up to and including its last segment named `key`, or all of `path` when no segment
/// is: `through_key("workload[1].a.b", "a")` is `"workload[1].a"`.
pub fn through_key<'a>(path: &'a str, key: &str) -> &'a str {
    let end = path
        .match_indices(key)
        .map(|(i, _)| (i, i + key.len()))
        .filter(|&(start, end)| {
            (start == 0 || path[..start].ends_with('.'))
                && (end == path.len() || path[end..].starts_with(['.', '[']))
        })
        .map(|(_, end)| end)
        .last();
    end.map_or(path, |end| &path[..end])
}

/// A change to one key of an editable document.
#[derive(Debug)]
pub enum Edit {
    /// Drop the key and its value.
    Remove,
    /// Give the key this value instead.
    Replace(Value),
}

/// Applies `edit` to the key at `path` (as [`path_at`] writes it); false when there is no such
/// key or it cannot be edited that way. Never inserts a key that is not there.
pub fn edit(doc: &mut DocumentMut, path: &str, edit: Edit) -> bool {
    let segments = segments(path);
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut item = doc.as_item_mut();
    for segment in parents {
        match child_mut(item, segment) {
            Some(next) => item = next,
            None => return false,
        }
    }
    match (last, edit) {
        (Segment::Key(k), Edit::Remove) => match item {
            Item::Table(t) => t.remove(k).is_some(),
            Item::Value(v) => v.as_inline_table_mut().and_then(|t| t.remove(k)).is_some(),
            _ => false,
        },
        (Segment::Index(_), Edit::Remove) => false,
        (segment, Edit::Replace(value)) => match child_mut(item, segment) {
            Some(slot) => {
                *slot = Item::Value(value);
                true
            }
            None => false,
        },
    }
}

/// The child of `item` at `segment`, if there is one. (`Item::get_mut` alone would insert a
/// missing key, hence the look first.)
fn child_mut<'a>(item: &'a mut Item, segment: &Segment<'_>) -> Option<&'a mut Item> {
    match *segment {
        Segment::Key(k) if item.get(k).is_some() => item.get_mut(k),
        Segment::Index(i) if item.get(i).is_some() => item.get_mut(i),
        _ => None,
    }
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"x\"\n[table]\nname = \"T\"\nread_capacity = 5\n\n[[workload]]\nname = \"a\"\n\n[[workload]]\nname = \"b\"\nrate = 7\n[workload.attributes]\nK = { distribution = \"zipf\", count = 10 }\n";

    #[test]
    fn paths_map_to_lines_and_back() {
        let doc = Document::parse(TEXT).expect("valid toml");
        let check = |path: &str, line: usize| {
            assert_eq!(line_of_path(&doc, TEXT, path), Some(line), "{path}");
            let offset = TEXT.lines().take(line - 1).map(|l| l.len() + 1).sum::<usize>();
            assert_eq!(path_at(&doc, offset).as_deref(), Some(path), "line {line}");
        };
        check("name", 1);
        check("table.read_capacity", 4);
        check("workload[1].rate", 11);
        check("workload[1].attributes.K", 13);
        assert_eq!(line_of_path(&doc, TEXT, "workload[1].attributes.K.count"), Some(13));
        assert_eq!(line_of_path(&doc, TEXT, "table.missing"), Some(2), "nearest ancestor");
    }

    #[test]
    fn a_table_between_two_array_elements_is_not_in_the_array() {
        let text = "[[w]]\na = 1\n[c]\nr = 2\n[[w]]\na = 3\n";
        let doc = Document::parse(text).expect("valid toml");
        assert_eq!(path_at(&doc, text.find("r = 2").expect("r")).as_deref(), Some("c.r"));
        assert_eq!(path_at(&doc, text.find("a = 3").expect("a")).as_deref(), Some("w[1].a"));
    }

    #[test]
    fn paths_cut_through_a_named_key() {
        assert_eq!(through_key("workload[1].a.b", "a"), "workload[1].a");
        assert_eq!(through_key("workload[1].a.b", "b"), "workload[1].a.b");
        assert_eq!(through_key("wo.rkload.attributes", "wo"), "wo");
        assert_eq!(through_key("table.rate", "rat"), "table.rate", "whole segments only");
        assert_eq!(through_key("x.y", "z"), "x.y");
    }
}
