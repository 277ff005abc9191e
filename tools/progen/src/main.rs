//! `cargo run -p progen -- --seed 1 --count 600 > tests/random_programs.rs`
//!
//! Writes the random-program test suite of the `autodiff` crate to stdout; see
//! the crate docs of `progen` for what it generates.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match progen::Options::parse(&args) {
        Ok(opts) => print!("{}", progen::generate(&opts)),
        Err(e) => {
            eprintln!("progen: {e}\n\n{}", progen::USAGE);
            std::process::exit(2);
        }
    }
}
