//! `#[derive(Tangent)]`: zero, accumulate and a zero shaped like a value,
//! field by field (fields: `Tangent`s or `Vec`s of them, `FieldTangent`).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

/// The `impl ::autodiff::Tangent` of a struct with named fields, or a spanned error.
pub fn derive(item: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(item) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let Data::Struct(data) = &input.data else {
        return syn::Error::new_spanned(&input.ident, "`Tangent` derives for structs with named fields of floats, float arrays or `Tangent` structs")
            .to_compile_error();
    };
    let Fields::Named(fields) = &data.fields else {
        return syn::Error::new_spanned(
            &input.ident,
            "`Tangent` derives for structs with named fields; give the fields names",
        )
        .to_compile_error();
    };
    let name = &input.ident;
    let names: Vec<_> = fields
        .named
        .iter()
        .filter_map(|f| f.ident.clone())
        .collect();
    let tys: Vec<_> = fields.named.iter().map(|f| f.ty.clone()).collect();
    let mut generics = input.generics.clone();
    {
        let wc = generics.make_where_clause();
        for t in &tys {
            wc.predicates
                .push(syn::parse_quote!(#t: ::autodiff::__private::FieldTangent));
        }
    }
    let (impl_g, ty_g, where_clause) = generics.split_for_impl();
    quote! {
        impl #impl_g ::autodiff::Tangent for #name #ty_g #where_clause {
            #[inline]
            fn zero() -> Self {
                Self { #(#names: <#tys as ::autodiff::__private::FieldTangent>::zero()),* }
            }
            #[inline]
            fn accumulate(&mut self, other: &Self) {
                #(::autodiff::__private::FieldTangent::accumulate(&mut self.#names, &other.#names);)*
            }
            #[inline]
            fn zero_like(&self) -> Self {
                Self { #(#names: ::autodiff::__private::FieldTangent::zero_like(&self.#names)),* }
            }
        }
    }
}
