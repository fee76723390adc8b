//! `ddbsim units`: the capacity units of one operation (DESIGN.md "Command line"). Flags are
//! turned into an [`operation::Request`]; the arithmetic is [`operation::consumption`]'s
//! (MODEL.md §1.3) and item sizes from DynamoDB JSON are [`crate::engine::item`]'s (§1.2).

mod size_list;

use super::EXIT_BAD_INPUT;
use crate::engine::item::{item_size_bytes, parse_item_json};
use crate::engine::operation::{self, CalcError, Consumption, ItemSizes, Operation, Request, Setting};
use crate::engine::units::{Consistency, MILLI};
use clap::ValueEnum;
use size_list::{parse_size, parse_size_list, SizeList};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The flags of `ddbsim units`.
#[derive(Debug, clap::Args)]
pub struct UnitsArgs {
    /// The operation.
    #[arg(long, value_parser = operation_parser())]
    op: Operation,
    /// Item sizes, comma-separated, each with an optional COUNTx prefix and a B, KB or MB
    /// suffix (KB = 1,024 bytes; a bare number is bytes): 1500x64B, 1.5KB,6.5KB. For query and
    /// scan, the items evaluated; 0 is a get of a missing item.
    #[arg(long, value_name = "LIST", value_parser = parse_size_list, conflicts_with = "item_json")]
    items: Option<SizeList>,
    /// The existing item's size, for put and update; for delete, the deleted item's size.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    before: Option<u64>,
    /// Read consistency, for get, batch-get, query and scan [default: eventual].
    #[arg(long, value_enum)]
    consistency: Option<ConsistencyArg>,
    /// Partitions touched, items or not, for query and scan [default: 1].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    partitions: Option<u64>,
    /// One item in DynamoDB JSON, as the AWS CLI writes it (`-` for standard input); its size
    /// by DynamoDB's rules is the item size.
    #[arg(long, value_name = "FILE|-")]
    item_json: Option<PathBuf>,
    /// Print {"item_bytes": ..., "read_units": ..., "write_units": ...}.
    #[arg(long)]
    json: bool,
}

/// `--op`: the engine's operations by their command-line names, listed in `--help`.
fn operation_parser() -> impl clap::builder::TypedValueParser<Value = Operation> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Operation::ALL.map(Operation::name))
        .map(|name| Operation::ALL.into_iter().find(|op| op.name() == name).unwrap_or(Operation::Get))
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ConsistencyArg {
    Strong,
    Eventual,
}

