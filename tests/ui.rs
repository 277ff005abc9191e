//! Every construct `#[grad]` rejects gets a clear, spanned error: one wrong input per file.
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
