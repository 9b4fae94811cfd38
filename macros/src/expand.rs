//! Checks the function the attribute is on and writes its replacement: a
//! plain `fn` that builds a runtime and `block_on`s the old body.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::{ItemFn, ReturnType};

use crate::args;

/// Which attribute is being expanded.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Main,
    Test,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Main => "#[coop::main]",
            Kind::Test => "#[coop::test]",
        }
    }
}

/// The whole expansion. Errors come out as `compile_error!`s on their
/// spans, next to a function that still compiles where possible, so the
/// user sees only the mistakes that are really there.
pub(crate) fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(e) => {
            let message = format!("{} goes on an `async fn`", kind.name());
            return with_errors(item, syn::Error::new(e.span(), message));
        }
    };
    if let Err(error) = check(kind, &function) {
        return with_errors(stand_in(function), error);
    }
    let (config, errors) = args::parse(args);
    let expanded = rewrite(kind, function, &config);
    match errors {
        Some(error) => with_errors(expanded, error),
        None => expanded,
    }
}

fn with_errors(tokens: TokenStream, error: syn::Error) -> TokenStream {
    let error = error.to_compile_error();
    quote!(#error #tokens)
}

/// What to emit in place of a function that failed [`check`]: itself if
/// it is not `async` (it compiles as it is), else an empty `fn` of the same
/// name, so the only errors shown are ours (not "`main` is not allowed to
/// be `async`", nor "no `main` function").
fn stand_in(function: ItemFn) -> TokenStream {
    if function.sig.asyncness.is_none() {
        return function.into_token_stream();
    }
    let (vis, name) = (&function.vis, &function.sig.ident);
    quote!(#[allow(dead_code)] #vis fn #name() {})
}

/// What the function must look like for the rewrite to make sense.
fn check(kind: Kind, function: &ItemFn) -> syn::Result<()> {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            &sig.fn_token,
            format!(
                "{} goes on an `async fn`: the `async` keyword is missing from this function",
                kind.name()
            ),
        ));
    }
    if !sig.inputs.is_empty() {
        return Err(syn::Error::new_spanned(
            &sig.inputs,
            format!("{} functions take no arguments", kind.name()),
        ));
    }
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &sig.generics,
            format!("{} functions cannot be generic", kind.name()),
        ));
    }
    if let Kind::Test = kind {
        if let Some(test) = function.attrs.iter().find(|a| a.path().is_ident("test")) {
            return Err(syn::Error::new_spanned(
                test,
                "#[coop::test] already adds `#[test]`: remove this one",
            ));
        }
    }
    Ok(())
}

/// `async fn f() -> R { body }` into `fn f() -> R { runtime.block_on(async { body }) }`.
fn rewrite(kind: Kind, mut function: ItemFn, config: &args::Config) -> TokenStream {
    function.sig.asyncness = None;
    let coop = &config.crate_path;
    let calls = config
        .builder_calls
        .iter()
        .map(|(method, value)| quote_spanned!(value.span()=> .#method(#value)))
        .chain(
            config
                .start_paused
                .iter()
                .map(|value| quote_spanned!(value.span()=> .start_paused(#value))),
        );
    let output = match &function.sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    let body = &function.block;
    let expect = format!("{}: could not build the coop runtime", kind.name());
    // The async block's type is pinned to the declared return type, so `?`
    // inside the body knows which error to convert into.
    let block = quote! {{
        let body = async move #body;
        let body: ::core::pin::Pin<&mut dyn ::core::future::Future<Output = #output>> =
            ::core::pin::pin!(body);
        #coop::Builder::new()
            #(#calls)*
            .build()
            .expect(#expect)
            .block_on(body)
    }};
    function.block = syn::parse2(block).expect("the generated block parses");
    let test_attr = match kind {
        Kind::Main => quote!(),
        Kind::Test => quote!(#[::core::prelude::v1::test]),
    };
    quote!(#test_attr #function)
}
