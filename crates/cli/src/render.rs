//! `tidings render`: the mask engine on a file, with the JSON contract other tools rely on:
//! `{"top": {...}|null, "quotes": [...], "html": "..."}`.

use std::io::Read;
use std::path::Path;

use tidings_mask::{AddressBook, Body, MaskSet, MaskSource, RenderOptions, Rendering};

use crate::args::{InputFormat, RenderArgs};
use crate::failure::Failure;

/// The largest input read; mail bodies are far smaller, and a bigger file is refused, not cut.
pub const MAX_INPUT_BYTES: u64 = 25 * 1024 * 1024;

pub fn run(args: &RenderArgs) -> Result<(), Failure> {
    let masks = load_masks(args.masks.as_deref())?;
    let input = read_input(&args.file)?;
    let format = match args.input_format {
        InputFormat::Auto => format_named_by(&args.file).unwrap_or(InputFormat::Auto),
        given => given,
    };
    let rendering = render_input(&input, format, &masks)?;
    for warning in &rendering.warnings {
        eprintln!("tidings: warning: {warning}");
    }
    if args.json {
        let json = serde_json::to_string(&rendering)
            .map_err(|error| Failure::Runtime(format!("could not write JSON: {error}")))?;
        println!("{json}");
    } else {
        print!("{}", summary(&rendering));
    }
    Ok(())
}

/// The built-in masks, with the `*.toml` files of `dir` layered over them.
pub fn load_masks(dir: Option<&Path>) -> Result<MaskSet, Failure> {
    let Some(dir) = dir else { return Ok(MaskSet::builtin()) };
    let entries = std::fs::read_dir(dir).map_err(|error| {
        Failure::BadInput(format!("cannot read the mask directory {}: {error}", dir.display()))
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "toml"))
        .collect();
    paths.sort();
    let mut sources = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = std::fs::read(&path)
            .map_err(|error| Failure::BadInput(format!("cannot read {}: {error}", path.display())))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Failure::BadInput(format!("mask file {} is not UTF-8", path.display())))?;
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        sources.push(MaskSource { name, text });
    }
    MaskSet::builtin()
        .with_overrides(&sources)
        .map_err(|error| Failure::BadInput(format!("mask file {error}")))
}

/// The format a file's extension names. It comes before the content: a `.txt` body that opens
/// with Outlook's `From:`/`Sent:`/`To:`/`Subject:` block reads like a message's own header, and
/// is still a body.
fn format_named_by(file: &Path) -> Option<InputFormat> {
    let extension = file.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "eml" => Some(InputFormat::Eml),
        "html" | "htm" => Some(InputFormat::Html),
        "txt" | "text" => Some(InputFormat::Text),
        _ => None,
    }
}

fn read_input(file: &Path) -> Result<Vec<u8>, Failure> {
    let mut input = Vec::new();
    let result = if file == Path::new("-") {
        std::io::stdin().lock().take(MAX_INPUT_BYTES + 1).read_to_end(&mut input)
    } else {
        std::fs::File::open(file)
            .and_then(|opened| opened.take(MAX_INPUT_BYTES + 1).read_to_end(&mut input))
            .map_err(|error| std::io::Error::new(error.kind(), format!("{}: {error}", file.display())))
    };
    result.map_err(|error| Failure::BadInput(format!("cannot read {error}")))?;
    if input.len() as u64 > MAX_INPUT_BYTES {
        return Err(Failure::BadInput(format!(
            "the input is larger than {} MiB; render the message's body, not a whole mailbox",
            MAX_INPUT_BYTES / (1024 * 1024)
        )));
    }
    Ok(input)
}

/// Renders `input` as `format` says (or as it looks, for `auto`).
pub fn render_input(input: &[u8], format: InputFormat, masks: &MaskSet) -> Result<Rendering, Failure> {
    let format = match format {
        InputFormat::Auto if tidings_message::looks_like_message(input) => InputFormat::Eml,
        InputFormat::Auto if looks_like_html(input) => InputFormat::Html,
        InputFormat::Auto => InputFormat::Text,
        given => given,
    };
    let book = AddressBook::new();
    let options = RenderOptions::default();
    if format == InputFormat::Eml {
        let message = tidings_message::read(input).map_err(|error| Failure::BadInput(error.to_string()))?;
        return Ok(tidings_mask::render(message.body.as_body(), Some(&message.top), masks, &book, &options));
    }
    let text = body_text(input)?;
    let body = if format == InputFormat::Html { Body::Html(text) } else { Body::Text(text) };
    Ok(tidings_mask::render(body, None, masks, &book, &options))
}

/// A bare body must be text: UTF-8 without NUL or other control bytes a text never has.
fn body_text(input: &[u8]) -> Result<&str, Failure> {
    let text = std::str::from_utf8(input).map_err(|error| {
        Failure::BadInput(format!(
            "the input is not UTF-8 text (invalid byte at offset {}); pass the whole .eml so its charset is known",
            error.valid_up_to()
        ))
    })?;
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) {
        return Err(Failure::BadInput("the input is binary data, not a mail body".into()));
    }
    Ok(text)
}

fn looks_like_html(input: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&input[..input.len().min(64 * 1024)]).to_ascii_lowercase();
    ["<!doctype", "<html", "<body", "<div", "<p>", "<p ", "<br", "<blockquote", "<table", "<span"]
        .iter()
        .any(|tag| head.contains(tag))
}

/// The human-readable form: one line per header block.
pub fn summary(rendering: &Rendering) -> String {
    let mut out = String::new();
    if let Some(top) = &rendering.top {
        out.push_str(&format!("top        {}\n", header_line(top)));
    }
    for quote in &rendering.quotes {
        let kind = serde_json::to_value(quote.kind).ok().and_then(|kind| kind.as_str().map(str::to_owned));
        out.push_str(&format!(
            "{}{:<8} {}  [{}]\n",
            "  ".repeat(quote.depth),
            kind.unwrap_or_default(),
            header_line(&quote.fields),
            quote.mask
        ));
    }
    if rendering.top.is_none() && rendering.quotes.is_empty() {
        out.push_str("no quote headers found\n");
    }
    out
}

fn header_line(fields: &tidings_mask::HeaderFields) -> String {
    let mut parts = Vec::new();
    match (&fields.name, &fields.email) {
        (Some(name), Some(email)) => parts.push(format!("{name} <{email}>")),
        (Some(name), None) => parts.push(name.clone()),
        (None, Some(email)) => parts.push(format!("<{email}>")),
        (None, None) => parts.push("(no sender)".into()),
    }
    parts.extend(fields.date.clone());
    parts.extend(fields.time.clone());
    parts.extend(fields.utc_offset.as_ref().map(|offset| format!("UTC{offset}")));
    parts.join("  ")
}