/// Runs `ddbsim units`: prints the consumption, or one error naming the flag and exits 2.
pub fn run(args: &UnitsArgs) -> ExitCode {
    match report(args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// The text `ddbsim units` prints, or the message of its error.
fn report(args: &UnitsArgs) -> Result<String, String> {
    let items = match (&args.items, &args.item_json) {
        (Some(list), _) => list.0.clone(),
        (None, Some(path)) => vec![ItemSizes { count: 1, bytes: item_json_bytes(path)? }],
        (None, None) => Vec::new(),
    };
    let request = Request {
        operation: args.op,
        items: &items,
        before_bytes: args.before,
        consistency: args.consistency.map(|c| match c {
            ConsistencyArg::Strong => Consistency::Strong,
            ConsistencyArg::Eventual => Consistency::Eventual,
        }),
        partitions: args.partitions,
    };
    let consumption = operation::consumption(&request).map_err(|e| format!("{}: {e}", flag_of(&e)))?;
    Ok(if args.json { json_line(&consumption) } else { explain(&request, &consumption) })
}

/// The size of the item in `path` (`-`: standard input), by DynamoDB's rules.
fn item_json_bytes(path: &Path) -> Result<u64, String> {
    let (name, text) = if path == Path::new("-") {
        let mut text = String::new();
        let read = std::io::stdin().read_to_string(&mut text).map(|_| text);
        ("standard input".to_string(), read)
    } else {
        (path.display().to_string(), std::fs::read_to_string(path))
    };
    let text = text.map_err(|e| format!("--item-json {name}: cannot read it: {e}"))?;
    let item = parse_item_json(&text).map_err(|e| format!("--item-json {name}: {e}"))?;
    Ok(item_size_bytes(&item))
}

/// The flag an error is about.
fn flag_of(error: &CalcError) -> &'static str {
    match error {
        CalcError::BeforeTooLarge { .. } | CalcError::DeleteSizeTwice => "--before",
        CalcError::NotApplicable { setting: Setting::Before, .. } => "--before",
        CalcError::NotApplicable { setting: Setting::Consistency, .. }
        | CalcError::TransactionalRead { .. } => "--consistency",
        CalcError::NotApplicable { setting: Setting::Partitions, .. } | CalcError::NoPartitions { .. } => {
            "--partitions"
        }
        _ => "--items",
    }
}

/// DESIGN.md's `--json` line.
fn json_line(c: &Consumption) -> String {
    format!(
        "{{\"item_bytes\": {}, \"read_units\": {}, \"write_units\": {}}}\n",
        c.item_bytes,
        decimal_units(c.read_milli),
        decimal_units(c.write_milli)
    )
}

/// Milli-units as an exact decimal with at least one fractional digit: 1.5, 3.0, 0.25.
fn decimal_units(milli: u64) -> String {
    let fraction = format!("{:03}", milli % MILLI);
    let fraction = fraction.trim_end_matches('0');
    format!("{}.{}", milli / MILLI, if fraction.is_empty() { "0" } else { fraction })
}

/// A short human explanation: what was measured, the rounding applied, the units.
fn explain(request: &Request<'_>, c: &Consumption) -> String {
    use Operation::*;
    let operation = request.operation;
    let mut head =
        format!("{operation}: {} item{}, {} bytes", grouped(c.items), plural(c.items), grouped(c.item_bytes));
    if let (Some(before), Put | Update) = (request.before_bytes, operation) {
        head += &format!(" (before: {} bytes)", grouped(before));
    }
    if let (Query | Scan, Some(n)) = (operation, request.partitions) {
        head += &format!(", {n} partition{} touched", plural(n));
    }
    let rounding = match operation {
        Get if c.item_bytes == 0 => "a missing item (0 bytes) still costs one block",
        Get => "the item rounded up to 4 KB",
        BatchGet | TransactGet => "each item rounded up to 4 KB, then summed",
        Query | Scan => "the items' sizes summed per 1 MB page, each page rounded up to 4 KB",
        Put | Update => "the larger of the item before and after, rounded up to 1 KB",
        Delete => "the deleted item rounded up to 1 KB",
        BatchWrite | TransactWrite => "each item rounded up to 1 KB, then summed",
    };
    let block = if operation.is_read() { "4 KB" } else { "1 KB" };
    let mut rounded = format!("{} block{} of {block}", c.blocks, plural(c.blocks));
    if matches!(operation, Query | Scan) {
        rounded = format!("{} page{}, {rounded}", c.pages, plural(c.pages));
    }
    if c.partition_minimum {
        rounded += ", the minimum of one block per partition touched";
    }
    let (per_block, why, milli, kind) = match (operation, request.consistency) {
        (TransactGet, _) => ("2 read units", "transactional: prepare and commit", c.read_milli, "read"),
        (TransactWrite, _) => ("2 write units", "transactional: prepare and commit", c.write_milli, "write"),
        (_, Some(Consistency::Strong)) => ("1 read unit", "strongly consistent", c.read_milli, "read"),
        _ if operation.is_read() => ("0.5 read unit", "eventually consistent", c.read_milli, "read"),
        _ => ("1 write unit", "standard write", c.write_milli, "write"),
    };
    let units = decimal_units(milli);
    format!("{head}\n  {rounding}: {rounded}\n  {per_block} per block ({why}): {units} {kind} units\n")
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// 1234567 as "1,234,567".
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests;
