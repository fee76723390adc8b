//! Item sizes (MODEL.md §1.2, examples A1-A3) and item limits.

use super::*;

fn n(text: &str) -> Number {
    Number::parse(text).expect(text)
}

fn item(attributes: Vec<(&str, AttributeValue)>) -> Item {
    attributes.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The size of a one-attribute item.
fn size_of(name: &str, value: AttributeValue) -> u64 {
    item_size_bytes(&item(vec![(name, value)]))
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_string())
}

/// MODEL.md §12 A1: "shirt-color" (11) + "R" (1) + "shirt-size" (10) + "M" (1) = 23 bytes.
#[test]
fn model_a1_item_size() {
    let shirt = item(vec![("shirt-color", s("R")), ("shirt-size", s("M"))]);
    assert_eq!(item_size_bytes(&shirt), 23);
    assert_eq!(validate_item(&shirt), Ok(23));
}

/// MODEL.md §12 A2: "n" = 123456 is 1 + ceil(6/2) + 1 = 5 bytes. The doc says "approximately"
/// (±1); our rule gives exactly 5.
#[test]
fn model_a2_number_size() {
    assert_eq!(size_of("n", AttributeValue::N(n("123456"))), 5);
}

/// MODEL.md §12 A3: "L" = ["ab", "cd"] is 1 + 3 + (2 + 1) + (2 + 1) = 10 bytes.
#[test]
fn model_a3_list_overhead() {
    assert_eq!(size_of("L", AttributeValue::L(vec![s("ab"), s("cd")])), 10);
}

#[test]
fn strings_count_utf8_bytes_of_name_and_value() {
    assert_eq!(size_of("name", s("héllo")), 4 + 6);
    assert_eq!(size_of("名前", s("")), 6);
}

#[test]
fn numbers_count_two_digits_per_byte_plus_one() {
    assert_eq!(size_of("n", AttributeValue::N(n("0.000100"))), 1 + 2);
    assert_eq!(size_of("n", AttributeValue::N(n("-1.5E3"))), 1 + 2);
    assert_eq!(size_of("n", AttributeValue::N(n("1000"))), 1 + 2);
    assert_eq!(size_of("n", AttributeValue::N(n("12345"))), 1 + 4);
}

#[test]
fn binary_counts_raw_bytes() {
    assert_eq!(size_of("b", AttributeValue::B(vec![0; 10])), 11);
}

#[test]
fn bool_and_null_are_one_byte() {
    assert_eq!(size_of("flag", AttributeValue::Bool(false)), 5);
    assert_eq!(size_of("none", AttributeValue::Null), 5);
}

#[test]
fn empty_list_and_map_are_three_bytes() {
    assert_eq!(size_of("L", AttributeValue::L(vec![])), 4);
    assert_eq!(size_of("M", AttributeValue::M(BTreeMap::new())), 4);
}

/// A map entry counts its key, its value and 1 byte: "M" = {"ab": "x", "c": 7}
/// is 1 + 3 + (1 + 2 + 1) + (1 + 1 + 2) = 12 bytes.
#[test]
fn map_entries_count_key_value_and_one_byte() {
    let map = [("ab".to_string(), s("x")), ("c".to_string(), AttributeValue::N(n("7")))].into();
    assert_eq!(size_of("M", AttributeValue::M(map)), 12);
}

/// Nested documents add their own 3 bytes: "L" = [["a"]] is 1 + 3 + 1 + (3 + 1 + 1) = 10.
#[test]
fn nested_documents_add_their_overheads() {
    assert_eq!(size_of("L", AttributeValue::L(vec![AttributeValue::L(vec![s("a")])])), 10);
}

/// Sets are the sum of their elements' sizes, without per-element overhead.
#[test]
fn sets_sum_their_elements() {
    assert_eq!(size_of("ss", AttributeValue::Ss(vec!["ab".into(), "cde".into()])), 2 + 5);
    assert_eq!(size_of("ns", AttributeValue::Ns(vec![n("1"), n("123"), n("-1.5E3")])), 2 + (2 + 3 + 2));
    assert_eq!(size_of("bs", AttributeValue::Bs(vec![vec![1, 2], vec![3]])), 2 + 3);
}

/// MODEL.md §1.2: 400 KB counting names: 409,600 bytes pass, 409,601 do not.
#[test]
fn item_size_limit_is_409600_bytes_exactly() {
    let at_limit = item(vec![("a", s(&"x".repeat(409_599)))]);
    assert_eq!(validate_item(&at_limit), Ok(409_600));
    let over = item(vec![("ab", s(&"x".repeat(409_599)))]);
    assert_eq!(validate_item(&over), Err(ItemError::TooLarge { bytes: 409_601 }));
    assert_eq!(
        validate_item(&over).map_err(|e| e.to_string()),
        Err("item is 409601 bytes, over the 409600-byte (400 KB) limit".to_string())
    );
}

#[test]
fn nesting_is_limited_to_32_levels() {
    let nested = |levels: usize| (0..levels).fold(s("x"), |inner, _| AttributeValue::L(vec![inner]));
    assert_eq!(validate_item(&item(vec![("a", nested(32))])), Ok(1 + 32 * 4 + 1));
    let deep = item(vec![("a", nested(33))]);
    assert_eq!(validate_item(&deep), Err(ItemError::TooDeep { path: format!("a{}", "[0]".repeat(32)) }));
    // Maps count as levels too.
    let maps = (0..33).fold(s("x"), |inner, _| AttributeValue::M([("m".to_string(), inner)].into()));
    let err = validate_item(&item(vec![("a", maps)])).map_err(|e| e.to_string());
    assert_eq!(err, Err(format!("a{}: nested more than 32 levels deep", ".m".repeat(32))));
}

#[test]
fn sets_may_not_be_empty() {
    for empty in [AttributeValue::Ss(vec![]), AttributeValue::Ns(vec![]), AttributeValue::Bs(vec![])] {
        assert_eq!(
            validate_item(&item(vec![("set", empty)])),
            Err(ItemError::EmptySet { path: "set".into() })
        );
    }
}

#[test]
fn sets_may_not_repeat_an_element() {
    let dup = |value| validate_item(&item(vec![("set", value)])).map_err(|e| e.to_string());
    assert_eq!(
        dup(AttributeValue::Ss(vec!["a".into(), "a".into()])),
        Err("set: duplicate set element \"a\"".into())
    );
    assert_eq!(
        dup(AttributeValue::Ns(vec![n("1000"), n("1E3")])),
        Err("set: duplicate set element 1E3".into())
    );
    assert_eq!(
        dup(AttributeValue::Bs(vec![vec![0xab], vec![0xab]])),
        Err("set: duplicate set element ab".into())
    );
    // Inside a list, the path says where.
    let listed = AttributeValue::L(vec![s("x"), AttributeValue::Ss(vec!["b".into(), "b".into()])]);
    assert_eq!(dup(listed), Err("set[1]: duplicate set element \"b\"".into()));
}
