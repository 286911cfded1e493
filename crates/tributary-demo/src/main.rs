//! `tributary-demo`: the embedded demo alone (what `scripts/demo` builds and runs). The same
//! demo is `tributary demo` in the operator binary.
use clap::Parser;

#[derive(Parser)]
#[command(name = "tributary-demo", version, about = "Tributary's whole life cycle on an embedded cluster: no network")]
struct Cli {
    #[command(flatten)]
    demo: tributary_demo::DemoArgs,
}

fn main() {
    match tributary_demo::run_args(Cli::parse().demo) {
        Ok(true) => {}
        Ok(false) => std::process::exit(2),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    }
}
