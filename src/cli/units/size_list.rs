//! Sizes as `ddbsim units` takes them (DESIGN.md "Command line"): `512`, `64B`, `1.5KB`,
//! `2MB`, with KB = 1,024 bytes (MODEL.md §1.1), and lists of them with `COUNTx` prefixes:
//! `1500x64B`, `1.5KB,6.5KB`.

use crate::engine::operation::ItemSizes;

/// Most digits after the decimal point that a size may have.
const MAX_FRACTION_DIGITS: usize = 9;

/// The items of `--items`, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizeList(pub Vec<ItemSizes>);

/// Parses a comma-separated list of sizes, each optionally prefixed by `COUNTx`.
pub fn parse_size_list(text: &str) -> Result<SizeList, String> {
    text.split(',').map(parse_entry).collect::<Result<Vec<_>, _>>().map(SizeList)
}

fn parse_entry(entry: &str) -> Result<ItemSizes, String> {
    let entry = entry.trim();
    if entry.is_empty() {
        return Err("empty entry in the list; separate sizes with single commas, as in 1.5KB,6.5KB".into());
    }
    // A count is digits before an `x`; anything else before it makes the entry a (bad) size.
    let counted = entry.split_once(['x', 'X']).filter(|(count, _)| {
        let count = count.trim();
        !count.is_empty() && count.bytes().all(|b| b.is_ascii_digit())
    });
    let Some((count, size)) = counted else {
        return Ok(ItemSizes { count: 1, bytes: parse_size(entry)? });
    };
    let count = count.trim();
    let count = match count.parse::<u64>() {
        Ok(n) if n > 0 => n,
        _ => return Err(format!("\"{count}\" in \"{entry}\" is not a count of items (1 to 2^64 - 1)")),
    };
    Ok(ItemSizes { count, bytes: parse_size(size.trim())? })
}

/// Parses one size in bytes: a number, optionally followed by `B`, `KB` or `MB` (any case).
/// A fractional KB or MB size is rounded up to the next whole byte (`3.2KB` is 3,277 bytes);
/// a size in bytes must be whole.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let not_a_size = || {
        format!("\"{text}\" is not a size: expected a number with an optional B, KB or MB suffix, as in 512, 64B or 1.5KB")
    };
    let split = text.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let multiplier: u128 = match unit.trim_start().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "KB" => 1_024,
        "MB" => 1_024 * 1_024,
        _ => return Err(not_a_size()),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() {
        return Err(not_a_size());
    }
    let fraction = fraction.trim_end_matches('0');
    if !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
        || fraction.len() > MAX_FRACTION_DIGITS
    {
        return Err(not_a_size());
    }
    let too_large = || format!("\"{text}\" is too large");
    let digits = |s: &str| if s.is_empty() { Ok(0) } else { s.parse::<u128>().map_err(|_| too_large()) };
    let scale = 10u128.pow(fraction.len() as u32);
    let scaled = digits(whole)?
        .checked_mul(scale)
        .and_then(|w| w.checked_add(digits(fraction).ok()?))
        .and_then(|v| v.checked_mul(multiplier))
        .ok_or_else(too_large)?;
    if multiplier == 1 && scaled % scale != 0 {
        return Err(format!("\"{text}\" is a fraction of a byte; sizes in bytes are whole numbers"));
    }
    u64::try_from(scaled.div_ceil(scale)).map_err(|_| too_large())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(text: &str) -> Vec<(u64, u64)> {
        parse_size_list(text).expect(text).0.iter().map(|g| (g.count, g.bytes)).collect()
    }

    #[test]
    fn sizes_with_and_without_units() {
        let size = |text: &str| parse_size(text).expect(text);
        assert_eq!(size("512"), 512);
        assert_eq!(size("64B"), 64);
        assert_eq!(size("64b"), 64);
        assert_eq!(size("1KB"), 1_024);
        assert_eq!(size("1.5KB"), 1_536);
        assert_eq!(size("6.5kb"), 6_656);
        assert_eq!(size("400KB"), 409_600);
        assert_eq!(size("2MB"), 2_097_152);
        assert_eq!(size("0.5MB"), 524_288);
        assert_eq!(size("3.2KB"), 3_277, "rounded up from 3,276.8");
        assert_eq!(size("0.9KB"), 922, "rounded up from 921.6");
        assert_eq!(size("1.0B"), 1);
        assert_eq!(size("10 KB"), 10_240);
        assert_eq!(size("0"), 0);
        assert_eq!(size(".5KB"), 512);
        assert_eq!(size("7."), 7);
    }

    #[test]
    fn bad_sizes_are_errors() {
        for bad in ["", "KB", "1.5XB", "1GB", "-1", "1,5KB", "1.2.3", "1e3", "abc", ".", "0.0000000001KB"] {
            let message = parse_size(bad).expect_err(bad);
            assert!(message.contains("is not a size"), "{bad:?}: {message}");
        }
        assert_eq!(
            parse_size("1.5"),
            Err("\"1.5\" is a fraction of a byte; sizes in bytes are whole numbers".into())
        );
        assert_eq!(parse_size("1.5B").map_err(|e| e.contains("fraction")), Err(true));
        assert_eq!(parse_size("18446744073709551616"), Err("\"18446744073709551616\" is too large".into()));
        assert_eq!(
            parse_size("99999999999999999999999999999999999999999MB"),
            Err("\"99999999999999999999999999999999999999999MB\" is too large".into())
        );
    }

    #[test]
    fn lists_with_counts() {
        assert_eq!(list("1500x64B"), [(1_500, 64)]);
        assert_eq!(list("1.5KB,6.5KB"), [(1, 1_536), (1, 6_656)]);
        assert_eq!(list("500, 3.5KB"), [(1, 500), (1, 3_584)]);
        assert_eq!(list("3x500,2X1KB"), [(3, 500), (2, 1_024)]);
        assert_eq!(list("10 x 4178"), [(10, 4_178)]);
    }

    #[test]
    fn bad_lists_are_errors() {
        let err = |text: &str| parse_size_list(text).expect_err(text);
        assert!(err("1KB,,2KB").starts_with("empty entry"));
        assert!(err("").starts_with("empty entry"));
        assert_eq!(err("0x64B"), "\"0\" in \"0x64B\" is not a count of items (1 to 2^64 - 1)");
        assert!(err("99999999999999999999x1B").contains("is not a count of items"));
        assert!(err("ax64B").contains("\"ax64B\" is not a size"));
        assert!(err("+3x64B").contains("\"+3x64B\" is not a size"));
        assert!(err("1.5XB").contains("\"1.5XB\" is not a size"));
        assert!(err("3x").contains("\"\" is not a size"));
        assert!(err("3x2x1").contains("\"2x1\" is not a size"));
    }
}
