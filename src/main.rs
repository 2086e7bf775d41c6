fn main() -> std::process::ExitCode {
    geosim::cli::main()
}
