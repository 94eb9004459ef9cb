fn main() -> std::process::ExitCode {
    reservoir::cli::main()
}
