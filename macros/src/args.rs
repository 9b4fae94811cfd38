//! The attribute's arguments: `key = value, …` into the settings of a
//! `coop::Builder`, every mistake an error on the mistaken tokens.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, LitBool, LitInt, Meta, MetaNameValue, Path, Token};

/// The arguments that map onto `Builder` methods taking a count.
const COUNTS: [&str; 3] = ["event_interval", "budget", "max_blocking_threads"];

/// What the arguments asked for.
pub(crate) struct Config {
    /// `(method, value)` pairs, in the order written.
    pub(crate) builder_calls: Vec<(syn::Ident, LitInt)>,
    /// `start_paused = true/false`, if given: `Builder::start_paused`.
    pub(crate) start_paused: Option<LitBool>,
    /// Where the `coop` crate is: `::coop` unless `crate = "…"` says.
    pub(crate) crate_path: Path,
}

/// Parses `args`. On error, the returned config holds what did parse (so
/// the function can still be generated and only the real mistakes show).
pub(crate) fn parse(args: TokenStream) -> (Config, Option<syn::Error>) {
    let mut config = Config {
        builder_calls: Vec::new(),
        start_paused: None,
        crate_path: syn::parse_quote!(::coop),
    };
    let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args) {
        Ok(metas) => metas,
        Err(e) => {
            let hint = "expected arguments like `budget = 64, event_interval = 31`";
            return (
                config,
                Some(syn::Error::new(e.span(), format!("{e}; {hint}"))),
            );
        }
    };
    let mut errors: Option<syn::Error> = None;
    for meta in metas {
        let result = match &meta {
            Meta::NameValue(pair) => apply(&mut config, pair),
            Meta::Path(_) | Meta::List(_) => Err(syn::Error::new_spanned(
                &meta,
                "arguments are `key = value`, like `budget = 64`",
            )),
        };
        if let Err(e) = result {
            match &mut errors {
                Some(all) => all.combine(e),
                None => errors = Some(e),
            }
        }
    }
    (config, errors)
}

fn apply(config: &mut Config, pair: &MetaNameValue) -> syn::Result<()> {
    let Some(key) = pair.path.get_ident() else {
        return Err(unknown(&pair.path));
    };
    let name = key.to_string();
    match name.as_str() {
        _ if COUNTS.contains(&name.as_str()) => {
            let value = count(&pair.value, &name)?;
            if config.builder_calls.iter().any(|(k, _)| k == key) {
                return Err(syn::Error::new_spanned(
                    key,
                    format!("`{name}` is given twice"),
                ));
            }
            config.builder_calls.push((key.clone(), value));
        }
        "start_paused" => {
            let value = bool_lit(&pair.value)?;
            if config.start_paused.is_some() {
                return Err(syn::Error::new_spanned(
                    key,
                    "`start_paused` is given twice",
                ));
            }
            config.start_paused = Some(value);
        }
        "crate" => config.crate_path = crate_path(&pair.value)?,
        "flavor" | "worker_threads" => {
            return Err(syn::Error::new_spanned(
                key,
                format!("`{name}` does not apply: a coop runtime is always one thread; remove it"),
            ))
        }
        _ => return Err(unknown(key)),
    }
    Ok(())
}

fn unknown(key: &impl quote::ToTokens) -> syn::Error {
    syn::Error::new_spanned(
        key,
        "unknown argument; expected `event_interval = N`, `budget = N`, \
         `max_blocking_threads = N`, `start_paused = true` or `crate = \"path\"`",
    )
}

fn literal(value: &Expr) -> Option<&Lit> {
    match value {
        Expr::Lit(ExprLit { lit, .. }) => Some(lit),
        _ => None,
    }
}

/// A positive integer literal (the builder panics on zero; say so now).
fn count(value: &Expr, name: &str) -> syn::Result<LitInt> {
    let Some(Lit::Int(int)) = literal(value) else {
        return Err(syn::Error::new_spanned(
            value,
            format!("`{name}` takes an integer literal, like `{name} = 32`"),
        ));
    };
    match int.base10_parse::<u64>() {
        Ok(0) => Err(syn::Error::new_spanned(
            int,
            format!("`{name}` must be at least 1"),
        )),
        // Without its suffix (`32u8`), so it takes the builder's type.
        Ok(_) => Ok(LitInt::new(int.base10_digits(), int.span())),
        Err(e) => Err(e),
    }
}

fn bool_lit(value: &Expr) -> syn::Result<LitBool> {
    match literal(value) {
        Some(Lit::Bool(b)) => Ok(LitBool::new(b.value, b.span)),
        _ => Err(syn::Error::new_spanned(value, "expected `true` or `false`")),
    }
}

fn crate_path(value: &Expr) -> syn::Result<Path> {
    match literal(value) {
        Some(Lit::Str(s)) => s.parse(),
        _ => Err(syn::Error::new_spanned(
            value,
            "`crate` takes a path in a string, like `crate = \"coop\"`",
        )),
    }
}
